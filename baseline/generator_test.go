package baseline

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

// TestCompareGeneratorBound checks issue 21's rule: the metrics a
// generator short of CPU distorts (latencies, throughput) are judged
// without the generator-bound runs of either side, and are inconclusive,
// never a pass or a failure, when too few runs are left for the rank test;
// the others are judged on every run.
func TestCompareGeneratorBound(t *testing.T) {
	bound := []string{"the process used 97% of its 2 CPUs and its goroutines waited up to 1.57ms for one at p99 (limits 90% and 1ms)"}
	tests := []struct {
		name        string
		base, head  []float64 // p99 of each run, ms
		boundBase   []int     // 1-based runs of the base that were bound
		boundHead   []int
		errorRate   float64 // of every head run
		policy      Policy
		wantVerdict Verdict
		wantReason  string
		unjudged    string // why the distorted metrics are left inconclusive; "" when judged
		settled     bool   // and more runs cannot judge them
	}{
		{
			name: "28% worse, one head run bound: judged without it", base: []float64{10, 11, 9.5, 10.5, 10.2}, head: []float64{13, 13.5, 12.8, 13.1, 14},
			boundHead: []int{3}, wantVerdict: Fail,
			wantReason: "p99 +30.39% (p=0.016 n=5+4): over 15% tolerance; without 1 generator-bound run",
		},
		{
			name: "unchanged, one base run bound: judged without it", base: []float64{10, 11, 9.5, 10.5, 10.2}, head: []float64{10.1, 9.8, 10.9, 10.4, 9.9},
			boundBase: []int{1}, wantVerdict: Pass,
		},
		{
			name: "28% worse, three head runs bound: too few left", base: []float64{10, 11, 9.5, 10.5, 10.2}, head: []float64{13, 13.5, 12.8, 13.1, 14},
			boundHead: []int{1, 3, 5}, wantVerdict: Inconclusive, unjudged: "too few other runs", // five runs: a burst of marks gets more
			wantReason: "inconclusive: generator-bound: p50, p99, throughput not judged: too few other runs (head run 1: the process used 97%",
		},
		{
			name: "two bound a side: too few left, but more runs may leave enough", base: []float64{10, 11, 9.5, 10.5, 10.2}, head: []float64{13, 13.5, 12.8, 13.1, 14},
			boundBase: []int{1, 2}, boundHead: []int{4, 5}, wantVerdict: Inconclusive, unjudged: "too few other runs",
			wantReason: "inconclusive: generator-bound: p50, p99, throughput not judged",
		},
		{
			name: "errors still fail", base: []float64{10, 11, 9.5, 10.5, 10.2}, head: []float64{10.1, 9.8, 10.9, 10.4, 9.9},
			boundHead: []int{1, 2, 3}, errorRate: 0.05, wantVerdict: Fail, unjudged: "too few other runs", settled: true,
			wantReason: "warning: inconclusive: generator-bound: p50, p99, throughput not judged",
		},
		{
			name: "a scorecard cannot fail what was not judged", base: []float64{10, 11, 9.5, 10.5, 10.2}, head: []float64{20, 21, 19, 20.5, 20.2},
			boundHead: []int{1, 2, 3}, policy: Policy{Scorecard: &DefaultScorecard}, wantVerdict: Inconclusive, unjudged: "too few other runs",
			wantReason: "inconclusive: generator-bound",
		},
		{
			// The test process holds the service: a regression that
			// costs CPU can make the slowest head runs generator-bound.
			// Leaving them out must not clear it.
			name: "worse beyond tolerance only with the two bound head runs", base: []float64{10, 10.4, 9.5, 10.5, 10.2}, head: []float64{20, 21, 11.0, 11.2, 11.9},
			boundHead: []int{1, 2}, wantVerdict: Inconclusive, unjudged: "fails only with them",
			wantReason: "inconclusive: generator-bound: p50, p99 not judged: fails only with them (head run 1: ",
		},
		{
			name: "no bound run: judged", base: []float64{10, 11, 9.5, 10.5, 10.2}, head: []float64{13, 13.5, 12.8, 13.1, 14},
			wantVerdict: Fail, wantReason: "p99 +28.43% (p=0.008 n=5): over 15% tolerance",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, head := sampleP99("baseline", tt.base...), sampleP99("head", tt.head...)
			for _, i := range tt.boundBase {
				base.Runs[i-1].GeneratorBound = bound
			}
			for _, i := range tt.boundHead {
				head.Runs[i-1].GeneratorBound = bound
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
			if tt.wantReason != "" && !containsPrefix(c.Reasons, tt.wantReason) {
				t.Errorf("reasons %q, want one starting %q", c.Reasons, tt.wantReason)
			}
			nb, nh := len(tt.boundBase), len(tt.boundHead)
			for _, r := range c.Rows {
				distorted := r.Metric == P50 || r.Metric == P90 || r.Metric == P99 || r.Metric == P999 || r.Metric == Throughput
				switch {
				case !distorted && (r.GeneratorBound || r.Base.N != 5 || r.Head.N != 5):
					t.Errorf("%s: bound %v, n=%d+%d: only latencies and throughput leave runs out", r.Metric, r.GeneratorBound, r.Base.N, r.Head.N)
				case !distorted:
				case tt.unjudged == boundWorseOnly && r.Verdict != Inconclusive:
					// Only the metrics that fail with the bound runs are
					// left unjudged; the others are judged without them.
				case tt.unjudged != "" && r.Rule.WarnOnly && (r.Verdict != Warn || !r.GeneratorBound || r.Note != "generator-bound: "+tt.unjudged):
					// p90 and p999 only warn by default: left unjudged, they warn.
					t.Errorf("%s (warn only): verdict %v, bound %v, note %q; want warn, generator-bound: %s", r.Metric, r.Verdict, r.GeneratorBound, r.Note, tt.unjudged)
				case tt.unjudged != "" && !r.Rule.WarnOnly && (r.Verdict != Inconclusive || !r.GeneratorBound || r.Note != "generator-bound: "+tt.unjudged):
					t.Errorf("%s: verdict %v, bound %v, note %q; want inconclusive, generator-bound: %s", r.Metric, r.Verdict, r.GeneratorBound, r.Note, tt.unjudged)
				case tt.unjudged != "" && (r.Base.N != 5 || r.Head.N != 5 || r.Base.LeftOut != nb || r.Head.LeftOut != nh):
					t.Errorf("%s: n=%d+%d, left out %d+%d; want every run shown, %d+%d bound", r.Metric, r.Base.N, r.Head.N, r.Base.LeftOut, r.Head.LeftOut, nb, nh)
				case tt.unjudged == "" && (r.GeneratorBound || r.Base.N != 5-nb || r.Head.N != 5-nh || r.Base.LeftOut != nb || r.Head.LeftOut != nh):
					t.Errorf("%s: bound %v, n=%d+%d, left out %d+%d; want judged on %d+%d runs", r.Metric, r.GeneratorBound, r.Base.N, r.Head.N, r.Base.LeftOut, r.Head.LeftOut, 5-nb, 5-nh)
				case nb+nh > 0 && tt.unjudged == "" && !strings.Contains(r.Note, "without "+strconv.Itoa(nb+nh)+" generator-bound run"):
					t.Errorf("%s: note %q does not say runs were left out", r.Metric, r.Note)
				}
			}
			if tt.unjudged != "" && c.Settled() != tt.settled {
				t.Errorf("settled %v, want %v", c.Settled(), tt.settled)
			}
			warned := false
			for _, w := range c.Warnings {
				warned = warned || strings.Contains(w.Error(), "judged without the generator-bound runs (")
			}
			if want := nb+nh > 0 && tt.unjudged != boundTooFew; warned != want {
				t.Errorf("warned of runs left out: %v, want %v (%v)", warned, want, c.Warnings)
			}
			if tt.errorRate > 0 && rowOf(t, c, ErrorRate).Verdict != Fail {
				t.Errorf("error_rate 0 → 5%% in bound runs: %v, want fail", rowOf(t, c, ErrorRate).Verdict)
			}
		})
	}
}

