package baseline

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/loadtest"
)

func rowOf(t *testing.T, c *Comparison, metric string) Row {
	t.Helper()
	for _, r := range c.Rows {
		if r.Metric == metric {
			return r
		}
	}
	t.Fatalf("no row %s in\n%s", metric, c)
	return Row{}
}

func TestCompareVerdicts(t *testing.T) {
	tests := []struct {
		name        string
		base, head  []float64 // p99 of each run, ms
		policy      Policy
		wantVerdict Verdict
		wantP99     Verdict
		wantNote    string
	}{
		{
			name: "no change", base: []float64{10, 11, 9.5, 10.5, 10.2}, head: []float64{10.1, 9.8, 10.9, 10.4, 9.9},
			wantVerdict: Pass, wantP99: Pass,
		},
		{
			// Issue 13: runs that move ±20% cannot tell a 15% change from
			// none: not a pass.
			name: "noisy but unchanged", base: []float64{8, 12, 9, 11, 10}, head: []float64{12, 8.5, 11.5, 9.5, 10.5},
			wantVerdict: Inconclusive, wantP99: Inconclusive, wantNote: "p99 moved ±20% between runs: a 15% change cannot be told apart with n=5",
		},
		{
			name: "quiet and unchanged", base: []float64{10, 10.2, 9.9, 10.1, 10.05}, head: []float64{10.1, 9.95, 10.15, 10, 10.2},
			wantVerdict: Pass, wantP99: Pass,
		},
		{
			name: "28% worse, every run", base: []float64{10, 11, 9.5, 10.5, 10.2}, head: []float64{13, 13.5, 12.8, 13.1, 14},
			wantVerdict: Fail, wantP99: Fail, wantNote: "over 15% tolerance",
		},
		{
			name: "10% worse, every run: in the warn band", base: []float64{10, 10.1, 9.9, 10.05, 9.95}, head: []float64{11, 11.1, 10.9, 11.05, 10.95},
			wantVerdict: Warn, wantP99: Warn, wantNote: "significant, within 15% tolerance",
		},
		{
			name: "3% worse, every run: significant but small", base: []float64{10, 10.1, 9.9, 10.05, 9.95}, head: []float64{10.3, 10.4, 10.2, 10.35, 10.25},
			wantVerdict: Pass, wantP99: Pass,
		},
		{
			name: "beyond tolerance but not significant", base: []float64{10, 20, 10, 20, 10}, head: []float64{12, 25, 11, 24, 22},
			wantVerdict: Inconclusive, wantP99: Inconclusive, wantNote: "p99 moved ±65% between runs",
		},
		{
			name: "one run against five: not confirmed", base: []float64{10, 11, 9.5, 10.5, 10.2}, head: []float64{14},
			wantVerdict: Warn, wantP99: Warn, wantNote: "n=5+1: not confirmed",
		},
		{
			name: "one run against five, FailUnconfirmed", base: []float64{10, 11, 9.5, 10.5, 10.2}, head: []float64{14},
			policy: Policy{FailUnconfirmed: true}, wantVerdict: Fail, wantP99: Fail, wantNote: "n=5+1: not confirmed",
		},
		{
			name: "three runs a side cannot confirm", base: []float64{10, 10.5, 9.5}, head: []float64{14, 14.5, 13.5},
			wantVerdict: Warn, wantP99: Warn, // p=0.1 with 3+3: cannot be significant
			wantNote: "n=3: not confirmed",
		},
		{
			name: "four runs a side can confirm", base: []float64{10, 10.5, 9.5, 10.2}, head: []float64{14, 14.5, 13.5, 14.2},
			wantVerdict: Fail, wantP99: Fail, wantNote: "over 15% tolerance",
		},
		{
			name: "40µs to 60µs is under the floor", base: []float64{0.040, 0.041, 0.039, 0.040, 0.0405}, head: []float64{0.060, 0.061, 0.059, 0.060, 0.0605},
			wantVerdict: Pass, wantP99: Pass, wantNote: "under the 50µs floor",
		},
		{
			name: "better", base: []float64{13, 13.5, 12.8, 13.1, 14}, head: []float64{10, 11, 9.5, 10.5, 10.2},
			wantVerdict: Pass, wantP99: Pass, wantNote: "better",
		},
		{
			name: "p99 ignored", base: []float64{10, 11, 9.5, 10.5, 10.2}, head: []float64{13, 13.5, 12.8, 13.1, 14},
			// The p50, p90 and p999 of sampleP99 follow p99; ignore them all.
			policy:      Policy{Rules: map[string]Rule{P50: {Ignore: true}, P90: {Ignore: true}, P99: {Ignore: true}, P999: {Ignore: true}}},
			wantVerdict: Pass, wantP99: -1,
		},
		{
			// A warn-only statistic (p99.9, a phase's) over its
			// tolerance but not significant warns when the runs lean
			// that way: the interval of its change, −1% to +30%, holds
			// no improvement beyond the tolerance.
			name: "warn only: over tolerance, not significant, leaning worse", base: []float64{10, 10.5, 9.5, 10.2, 9.8}, head: []float64{9.9, 12.5, 13, 10.1, 12.8},
			policy:      Policy{Rules: map[string]Rule{P50: {Ignore: true}, P90: {Ignore: true}, P999: {Ignore: true}, P99: {Tolerance: 0.15, WarnOnly: true}}},
			wantVerdict: Warn, wantP99: Warn, wantNote: "over 15% tolerance, not significant",
		},
		{
			// The same +30% median change, but the runs' noise reaches
			// an improvement of 40% (beyond −13%, which undoes +15%) as
			// well: not even a hint, and no
			// warning (A/A comparisons of identical code warned on such
			// p99.9 and connect.p99 rows).
			name: "warn only: over tolerance, noise both ways", base: []float64{10, 4, 16, 6, 12}, head: []float64{13, 5, 20, 8, 14},
			policy:      Policy{Rules: map[string]Rule{P50: {Ignore: true}, P90: {Ignore: true}, P999: {Ignore: true}, P99: {Tolerance: 0.15, WarnOnly: true}}},
			wantVerdict: Pass, wantP99: Pass,
		},
		{
			// A tolerance of 100% (gc_pause_p99's): the improvement as
			// large is by ratio, to half the base; the interval of this
			// +175% change reaches −75%. An A/A comparison of identical
			// code warned on such a row (524µs ± 300% → 1.84ms ± 75%).
			name: "warn only at 100%: noise both ways by ratio", base: []float64{5, 20, 3, 12, 8}, head: []float64{25, 2, 30, 3, 22},
			policy:      Policy{Rules: map[string]Rule{P50: {Ignore: true}, P90: {Ignore: true}, P999: {Ignore: true}, P99: {Tolerance: 1, WarnOnly: true}}},
			wantVerdict: Pass, wantP99: Pass,
		},
		{
			// The same change whose interval reaches −12% only: it warns.
			name: "warn only at 100%: leaning worse", base: []float64{5, 20, 3, 12, 8}, head: []float64{25, 4, 30, 18, 22},
			policy:      Policy{Rules: map[string]Rule{P50: {Ignore: true}, P90: {Ignore: true}, P999: {Ignore: true}, P99: {Tolerance: 1, WarnOnly: true}}},
			wantVerdict: Warn, wantP99: Warn, wantNote: "over 100% tolerance, not significant",
		},
		{
			name: "a tighter rule of the user's", base: []float64{10, 10.1, 9.9, 10.05, 9.95}, head: []float64{11, 11.1, 10.9, 11.05, 10.95},
			policy:      Policy{Rules: map[string]Rule{P99: {Tolerance: 0.05, Floor: 0}}},
			wantVerdict: Fail, wantP99: Fail, wantNote: "over 5% tolerance",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Compare(sampleP99("baseline", tt.base...), sampleP99("head", tt.head...), tt.policy)
			if err != nil {
				t.Fatal(err)
			}
			if c.Verdict != tt.wantVerdict {
				t.Errorf("verdict %v, want %v\n%s", c.Verdict, tt.wantVerdict, c)
			}
			if tt.wantP99 < 0 {
				for _, r := range c.Rows {
					if r.Metric == P99 {
						t.Errorf("p99 compared although ignored")
					}
				}
				return
			}
			r := rowOf(t, c, P99)
			if r.Verdict != tt.wantP99 {
				t.Errorf("p99 verdict %v, want %v\n%s", r.Verdict, tt.wantP99, c)
			}
			if !strings.Contains(r.Note, tt.wantNote) {
				t.Errorf("p99 note %q, want it to contain %q", r.Note, tt.wantNote)
			}
			if c.Verdict != Pass && len(c.Reasons) == 0 {
				t.Errorf("verdict %v without reasons", c.Verdict)
			}
		})
	}
}

