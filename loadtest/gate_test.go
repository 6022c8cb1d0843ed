package loadtest_test

import (
	"context"
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
