package health

import (
	"context"
	"sync"
	"sync/atomic"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	grpchealth "google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// Options shape a [Server]; the zero value is a healthy one.
type Options struct {
	// FailEvery makes every FailEvery-th Check (in the order the server
	// sees them) fail with UNAVAILABLE, as an overloaded server would.
	FailEvery int64
	// LeakWatch makes every Watch stream start a goroutine that waits for
	// an update it will never be sent, and is never ended: the leak the
	// examples' leak check finds.
	LeakWatch bool
}

// Server serves gRPC's health API over a set of components.
type Server struct {
	*grpchealth.Server
	opts Options

	checks atomic.Int64
	mu     sync.Mutex
	codes  map[codes.Code]int64
	never  chan struct{} // what a leaked goroutine waits for
}

var _ healthpb.HealthServer = (*Server)(nil)

// NewServer returns a server that reports the components as serving.
func NewServer(opts Options, components ...string) *Server {
	s := &Server{Server: grpchealth.NewServer(), opts: opts, codes: map[codes.Code]int64{}, never: make(chan struct{})}
	for _, c := range components {
		s.SetServingStatus(c, healthpb.HealthCheckResponse_SERVING)
	}
	return s
}

// Register registers s on a gRPC server.
func (s *Server) Register(r grpc.ServiceRegistrar) { healthpb.RegisterHealthServer(r, s) }

// Check reports a component's status, failing every FailEvery-th call.
func (s *Server) Check(ctx context.Context, in *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
	var resp *healthpb.HealthCheckResponse
	var err error
	if n := s.checks.Add(1); s.opts.FailEvery > 0 && n%s.opts.FailEvery == 0 {
		err = status.Error(codes.Unavailable, "overloaded")
	} else {
		resp, err = s.Server.Check(ctx, in)
	}
	s.mu.Lock()
	s.codes[status.Code(err)]++
	s.mu.Unlock()
	return resp, err
}

// Watch streams a component's status as it changes.
func (s *Server) Watch(in *healthpb.HealthCheckRequest, stream healthpb.Health_WatchServer) error {
	if s.opts.LeakWatch {
		go func() { <-s.never }() // the bug: nothing ever closes never
	}
	return s.Server.Watch(in, stream)
}

// Checks returns how many Checks the server answered with each code, by
// the code's name in the gRPC specification (as in a loadgate result's
// status_codes: "OK", "UNAVAILABLE").
func (s *Server) Checks() map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int64, len(s.codes))
	for c, n := range s.codes {
		name, ok := specName[c]
		if !ok {
			name = c.String()
		}
		out[name] += n
	}
	return out
}

// specName spells the codes a Server answers with as the gRPC
// specification does (grpc-go's Code.String says "Unavailable").
var specName = map[codes.Code]string{
	codes.OK: "OK", codes.NotFound: "NOT_FOUND", codes.Unavailable: "UNAVAILABLE", codes.Canceled: "CANCELLED",
	codes.DeadlineExceeded: "DEADLINE_EXCEEDED",
}

// Release ends the goroutines LeakWatch leaked, for a test that found them
// and must leave none behind.
func (s *Server) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.never:
	default:
		close(s.never)
	}
}