func TestCompareErrorRateFloor(t *testing.T) {
	base := sampleP99("baseline", 10, 10, 10, 10, 10)
	head := sampleP99("head", 10, 10, 10, 10, 10)
	for i := range head.Runs {
		head.Runs[i].ErrorRate = 0.0001 // 0.00% → 0.01%
	}
	c, err := Compare(base, head, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	r := rowOf(t, c, ErrorRate)
	if r.Verdict != Pass || !r.Significant || !math.IsInf(r.Change, 1) {
		t.Errorf("error rate 0 → 0.01%%: %+v, want a significant +∞ change that passes (under the floor)", r)
	}
	for i := range head.Runs {
		head.Runs[i].ErrorRate = 0.02 // 0% → 2%
	}
	c, _ = Compare(base, head, Policy{})
	if r := rowOf(t, c, ErrorRate); r.Verdict != Fail || c.Verdict != Fail {
		t.Errorf("error rate 0 → 2%%: %v, want fail\n%s", r.Verdict, c)
	}
}

func TestCompareThroughputHigherIsBetter(t *testing.T) {
	base := sampleP99("baseline", 10, 10, 10, 10, 10)
	head := sampleP99("head", 10, 10, 10, 10, 10)
	for i := range head.Runs {
		base.Runs[i].Throughput = 1000 + float64(i)
		head.Runs[i].Throughput = 800 + float64(i) // 20% fewer
	}
	c, _ := Compare(base, head, Policy{})
	if r := rowOf(t, c, Throughput); r.Verdict != Fail || r.Change > -0.19 {
		t.Errorf("throughput -20%%: %+v, want fail", r)
	}
	for i := range head.Runs {
		head.Runs[i].Throughput = 1200 + float64(i) // 20% more
	}
	c, _ = Compare(base, head, Policy{})
	if r := rowOf(t, c, Throughput); r.Verdict != Pass || r.Note != "better" {
		t.Errorf("throughput +20%%: %+v, want pass, better", r)
	}
}

func TestComparePhases(t *testing.T) {
	base := sampleP99("baseline", 10, 10, 10, 10, 10)
	head := sampleP99("head", 10, 10, 10, 10, 10)
	for i := range base.Runs {
		base.Runs[i].Phases = map[string]Phase{"ttfb": {Count: 100, P50NS: 1e6, P99NS: 5e6 + int64(i)*1e4}, "connect": {Count: 5, P50NS: 1e5, P99NS: 2e5}}
		head.Runs[i].Phases = map[string]Phase{"ttfb": {Count: 100, P50NS: 1e6, P99NS: 8e6 + int64(i)*1e4}, "connect": {Count: 5, P50NS: 1e5, P99NS: 2e5}}
	}
	// A phase's statistic only warns by default (p50 and p99 gate); a rule
	// of its own makes it gate.
	c, _ := Compare(base, head, Policy{})
	if r := rowOf(t, c, "ttfb.p99"); r.Verdict != Warn {
		t.Errorf("ttfb.p99 +60%%: %v, want warn", r.Verdict)
	}
	gate := Policy{Rules: map[string]Rule{"ttfb.p99": {Tolerance: 0.15, Warn: 0.05}}}
	if c, _ := Compare(base, head, gate); rowOf(t, c, "ttfb.p99").Verdict != Fail {
		t.Errorf("ttfb.p99 +60%% with a rule of its own: %v, want fail", rowOf(t, c, "ttfb.p99").Verdict)
	}
	var names []string
	for _, r := range c.Rows {
		names = append(names, r.Metric)
	}
	if got := strings.Join(names[len(names)-4:], " "); got != "connect.p50 connect.p99 ttfb.p50 ttfb.p99" {
		t.Errorf("phase rows %q, want connect before ttfb", got)
	}
	// A phase rule of its own wins over the latency rule.
	c, _ = Compare(base, head, Policy{Rules: map[string]Rule{"ttfb.p99": {Tolerance: 1, Warn: 1}}})
	if r := rowOf(t, c, "ttfb.p99"); r.Verdict != Pass {
		t.Errorf("ttfb.p99 +60%% with a 100%% tolerance: %v, want pass", r.Verdict)
	}
}

func TestCompareEnvMismatch(t *testing.T) {
	base := sampleP99("baseline", 10, 11, 9.5, 10.5, 10.2)
	head := sampleP99("head", 13, 13.5, 12.8, 13.1, 14)
	head.Env.CPUs = 4
	head.Env.CPUModel = "Other CPU"
	c, _ := Compare(base, head, Policy{})
	if c.Verdict != Fail || len(c.EnvMismatch) != 2 {
		t.Errorf("verdict %v, mismatch %q; want fail, cpus and cpu flagged", c.Verdict, c.EnvMismatch)
	}
	if !strings.Contains(c.String(), "machines differ (cpus: 2 vs 4, cpu: Example CPU vs Other CPU)") {
		t.Errorf("mismatch not in the output:\n%s", c)
	}
	c, _ = Compare(base, head, Policy{EnvMismatchWarns: true})
	if c.Verdict != Warn || rowOf(t, c, P99).Verdict != Warn {
		t.Errorf("EnvMismatchWarns: verdict %v, want warn\n%s", c.Verdict, c)
	}
	// Same machine, unchanged code, other Go: a note, not a mismatch.
	head = sampleP99("head", 10, 11, 9.5, 10.5, 10.2)
	head.Env.Go = "go1.27.4"
	c, _ = Compare(base, head, Policy{})
	if c.Verdict != Pass || len(c.Warnings) != 1 {
		t.Errorf("other Go version: verdict %v, warnings %v; want pass with a note", c.Verdict, c.Warnings)
	}
	// Another loadgate, the instrument: a note naming both versions.
	head = sampleP99("head", 10, 11, 9.5, 10.5, 10.2)
	base.Env.Loadgate, head.Env.Loadgate = "v0.1.0", "v0.2.0"
	c, _ = Compare(base, head, Policy{})
	if c.Verdict != Pass || len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0].Error(), "loadgate versions differ: v0.1.0 vs v0.2.0") {
		t.Errorf("other loadgate: verdict %v, warnings %v; want pass with a note naming both", c.Verdict, c.Warnings)
	}
	// One side that does not know its version: nothing to say.
	head.Env.Loadgate = ""
	if c, _ = Compare(base, head, Policy{}); len(c.Warnings) != 0 {
		t.Errorf("a side without a version: warnings %v, want none", c.Warnings)
	}
}

