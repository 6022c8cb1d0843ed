package baseline

import (
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

// TestCompareGeneratorBound checks issue 21's rule: when a run of either
// side was generator-bound, the metrics a generator short of CPU distorts
// (latencies, throughput) are inconclusive whatever their values, never a
// pass or a failure, and the others are judged as ever.
func TestCompareGeneratorBound(t *testing.T) {
	bound := []string{"the process used 97% of its 2 CPUs and its goroutines waited up to 1.57ms for one at p99 (limits 90% and 1ms)"}
	tests := []struct {
		name        string
		base, head  []float64 // p99 of each run, ms
		boundBase   int       // 1-based run of the base that was bound; 0 for none
		boundHead   int
		errorRate   float64 // of every head run
		policy      Policy
		wantVerdict Verdict
		wantReason  string
	}{
		{
			name: "28% worse, head bound: not a failure", base: []float64{10, 11, 9.5, 10.5, 10.2}, head: []float64{13, 13.5, 12.8, 13.1, 14},
			boundHead: 3, wantVerdict: Inconclusive,
			wantReason: "inconclusive: generator-bound: p50, p90, p99, p999, throughput not judged (head run 3: the process used 97% of its 2 CPUs and its goroutines waited up to 1.57ms for one at p99 (limits 90% and 1ms))",
		},
		{
			name: "unchanged, base bound: not a pass", base: []float64{10, 11, 9.5, 10.5, 10.2}, head: []float64{10.1, 9.8, 10.9, 10.4, 9.9},
			boundBase: 1, wantVerdict: Inconclusive,
			wantReason: "inconclusive: generator-bound: p50, p90, p99, p999, throughput not judged (baseline run 1: the process used 97% of its 2 CPUs and its goroutines waited up to 1.57ms for one at p99 (limits 90% and 1ms))",
		},
		{
			name: "errors still fail", base: []float64{10, 11, 9.5, 10.5, 10.2}, head: []float64{10.1, 9.8, 10.9, 10.4, 9.9},
			boundHead: 2, errorRate: 0.05, wantVerdict: Fail,
			wantReason: "warning: inconclusive: generator-bound: p50, p90, p99, p999, throughput not judged (head run 2: the process used 97% of its 2 CPUs and its goroutines waited up to 1.57ms for one at p99 (limits 90% and 1ms))",
		},
		{
			name: "a scorecard cannot fail what was not judged", base: []float64{10, 11, 9.5, 10.5, 10.2}, head: []float64{20, 21, 19, 20.5, 20.2},
			boundHead: 1, policy: Policy{Scorecard: &DefaultScorecard}, wantVerdict: Inconclusive,
			wantReason: "inconclusive: generator-bound",
		},
		{
			name: "no bound run: judged", base: []float64{10, 11, 9.5, 10.5, 10.2}, head: []float64{13, 13.5, 12.8, 13.1, 14},
			wantVerdict: Fail, wantReason: "p99 +",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, head := sampleP99("baseline", tt.base...), sampleP99("head", tt.head...)
			if tt.boundBase > 0 {
				base.Runs[tt.boundBase-1].GeneratorBound = bound
			}
			if tt.boundHead > 0 {
				head.Runs[tt.boundHead-1].GeneratorBound = bound
			}
			for i := range head.Runs {
				head.Runs[i].ErrorRate = tt.errorRate
			}
			c, err := Compare(base, head, tt.policy)
			if err != nil {
				t.Fatal(err)
			}
			if c.Verdict != tt.wantVerdict {
				t.Errorf("verdict %v, want %v\n%s", c.Verdict, tt.wantVerdict, c)
			}
			if !containsPrefix(c.Reasons, tt.wantReason) {
				t.Errorf("reasons %q, want one starting %q", c.Reasons, tt.wantReason)
			}
			anyBound := tt.boundBase+tt.boundHead > 0
			for _, r := range c.Rows {
				distorted := r.Metric == P50 || r.Metric == P90 || r.Metric == P99 || r.Metric == P999 || r.Metric == Throughput
				switch {
				case anyBound && distorted && (r.Verdict != Inconclusive || !r.GeneratorBound || r.Note != "generator-bound"):
					t.Errorf("%s: verdict %v, bound %v, note %q; want inconclusive: generator-bound", r.Metric, r.Verdict, r.GeneratorBound, r.Note)
				case !distorted && r.GeneratorBound:
					t.Errorf("%s left unjudged: only latencies and throughput are", r.Metric)
				case !anyBound && r.GeneratorBound:
					t.Errorf("%s unjudged without a bound run", r.Metric)
				}
			}
			if anyBound && !c.Settled() {
				t.Error("not settled: more runs cannot judge what a bound run left unjudged")
			}
			if tt.errorRate > 0 && rowOf(t, c, ErrorRate).Verdict != Fail {
				t.Errorf("error_rate 0 → 5%% in a bound run: %v, want fail", rowOf(t, c, ErrorRate).Verdict)
			}
		})
	}
}

