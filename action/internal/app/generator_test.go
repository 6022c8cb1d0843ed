package app

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/golden"
	"github.com/loadgate/loadgate/loadtest"
)

// TestMarkdownGeneratorBound (issue 21): the regression of
// checkout, measured while head runs' generator was the bottleneck. With
// one such run of five, the comparison leaves it out and still finds the
// regression; with three, too few runs are left: no regression of the
// service is claimed, the comment says inconclusive and generator-bound.
// Either way it names the runs and why, and judges the error rate and the
// SLA; the catalogue, whose runs were not bound, is judged as ever.
func TestMarkdownGeneratorBound(t *testing.T) {
	tests := []struct {
		name, golden string
		runs         []int // the head runs of checkout that were bound, 0-based
		verdict      baseline.Verdict
		regressions  int
		want         []string
	}{
		{"one run bound: judged without it", "generator-bound-one.md.golden", []int{1}, baseline.Fail, 1, []string{
			"## ❌ loadgate: 1 regression",
			"⚠️ **generator-bound** — the load generator was the bottleneck in 1 run, so the comparison judges latencies and throughput without it, on the other runs; the error rate on all of them.",
			"- head run 2: the process used 97% of its 2 CPUs and its goroutines waited up to 12.6ms for one at p99 (limits 90% and 1ms); one send in ten left more than 1ms late (p90 3.4ms)",
			"p99 of `checkout` +23.46% (over 15% tolerance; without 1 generator-bound run)",
			"| p99 | 130ms ± 2% | 161ms ± ∞ | **+23.46%** | ❌ over 15% tolerance; without 1 generator-bound run (p=0.016 n=5+4) |",
		}},
		{"three runs bound: inconclusive", "generator-bound.md.golden", []int{0, 1, 3}, baseline.Inconclusive, 0, []string{
			"## ❔ loadgate: inconclusive: generator-bound",
			"⚠️ **generator-bound** — the load generator was the bottleneck in 3 runs, whose latencies are the generator's as much as the service's; without them, `p50`, `p90`, `p99`, `p999`, `service.p99`, `throughput` could not be judged (inconclusive: each row says why).",
			"| p99 | 130ms ± 2% | 160ms ± 1% | +23.08% | ❔ generator-bound: too few other runs (p=0.008 n=5) |",
			"- head run 2: the process used 97% of its 2 CPUs and its goroutines waited up to 12.6ms for one at p99 (limits 90% and 1ms); one send in ten left more than 1ms late (p90 3.4ms)",
			"p99 of `checkout` +23.08% (inconclusive: generator-bound: too few other runs)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := regressionResults()
			for _, i := range tt.runs {
				for _, r := range res.Head {
					if r.Scenario == "checkout" && r.RunID == res.Head[i].RunID {
						r.Generator = &loadtest.Generator{CPUs: 2, CPUShare: 0.97, SchedLatencyP99NS: 12582912, Bound: true,
							Reasons: []string{"the process used 97% of its 2 CPUs and its goroutines waited up to 12.6ms for one at p99 (limits 90% and 1ms)", "one send in ten left more than 1ms late (p90 3.4ms)"}}
					}
				}
			}
			r := analyze(t, res, testSLA)
			if r.Verdict != tt.verdict || r.Regressions != tt.regressions {
				t.Errorf("verdict %v with %d regressions, want %v with %d", r.Verdict, r.Regressions, tt.verdict, tt.regressions)
			}
			md := r.Markdown(Full)
			golden.Check(t, tt.golden, []byte(md))
			for _, want := range tt.want {
				if !strings.Contains(md, want) {
					t.Errorf("the comment lacks %q", want)
				}
			}
			if strings.Contains(md, "too noisy") {
				t.Error("the comment blames noise for what the generator did")
			}
		})
	}
}

// TestMarkdownBoundByChange: base and head ran in turn, and every one of
// the head's eight runs was generator-bound, none of the base's: a busy
// runner would have met the base too, so the change takes the CPU. The
// regression fails on every run, and the comment says so rather than
// asking for a larger runner.
func TestMarkdownBoundByChange(t *testing.T) {
	checkout := fake{scenario: "checkout", test: "TestLoadCheckout"}
	res := &Results{Manifest: baseRefManifest()}
	res.Base = runs(checkout, []float64{10.0, 10.2, 9.9, 10.1, 10.05, 10.0, 9.95, 10.1}, []float64{130, 128, 132, 131, 129, 130, 131, 129})
	res.Head = runs(checkout, []float64{20.1, 19.95, 20.15, 20.0, 20.2, 20.1, 19.9, 20.05}, []float64{260, 258, 262, 259, 261, 260, 263, 257})
	t0 := time.Date(2026, 12, 3, 4, 0, 0, 0, time.UTC)
	for i := range res.Head { // one run (of 10 s) of each side in turn, as GoTest.Run makes them
		res.Base[i].Started, res.Head[i].Started = t0.Add(time.Duration(2*i)*time.Minute), t0.Add(time.Duration(2*i+1)*time.Minute)
	}
	for _, r := range res.Head {
		r.Generator = &loadtest.Generator{CPUs: 2, CPUShare: 0.99, SchedLatencyP99NS: 12582912, Bound: true,
			Reasons: []string{"the process used 99% of its 2 CPUs and its goroutines waited up to 12.6ms for one at p99 (limits 90% and 2ms)"}}
	}
	md := commentOf(t, analyze(t, res, ""), baseline.Fail,
		"the load generator was the bottleneck in 8 runs, all of them the head's and none of the base's, which ran in turn with them: the change itself takes the CPU, so `p50`, `p99` failed on every run.",
		"generator-bound in 8 of 8 head runs and in no base run, made in turn with them: the change takes the CPU")
	if strings.Contains(md, "CPU to spare") {
		t.Error("the comment asks for a larger runner for what the change did")
	}
}

