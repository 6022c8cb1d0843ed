package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/golden"
	"github.com/loadgate/loadgate/internal/gotest"
	"github.com/loadgate/loadgate/internal/verdict"
	"github.com/loadgate/loadgate/loadtest"
)

// withBoundRuns copies the results in dir with the runs in the files
// named made generator-bound, as loadtest.Run marks a run whose generator
// was the bottleneck (issue 21).
func withBoundRuns(t *testing.T, dir string, names ...string) string {
	t.Helper()
	return editResults(t, dir, func(_, file string, doc map[string]any) {
		g := map[string]any{"cpus": 2, "cpu_share": 0.4, "sched_latency_p99_ns": 200000, "bound": false}
		if slices.Contains(names, file) {
			g = map[string]any{"cpus": 2, "cpu_share": 0.97, "sched_latency_p99_ns": 12582912, "sends": 750, "send_lag_p90_ns": 3400000, "send_lag_p99_ns": 5200000, "bound": true,
				"reasons": []string{"the process used 97% of its 2 CPUs and its goroutines waited up to 12.6ms for one at p99 (limits 90% and 1ms)", "one send in ten left more than 1ms late (p90 3.4ms)"}}
		}
		doc["generator"] = g
	})
}

// TestCompareGeneratorBound (issue 21): a regression measured while head
// runs' generator was the bottleneck. With one such run of five, loadgate
// compare judges latencies and throughput without it, still finds the
// regression and exits 1, saying which run it left out and why. With
// three, too few are left: it claims no regression of the service, says
// inconclusive, generator-bound, names the runs and exits 3; the error
// rate is judged on every run either way.
func TestCompareGeneratorBound(t *testing.T) {
	tests := []struct {
		name, golden string
		files        []string
		code         int
		want         []string
	}{
		{"one", "compare_generator_bound_one_", []string{"checkout_at_150_per_second.3.json"}, 1, []string{
			"judged without the generator-bound runs (head run 3: the process used 97% of its 2 CPUs and its goroutines waited up to 12.6ms for one at p99 (limits 90% and 1ms)",
		}},
		{"three", "compare_generator_bound_", []string{"checkout_at_150_per_second.json", "checkout_at_150_per_second.3.json", "checkout_at_150_per_second.5.json"}, 3, []string{
			"generator-bound",
			"head run 3: the process used 97% of its 2 CPUs and its goroutines waited up to 12.6ms for one at p99 (limits 90% and 1ms)",
		}},
	}
	for _, tt := range tests {
		head := withBoundRuns(t, "testdata/results/slow", tt.files...)
		for _, format := range []string{"text", "markdown"} {
			t.Run(tt.name+"/"+format, func(t *testing.T) {
				r := loadgate(context.Background(), "compare", "-format", format, "testdata/results/base", head)
				if r.code != tt.code {
					t.Errorf("exit status %d, want %d", r.code, tt.code)
				}
				for _, want := range tt.want {
					if !strings.Contains(r.stdout, want) {
						t.Errorf("output lacks %q:\n%s", want, r.stdout)
					}
				}
				if tt.code == 3 && (strings.Contains(r.stdout, "FAIL") || strings.Contains(r.stdout, "regression confirmed:")) {
					t.Errorf("generator-bound runs failed the comparison:\n%s", r.stdout)
				}
				out := strings.ReplaceAll(r.String(), head, "$HEAD") // a new temporary directory every time
				golden.Check(t, tt.golden+format+".golden", []byte(platform.apply(out)))
			})
		}
	}
}

