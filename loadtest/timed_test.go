package loadtest_test

import (
	"slices"
	"testing"

	"github.com/loadgate/loadgate/loadtest"
)

// TestTimed: the runs whose latencies count are those not generator-bound,
// or all of them when every one was; the runs given are left as they are.
func TestTimed(t *testing.T) {
	bound := &loadtest.Result{RunID: "b", Generator: &loadtest.Generator{Bound: true}}
	free, bare := &loadtest.Result{RunID: "f", Generator: &loadtest.Generator{}}, &loadtest.Result{RunID: "n"}
	runs := []*loadtest.Result{bound, free, bare}
	if got := loadtest.Timed(runs); !slices.Equal(got, []*loadtest.Result{free, bare}) {
		t.Errorf("Timed left %d runs, want the two not bound", len(got))
	}
	if runs[0] != bound || len(runs) != 3 {
		t.Error("Timed changed the runs given")
	}
	if all := []*loadtest.Result{bound, bound}; !slices.Equal(loadtest.Timed(all), all) {
		t.Error("every run bound: want them all")
	}
	if loadtest.Timed(nil) != nil {
		t.Error("no runs: want none")
	}
}
