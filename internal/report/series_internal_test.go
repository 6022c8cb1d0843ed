package report

import (
	"math"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/loadtest"
)

// p99Run is a result whose p99 is p99 ns, generator-bound or not.
func p99Run(p99 int64, bound bool) *loadtest.Result {
	r := &loadtest.Result{Latency: loadtest.Latency{P99NS: p99}}
	if bound {
		r.Generator = &loadtest.Generator{Bound: true}
	}
	return r
}

// TestRepresentativeUnbound: the charted run is the median p99 of the runs
// that were not generator-bound, while there are some.
func TestRepresentativeUnbound(t *testing.T) {
	for _, tt := range []struct {
		name string
		runs []*loadtest.Result
		want int // 1-based
	}{
		{"none bound: the median", []*loadtest.Result{p99Run(10, false), p99Run(30, false), p99Run(20, false)}, 3},
		{"the median run bound: the median of the others", []*loadtest.Result{p99Run(10, false), p99Run(30, false), p99Run(20, true), p99Run(40, true), p99Run(15, false)}, 5},
		{"every run bound: the median of all", []*loadtest.Result{p99Run(10, true), p99Run(30, true), p99Run(20, true)}, 3},
	} {
		if _, got := representative(tt.runs); got != tt.want {
			t.Errorf("%s: run %d, want %d", tt.name, got, tt.want)
		}
	}
}

// TestPlannedRatePartialSecond: a second the load covers only in part plans
// what that part holds, as "sent" counts what it held. The chart planned
// 200 and showed 60 sent in the one second of a 200/s load that
// LOADGATE_SCALE=0.3 made 0.3 s long: a shortfall that was not there.
func TestPlannedRatePartialSecond(t *testing.T) {
	const s = int64(1e9)
	open := func(from, to float64, dur int64) loadtest.StagePlan {
		return loadtest.StagePlan{Model: loadtest.Open, Arrivals: loadtest.Even, From: from, To: to, DurationNS: dur}
	}
	for _, tt := range []struct {
		name    string
		plans   []loadtest.StagePlan
		ran     []int64 // each stage's elapsed time
		want    []float64
		seconds int64 // the timeline's length
	}{
		{"whole seconds", []loadtest.StagePlan{open(100, 100, 2*s)}, []int64{2 * s}, []float64{100, 100}, 2},
		{"a scaled load", []loadtest.StagePlan{open(200, 200, 3*s/10)}, []int64{3*s/10 + s/1000}, []float64{60}, 1},
		{"the last half second", []loadtest.StagePlan{open(100, 100, 3*s/2)}, []int64{3 * s / 2}, []float64{100, 50}, 2},
		{"a ramp", []loadtest.StagePlan{open(0, 200, 2*s)}, []int64{2 * s}, []float64{50, 150}, 2},
		{"stages meeting mid-second", []loadtest.StagePlan{open(100, 100, 3*s/2), open(300, 300, 3*s/2)}, []int64{3 * s / 2, 3 * s / 2}, []float64{100, 200, 300}, 3},
		{"a closed stage", []loadtest.StagePlan{open(100, 100, s), {Model: loadtest.Closed, Users: 2, DurationNS: s}}, []int64{s, s}, []float64{100, math.NaN()}, 2},
	} {
		r := &loadtest.Result{Load: loadtest.LoadInfo{Stages: tt.plans}}
		for i, d := range tt.ran {
			r.Stages = append(r.Stages, loadtest.StageResult{Index: i, ElapsedNS: d})
		}
		got := plannedRate(r, timeAxis{Seconds: tt.seconds, Step: 1})
		ok := len(got) == len(tt.want)
		for i := 0; ok && i < len(got); i++ {
			g, w := float64(got[i]), tt.want[i]
			ok = math.IsNaN(g) && math.IsNaN(w) || math.Abs(g-w) < 1e-6
		}
		if !ok {
			t.Errorf("%s: planned %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestRunsNoteUnbound: the note above the charts names the runs whose
// median it charts. Of 12 runs with 3 generator-bound, the page said "run
// 9, whose p99 is the median" (1.55ms, the median of the 9 others) while
// loadgate run's summary gave the median of all 12 (3.28ms).
func TestRunsNoteUnbound(t *testing.T) {
	for _, tt := range []struct {
		name string
		runs []*loadtest.Result
		want string
	}{
		{"none bound", []*loadtest.Result{p99Run(10, false), p99Run(30, false), p99Run(20, false)}, "whose p99 is the median; "},
		{"some bound", []*loadtest.Result{p99Run(10, false), p99Run(30, false), p99Run(20, true), p99Run(40, true), p99Run(15, false)}, "whose p99 is the median of the 3 not generator-bound; "},
		{"every run bound", []*loadtest.Result{p99Run(10, true), p99Run(30, true), p99Run(20, true)}, "whose p99 is the median; "},
	} {
		_, shown := representative(tt.runs)
		if got := runsNote("head", tt.runs, shown); !strings.Contains(got, tt.want) {
			t.Errorf("%s: %q, want it to contain %q", tt.name, got, tt.want)
		}
	}
}
