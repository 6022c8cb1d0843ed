package loadtest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

// TestGatePanicFailsTheStage checks that a gate that panics on a stage
// stops the run there, with the panic as the reason, instead of crashing
// the test binary (every other test of the process with it).
func TestGatePanicFailsTheStage(t *testing.T) {
	res := loadtest.Run(t, loadtest.Scenario{
		Target: loadtest.Func(func(context.Context) error { return nil }),
		Load: loadtest.Ramp(
			loadtest.Rate(50).For(100*time.Millisecond).Named("first").Gated(func(s *loadtest.StageResult) error {
				if s == nil {
					return nil
				}
				panic("no budget left")
			}),
			loadtest.Rate(50).For(100*time.Millisecond).Named("never"),
		),
	})
	if res == nil {
		return
	}
	if st := res.Stopped; st == nil || st.Cause != "gate" || st.Stage != "first" || !strings.Contains(st.Reason, "panicked: no budget left") {
		t.Fatalf("stopped %+v, want cause gate in stage first, naming the panic", res.Stopped)
	}
	if len(res.Stages) != 1 || res.Stages[0].Gate == nil || res.Stages[0].Gate.Passed {
		t.Errorf("stages %+v, want the one that ran, its gate failed", res.Stages)
	}
}

// TestGateThatCannotBeCheckedFailsTheTest: a gate that finds, on the
// stage it guards, that it can never be checked there (assert.Gate's
// "throughput >= 95%" on a stage of users, which plans no rate) stops the
// run and fails the test, naming the stage. Before, the run stopped after
// the stage as if the service had failed it, and the test passed having
// sent one stage of its load.
func TestGateThatCannotBeCheckedFailsTheTest(t *testing.T) {
	tb := &errorsTB{fakeTB: fakeTB{TB: t}}
	invalid := fmt.Errorf("stage 1 user runs the closed model, which has no target rate: %w", loadtest.ErrGateInvalid)
	res := loadtest.Run(tb, loadtest.Scenario{
		Name:   "cannot-be-checked",
		Target: loadtest.Func(func(context.Context) error { return nil }),
		Load: loadtest.Ramp(
			loadtest.Users(1).Thinking(10*time.Millisecond).For(50*time.Millisecond).Gated(func(s *loadtest.StageResult) error {
				if s == nil {
					return nil // it can be checked, in general
				}
				return invalid
			}),
			loadtest.Users(1).For(50*time.Millisecond).Named("never"),
		),
	})
	if len(tb.fatals) > 0 || res == nil {
		t.Fatalf("Run failed before the load: %v", tb.fatals)
	}
	if st := res.Stopped; st == nil || st.Cause != "gate" || len(res.Stages) != 1 {
		t.Errorf("stopped %+v after %d stages, want a gate stop after the first", res.Stopped, len(res.Stages))
	}
	want := "loadtest: scenario cannot-be-checked: the gate of load stage 1 (1 user) cannot be checked on it, so the run stopped after it: " + invalid.Error()
	if len(tb.errs) != 1 || tb.errs[0] != want {
		t.Errorf("Run failed the test with %q, want %q", tb.errs, want)
	}
}
