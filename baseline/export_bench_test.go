package baseline

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/loadgate/loadgate/loadtest"
)

func TestWriteBenchmarksParsesWithBenchfmt(t *testing.T) {
	r1 := result("checkout v2", time.Millisecond, 1)
	r1.Phases = map[string]loadtest.Latency{"ttfb": {Count: 10, P50NS: 800000, P99NS: 1500000}}
	r1.Errors, r1.ErrorRate, r1.Throughput, r1.Dropped = 250, 0.25, 750, 3
	r2 := result("checkout v2", 2*time.Millisecond, 2)
	s, err := SampleOf(r1, r2)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := WriteBenchmarks(&out, s); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", out.String())

	r := benchfmt.NewReader(bytes.NewReader(out.Bytes()), "loadgate.txt")
	var results []*benchfmt.Result
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.Result:
			results = append(results, rec.Clone())
		case *benchfmt.SyntaxError:
			t.Fatalf("benchfmt: %v", rec)
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 {
		t.Fatalf("%d results, want one per run", len(results))
	}
	first := results[0]
	if got := string(first.Name); got != "Load/checkout_v2" {
		t.Errorf("name %q, want Load/checkout_v2", got)
	}
	if first.Iters != 1 {
		t.Errorf("iters %d, want 1", first.Iters)
	}
	for key, want := range map[string]string{"goos": "linux", "goarch": "amd64", "pkg": "example.com/shop", "cpu": "Example CPU"} {
		if got := first.GetConfig(key); got != want {
			t.Errorf("config %s = %q, want %q", key, got, want)
		}
	}
	// benchfmt tidies "-ns" units to seconds, as benchstat shows them.
	want := map[string]float64{
		"p50-sec":          float64(r1.Latency.P50NS) / 1e9,
		"p90-sec":          float64(r1.Latency.P90NS) / 1e9,
		"p99-sec":          float64(r1.Latency.P99NS) / 1e9,
		"p999-sec":         float64(r1.Latency.P999NS) / 1e9,
		"service-p99-sec":  float64(r1.ServiceTime.P99NS) / 1e9,
		"req/s":            750,
		"errors/req":       0.25,
		"dropped":          3,
		"goroutine-growth": 1,
		"heap-peak-B":      8 << 20,
		"gc-pause-p99-sec": 20e-6,
		"ttfb-p50-sec":     800e-6,
		"ttfb-p99-sec":     1500e-6,
	}
	for unit, v := range want {
		got, ok := first.Value(unit)
		if !ok {
			t.Errorf("unit %s missing", unit)
			continue
		}
		if d := got - v; d > 1e-12 || d < -1e-12 {
			t.Errorf("%s = %g, want %g", unit, got, v)
		}
	}
	if len(first.Values) != len(want) {
		t.Errorf("%d values, want %d", len(first.Values), len(want))
	}
	if _, ok := results[1].Value("ttfb-p99-sec"); ok {
		t.Error("the second run has a phase it did not time")
	}
	units := r.Units()
	if better := units.GetBetter("req/s"); better != 1 {
		t.Errorf("req/s better = %d, want higher (1)", better)
	}
	if better := units.GetBetter("p99-sec"); better != -1 {
		t.Errorf("p99-sec better = %d, want lower (-1)", better)
	}
	if !strings.Contains(out.String(), "BenchmarkLoad/checkout_v2 1 1026047 p50-ns ") {
		t.Errorf("latency not written in integer nanoseconds:\n%s", out.String())
	}
}

func TestBenchName(t *testing.T) {
	for give, want := range map[string]string{"checkout": "checkout", "a b\tc": "a_b_c", "x\x00": `x\x00`, "": "scenario"} {
		if got := benchName(give); got != want {
			t.Errorf("benchName(%q) = %q, want %q", give, got, want)
		}
	}
}
