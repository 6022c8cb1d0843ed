package loadtest

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// The net/http profiles can only be cut off through a request's context.
// Giving every request a context.WithTimeout of its own, with
// httptrace.WithClientTrace on top, cost 9 allocations, a runtime timer
// and two locks on the run's context per request: on a tiny handler, that
// made the default path dearer than hey (docs/PERFORMANCE.md). Instead each
// worker keeps one cancelable context with its trace for as long as none of
// its requests times out, and one watchdog goroutine per target cancels a
// worker's context once its request is past its deadline. Like the Lean
// profile's deadline, the cut-off comes up to one watchdog tick (1% of the
// timeout, at most 20 ms) late; the engine counts a request that ends past
// its deadline as a timeout either way.

// workerCtx is a worker's context for its requests through net/http, and
// what the watchdog needs to cut the current request off.
type workerCtx struct {
	ctx    context.Context // carries the worker's trace
	parent context.Context
	cancel context.CancelCauseFunc
	// deadline is the running request's, in unix nanoseconds: 0 while the
	// worker is between requests, -1 once the watchdog has cancelled ctx.
	deadline atomic.Int64
}

// deadlineWatch cancels the contexts of requests past their deadline.
type deadlineWatch struct {
	tick time.Duration

	mu      sync.Mutex
	workers []*workerCtx
	running bool
	stopped bool
	stop    chan struct{}
	done    chan struct{}
}

func newDeadlineWatch(timeout time.Duration) *deadlineWatch {
	return &deadlineWatch{tick: max(min(timeout/100, 20*time.Millisecond), time.Millisecond), stop: make(chan struct{}), done: make(chan struct{})}
}

// context returns sc's worker context under parent, making a new one when
// sc has none yet, its parent changed, or its last request was cut off.
// It returns nil once the watch has stopped: the caller then bounds the
// request with a context of its own.
func (dw *deadlineWatch) context(parent context.Context, sc *httpScratch) *workerCtx {
	if w := sc.wctx; w != nil && w.parent == parent && w.deadline.Load() == 0 {
		return w
	}
	dw.mu.Lock()
	defer dw.mu.Unlock()
	if dw.stopped {
		return nil
	}
	if old := sc.wctx; old != nil {
		dw.drop(old)
	}
	ctx, cancel := context.WithCancelCause(parent)
	w := &workerCtx{ctx: sc.traced(ctx), parent: parent, cancel: cancel}
	sc.wctx = w
	dw.workers = append(dw.workers, w)
	if !dw.running {
		dw.running = true
		go dw.run()
	}
	return w
}

// drop forgets w and releases its context; dw.mu must be held.
func (dw *deadlineWatch) drop(w *workerCtx) {
	w.cancel(context.Canceled)
	for i, x := range dw.workers {
		if x == w {
			last := len(dw.workers) - 1
			dw.workers[i] = dw.workers[last]
			dw.workers[last] = nil
			dw.workers = dw.workers[:last]
			return
		}
	}
}

func (dw *deadlineWatch) run() {
	defer close(dw.done)
	t := time.NewTicker(dw.tick)
	defer t.Stop()
	for {
		select {
		case <-dw.stop:
			return
		case now := <-t.C:
			dw.expire(now.UnixNano())
		}
	}
}

// expire cancels the context of every request whose deadline is at or
// before now.
func (dw *deadlineWatch) expire(now int64) {
	dw.mu.Lock()
	defer dw.mu.Unlock()
	for _, w := range dw.workers {
		if d := w.deadline.Load(); d > 0 && d <= now && w.deadline.CompareAndSwap(d, -1) {
			w.cancel(context.DeadlineExceeded)
		}
	}
}

// close stops the watchdog and releases every worker's context.
func (dw *deadlineWatch) close() {
	dw.mu.Lock()
	if dw.stopped {
		dw.mu.Unlock()
		return
	}
	dw.stopped = true
	running := dw.running
	for _, w := range dw.workers {
		w.cancel(context.Canceled)
	}
	dw.workers = nil
	close(dw.stop)
	dw.mu.Unlock()
	if running {
		<-dw.done
	}
}

// begin marks w's request as running until deadline.
func (w *workerCtx) begin(deadline time.Time) { w.deadline.Store(deadline.UnixNano()) }

// end marks w's request as done, and reports whether the watchdog cut it
// off first (w's context is then cancelled, and the next request gets a
// new one).
func (w *workerCtx) end(deadline time.Time) (cutOff bool) {
	return !w.deadline.CompareAndSwap(deadline.UnixNano(), 0)
}

// reusableRequest returns the worker's request for r, reset for another
// round trip: net/http lets a caller reuse a request once its response
// body is closed. Only requests without a body are reused.
func (sc *httpScratch) reusableRequest(ctx context.Context, r *preparedRequest) (*http.Request, error) {
	req := sc.req
	if req == nil || req.Context() != ctx {
		var err error
		if req, err = http.NewRequestWithContext(ctx, r.Method, "", nil); err != nil {
			return nil, err
		}
		sc.req = req
		sc.reqHeader = make(http.Header, len(r.header)+2)
	}
	req.Method, req.URL, req.Host = r.Method, r.url, r.host
	req.Body, req.GetBody, req.ContentLength, req.Close = nil, nil, 0, false
	clear(sc.reqHeader)
	for k, v := range r.header {
		sc.reqHeader[k] = v
	}
	req.Header = sc.reqHeader
	return req, nil
}
