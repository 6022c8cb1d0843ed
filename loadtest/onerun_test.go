package loadtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestTargetServesOneRunAtATime: an HTTP or Flow target given to a second
// scenario while a first one runs it is refused before the second's load.
// Its Prepare rebuilt the target under the first run: two scenarios of
// RunAll sharing one target both sent the later one's run id, and nothing
// said so.
func TestTargetServesOneRunAtATime(t *testing.T) {
	var (
		mu      sync.Mutex
		running chan struct{} // closed by a run's first request
	)
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		select {
		case <-running:
		default:
			close(running)
		}
	}))
	defer srv.Close()
	flowFn := func(ctx context.Context, it *Iteration) error {
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/", nil)
		_, err := it.Do("get", req)
		return err
	}
	tests := []struct {
		name string
		give Target
		want string
	}{
		{"http", GET(srv.URL + "/"), "HTTP target serves one run at a time, and another scenario is running it"},
		{"flow", Flow(flowFn), "Flow target serves one run at a time, and another scenario is running it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			running = make(chan struct{})
			started := running
			mu.Unlock()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			first := make(chan error, 1)
			go func() {
				_, err := Execute(ctx, Scenario{Name: "first", Target: tt.give, Load: Users(1).For(10 * time.Second)})
				first <- err
			}()
			<-started // the first run is sending
			_, err := Execute(context.Background(), Scenario{Name: "second", Target: tt.give, Load: Users(1).For(100 * time.Millisecond)})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("the second run's error = %v, want %q", err, tt.want)
			}
			cancel()
			if err := <-first; err != nil {
				t.Fatalf("the first run: %v", err)
			}
			// Finished, the target serves the next run.
			if _, err := Execute(context.Background(), Scenario{Name: "third", Target: tt.give, Load: Users(1).For(50 * time.Millisecond)}); err != nil {
				t.Errorf("a run after the first ended: %v", err)
			}
		})
	}
}

// TestFailedPrepareFreesTheTarget: a target whose Prepare failed (a bad
// setting, fixed afterwards) serves the next run.
func TestFailedPrepareFreesTheTarget(t *testing.T) {
	f := Flow(func(context.Context, *Iteration) error { return nil })
	f.Transport = Lean
	if err := f.Prepare(context.Background(), RunInfo{RunID: "r"}); err == nil {
		t.Fatal("Lean was accepted")
	}
	f.Transport = Pooled
	if err := f.Prepare(context.Background(), RunInfo{RunID: "r"}); err != nil {
		t.Errorf("after a failed Prepare: %v", err)
	}
	f.Finish()
}
