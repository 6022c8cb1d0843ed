package grpcload_test

import (
	"bytes"
	"context"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/pprof/profile"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"

	"github.com/loadgate/loadgate/loadtest"
)

// TestClientGoroutinesLabelled: during a run, the goroutines gRPC runs
// the Conn's connections on (each transport's reader and writer) carry
// loadtest's generator label, as the goroutines that make the calls do,
// and the server's in the same process do not. Without the label, a CPU
// profile of a test process that also runs the server counted the
// client's reading and writing as the service's (internal/rootcause).
func TestClientGoroutinesLabelled(t *testing.T) {
	checkNoLeaks(t)
	conn := dial(t, serve(t, &testServer{}))
	call := unaryCall(testgrpc.NewTestServiceClient(conn))
	var once sync.Once
	var goroutines bytes.Buffer
	res := loadtest.Run(t, loadtest.Scenario{
		Target: conn.Target(func(ctx context.Context) error {
			err := call(ctx)
			once.Do(func() { pprof.Lookup("goroutine").WriteTo(&goroutines, 0) })
			return err
		}),
		Load: smallLoad,
	})
	if res == nil {
		return
	}
	p, err := profile.Parse(&goroutines)
	if err != nil {
		t.Fatal(err)
	}
	var client, server int
	for _, s := range p.Sample {
		labelled := slices.Contains(s.Label[loadtest.GeneratorLabelKey], loadtest.GeneratorLabelValue)
		for _, loc := range s.Location {
			fn := loc.Line[len(loc.Line)-1].Function.Name
			switch {
			case strings.Contains(fn, "transport.(*http2Client).reader"), strings.Contains(fn, "transport.NewHTTP2Client.func"):
				client++
				if !labelled {
					t.Errorf("a goroutine of the client's connection (%s) has no %s label", fn, loadtest.GeneratorLabelKey)
				}
			case strings.Contains(fn, "grpc.(*Server)."), strings.Contains(fn, "transport.NewServerTransport.func"):
				server++
				if labelled {
					t.Errorf("a goroutine of the server (%s) has the %s label", fn, loadtest.GeneratorLabelKey)
				}
			default:
				continue
			}
			break
		}
	}
	if client < 2 || server < 2 {
		t.Errorf("found %d goroutines of the client's connection and %d of the server, want at least 2 of each (reader and writer)", client, server)
	}
}
