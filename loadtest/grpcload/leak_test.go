package grpcload_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	testgrpc "google.golang.org/grpc/interop/grpc_testing"

	"github.com/loadgate/loadgate/loadtest"
	"github.com/loadgate/loadgate/loadtest/grpcload"
)

// TestLeakInStreamingHandler serves a streaming handler that starts a
// goroutine per stream and never ends it: loadtest's leak check, after the
// run has closed its connections, names the goroutine's function, counts
// one per stream, and names the handler that started them (issue 18).
func TestLeakInStreamingHandler(t *testing.T) {
	checkNoLeaks(t)
	const streams = 50
	srv := &testServer{leak: make(chan struct{})}
	t.Cleanup(func() { close(srv.leak) }) // registered after checkNoLeaks: runs before its check
	conn := dial(t, serve(t, srv), grpcload.WithConnections(2))
	client := testgrpc.NewTestServiceClient(conn)
	req := &testgrpc.StreamingOutputCallRequest{ResponseParameters: []*testgrpc.ResponseParameters{{Size: 10}}}
	res := loadtest.Run(t, loadtest.Scenario{
		Target: conn.Target(func(ctx context.Context) error {
			s, err := client.StreamingOutputCall(ctx, req)
			if err != nil {
				return err
			}
			for {
				if _, err := s.Recv(); err == io.EOF {
					return nil
				} else if err != nil {
					return err
				}
			}
		}),
		Load:  loadtest.Users(2).SharedIterations(streams).For(time.Minute),
		Leaks: loadtest.LeakCheck{ReportOnly: true, Wait: 500 * time.Millisecond},
	})
	if res == nil {
		return
	}
	if res.Errors != 0 {
		t.Fatalf("%d errors: %v", res.Errors, res.ErrorSamples)
	}
	if len(res.Leaks) != 1 {
		t.Fatalf("leaks %+v, want one group: the handler's goroutines", res.Leaks)
	}
	l := res.Leaks[0]
	const fn = "grpcload_test.(*testServer).StreamingOutputCall.func1"
	if !strings.HasSuffix(l.Function, fn) || !strings.HasSuffix(l.CreatedBy, "grpcload_test.(*testServer).StreamingOutputCall") || l.Count != streams || l.State != "chan receive" {
		t.Errorf("leak %s created by %s: %d goroutines in %q; want %d of ...%s, created by the handler, in \"chan receive\"",
			l.Function, l.CreatedBy, l.Count, l.State, streams, fn)
	}
	t.Logf("named: %d goroutines in %s (%s:%d), created by %s at %s", l.Count, l.Function, l.File, l.Line, l.CreatedBy, l.CreatedAt)
}
