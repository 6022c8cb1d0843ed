package grpcload

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"

	"github.com/loadgate/loadgate/internal/grpccode"
	"github.com/loadgate/loadgate/internal/traceid"
	"github.com/loadgate/loadgate/loadtest"
)

// Metadata keys every recorded call carries, unless the caller set them.
const (
	RequestIDKey   = "x-request-id"   // the run's id and the call's number: "<run>-<n>"
	RunIDKey       = "x-loadgate-run" // the run's id
	TraceparentKey = "traceparent"    // W3C trace context: a trace per request, a span per call
)

// streamGrace bounds the wait, after a request's function returned and its
// context was canceled, for gRPC to end the streams it left open. gRPC ends
// them at once; a stream still open after it is not recorded.
const streamGrace = time.Second

type (
	hitKey  struct{}
	callKey struct{}
)

// hit is one request of a target: what its calls share.
type hit struct {
	t        *target
	s        *loadtest.Sample
	n        uint64    // the request's number in the run
	intended time.Time // when the request should have started
	calls    atomic.Int64

	mu       sync.Mutex
	done     bool // Hit returned: steps may no longer be recorded
	failed   bool
	failCode codes.Code // the first failed call's
	streams  []*call
}

func hitOf(ctx context.Context) *hit {
	h, _ := ctx.Value(hitKey{}).(*hit)
	return h
}

// record records a step of the request, unless the request has ended.
func (h *hit) record(st loadtest.Step) {
	h.mu.Lock()
	if !h.done {
		h.s.RecordStep(st)
	}
	h.mu.Unlock()
}

// fail keeps the code of the request's first failed call.
func (h *hit) fail(code codes.Code) {
	h.mu.Lock()
	if !h.failed {
		h.failed, h.failCode = true, code
	}
	h.mu.Unlock()
}

func (h *hit) failure() (codes.Code, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.failCode, h.failed
}

// end waits for the request's streams to be recorded (its context has
// been canceled, so gRPC ends those still open), then closes the request
// to further steps.
func (h *hit) end() {
	h.mu.Lock()
	streams := h.streams
	h.mu.Unlock()
	if len(streams) > 0 {
		timer := time.NewTimer(streamGrace)
	wait:
		for _, cl := range streams {
			select {
			case <-cl.ended:
			case <-timer.C:
				break wait
			}
		}
		timer.Stop()
	}
	h.mu.Lock()
	h.done = true
	h.mu.Unlock()
}

// call is one call of a request, unary or a stream.
type call struct {
	h      *hit
	method string
	start  time.Time // when the call started
	origin time.Time // when it should have: the latency is timed from it

	// A stream's: the caller's context (to tell a stream the caller ended
	// from one that failed), the names of its messages, and a channel
	// closed once it is recorded.
	ctx   context.Context
	names *streamNames
	once  sync.Once
	ended chan struct{}

	// The ids the call was sent with (Step.RequestID, Step.TraceID).
	requestID, traceID string

	// Messages and their sizes, counted by the stats handler (sizes);
	// lastSent and lastReceived are the sizes of the latest, for the
	// per-message steps.
	sent, received, sentBytes, receivedBytes atomic.Int64
	lastSent, lastReceived                   atomic.Int64
}

// begin starts a call of the request. Its latency is timed from the
// request's intended start if it is the request's first call, so that a
// late start (the open model's schedule slipping, a stalled server holding
// the workers) is charged to the call that waited, as the harness charges
// it to the request.
func (h *hit) begin(method string) *call {
	now := time.Now()
	cl := &call{h: h, method: method, start: now, origin: now}
	if h.calls.Add(1) == 1 && !h.intended.IsZero() && h.intended.Before(now) {
		cl.origin = h.intended
	}
	return cl
}

// beginStream starts a stream of the request, made with the caller's ctx.
func (h *hit) beginStream(ctx context.Context, method string, names *streamNames) *call {
	cl := h.begin(method)
	cl.ctx, cl.names, cl.ended = ctx, names, make(chan struct{})
	h.mu.Lock()
	h.streams = append(h.streams, cl)
	h.mu.Unlock()
	return cl
}