// TestSequentialGeneratorBound: a look whose generator-bound runs left
// too few others is not settled, and a later look with more runs judges
// the regression without them; the final look concludes inconclusive
// when they never became enough.
func TestSequentialGeneratorBound(t *testing.T) {
	bound := []string{"one send in ten left more than 1ms late (p90 1.99ms)"}
	base := sampleP99("base", 10, 11, 9.5, 10.5, 10.2, 10.3, 9.9, 10.8)
	head := sampleP99("head", 13, 13.5, 12.8, 13.1, 14, 13.3, 12.9, 13.6)
	for _, i := range []int{0, 1} {
		base.Runs[i].GeneratorBound = bound
		head.Runs[i+2].GeneratorBound = bound
	}
	j := &Judge{}
	first := Sample{Scenario: base.Scenario, Label: "base", Env: base.Env, Runs: base.Runs[:5]}
	firstHead := Sample{Scenario: head.Scenario, Label: "head", Env: head.Env, Runs: head.Runs[:5]}
	c, err := j.CompareLook(first, firstHead, Look{K: 1, Of: 3})
	if err != nil {
		t.Fatal(err)
	}
	if c.Verdict != Inconclusive || c.Settled() {
		t.Fatalf("look 1 of 3, 3+3 runs not bound: verdict %v, settled %v; want inconclusive, not settled\n%s", c.Verdict, c.Settled(), c)
	}
	c, err = j.CompareLook(base, head, Look{K: 2, Of: 3})
	if err != nil {
		t.Fatal(err)
	}
	if r := rowOf(t, c, P99); c.Verdict != Fail || r.Base.N != 6 || r.Head.N != 6 || !c.Settled() {
		t.Errorf("look 2 of 3, 6+6 runs not bound: verdict %v, p99 n=%d+%d, settled %v; want a settled failure on 6+6\n%s", c.Verdict, r.Base.N, r.Head.N, c.Settled(), c)
	}
	c, err = j.CompareLook(first, firstHead, Look{K: 3, Of: 3})
	if err != nil {
		t.Fatal(err)
	}
	if r := rowOf(t, c, P99); c.Verdict != Inconclusive || !r.GeneratorBound {
		t.Errorf("final look, 3+3 runs not bound: verdict %v, p99 bound %v; want inconclusive: generator-bound\n%s", c.Verdict, r.GeneratorBound, c)
	}
}

