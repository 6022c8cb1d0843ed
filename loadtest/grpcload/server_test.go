package grpcload_test

import (
	"context"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// testServer is grpc's interop TestService (its generated code ships with
// grpc-go), with the faults the tests look for and counters of its own to
// check a result against.
type testServer struct {
	testgrpc.UnimplementedTestServiceServer

	// failEvery makes every failEvery-th UnaryCall (1-based, in the order
	// the server sees them) return UNAVAILABLE.
	failEvery int64
	// stall, if set, holds each UnaryCall as the model says.
	stall *stallModel
	// failStreamAfter makes StreamingOutputCall end with UNAVAILABLE after
	// that many messages (0: never).
	failStreamAfter int
	// leak, if not nil, makes every StreamingOutputCall start a goroutine
	// that waits for leak to close: the leak the leak check must name.
	leak chan struct{}
	// keep records the metadata of every UnaryCall.
	keep bool

	unary       atomic.Int64 // UnaryCalls seen
	ok          atomic.Int64 // UnaryCalls answered OK
	unavailable atomic.Int64 // UnaryCalls answered UNAVAILABLE
	streams     atomic.Int64 // streams of any kind begun
	accepted    atomic.Int64 // connections accepted

	mu sync.Mutex
	md []metadata.MD
}

func payload(n int32) *testgrpc.Payload { return &testgrpc.Payload{Body: make([]byte, n)} }

func (s *testServer) UnaryCall(ctx context.Context, req *testgrpc.SimpleRequest) (*testgrpc.SimpleResponse, error) {
	n := s.unary.Add(1)
	if s.keep {
		md, _ := metadata.FromIncomingContext(ctx)
		s.mu.Lock()
		s.md = append(s.md, md)
		s.mu.Unlock()
	}
	if s.stall != nil {
		s.stall.hold()
	}
	if s.failEvery > 0 && n%s.failEvery == 0 {
		s.unavailable.Add(1)
		return nil, status.Error(codes.Unavailable, "every tenth call is refused")
	}
	s.ok.Add(1)
	return &testgrpc.SimpleResponse{Payload: payload(req.GetResponseSize())}, nil
}

func (s *testServer) StreamingOutputCall(req *testgrpc.StreamingOutputCallRequest, stream grpc.ServerStreamingServer[testgrpc.StreamingOutputCallResponse]) error {
	s.streams.Add(1)
	if s.leak != nil {
		go func() { <-s.leak }()
	}
	for i, p := range req.GetResponseParameters() {
		if s.failStreamAfter > 0 && i == s.failStreamAfter {
			return status.Error(codes.Unavailable, "the stream broke")
		}
		if p.GetIntervalUs() > 0 {
			select {
			case <-time.After(time.Duration(p.GetIntervalUs()) * time.Microsecond):
			case <-stream.Context().Done():
				return stream.Context().Err()
			}
		}
		if err := stream.Send(&testgrpc.StreamingOutputCallResponse{Payload: payload(p.GetSize())}); err != nil {
			return err
		}
	}
	return nil
}

func (s *testServer) StreamingInputCall(stream grpc.ClientStreamingServer[testgrpc.StreamingInputCallRequest, testgrpc.StreamingInputCallResponse]) error {
	s.streams.Add(1)
	var size int32
	for {
		req, err := stream.Recv()
		if err == io.EOF {
			return stream.SendAndClose(&testgrpc.StreamingInputCallResponse{AggregatedPayloadSize: size})
		}
		if err != nil {
			return err
		}
		size += int32(len(req.GetPayload().GetBody()))
	}
}

func (s *testServer) FullDuplexCall(stream grpc.BidiStreamingServer[testgrpc.StreamingOutputCallRequest, testgrpc.StreamingOutputCallResponse]) error {
	s.streams.Add(1)
	for {
		req, err := stream.Recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		for _, p := range req.GetResponseParameters() {
			if err := stream.Send(&testgrpc.StreamingOutputCallResponse{Payload: payload(p.GetSize())}); err != nil {
				return err
			}
		}
	}
}

// metadata returns the metadata of the UnaryCalls seen, when keep is set.
func (s *testServer) metadata() []metadata.MD {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]metadata.MD(nil), s.md...)
}

// countingListener counts the connections a server accepts.
type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// serve serves s on a loopback TCP port for the rest of the test and
// returns the address. It is stopped, and its goroutines ended, in a
// cleanup that runs before the checks the test registered earlier.
func serve(t *testing.T, s *testServer, opts ...grpc.ServerOption) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(opts...)
	testgrpc.RegisterTestServiceServer(srv, s)
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(countingListener{lis, &s.accepted}) }()
	t.Cleanup(func() { srv.Stop(); <-done })
	return lis.Addr().String()
}

// stallModel is a server that freezes periodically, as in loadtest's own
// coordinated-omission test: a call arriving at phase p of a period, with
// p < window, is held until the window ends; every other call is answered
// at once. The analytic latency at quantile q (for q above 1 − window/period)
// of calls arriving at a constant rate is window − (1 − q)·period: the p99
// of a 200 ms freeze every 2 s is 180 ms.
type stallModel struct {
	period, window time.Duration
	anchor         time.Time
}

func (m *stallModel) hold() {
	if phase := time.Since(m.anchor) % m.period; phase < m.window {
		time.Sleep(m.window - phase)
	}
}

func (m *stallModel) quantile(q float64) time.Duration {
	return max(m.window-time.Duration((1-q)*float64(m.period)), 0)
}
