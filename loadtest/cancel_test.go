package loadtest

import (
	"context"
	"net/http"
	"net/http/httptest"
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

// TestDeadlineCutsOffAsCanceled: Execute under context.WithTimeout, the
// usual way to bound a run in Go, charged the requests its deadline cut
// off as "timeout" failures, the kind of a service slower than
// Scenario.Timeout, and its Stop said "the test's context was canceled"
// where there is no test.
func TestDeadlineCutsOffAsCanceled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // answers only when the client gives up
	}))
	defer srv.Close()
	tests := []struct {
		name   string
		target Target
	}{
		{"Func", Func(func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })},
		{"HTTP", GET(srv.URL)},
		{"Lean HTTP", &HTTP{Requests: []Request{{URL: srv.URL}}, Transport: Lean}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			res, err := Execute(ctx, Scenario{Target: tt.target, Load: Users(2).For(5 * time.Second)})
			if err != nil {
				t.Fatal(err)
			}
			if res.ErrorKinds[KindTimeout] != 0 || res.ErrorKinds[KindCanceled] == 0 {
				t.Errorf("error kinds %v, want only %s", res.ErrorKinds, KindCanceled)
			}
			if st := res.Stopped; st == nil || st.Reason != "the run's context ended: context deadline exceeded" {
				t.Errorf("stopped %+v", res.Stopped)
			}
		})
	}
}
