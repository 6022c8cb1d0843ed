package baseline

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/schematest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/loadgate/loadgate/internal/golden"
	"github.com/loadgate/loadgate/loadtest"
)

const schemaPath = "../schema/baseline.v1.json"

// goldenBaseline is a baseline covering every field, recorded from fixed
// results, so that the golden file shows the whole v1 layout.
func goldenBaseline(t *testing.T) *Baseline {
	t.Helper()
	r1, r2 := result("checkout", time.Millisecond, 1), result("checkout", 1100*time.Microsecond, 2)
	r2.Phases = map[string]loadtest.Latency{"ttfb": {Count: 1000, P50NS: 800000, P99NS: 1500000}, "connect": {Count: 0}}
	r2.Stopped = &loadtest.Stop{Cause: "gate", Stage: "peak", Reason: "p95 = 3ms, want < 2ms"}
	r2.Generator = &loadtest.Generator{CPUs: 2, CPUShare: 0.97, Bound: true, Reasons: []string{"the process used 97% of its 2 CPUs and its goroutines waited up to 1.57ms for one at p99 (limits 90% and 1ms)"}}
	b := &Baseline{
		Schema: SchemaVersion, Scenario: "checkout", Package: "example.com/shop", Test: "TestLoad",
		UpdateID: "pid42-20261123T010203Z-0123456789ab", Recorded: time.Date(2026, 11, 23, 1, 2, 5, 0, time.UTC),
		Commit: "0123456789abcdef0123456789abcdef01234567", Env: testEnv,
	}
	b.Env.RateScale, b.Env.Target = 0.5, "http://127.0.0.1:8080"
	for _, r := range []*loadtest.Result{r1, r2} {
		b.Runs = append(b.Runs, RunOf(r))
		if err := mergeLatency(&b.Latency, &r.Latency); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

var hdrValue = regexp.MustCompile(`"hdr": "[^"]*"`)

// TestBaselineGolden guards the JSON layout of schema loadgate.baseline/v1:
// a change to it must be deliberate (go test -update) and show in review.
func TestBaselineGolden(t *testing.T) {
	path := filepath.Join(t.TempDir(), "checkout.json")
	if err := Save(path, goldenBaseline(t)); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The HDR encoding is zlib output, whose bytes change between Go
	// releases; the golden file shows the layout, and the round trip below
	// checks the histogram itself.
	golden.Check(t, "baseline.golden.json", hdrValue.ReplaceAll(got, []byte(`"hdr": "(zlib-compressed HDR histogram)"`)))
	schematest.Validate(t, schemaPath, got)

	b, err := Parse(got, "golden")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(goldenBaseline(t), b, cmpopts.IgnoreUnexported(loadtest.Latency{})); diff != "" {
		t.Errorf("baseline does not survive a round trip (-saved +parsed):\n%s", diff)
	}
	if b.Latency.Count != 2000 {
		t.Errorf("merged latency counts %d requests, want 2000", b.Latency.Count)
	}
}

// TestBaselineSchemaOfRealRecord records real runs, one of them over HTTP
// with phases, and checks the file against the schema.
func TestBaselineSchemaOfRealRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("runs load")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	path := Path(t.TempDir(), "schema check")
	for _, target := range []loadtest.Target{
		loadtest.Func(func(ctx context.Context) error { return nil }),
		loadtest.Mix(loadtest.Request{URL: srv.URL}),
	} {
		res := loadtest.Run(t, loadtest.Scenario{
			Name: "schema check", Target: target,
			Load: loadtest.Rate(200).For(300 * time.Millisecond),
		})
		if res == nil {
			t.FailNow()
		}
		if _, err := Record(path, "session", res); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	schematest.Validate(t, schemaPath, data)
	b, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Runs) != 2 || b.Runs[1].Phases["ttfb"].Count == 0 {
		t.Errorf("runs %+v, want 2, the second with HTTP phases", b.Runs)
	}
}

// TestParseRefusesNegativeValues checks that every number of a run but
// goroutine_growth, which counts goroutines that ended as negative growth,
// must not be negative, and that the error names the field. A metric kept
// in a run's "metrics" (service.p99) is checked as the fields are: a
// hand-edited -2 there was read as a latency of -2ns, which made a head of 1ms
// look 50,000,000% slower.
func TestParseRefusesNegativeValues(t *testing.T) {
	keys := []string{"duration_ns", "requests", "p50_ns", "p90_ns", "p99_ns", "p999_ns", "error_rate",
		"throughput", "dropped", "goroutine_growth", "heap_peak_bytes", "gc_pause_p99_ns", "metrics.service.p99"}
	for _, key := range keys {
		t.Run(key, func(t *testing.T) {
			b := goldenBaseline(t)
			data, err := json.Marshal(b)
			if err != nil {
				t.Fatal(err)
			}
			var v map[string]any
			if err := json.Unmarshal(data, &v); err != nil {
				t.Fatal(err)
			}
			run := v["runs"].([]any)[1].(map[string]any)
			if name, ok := strings.CutPrefix(key, "metrics."); ok {
				run["metrics"].(map[string]any)[name] = -2
			} else {
				run[key] = -2
			}
			if data, err = json.Marshal(v); err != nil {
				t.Fatal(err)
			}
			_, err = Parse(data, "neg.json")
			want := "neg.json: baseline of checkout: run 2: " + key + " is negative (-2)"
			switch {
			case key == "goroutine_growth" && err != nil:
				t.Errorf("Parse: %v, want no error", err)
			case key != "goroutine_growth" && (err == nil || err.Error() != want):
				t.Errorf("Parse: %v, want %s", err, want)
			}
		})
	}
}