// TestMarkdownBaseFailed: the base failed to build in every run, so no
// base runs came: the comment says inconclusive and why, not "no
// regression against the base".
func TestMarkdownBaseFailed(t *testing.T) {
	res := regressionResults()
	res.Base = nil
	var tests []TestStatus
	for _, ts := range res.Manifest.Tests {
		if ts.Side == "head" {
			tests = append(tests, ts)
		}
	}
	for run := 1; run <= 5; run++ {
		tests = append(tests, TestStatus{Side: "base", Run: run, Package: shopPkg, Action: "fail",
			Output: "# " + shopPkg + "\nload_test.go:12:2: example.com/x@v0.0.0: replacement directory ../loadgate does not exist\nFAIL\t" + shopPkg + " [setup failed]\n"})
	}
	res.Manifest.Tests = tests
	r := analyze(t, res, testSLA)
	if as := r.Annotations(); len(as) == 0 || as[0].Title != "loadgate: TestLoadCatalogue inconclusive" {
		t.Errorf("annotations %+v, want the first titled inconclusive", as)
	}
	commentOf(t, r, baseline.Inconclusive,
		"## ❔ loadgate: inconclusive: the base failed",
		"- ❔ `checkout`: not compared, the base failed,",
		"❔ not compared: package "+shopPkg+" failed on the base 1a2b3c4d5e6f: load\\_test.go:12:2: ", // as markdown
		"replacement directory ../loadgate does not exist")
}

// commentOf checks r's verdict and that its full comment holds every one
// of wants, and returns the comment.
func commentOf(t *testing.T, r *Report, verdict baseline.Verdict, wants ...string) string {
	t.Helper()
	if r.Verdict != verdict {
		t.Errorf("verdict %v, want %v", r.Verdict, verdict)
	}
	md := r.Markdown(Full)
	for _, want := range wants {
		if !strings.Contains(md, want) {
			t.Errorf("the comment lacks %q\n%s", want, md)
		}
	}
	return md
}

// TestRerunBaselineCommit: when the base is the stored baselines' commit
// run again (compare: auto outside a pull request), only the scenarios
// with a stored baseline are compared with it, as loadgate run -base auto
// does; one the base did not run is compared with its stored numbers.
func TestRerunBaselineCommit(t *testing.T) {
	res := regressionResults()
	res.Manifest.BaseFrom = BaseFromBaselines
	var checkoutBase []*loadtest.Result
	for _, r := range res.Base {
		if r.Scenario == "checkout" {
			checkoutBase = append(checkoutBase, r)
		}
	}
	s, err := baseline.SampleOf(checkoutBase...)
	if err != nil {
		t.Fatal(err)
	}
	res.Baselines = []*baseline.Baseline{{Schema: baseline.SchemaVersion, Scenario: "checkout", Package: shopPkg, Env: s.Env, Runs: s.Runs}}
	byName := func(r *Report) map[string]*Scenario {
		m := map[string]*Scenario{}
		for _, s := range r.Scenarios {
			m[s.Name] = s
		}
		return m
	}
	got := byName(analyze(t, res, ""))
	if c := got["checkout"].Comparison; c == nil || c.Base.Label != "base" {
		t.Errorf("checkout: comparison %v, want one with the base's runs", c)
	}
	if got["catalogue"].Comparison != nil || !strings.HasPrefix(got["catalogue"].NoBase, "no stored baseline") {
		t.Errorf("catalogue, without a stored baseline: comparison %v, no base %q; want none, no stored baseline", got["catalogue"].Comparison, got["catalogue"].NoBase)
	}
	res.Base = slices.DeleteFunc(res.Base, func(r *loadtest.Result) bool { return r.Scenario == "checkout" })
	got = byName(analyze(t, res, ""))
	if c := got["checkout"].Comparison; c == nil || c.Base.Label != "baseline" {
		t.Errorf("checkout, not run on the base: comparison %v, want one with the stored baseline", c)
	}
}
