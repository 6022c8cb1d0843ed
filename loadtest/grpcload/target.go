package grpcload

import (
	"context"
	"errors"
	"sync/atomic"

	"google.golang.org/grpc/status"

	"github.com/loadgate/loadgate/internal/grpccode"
	"github.com/loadgate/loadgate/internal/traceid"
	"github.com/loadgate/loadgate/loadtest"
)

// Target returns a loadtest.Target whose every request runs fn: one call,
// or a short sequence of calls, made through c (or a generated client over
// c) with the context fn is given. fn is called concurrently from many
// goroutines; it returns nil for a successful request and an error for a
// failed one, usually the error of the call that failed. Each call is
// recorded under its method name (see the package doc); the request fails
// with the gRPC code of the error fn returns, and as "no_call" when fn
// returns nil without a call through c (one through another connection
// is not measured).
//
// A target serves one run at a time; several targets of one Conn may run
// at once (loadtest.RunAll), and share its connections.
func (c *Conn) Target(fn func(ctx context.Context) error) loadtest.Target {
	return &target{conn: c, fn: fn}
}

// errNoCall fails a request whose function returned nil without a call
// through the target's Conn.
var errNoCall = loadtest.KindError("no_call", errors.New("grpcload: the request made no call through its Conn (a client over another grpc.ClientConn is not measured; make the calls through the Conn, or a generated client over it)"))

// target is what [Conn.Target] returns.
type target struct {
	conn *Conn
	fn   func(ctx context.Context) error

	prepared atomic.Bool
	runID    string
	traceKey traceid.Key   // the trace ids of the run's requests, as loadtest's
	calls    atomic.Uint64 // calls made, for their request ids and span ids
	hits     atomic.Uint64 // requests made, for their trace ids
}

var (
	_ loadtest.Target   = (*target)(nil)
	_ loadtest.Preparer = (*target)(nil)
	_ loadtest.Finisher = (*target)(nil)
)

// Prepare checks the target's host and opens the connections, waiting up
// to the scenario's Timeout for them to be ready. loadtest.Run calls it
// before the load.
func (t *target) Prepare(ctx context.Context, run loadtest.RunInfo) error {
	if t.fn == nil {
		return errors.New("grpcload: Target has no function")
	}
	// Claimed before the connections open: two runs that prepare at once
	// cannot both pass.
	if !t.prepared.CompareAndSwap(false, true) {
		return errors.New("grpcload: a Target serves one run at a time; make one per scenario with Conn.Target")
	}
	if err := t.conn.prepare(ctx, run); err != nil {
		t.prepared.Store(false)
		return err
	}
	t.runID, t.traceKey = run.RunID, traceid.New(run.RunID)
	t.calls.Store(0)
	t.hits.Store(0)
	return nil
}

// Finish closes the connections after the load, when no other run uses
// them, so that the leak check that follows sees only what the calls left
// behind. loadtest.Run may call it more than once.
func (t *target) Finish() {
	if t.prepared.Swap(false) {
		t.conn.finish()
	}
}

// Hit implements loadtest.Target: it runs fn once, then ends the streams
// fn left open and describes the request in s.
func (t *target) Hit(ctx context.Context, s *loadtest.Sample) error {
	if !t.prepared.Load() {
		return errors.New("grpcload: Target used before Prepare (run it with loadtest.Run)")
	}
	h := &hit{t: t, s: s, n: t.hits.Add(1), intended: s.Intended()}
	err := t.call(ctx, h)
	if err == nil {
		if h.calls.Load() == 0 {
			// Nothing was measured: fn called nothing, or called through
			// a connection of its own, whose calls are not recorded.
			return errNoCall
		}
		s.StatusName = grpccode.Name(0)
		return nil
	}
	if st, ok := status.FromError(err); ok {
		code := uint32(st.Code())
		s.StatusName = grpccode.Name(code)
		// A kind the caller gave (loadtest.KindError) stays; the
		// harness would call a gRPC status "other".
		if loadtest.ErrorKind(err) == loadtest.KindOther {
			s.Kind = grpccode.Kind(code)
		}
	} else if code, failed := h.failure(); failed {
		s.StatusName = grpccode.Name(uint32(code))
	} else if h.calls.Load() > 0 {
		// Every call was answered OK and fn rejected an answer: the
		// service's code is OK, as an HTTP target's status is 200 when
		// its Check rejects the body, so that status_codes still counts
		// every request that made a call.
		s.StatusName = grpccode.Name(0)
	}
	return err
}

// call runs fn for the request h, then ends the streams fn left open and
// waits for them to be recorded, however fn ends: also when it panics
// (the harness recovers the panic after Hit has unwound), so that no
// stream is recorded into the request's Sample once the harness has
// reused it for the next request.
func (t *target) call(ctx context.Context, h *hit) error {
	ctx, cancel := context.WithCancel(ctx)
	defer h.end()
	defer cancel() // first: ends the streams fn left open
	return t.fn(context.WithValue(ctx, hitKey{}, h))
}
