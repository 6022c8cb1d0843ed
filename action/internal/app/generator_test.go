package app

import (
	"strings"
	"testing"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/golden"
	"github.com/loadgate/loadgate/loadtest"
)

// TestMarkdownGeneratorBound (issue 21): the regression of
// checkout, measured while a head run's generator was the bottleneck, is
// no regression of the service. The comment says inconclusive and
// generator-bound, names the run and why, and still judges the error
// rate and the SLA; the catalogue, whose runs were not bound, is judged
// as ever.
func TestMarkdownGeneratorBound(t *testing.T) {
	res := regressionResults()
	for _, r := range res.Head {
		if r.Scenario == "checkout" && r.RunID == res.Head[1].RunID {
			r.Generator = &loadtest.Generator{CPUs: 2, CPUShare: 0.97, SchedLatencyP99NS: 12582912, Bound: true,
				Reasons: []string{"the process used 97% of its 2 CPUs and its goroutines waited up to 12.6ms for one at p99 (limits 90% and 1ms)", "one send in ten left more than 1ms late (p90 3.4ms)"}}
		}
	}
	r := analyze(t, res, testSLA)
	if r.Verdict != baseline.Inconclusive || r.Regressions != 0 {
		t.Errorf("verdict %v with %d regressions, want inconclusive with none", r.Verdict, r.Regressions)
	}
	md := r.Markdown(Full)
	golden.Check(t, "generator-bound.md.golden", []byte(md))
	for _, want := range []string{
		"## ❔ loadgate: inconclusive: generator-bound",
		"⚠️ **generator-bound** — the load generator was the bottleneck in 1 run, so the comparison does not judge latencies and throughput",
		"- head run 2: the process used 97% of its 2 CPUs and its goroutines waited up to 12.6ms for one at p99 (limits 90% and 1ms); one send in ten left more than 1ms late (p90 3.4ms)",
		"p99 of `checkout` +23.08% (inconclusive: generator-bound)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the comment lacks %q", want)
		}
	}
	if strings.Contains(md, "too noisy") {
		t.Error("the comment blames noise for what the generator did")
	}
}