// TestRunSummaryGeneratorBound (issue 21): loadgate run's summary notes
// each generator-bound run with why, and its last line counts the
// scenarios a generator-bound run weighs on; a scenario with nothing to
// compare with warns.
func TestRunSummaryGeneratorBound(t *testing.T) {
	s := gotest.NewSession()
	now := time.Now()
	s.Add(gotest.Event{Action: "run", Package: shopPkg, Test: "TestLoadMix"}, now)
	s.Add(gotest.Event{Action: "pass", Package: shopPkg, Test: "TestLoadMix"}, now)
	bound := &loadtest.Generator{CPUs: 2, CPUShare: 0.2, Sends: 174, SendLagP90NS: 2400e3, SendLagP99NS: 4100e3, SchedLatencyP99NS: 131072}
	loadtest.DefaultGeneratorLimits.Judge(bound)
	calm := &loadtest.Generator{CPUs: 2, CPUShare: 0.04, Sends: 174, SendLagP90NS: 60e3, SendLagP99NS: 400e3, SchedLatencyP99NS: 98304}
	results := &inputSet{Results: map[scenarioKey][]resultFile{}}
	var head []*loadtest.Result
	for i, g := range []*loadtest.Generator{calm, bound} {
		r := &loadtest.Result{Scenario: "TestLoadMix", Package: shopPkg, Test: "TestLoadMix", Requests: 174, Generator: g}
		if g.Bound {
			r.Warnings = []string{g.Warning()} // as loadtest writes it
		}
		head = append(head, r)
		results.Results[scenarioKey{shopPkg, "TestLoadMix"}] = append(results.Results[scenarioKey{shopPkg, "TestLoadMix"}],
			resultFile{Path: fmt.Sprintf("TestLoadMix.%d.json", i+1), Result: r})
	}
	v := verdict.Judge(&baseline.Judge{}, verdict.Input{Name: "TestLoadMix", Package: shopPkg, Test: "TestLoadMix", Head: head, NoBase: "no baseline"})
	o := &runOutcome{side: side{Session: s, Results: results}, Verdict: &verdict.Run{Scenarios: []*verdict.Scenario{v}}}
	o.Config.Out = "out"
	var b strings.Builder
	writeScenarios(&b, o)
	line := verdictLine(o)
	for _, want := range []string{
		"note: TestLoadMix run 2: generator-bound: one send in ten left more than 2ms late (p90 2.4ms): the latencies are the load generator's as much as the service's",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("scenarios lack %q:\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), "run 1: generator-bound") {
		t.Errorf("run 1 was not bound:\n%s", b.String())
	}
	if want := "WARN: 1 test passed; 1 scenario generator-bound (see the notes above); results in out"; line != want {
		t.Errorf("last line\n got %s\nwant %s", line, want)
	}
}

// TestVerdictLineReportedLeak: a leak that the scenario asked only to
// report (LeakCheck.ReportOnly) makes the run WARN, and its last line says
// why; it said "WARN: 13 tests passed" with no word of the leak.
func TestVerdictLineReportedLeak(t *testing.T) {
	s := gotest.NewSession()
	now := time.Now()
	s.Add(gotest.Event{Action: "run", Package: shopPkg, Test: "TestLoadWatchLeak"}, now)
	s.Add(gotest.Event{Action: "pass", Package: shopPkg, Test: "TestLoadWatchLeak"}, now)
	r := &loadtest.Result{Scenario: "TestLoadWatchLeak", Package: shopPkg, Test: "TestLoadWatchLeak", Requests: 100,
		Leaks: []loadtest.Leak{{Function: "shop.(*Server).Watch.func1", Count: 100}}, LeaksReportOnly: true}
	v := verdict.Judge(&baseline.Judge{}, verdict.Input{Name: r.Scenario, Package: shopPkg, Test: r.Test, Head: []*loadtest.Result{r}, NoBase: "no baseline"})
	o := &runOutcome{side: side{Session: s}, Verdict: &verdict.Run{Scenarios: []*verdict.Scenario{v}}}
	o.Config.Out = "out"
	if got, want := verdictLine(o), "WARN: 1 test passed; goroutines leaked in 1 scenario, reported only (see leaks above); results in out"; got != want {
		t.Errorf("last line\n got %s\nwant %s", got, want)
	}
}
