package report

import (
	"testing"

	"github.com/loadgate/loadgate/loadtest"
)

// TestRepresentativeUnbound: the charted run is the median p99 of the runs
// that were not generator-bound, while there are some.
func TestRepresentativeUnbound(t *testing.T) {
	run := func(p99 int64, bound bool) *loadtest.Result {
		r := &loadtest.Result{Latency: loadtest.Latency{P99NS: p99}}
		if bound {
			r.Generator = &loadtest.Generator{Bound: true}
		}
		return r
	}
	for _, tt := range []struct {
		name string
		runs []*loadtest.Result
		want int // 1-based
	}{
		{"none bound: the median", []*loadtest.Result{run(10, false), run(30, false), run(20, false)}, 3},
		{"the median run bound: the median of the others", []*loadtest.Result{run(10, false), run(30, false), run(20, true), run(40, true), run(15, false)}, 5},
		{"every run bound: the median of all", []*loadtest.Result{run(10, true), run(30, true), run(20, true)}, 3},
	} {
		if _, got := representative(tt.runs); got != tt.want {
			t.Errorf("%s: run %d, want %d", tt.name, got, tt.want)
		}
	}
}
