package health_test

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/examples/health"
	"github.com/loadgate/loadgate/loadtest"
	"github.com/loadgate/loadgate/loadtest/grpcload"
)

// The load tests below run one after the other, never in parallel, each
// against its own server on a loopback port.

const (
	checkMethod = "/grpc.health.v1.Health/Check"
	watchMethod = "/grpc.health.v1.Health/Watch"
)

// start serves a health server for the rest of the test and returns a
// Conn of two connections to it: the server stops, and the Conn closes,
// before the test's leak check.
func start(t *testing.T, opts health.Options) (*health.Server, *grpcload.Conn) {
	t.Helper()
	if testing.Short() {
		t.Skip("load test skipped in -short mode")
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := health.NewServer(opts, "inventory", "payments")
	srv := grpc.NewServer()
	s.Register(srv)
	served := make(chan struct{})
	go func() { defer close(served); _ = srv.Serve(lis) }()
	t.Cleanup(func() { srv.Stop(); <-served })
	conn, err := grpcload.NewClient(lis.Addr().String(),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpcload.WithConnections(2))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return s, conn
}

// TestLoadCheck sends 500 health checks a second for two seconds with the
// generated client and judges them as an HTTP load test is judged: the
// gRPC codes by name, the error rate, and no goroutine left behind.
func TestLoadCheck(t *testing.T) {
	s, conn := start(t, health.Options{})
	client := healthpb.NewHealthClient(conn)
	req := &healthpb.HealthCheckRequest{Service: "inventory"}
	res := loadtest.Run(t, loadtest.Scenario{
		Target: conn.Target(func(ctx context.Context) error {
			_, err := client.Check(ctx, req)
			return err
		}),
		Load:    loadtest.Rate(500).For(2 * time.Second),
		Warmup:  200 * time.Millisecond,
		Timeout: 2 * time.Second,
	})
	if res == nil {
		return
	}
	assert.SLA(t, res,
		"status(UNAVAILABLE) < 1%",
		"error_rate < 1%",
		`requests{name="`+checkMethod+`"} == `+itoa(res.Requests),
		"goroutine_growth <= 5",
	)
	// The server's own count, warm-up included, is the result's plus the
	// warm-up's.
	if got, want := s.Checks()["OK"], res.StatusCodes["OK"]+res.Warmup.Requests; got != want {
		t.Errorf("the server answered %d checks OK, the result and warm-up count %d", got, want)
	}
	// Compared with the stored baseline, as any scenario: record it with
	// LOADGATE_UPDATE=1 go test -run '^TestLoadCheck$' -count=5 . (or
	// loadgate baseline update); without one this logs how and passes.
	baseline.Check(t, res, baseline.WithSLA("status(UNAVAILABLE) < 1%"))
}

// TestLoadCheckUnavailable loads a server that refuses every tenth check:
// the SLA on status(UNAVAILABLE) fails it, and the counts are exact.
func TestLoadCheckUnavailable(t *testing.T) {
	s, conn := start(t, health.Options{FailEvery: 10})
	client := healthpb.NewHealthClient(conn)
	req := &healthpb.HealthCheckRequest{Service: "payments"}
	res := loadtest.Run(t, loadtest.Scenario{
		Target: conn.Target(func(ctx context.Context) error {
			_, err := client.Check(ctx, req)
			return err
		}),
		Load: loadtest.Users(4).SharedIterations(2000).For(time.Minute),
	})
	if res == nil {
		return
	}
	if diff := cmp.Diff(s.Checks(), res.StatusCodes); diff != "" {
		t.Errorf("status codes (-server +result):\n%s", diff)
	}
	outcomes, err := assert.Check(res, "status(UNAVAILABLE) < 1%")
	if err != nil {
		t.Fatal(err)
	}
	if outcomes[0].Pass || outcomes[0].Actual != 0.1 {
		t.Errorf("status(UNAVAILABLE) < 1%%: %+v; want a failure at exactly 10%%", outcomes[0])
	}
}

// TestLoadWatch opens a Watch stream per request, reads the first status
// and leaves: the stream ends CANCELLED by the caller (not an error), and
// its message is counted under Watch#recv.
func TestLoadWatch(t *testing.T) {
	_, conn := start(t, health.Options{})
	client := healthpb.NewHealthClient(conn)
	res := loadtest.Run(t, loadtest.Scenario{
		Target: conn.Target(func(ctx context.Context) error {
			stream, err := client.Watch(ctx, &healthpb.HealthCheckRequest{Service: "inventory"})
			if err != nil {
				return err
			}
			_, err = stream.Recv()
			return err
		}),
		Load: loadtest.Users(4).SharedIterations(400).For(time.Minute),
	})
	if res == nil {
		return
	}
	assert.SLA(t, res,
		"error_rate == 0",
		`status(CANCELLED){name="`+watchMethod+`"} == 100%`,
		`requests{name="`+watchMethod+`#recv"} == 400`,
	)
}

// TestLoadWatchLeak serves a Watch that leaks a goroutine per stream: the
// leak check names it (reported here, not failed, since it is the point).
func TestLoadWatchLeak(t *testing.T) {
	s, conn := start(t, health.Options{LeakWatch: true})
	t.Cleanup(s.Release)
	client := healthpb.NewHealthClient(conn)
	res := loadtest.Run(t, loadtest.Scenario{
		Target: conn.Target(func(ctx context.Context) error {
			stream, err := client.Watch(ctx, &healthpb.HealthCheckRequest{Service: "inventory"})
			if err != nil {
				return err
			}
			_, err = stream.Recv()
			return err
		}),
		Load:  loadtest.Users(2).SharedIterations(100).For(time.Minute),
		Leaks: loadtest.LeakCheck{ReportOnly: true, Wait: 500 * time.Millisecond},
	})
	if res == nil {
		return
	}
	if len(res.Leaks) != 1 || res.Leaks[0].Count != 100 || res.Leaks[0].Function != "github.com/loadgate/loadgate/examples/health.(*Server).Watch.func1" {
		t.Errorf("leaks %+v; want the 100 goroutines of (*Server).Watch.func1", res.Leaks)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
