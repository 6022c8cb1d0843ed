package loadtest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestDeadlineWatchCutsOffOnlyLateRequests drives the watchdog by hand: a
// request is cancelled once its deadline has passed and not before, the
// worker learns it was cut off, and its next request gets a new context.
func TestDeadlineWatchCutsOffOnlyLateRequests(t *testing.T) {
	defer goleak.VerifyNone(t)
	dw := newDeadlineWatch(time.Second)
	defer dw.close()
	parent := context.Background()
	sc := newHTTPScratch()
	w := dw.context(parent, sc)
	if w == nil {
		t.Fatal("a new watch refused a context")
	}
	d := time.Unix(100, 0)
	w.begin(d)
	dw.expire(d.UnixNano() - 1)
	if w.ctx.Err() != nil {
		t.Fatal("cancelled before its deadline")
	}
	if w.end(d) {
		t.Fatal("end says cut off, but the watchdog did not fire")
	}
	if again := dw.context(parent, sc); again != w {
		t.Fatal("a worker whose request finished in time got a new context")
	}

	w.begin(d)
	dw.expire(d.UnixNano())
	if !errors.Is(context.Cause(w.ctx), context.DeadlineExceeded) {
		t.Fatalf("cause %v, want the deadline", context.Cause(w.ctx))
	}
	if !w.end(d) {
		t.Fatal("end says in time, but the watchdog fired")
	}
	next := dw.context(parent, sc)
	if next == w || next.ctx.Err() != nil {
		t.Fatal("after a cut-off the worker kept its cancelled context")
	}
	// A request that ended (deadline back to 0) is never cancelled late.
	next.begin(d)
	next.end(d)
	dw.expire(d.UnixNano() + 1)
	if next.ctx.Err() != nil {
		t.Fatal("the watchdog cancelled a worker between requests")
	}
	dw.close()
	if dw.context(parent, newHTTPScratch()) != nil {
		t.Error("a closed watch handed out a context")
	}
}

// TestPooledTimeoutThenRecovers checks the default profile's timeout under
// the engine: the requests the server stalls are cut off and counted as
// timeouts, and the worker's next requests succeed on a new context.
func TestPooledTimeoutThenRecovers(t *testing.T) {
	defer goleak.VerifyNone(t)
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 3 {
			<-r.Context().Done() // stalls until the client gives up
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	res := runHTTPWith(t, GET(srv.URL), Users(1).For(time.Minute).SharedIterations(10), func(s *Scenario) { s.Timeout = 100 * time.Millisecond })
	if res.Requests != 10 || res.Errors != 3 || res.ErrorKinds[KindTimeout] != 3 {
		t.Fatalf("%d requests, %d errors %v, want 10 with 3 timeouts (%v)", res.Requests, res.Errors, res.ErrorKinds, res.ErrorSamples)
	}
	if max := time.Duration(res.Latency.MaxNS); max > 5*time.Second {
		t.Errorf("latency max %v: a stalled request was not cut off at its 100ms timeout", max)
	}
}
