package loadtest

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// TestCanceledRunNamesItsStage: a run whose context ends says in which
// stage it stopped, as a gate, the abort rule or exhausted data do (its
// Stop.Stage was empty).
func TestCanceledRunNamesItsStage(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls atomic.Int64
	res, err := Execute(ctx, Scenario{
		Target: Func(func(context.Context) error {
			// The first stage plans one arrival; the second call is
			// the second stage's.
			if calls.Add(1) == 2 {
				cancel()
			}
			return nil
		}),
		Load: Ramp(
			Rate(10).For(100*time.Millisecond).Named("first"),
			Users(1).Thinking(10*time.Millisecond).For(10*time.Second).Named("second"),
		),
	})
	if err != nil {
		t.Fatal(err)
	}
	if st := res.Stopped; st == nil || st.Cause != "canceled" || st.Stage != "second" {
		t.Errorf("stopped %+v, want canceled in stage second", res.Stopped)
	}
}