func TestCompareSLABreachFails(t *testing.T) {
	b, _ := SampleOf(result("checkout", time.Millisecond, 1), result("checkout", time.Millisecond, 2))
	h, _ := SampleOf(result("checkout", time.Millisecond, 3), result("checkout", time.Millisecond, 4))
	c, err := Compare(b, h, Policy{SLA: []string{"p99 < 1ms", "error_rate < 1%"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Verdict != Fail || len(c.SLA) != 4 {
		t.Fatalf("verdict %v with %d SLA outcomes, want fail with 4\n%s", c.Verdict, len(c.SLA), c)
	}
	if !strings.Contains(c.Reasons[0], "SLA breached in 2 of 2 runs, first in run 1: scenario checkout: p99 = 1.") {
		t.Errorf("first reason %q, want the SLA breach", c.Reasons[0])
	}
	if _, err := Compare(b, h, Policy{SLA: []string{"p99 <"}}); err == nil {
		t.Error("malformed SLA expression: no error")
	}
}

func TestCompareScorecard(t *testing.T) {
	base := sampleP99("baseline", 10, 10, 10, 10, 10)
	head := sampleP99("head", 10, 10, 10, 10, 10)
	for i := range head.Runs {
		base.Runs[i].HeapPeakBytes = 100<<20 + int64(i)
		head.Runs[i].HeapPeakBytes = 200<<20 + int64(i)
	}
	sc := DefaultScorecard
	c, _ := Compare(base, head, Policy{Scorecard: &sc})
	// heap_peak fails, but it is no veto: resources score 67, total 95.
	if c.Verdict != Warn || c.Score == nil || math.Round(c.Score.Total) != 95 {
		t.Errorf("heap doubled: verdict %v, score %+v; want warn at 95\n%s", c.Verdict, c.Score, c)
	}
	if len(c.Reasons) != 1 || !strings.HasPrefix(c.Reasons[0], "heap_peak +100.00%") {
		t.Errorf("reasons %q, want the heap's failure", c.Reasons)
	}
	for i := range head.Runs {
		head.Runs[i].ErrorRate = 0.05
	}
	c, _ = Compare(base, head, Policy{Scorecard: &sc})
	if c.Verdict != Fail || len(c.Score.Vetoed) != 1 || c.Score.Vetoed[0] != ErrorRate {
		t.Errorf("errors 0 → 5%%: verdict %v, vetoed %v; want fail vetoed by error_rate\n%s", c.Verdict, c.Score.Vetoed, c)
	}
}

func TestCompareRefuses(t *testing.T) {
	a := sampleP99("baseline", 10)
	b := sampleP99("head", 10)
	b.Scenario = "browse"
	if _, err := Compare(a, b, Policy{}); !errors.Is(err, ErrScenarioMismatch) {
		t.Errorf("other scenario: %v, want ErrScenarioMismatch", err)
	}
	if _, err := Compare(a, Sample{Scenario: "checkout"}, Policy{}); !errors.Is(err, ErrNoRuns) {
		t.Errorf("no runs: %v, want ErrNoRuns", err)
	}
	bad := []struct {
		name string
		give Policy
		want string
	}{
		{"alpha", Policy{Alpha: 1.5}, "alpha 1.5: must be in range (0, 1)"},
		{"unknown metric", Policy{Rules: map[string]Rule{"p98": {}}}, `unknown metric "p98"`},
		{"negative tolerance", Policy{Rules: map[string]Rule{P99: {Tolerance: -1}}}, "rule p99: tolerance -1"},
		{"warn over tolerance", Policy{Rules: map[string]Rule{P99: {Tolerance: 0.1, Warn: 0.2}}}, "warn 0.2 is over tolerance 0.1"},
		{"scorecard", Policy{Scorecard: &Scorecard{Dimensions: []Dimension{{Name: "x", Weight: 1, Metrics: []string{"nope"}}}}}, `unknown metric "nope"`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compare(a, sampleP99("head", 10), tt.give)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestMinP(t *testing.T) {
	tests := []struct {
		n1, n2 int
		want   float64
	}{
		{1, 1, 1}, {1, 5, 1.0 / 3}, {3, 3, 0.1}, {4, 4, 2.0 / 70}, {5, 5, 2.0 / 252}, {5, 3, 2.0 / 56},
	}
	for _, tt := range tests {
		if got := minP(tt.n1, tt.n2); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("minP(%d, %d) = %g, want %g", tt.n1, tt.n2, got, tt.want)
		}
	}
}

// TestReasonsWriteChangeAsCell: a reason writes a metric's change as the
// table's cell does, "~" when the rank test found no significant change.
// The reasons said "inconclusive: p99 +31.43%" beside a row whose change
// cell was "~", a change the table said it could not see.
func TestReasonsWriteChangeAsCell(t *testing.T) {
	c, err := Compare(sampleP99("baseline", 10, 20, 10, 20, 10), sampleP99("head", 12, 25, 11, 24, 22), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, r := range c.Rows {
		if r.Verdict == Pass {
			continue
		}
		want := r.Metric + " " + cell.ChangeOrSame(r.Change, r.Tested, r.Significant) + " ("
		found := false
		for _, reason := range c.Reasons {
			found = found || strings.HasPrefix(strings.TrimPrefix(reason, "inconclusive: "), want)
		}
		if !found {
			t.Errorf("no reason for %s starts %q, as its row's cell: %q", r.Metric, want, c.Reasons)
		}
		if r.Tested && !r.Significant {
			checked++
		}
	}
	if checked == 0 {
		t.Fatalf("no row was tested and found not significant: the test tests nothing\n%s", c)
	}
}

// TestComparePlannedLoadDiffers: results of two planned loads (a pull
// request that doubled its load test's rate) compared silently, and a
// regression or an improvement read as the service's.
func TestComparePlannedLoadDiffers(t *testing.T) {
	planned := func(rate float64, seed int64, rs ...*loadtest.Result) []*loadtest.Result {
		for _, r := range rs {
			r.Load.Stages = []loadtest.StagePlan{{Name: fmt.Sprintf("%g/s", rate), Model: loadtest.Open, Arrivals: loadtest.Even, From: rate, To: rate, DurationNS: int64(time.Second), Seed: seed}}
		}
		return rs
	}
	b, err := SampleOf(planned(100, 1, result("checkout", time.Millisecond, 1), result("checkout", time.Millisecond, 2))...)
	if err != nil {
		t.Fatal(err)
	}
	b.Label = "baseline"
	h, _ := SampleOf(planned(200, 1, result("checkout", time.Millisecond, 3), result("checkout", time.Millisecond, 4))...)
	planNote := func(c *Comparison) string {
		for _, w := range c.Warnings {
			if strings.Contains(w.Error(), "planned load") {
				return w.Error()
			}
		}
		return ""
	}
	c, err := Compare(b, h, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	want := "the planned load differs (baseline: 100/s for 1s; head: 200/s for 1s)"
	if !strings.Contains(planNote(c), want) || !strings.Contains(c.String(), want) {
		t.Errorf("warnings %v, want %q, in the output too:\n%s", c.Warnings, want, c)
	}
	// Another seed of the same plan is the same load.
	h, _ = SampleOf(planned(100, 7, result("checkout", time.Millisecond, 3), result("checkout", time.Millisecond, 4))...)
	if c, _ = Compare(b, h, Policy{}); planNote(c) != "" {
		t.Errorf("same plan, other seed: %q, want no note", planNote(c))
	}
	// A stage keeps the name its user gave it ("steady") at any rate,
	// and a change of arrivals keeps a rate's: the note named both
	// plans alike, "baseline: steady for 1s; head: steady for 1s".
	for _, tt := range []struct {
		name string
		head func(*loadtest.StagePlan)
		want string
	}{
		{"rate", func(st *loadtest.StagePlan) { st.From, st.To = 200, 200 }, "(baseline: 100/s for 1s; head: 200/s for 1s)"},
		{"arrivals", func(st *loadtest.StagePlan) { st.Arrivals = loadtest.Exponential }, "(baseline: 100/s for 1s; head: poisson 100/s for 1s)"},
	} {
		named := func(head bool, rs ...*loadtest.Result) []*loadtest.Result {
			for _, r := range planned(100, 1, rs...) {
				r.Load.Stages[0].Name = "steady"
				if head {
					tt.head(&r.Load.Stages[0])
				}
			}
			return rs
		}
		b, _ := SampleOf(named(false, result("checkout", time.Millisecond, 1), result("checkout", time.Millisecond, 2))...)
		b.Label = "baseline"
		h, _ := SampleOf(named(true, result("checkout", time.Millisecond, 3), result("checkout", time.Millisecond, 4))...)
		if c, _ = Compare(b, h, Policy{}); !strings.Contains(planNote(c), tt.want) {
			t.Errorf("%s of a named stage: note %q, want %q", tt.name, planNote(c), tt.want)
		}
	}
}
