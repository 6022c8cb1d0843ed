package action

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/loadgate/loadgate/loadtest"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// golden compares got with testdata/name. With -update it rewrites the
// file; on a mismatch it writes testdata/name.got beside it and prints a
// diff, as benchstat's tests do.
func golden(t *testing.T, name string, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		_ = os.WriteFile(path+".got", []byte(got), 0o644)
		t.Errorf("%s changed (-golden +got), got written to %s.got; if intended, run go test -update:\n%s", path, path, diff)
	} else {
		os.Remove(path + ".got")
	}
}

// testEnv is the machine of synthetic results.
var testEnv = loadtest.Env{Go: "go1.26.8", GOOS: "linux", GOARCH: "amd64", CPUs: 2, CPUModel: "Example CPU"}

const shopPkg = "github.com/loadgate/loadgate/examples/shop"

// fake describes a synthetic result.
type fake struct {
	scenario, test string
	p50, p99       float64 // milliseconds
	errorRate      float64
	seconds        int
	leaks          []loadtest.Leak
	env            *loadtest.Env
}

// result makes a loadtest.Result as loadtest.Run would write it, with a
// timeline whose p99 wobbles around the run's p99 (deterministically,
// from run).
func (f fake) result(run int) *loadtest.Result {
	ms := func(v float64) int64 { return int64(v * float64(time.Millisecond)) }
	env := testEnv
	if f.env != nil {
		env = *f.env
	}
	seconds := f.seconds
	if seconds == 0 {
		seconds = 10
	}
	requests := int64(100 * seconds)
	errs := int64(f.errorRate * float64(requests))
	r := &loadtest.Result{
		Schema:     loadtest.SchemaVersion,
		Scenario:   f.scenario,
		Package:    shopPkg,
		Test:       f.test,
		RunID:      fmt.Sprintf("%s-%d", f.scenario, run),
		Started:    time.Date(2026, 11, 23, 1, 0, run, 0, time.UTC),
		DurationNS: int64(seconds) * int64(time.Second),
		Env:        env,
		Load: loadtest.LoadInfo{Model: "open", DurationNS: int64(seconds) * int64(time.Second), TimeoutNS: int64(time.Second),
			Stages: []loadtest.StagePlan{{Name: "100/s", Model: "open", Arrivals: "even", From: 100, To: 100, DurationNS: int64(seconds) * int64(time.Second)}}},
		Requests:   requests,
		Errors:     errs,
		ErrorRate:  float64(errs) / float64(requests),
		Rate:       100,
		Throughput: 100 * (1 - f.errorRate),
		Latency: loadtest.Latency{Count: requests, MinNS: ms(f.p50 / 4), MeanNS: ms(f.p50 * 1.1), P50NS: ms(f.p50),
			P90NS: ms((f.p50 + f.p99) / 2), P95NS: ms(f.p99 * 0.8), P99NS: ms(f.p99), P999NS: ms(f.p99 * 1.3), MaxNS: ms(f.p99 * 1.5)},
		ErrorKinds: map[string]int64{},
		Runtime: loadtest.RuntimeStats{GoroutinesStart: 10, GoroutinesPeak: 80, GoroutinesEnd: 10,
			HeapPeakBytes: 8 << 20, GCPauseP99NS: 20000, NumGC: 12, CPUSeconds: 1.5},
		Leaks: f.leaks,
	}
	r.ServiceTime = r.Latency
	if errs > 0 {
		r.ErrorKinds["http_5xx"] = errs
	}
	for s := range seconds {
		wobble := 1 + 0.05*float64((s*7+run*3)%5-2)
		r.Timeline = append(r.Timeline, loadtest.Second{Second: int64(s), Sent: 100, Requests: 100,
			Errors: errs / int64(seconds), P50NS: ms(f.p50), P99NS: ms(f.p99 * wobble)})
	}
	for _, l := range f.leaks {
		_ = l
		r.Runtime.GoroutinesEnd += l.Count
	}
	return r
}

// writeResults writes results into dir/side as loadtest does.
func writeResults(t *testing.T, dir, side string, results ...*loadtest.Result) {
	t.Helper()
	for _, r := range results {
		if _, err := loadtest.WriteFile(filepath.Join(dir, side), r); err != nil {
			t.Fatal(err)
		}
	}
}

// runs makes one result per value of p99 (ms); p50 moves with noise.
func runs(f fake, p50s, p99s []float64) []*loadtest.Result {
	var out []*loadtest.Result
	for i := range p99s {
		g := f
		g.p50, g.p99 = p50s[i], p99s[i]
		out = append(out, g.result(i+1))
	}
	return out
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeResultFile(dir, side string, r *loadtest.Result) (string, error) {
	return loadtest.WriteFile(filepath.Join(dir, side), r)
}
