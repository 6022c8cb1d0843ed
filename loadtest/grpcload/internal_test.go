package grpcload

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/grpc/metadata"

	"github.com/loadgate/loadgate/internal/traceid"
)

func TestTargetHost(t *testing.T) {
	tests := []struct {
		give    string
		want    string
		wantErr bool
	}{
		{give: "localhost:50051", want: "localhost"},
		{give: "127.0.0.1:50051", want: "127.0.0.1"},
		{give: "[::1]:50051", want: "::1"},
		{give: "dns:///localhost:50051", want: "localhost"},
		{give: "dns://8.8.8.8/api.example.com:443", want: "api.example.com"}, // the endpoint, not the DNS server
		{give: "passthrough:///127.0.0.1:8080", want: "127.0.0.1"},
		{give: "passthrough:///bufnet", want: "bufnet"},
		{give: "xds:///payments", want: "payments"},
		{give: "example.com", want: "example.com"},
		{give: "unix:///tmp/svc.sock", want: ""},
		{give: "unix:svc.sock", want: ""},
		{give: "unix-abstract:svc", want: ""},
		// "scheme:endpoint" without slashes, as gRPC's naming doc writes
		// dns:host:port: it used to be checked as the name
		// "dns:127.0.0.1:50051", refused, with advice to allow that.
		{give: "dns:127.0.0.1:50051", want: "127.0.0.1"},
		{give: "dns:[::1]:50051", want: "::1"},
		{give: "passthrough:203.0.113.7:50051", want: "203.0.113.7"},
		{give: "DNS:///localhost:50051", want: "localhost"},
		{give: "UNIX:///tmp/svc.sock", want: ""},
		{give: "dns:///", wantErr: true},
		{give: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			got, err := targetHost(tt.give)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("targetHost(%q) = %q, %v; want %q, error %v", tt.give, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// TestTraceIDsLookRandom: a run's trace ids start with its id, and their
// low halves look random, as loadtest's HTTP targets' do, so that a
// service sampling with OpenTelemetry's TraceIDRatioBased (which reads
// them) samples its share of the calls. They were the request's number
// (…0000000000000001, …02), under every ratio's threshold: all sampled.
func TestTraceIDsLookRandom(t *testing.T) {
	const runID = "0123456789abcdef"
	tg := &target{runID: runID, traceKey: traceid.New(runID)}
	re := regexp.MustCompile(`^00-` + runID + `([0-9a-f]{16})-([0-9a-f]{16})-01$`)
	traces, spans := map[string]bool{}, map[string]bool{}
	const n = 200
	sampled := 0
	for i := range uint64(n) {
		h := &hit{t: tg, n: i + 1}
		md, _ := metadata.FromOutgoingContext(h.begin("/a.B/C").context(context.Background()))
		tp := md.Get(TraceparentKey)
		m := re.FindStringSubmatch(strings.Join(tp, ","))
		if m == nil {
			t.Fatalf("traceparent %q, want one matching %s", tp, re)
		}
		traces[m[1]], spans[m[2]] = true, true
		low, err := strconv.ParseUint(m[1], 16, 64)
		if err != nil {
			t.Fatal(err)
		}
		if low>>1 < 1<<62 { // TraceIDRatioBased(0.5)'s test
			sampled++
		}
	}
	if len(traces) != n || len(spans) != n {
		t.Errorf("%d trace ids and %d span ids for %d calls of their own requests, want all distinct", len(traces), len(spans), n)
	}
	if sampled < n*3/10 || sampled > n*7/10 {
		t.Errorf("a ratio sampler at 0.5 samples %d of %d calls, want about half", sampled, n)
	}
}