// TestPairedHeadBound: with the base's runs made in turn with the head's
// (their starts alternate),
// a regression that makes over half of the head's runs generator-bound,
// and none of the base's, fails on every run: a busy machine would have
// met the base too. From a stored baseline, or with a base run bound too,
// or half the head's runs, it stays inconclusive.
func TestPairedHeadBound(t *testing.T) {
	bound := []string{"the process used 99% of its 2 CPUs (limit 90%)"}
	base := []float64{10, 11, 9.5, 10.5, 10.2, 10.3, 9.9, 10.8}
	head := []float64{20, 21, 19, 20.5, 20.2, 19.8, 21.3, 20.6}
	tests := []struct {
		name                 string
		paired               bool
		runs                 int   // a side; 0 for all eight
		boundBase, boundHead []int // 1-based
		want                 Verdict
		note                 string // of p99
	}{
		{"paired, every head run bound", true, 0, nil, []int{1, 2, 3, 4, 5, 6, 7, 8}, Fail,
			"generator-bound in 8 of 8 head runs and in no base run, made in turn with them: the change takes the CPU"},
		{"paired, five of eight head runs bound", true, 0, nil, []int{1, 3, 4, 6, 8}, Fail, "generator-bound in 5 of 8 head runs and in no base run, made in turn with them: the change takes the CPU"},
		{"a stored baseline, every head run bound", false, 0, nil, []int{1, 2, 3, 4, 5, 6, 7, 8}, Inconclusive, "generator-bound: too few other runs"},
		{"paired, every head run bound and one base run", true, 0, []int{2}, []int{1, 2, 3, 4, 5, 6, 7, 8}, Inconclusive, "generator-bound: too few other runs"},
		{"paired, four of eight head runs bound: judged without them", true, 0, nil, []int{1, 2, 3, 4}, Fail, "without 4 generator-bound runs"},
		{"paired, first look, three of five head runs bound: a burst gets more runs", true, 5, nil, []int{1, 2, 4}, Inconclusive, "generator-bound: too few other runs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, h := sampleP99("base", base...), sampleP99("head", head...)
			if tt.runs > 0 {
				b.Runs, h.Runs = b.Runs[:tt.runs], h.Runs[:tt.runs]
			}
			for _, i := range tt.boundBase {
				b.Runs[i-1].GeneratorBound = bound
			}
			for _, i := range tt.boundHead {
				h.Runs[i-1].GeneratorBound = bound
			}
			t0 := time.Date(2026, 12, 3, 4, 0, 0, 0, time.UTC)
			for i := range b.Runs {
				b.Runs[i].Started, h.Runs[i].Started = t0.Add(time.Duration(2*i)*time.Minute), t0.Add(time.Duration(2*i+1)*time.Minute)
				b.Runs[i].DurationNS, h.Runs[i].DurationNS = int64(30*time.Second), int64(30*time.Second)
				if !tt.paired { // the base recorded before the head ran
					h.Runs[i].Started = t0.Add(time.Hour + time.Duration(i)*time.Minute)
				}
			}
			c, err := (&Judge{}).CompareLook(b, h, Look{K: 2, Of: 3})
			if err != nil {
				t.Fatal(err)
			}
			r := rowOf(t, c, P99)
			if c.Verdict != tt.want || !strings.Contains(r.Note, tt.note) {
				t.Errorf("verdict %v, p99 note %q; want %v, a note with %q\n%s", c.Verdict, r.Note, tt.want, tt.note, c)
			}
			if byChange := strings.Contains(tt.note, "the change takes the CPU"); r.BoundByChange != byChange || byChange && r.GeneratorBound {
				t.Errorf("p99 bound by the change %v, left unjudged %v; want bound by the change %v", r.BoundByChange, r.GeneratorBound, byChange)
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
		said := strings.Contains(tb.text(), "run 3 was generator-bound (the process used 99% of its 2 CPUs and its goroutines waited up to 1.57ms for one at p99 (limits 90% and 1ms)): every comparison with this baseline judges latencies and throughput without it, on fewer runs")
		if tb.failed() || said != (i == 2) {
			t.Fatalf("update run %d:\n%s", i+1, tb.text())
		}
	}
	var c *Comparison
	for i := range 5 {
		c = Check(&fakeTB{}, result("checkout", time.Millisecond, uint64(100+i)), WithDir(dir), WithUpdate(false), WithRuns(5))
	}
	if c == nil || c.Verdict == Inconclusive || len(c.GeneratorBound) != 1 || c.GeneratorBound[0] != "baseline run 3: the process used 99% of its 2 CPUs and its goroutines waited up to 1.57ms for one at p99 (limits 90% and 1ms)" {
		t.Fatalf("comparison with a baseline holding a generator-bound run: %v", c)
	}
	if r := rowOf(t, c, P99); r.Base.N != 4 || r.Base.LeftOut != 1 || r.Head.N != 5 {
		t.Errorf("p99 judged on %d+%d runs, %d left out; want 4+5, the bound one left out", r.Base.N, r.Head.N, r.Base.LeftOut)
	}
}

// TestJSONLeftOut: the JSON of a comparison says how many generator-bound
// runs each side's metric was judged without, and which metrics they left
// unjudged.
func TestJSONLeftOut(t *testing.T) {
	bound := []string{"one send in ten left more than 1ms late (p90 1.99ms)"}
	base := sampleP99("baseline", 10, 11, 9.5, 10.5, 10.2)
	head := sampleP99("head", 13, 13.5, 12.8, 13.1, 14)
	head.Runs[2].GeneratorBound = bound
	c, err := Compare(base, head, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := c.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		GeneratorBound []string `json:"generator_bound"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Metrics []struct {
			Metric string `json:"metric"`
			Head   struct {
				N       int `json:"n"`
				LeftOut int `json:"left_out"`
			} `json:"head"`
			GeneratorBound bool `json:"generator_bound"`
		} `json:"metrics"`
	}
	if err := json.Unmarshal(b.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	if len(doc.GeneratorBound) != 1 || !strings.HasPrefix(doc.GeneratorBound[0], "head run 3: ") {
		t.Errorf("generator_bound %q, want head run 3", doc.GeneratorBound)
	}
	for _, m := range raw.Metrics {
		want := struct{ n, leftOut int }{5, 0}
		if m.Metric == P50 || m.Metric == P90 || m.Metric == P99 || m.Metric == P999 || m.Metric == Throughput {
			want = struct{ n, leftOut int }{4, 1}
		}
		if m.Head.N != want.n || m.Head.LeftOut != want.leftOut || m.GeneratorBound {
			t.Errorf("%s: head n %d, left_out %d, generator_bound %v; want n %d, left_out %d, judged", m.Metric, m.Head.N, m.Head.LeftOut, m.GeneratorBound, want.n, want.leftOut)
		}
	}
}

// TestBoundSettled: when more runs cannot judge what generator-bound runs
// left unjudged. A look's alpha and the runs each side has, and has left.
func TestBoundSettled(t *testing.T) {
	tests := []struct {
		name          string
		alpha         float64
		base, baseOut int // every run of the side, and the bound ones among them
		head, headOut int
		demoted       bool // left unjudged by Demote: the Stats count the runs judged only
		paired        bool // the base grows with the head (inTurn)
		want          bool
	}{
		{"first look, three of five head runs bound: a burst gets more runs", 0.05 / 3, 5, 0, 5, 3, false, false, false},
		{"second look, five of eight head runs bound: the generator is short", 0.05 / 3, 8, 0, 8, 5, false, false, true},
		{"second look, three of eight bound a side: more may leave enough", 0.05 / 3, 8, 3, 8, 3, false, false, false},
		{"a stored baseline of 3 runs, 1 bound: 2 against 12 cannot reach 0.0167", 0.05 / 3, 3, 1, 5, 0, false, false, true},
		{"the same at alpha 0.05: 2 against 12 can reach it (p 0.022 at best)", 0.05, 3, 1, 5, 0, false, false, false},
		{"every base run bound", 0.05, 5, 5, 5, 0, false, false, true},
		{"demoted, second look, five of eight head runs bound: the generator is short", 0.05, 8, 0, 8, 5, true, false, true},
		{"demoted, first look, one of five head runs bound: more runs may reach the level", 0.05 / 3, 5, 0, 5, 1, true, false, false},
		{"second look, four of eight head runs bound: half is not over half", 0.05 / 3, 8, 0, 8, 4, false, false, false},
		{"a stored baseline, three of five runs bound: 2 against 12 cannot reach 0.0167", 0.05 / 3, 5, 3, 5, 0, false, false, true},
		{"paired, first look, three of five base runs bound: the base's next runs may leave enough", 0.05 / 3, 5, 3, 5, 0, false, true, false},
		{"paired, first look, every base run bound: the base's next runs may be fine", 0.05 / 3, 5, 5, 5, 0, false, true, false},
		{"paired, second look, five of eight base runs bound: the generator is short", 0.05 / 3, 8, 5, 8, 0, false, true, true},
	}
	for _, tt := range tests {
		r := Row{GeneratorBound: true, Base: Stat{N: tt.base, LeftOut: tt.baseOut}, Head: Stat{N: tt.head, LeftOut: tt.headOut}, everyRun: true}
		if tt.demoted {
			r.Base.N, r.Head.N, r.everyRun = tt.base-tt.baseOut, tt.head-tt.headOut, false
		}
		if got := r.boundSettled(tt.alpha, tt.paired); got != tt.want {
			t.Errorf("%s: settled %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestInTurn: runs made in turn are told from their start times.
func TestInTurn(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 4, 0, 0, 0, time.UTC)
	at := func(minutes ...int) Sample { // runs of 50 s
		s := Sample{Scenario: "checkout"}
		for _, m := range minutes {
			s.Runs = append(s.Runs, Run{Started: t0.Add(time.Duration(m) * time.Minute), DurationNS: int64(50 * time.Second)})
		}
		return s
	}
	tests := []struct {
		name       string
		base, head Sample
		want       bool
	}{
		{"base and head in turn", at(0, 2, 4, 6, 8), at(1, 3, 5, 7, 9), true},
		{"in turn, one base run more (interrupted)", at(0, 2, 4), at(1, 3), true},
		{"a stored baseline, recorded before", at(0, 1, 2, 3, 4), at(10, 11, 12, 13, 14), false},
		{"two head runs in a row", at(0, 2, 4), at(1, 3, 3, 5), false},
		{"the same start on both sides", at(0, 2), at(0, 3), false},
		{"a run without a start", at(0, 2), Sample{Runs: []Run{{DurationNS: 1}, {Started: t0.Add(3 * time.Minute), DurationNS: 1}}}, false},
		{"alternate starts, but overlapping: two machines at once", at(0, 1, 2, 3), Sample{Runs: []Run{
			{Started: t0.Add(5 * time.Second), DurationNS: int64(50 * time.Second)}, {Started: t0.Add(65 * time.Second), DurationNS: int64(50 * time.Second)},
			{Started: t0.Add(125 * time.Second), DurationNS: int64(50 * time.Second)}, {Started: t0.Add(185 * time.Second), DurationNS: int64(50 * time.Second)}}}, false},
		{"no base runs", at(), at(1), false},
	}
	for _, tt := range tests {
		if got := inTurn(tt.base, tt.head); got != tt.want {
			t.Errorf("%s: in turn %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestScoreUnjudged: a scorecard counts the metrics generator-bound runs
// left unjudged as passes, so that they cannot turn a warning into a
// failure; a score that fails even so fails.
func TestScoreUnjudged(t *testing.T) {
	bound := []string{"the process used 99% of its 2 CPUs (limit 90%)"}
	card := &Scorecard{Dimensions: []Dimension{
		{Name: "latency", Weight: 0.5, Metrics: []string{P50, P99}},
		{Name: "errors", Weight: 0.3, Metrics: []string{ErrorRate}},
		{Name: "resources", Weight: 0.2, Metrics: inDimension("resources")},
	}, FailBelow: 60, WarnBelow: 90}
	base := []float64{10, 11, 9.5, 10.5, 10.2}
	tests := []struct {
		name      string
		head      []float64
		errorRate float64
		boundHead []int
		want      Verdict
		reason    string
	}{
		{"errors worse, nothing bound: score 70 warns", []float64{10.1, 9.8, 10.9, 10.4, 9.9}, 0.05, nil, Warn, "score 70 is under 90"},
		{"errors worse, latencies unjudged: not a failure", []float64{10.1, 9.8, 10.9, 10.4, 9.9}, 0.05, []int{1, 2, 3}, Inconclusive, "score at most 70 is under 90"},
		{"errors worse, latencies unjudged and 2x: still not a failure", []float64{20, 21, 19, 20.5, 20.2}, 0.05, []int{1, 2, 3}, Inconclusive, "score at most 70 is under 90"},
		{"errors and latencies worse, nothing bound: fails", []float64{20, 21, 19, 20.5, 20.2}, 0.05, nil, Fail, "score 20 is under 60"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, h := sampleP99("baseline", base...), sampleP99("head", tt.head...)
			for i := range h.Runs {
				h.Runs[i].ErrorRate = tt.errorRate
			}
			for _, i := range tt.boundHead {
				h.Runs[i-1].GeneratorBound = bound
			}
			c, err := Compare(b, h, Policy{Scorecard: card})
			if err != nil {
				t.Fatal(err)
			}
			if c.Verdict != tt.want || !containsPrefix(append(c.Reasons, trimWarning(c.Reasons)...), tt.reason) {
				t.Errorf("verdict %v, reasons %q; want %v and %q\n%s", c.Verdict, c.Reasons, tt.want, tt.reason, c)
			}
		})
	}
}

// trimWarning returns reasons without their "warning: " prefix.
func trimWarning(reasons []string) []string {
	var out []string
	for _, r := range reasons {
		out = append(out, strings.TrimPrefix(r, "warning: "))
	}
	return out
}

// TestUnjudgedWarnOnly: a metric that cannot fail the comparison (warn
// only, or machines that differ under EnvMismatchWarns) warns when
// generator-bound runs leave it unjudged; it does not make the comparison
// inconclusive.
func TestUnjudgedWarnOnly(t *testing.T) {
	bound := []string{"the process used 99% of its 2 CPUs (limit 90%)"}
	warnOnly := map[string]Rule{}
	for _, m := range []string{P50, P90, P99, P999, Throughput} {
		warnOnly[m] = Rule{Tolerance: 0.15, WarnOnly: true}
	}
	other := testEnv
	other.CPUs = 8
	tests := []struct {
		name   string
		policy Policy
		env    *loadtest.Env
		want   Verdict
	}{
		{"every latency and throughput rule warn only", Policy{Rules: warnOnly}, nil, Warn},
		{"machines differ, env_mismatch_warns", Policy{EnvMismatchWarns: true}, &other, Warn},
		{"gating rules", Policy{}, nil, Inconclusive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, h := sampleP99("baseline", 10, 11, 9.5, 10.5, 10.2), sampleP99("head", 13, 13.5, 12.8, 13.1, 14)
			if tt.env != nil {
				h.Env = *tt.env
			}
			for _, i := range []int{0, 2, 4} {
				h.Runs[i].GeneratorBound = bound
			}
			c, err := Compare(b, h, tt.policy)
			if err != nil {
				t.Fatal(err)
			}
			r := rowOf(t, c, P99)
			if c.Verdict != tt.want || !r.GeneratorBound || r.Verdict != tt.want {
				t.Errorf("verdict %v, p99 %v (left unjudged %v); want %v\n%s", c.Verdict, r.Verdict, r.GeneratorBound, tt.want, c)
			}
			if tt.want == Warn && !containsPrefix(c.Reasons, "p99 +") {
				t.Errorf("reasons %q: want p99's own warning", c.Reasons)
			}
		})
	}
}
