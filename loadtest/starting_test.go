package loadtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// dialingTarget stands for a target whose workers each open a connection
// of their own on their first request, which takes dial; it reports the
// connection as the HTTP target does (connReporter) when reports is set.
type dialingTarget struct {
	dial, serve time.Duration
	reports     bool

	mu      sync.Mutex
	dialled map[*Sample]bool
	dialing atomic.Int32 // dials running now
	most    atomic.Int32 // the most that ran at once
}

func (d *dialingTarget) reportsConn() bool { return d.reports }

func (d *dialingTarget) Hit(ctx context.Context, s *Sample) error {
	d.mu.Lock()
	fresh := !d.dialled[s]
	d.dialled[s] = true
	d.mu.Unlock()
	if fresh {
		n := d.dialing.Add(1)
		for m := d.most.Load(); n > m && !d.most.CompareAndSwap(m, n); m = d.most.Load() {
		}
		time.Sleep(d.dial)
		d.dialing.Add(-1)
		s.connected()
	}
	time.Sleep(d.serve)
	return nil
}

// TestOpenModelBoundsStartingWorkers checks that an open-model load whose
// target reports its connections never has more than startingWorkers new
// workers opening one at once, and still sends every arrival, while one
// whose target does not starts a worker (a dial) for each arrival that
// finds none idle: with dials 40 times longer than the gap between
// arrivals, the unbounded start dials for dozens at once. This is the dial
// storm that made a cold start at 20,000/s open 10,000 connections.
func TestOpenModelBoundsStartingWorkers(t *testing.T) {
	run := func(reports bool) (*dialingTarget, *Result) {
		d := &dialingTarget{dial: 20 * time.Millisecond, serve: 100 * time.Microsecond, reports: reports, dialled: map[*Sample]bool{}}
		res, err := Execute(context.Background(), Scenario{
			Name:   "starting",
			Target: d,
			Load:   Rate(2000).For(400 * time.Millisecond),
		})
		if err != nil {
			t.Fatal(err)
		}
		return d, res
	}
	bound := startingWorkers(&dialingTarget{reports: true})
	d, res := run(true)
	if most := d.most.Load(); most > bound {
		t.Errorf("reporting target: %d workers dialled at once, want at most %d (startingWorkers)", most, bound)
	}
	if res.Dropped != 0 || res.Requests != 800 || res.Errors != 0 {
		t.Errorf("reporting target: %d requests, %d dropped, %d errors; want all 800 arrivals sent and none dropped or failed", res.Requests, res.Dropped, res.Errors)
	}
	d.mu.Lock()
	workers := len(d.dialled)
	d.mu.Unlock()
	t.Logf("bounded: %d workers in all, at most %d dialling at once, p99 %v", workers, d.most.Load(), time.Duration(res.Latency.P99NS))

	d, _ = run(false)
	if most := d.most.Load(); most <= bound {
		t.Errorf("target that does not report connections: at most %d dialled at once; want more than %d (no bound, as before)", most, bound)
	}
}

// TestHTTPReportsConnection checks that both transport profiles tell the
// engine when a new worker's first request has its connection: before the
// response (the handler still holds it), exactly once, and never for a
// caller's Client, whose transport may not report it.
func TestHTTPReportsConnection(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	for name, tr := range map[string]Transport{"lean": Lean, "pooled": Pooled} {
		t.Run(name, func(t *testing.T) {
			target := GET(srv.URL + "/")
			target.Transport = tr
			if !target.reportsConn() {
				t.Fatal("reportsConn false for the target's own transport")
			}
			if err := target.Prepare(context.Background(), RunInfo{RunID: "x", Timeout: 5 * time.Second}); err != nil {
				t.Fatal(err)
			}
			defer target.Finish()
			var starting atomic.Int32
			starting.Store(1)
			s := Sample{starting: &starting}
			done := make(chan error, 1)
			go func() { done <- target.hitBy(context.Background(), time.Now().Add(5*time.Second), &s) }()
			for deadline := time.Now().Add(5 * time.Second); starting.Load() != 0; time.Sleep(time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("the request has its connection (the handler holds it) but the engine was not told")
				}
			}
			release <- struct{}{}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			s.connected() // as the engine does after every request
			if n := starting.Load(); n != 0 {
				t.Errorf("starting = %d after the request, want 0 (told exactly once)", n)
			}
		})
	}
	if (&HTTP{Client: http.DefaultClient}).reportsConn() {
		t.Error("reportsConn true for a caller's Client")
	}
}