// TestRunOfGeneratorBound checks what a baseline keeps of a run's
// generator: why it was bound, and nothing when it was not.
func TestRunOfGeneratorBound(t *testing.T) {
	r := result("checkout", 1e6, 1)
	if got := RunOf(r).GeneratorBound; got != nil {
		t.Errorf("no generator: %q", got)
	}
	r.Generator = &loadtest.Generator{CPUs: 2, CPUShare: 0.5}
	if got := RunOf(r).GeneratorBound; got != nil {
		t.Errorf("not bound: %q", got)
	}
	r.Generator = &loadtest.Generator{CPUs: 2, CPUShare: 0.99, Bound: true, Reasons: []string{"why"}}
	if got := RunOf(r).GeneratorBound; len(got) != 1 || got[0] != "why" {
		t.Errorf("bound: %q", got)
	}
	s, err := SampleOf(result("checkout", 1e6, 2), r)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Compare(s, s, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "head run 2: why"; len(c.GeneratorBound) != 2 || c.GeneratorBound[1] != want {
		t.Errorf("GeneratorBound %q, want the head's run 2 on either side", c.GeneratorBound)
	}
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// TestCheckRecordsGeneratorBound: recording a generator-bound run keeps
// it, saying that comparisons with the baseline will leave latencies
// inconclusive; comparing with that baseline does.
func TestCheckRecordsGeneratorBound(t *testing.T) {
	dir := t.TempDir()
	for i := range 5 {
		r := result("checkout", time.Millisecond, uint64(i))
		if i == 2 {
			r.Generator = &loadtest.Generator{CPUs: 2, CPUShare: 0.99, Bound: true, Reasons: []string{"the process used 99% of its 2 CPUs and its goroutines waited up to 1.57ms for one at p99 (limits 90% and 1ms)"}}
		}
		tb := &fakeTB{}
		Check(tb, r, WithDir(dir), WithUpdate(true), WithUpdateID("u1"), WithRuns(5))
		said := strings.Contains(tb.text(), "run 3 was generator-bound (the process used 99% of its 2 CPUs and its goroutines waited up to 1.57ms for one at p99 (limits 90% and 1ms)): every comparison with this baseline leaves its latencies and throughput inconclusive")
		if tb.failed() || said != (i == 2) {
			t.Fatalf("update run %d:\n%s", i+1, tb.text())
		}
	}
	var c *Comparison
	for i := range 5 {
		c = Check(&fakeTB{}, result("checkout", time.Millisecond, uint64(100+i)), WithDir(dir), WithUpdate(false), WithRuns(5))
	}
	if c == nil || c.Verdict != Inconclusive || len(c.GeneratorBound) != 1 || c.GeneratorBound[0] != "baseline run 3: the process used 99% of its 2 CPUs and its goroutines waited up to 1.57ms for one at p99 (limits 90% and 1ms)" {
		t.Errorf("comparison with a baseline holding a generator-bound run: %v", c)
	}
}