// context returns the context the call is made with: ctx with the call,
// for the stats handler, and the request's metadata.
func (cl *call) context(ctx context.Context) context.Context {
	t := cl.h.t
	n := t.calls.Add(1)
	kv := make([]string, 0, 6)
	if v := metadata.ValueFromOutgoingContext(ctx, RequestIDKey); v == nil {
		cl.requestID = t.runID + "-" + strconv.FormatUint(n, 10)
		kv = append(kv, RequestIDKey, cl.requestID)
	} else if len(v) > 0 {
		cl.requestID = v[0]
	}
	if metadata.ValueFromOutgoingContext(ctx, RunIDKey) == nil {
		kv = append(kv, RunIDKey, t.runID)
	}
	tp := ""
	if v := metadata.ValueFromOutgoingContext(ctx, TraceparentKey); v == nil {
		// A trace per request, a span per call: the request's trace id
		// and the call's parent id, as loadtest's HTTP targets derive
		// theirs.
		tp = string(traceid.AppendTraceparent(make([]byte, 0, 55), t.traceKey.Trace(cl.h.n), t.traceKey.Span(n)))
		kv = append(kv, TraceparentKey, tp)
	} else if len(v) > 0 {
		tp = v[0]
	}
	if len(tp) > 35 && tp[2] == '-' && tp[35] == '-' { // version-traceid-…
		cl.traceID = tp[3:35]
	}
	if len(kv) > 0 {
		ctx = metadata.AppendToOutgoingContext(ctx, kv...)
	}
	return context.WithValue(ctx, callKey{}, cl)
}

func (cl *call) messages() loadtest.Messages {
	return loadtest.Messages{
		Sent: cl.sent.Load(), Received: cl.received.Load(),
		SentBytes: cl.sentBytes.Load(), ReceivedBytes: cl.receivedBytes.Load(),
	}
}

// endUnary records a unary call that returned err.
func (cl *call) endUnary(err error) {
	end := time.Now()
	code := status.Code(err)
	kind := ""
	if err != nil {
		kind = grpccode.Kind(uint32(code))
		cl.h.fail(code)
	}
	cl.h.record(loadtest.Step{
		Name: cl.method, Latency: end.Sub(cl.origin), Service: end.Sub(cl.start),
		Kind: kind, StatusName: grpccode.Name(uint32(code)), Messages: cl.messages(),
		RequestID: cl.requestID, TraceID: cl.traceID,
	})
}

// finish records a stream that ended with err (nil: read to its end with
// status OK). It runs once, from gRPC's OnFinish.
func (cl *call) finish(err error) {
	cl.once.Do(func() {
		end := time.Now()
		code := status.Code(err)
		kind := ""
		switch {
		case err == nil:
		case code == codes.Canceled && errors.Is(cl.ctx.Err(), context.Canceled):
			// The caller ended the stream (canceled it, or returned and
			// the target canceled it): a way to end a stream, not a
			// failure.
		default:
			kind = grpccode.Kind(uint32(code))
			cl.h.fail(code)
		}
		cl.h.record(loadtest.Step{
			Name: cl.method, Latency: end.Sub(cl.origin), Service: end.Sub(cl.start),
			Kind: kind, StatusName: grpccode.Name(uint32(code)), Messages: cl.messages(),
			RequestID: cl.requestID, TraceID: cl.traceID,
		})
		close(cl.ended)
	})
}

// clientStream records each message of a stream as a step of its own: how
// long SendMsg or RecvMsg took, and the message's size.
type clientStream struct {
	grpc.ClientStream
	cl *call
}

func (s *clientStream) SendMsg(m any) error {
	begin := time.Now()
	err := s.ClientStream.SendMsg(m)
	if err == nil {
		d := time.Since(begin)
		s.cl.h.record(loadtest.Step{Name: s.cl.names.send, Latency: d, Service: d,
			Messages: loadtest.Messages{Sent: 1, SentBytes: s.cl.lastSent.Load()}})
	}
	return err
}

func (s *clientStream) RecvMsg(m any) error {
	begin := time.Now()
	err := s.ClientStream.RecvMsg(m)
	if err == nil {
		d := time.Since(begin)
		s.cl.h.record(loadtest.Step{Name: s.cl.names.recv, Latency: d, Service: d,
			Messages: loadtest.Messages{Received: 1, ReceivedBytes: s.cl.lastReceived.Load()}})
	}
	return err
}

// sizes is the stats handler that counts the messages of recorded calls
// and their sizes: gRPC reports them as it encodes and decodes them,
// before RecvMsg or SendMsg return.
type sizes struct{}

var _ stats.Handler = sizes{}

func (sizes) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context { return ctx }

func (sizes) HandleRPC(ctx context.Context, s stats.RPCStats) {
	switch p := s.(type) {
	case *stats.OutPayload:
		if cl, ok := ctx.Value(callKey{}).(*call); ok {
			cl.sent.Add(1)
			cl.sentBytes.Add(int64(p.Length))
			cl.lastSent.Store(int64(p.Length))
		}
	case *stats.InPayload:
		if cl, ok := ctx.Value(callKey{}).(*call); ok {
			cl.received.Add(1)
			cl.receivedBytes.Add(int64(p.Length))
			cl.lastReceived.Store(int64(p.Length))
		}
	}
}

func (sizes) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context { return ctx }

func (sizes) HandleConn(context.Context, stats.ConnStats) {}
