package grpcload_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/internal/schematest"
	"github.com/loadgate/loadgate/loadtest"
	"github.com/loadgate/loadgate/loadtest/grpcload"
)

const (
	unaryMethod  = "/grpc.testing.TestService/UnaryCall"
	outputMethod = "/grpc.testing.TestService/StreamingOutputCall"
	inputMethod  = "/grpc.testing.TestService/StreamingInputCall"
	duplexMethod = "/grpc.testing.TestService/FullDuplexCall"
)

var plaintext = grpc.WithTransportCredentials(insecure.NewCredentials())

// checkNoLeaks fails t if goroutines started from now on are still
// running 3 s after the test, its servers and connections closed: it
// registers its cleanup first, so that it runs after theirs. It polls
// goleak.Find, which gives up after about 0.4 s, since gRPC's goroutines
// end asynchronously after a Close.
func checkNoLeaks(t *testing.T) {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() {
		deadline := time.Now().Add(3 * time.Second)
		for {
			err := goleak.Find(ignore)
			if err == nil {
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("goroutines still running 3s after the test: %v", err)
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// dial returns a Conn to addr that the test closes.
func dial(t *testing.T, addr string, opts ...grpc.DialOption) *grpcload.Conn {
	t.Helper()
	conn, err := grpcload.NewClient(addr, append([]grpc.DialOption{plaintext}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// unaryCall is a request of one UnaryCall of 64 bytes, asking for 32.
func unaryCall(c testgrpc.TestServiceClient) func(context.Context) error {
	req := &testgrpc.SimpleRequest{ResponseSize: 32, Payload: payload(64)}
	return func(ctx context.Context) error {
		_, err := c.UnaryCall(ctx, req)
		return err
	}
}

// TestExactStatusCounts sends 10,000 calls over four real loopback TCP
// connections to a server that refuses every tenth with UNAVAILABLE: the
// result's status codes, error kinds, error rate and message counts match
// the server's own counters exactly (issue 18), the SLA reads the codes by
// name, and the run leaks nothing.
func TestExactStatusCounts(t *testing.T) {
	checkNoLeaks(t)
	srv := &testServer{failEvery: 10}
	conn := dial(t, serve(t, srv), grpcload.WithConnections(4))
	client := testgrpc.NewTestServiceClient(conn)

	const calls = 10_000
	res := loadtest.Run(t, loadtest.Scenario{
		Target:  conn.Target(unaryCall(client)),
		Load:    loadtest.Users(8).SharedIterations(calls).For(time.Minute),
		Timeout: 5 * time.Second,
	})
	if res == nil {
		return
	}
	ok, unavailable := srv.ok.Load(), srv.unavailable.Load()
	if ok+unavailable != calls || unavailable != calls/10 {
		t.Fatalf("the server answered %d OK and %d UNAVAILABLE; want %d and %d", ok, unavailable, calls-calls/10, calls/10)
	}
	wantCodes := map[string]int64{"OK": ok, "UNAVAILABLE": unavailable}
	wantKinds := map[string]int64{"grpc_unavailable": unavailable}
	if res.Requests != calls || res.Errors != unavailable || res.ErrorRate != 0.1 {
		t.Errorf("requests %d, errors %d, error rate %v; want %d, %d, 0.1", res.Requests, res.Errors, res.ErrorRate, calls, unavailable)
	}
	if diff := cmp.Diff(wantCodes, res.StatusCodes); diff != "" {
		t.Errorf("status codes (-server +result):\n%s", diff)
	}
	if diff := cmp.Diff(wantKinds, res.ErrorKinds); diff != "" {
		t.Errorf("error kinds (-want +got):\n%s", diff)
	}
	m, found := res.ByName[unaryMethod]
	if !found {
		t.Fatalf("no %s in by_name: %v", unaryMethod, slices.Sorted(maps.Keys(res.ByName)))
	}
	if m.Requests != calls || m.Errors != unavailable || !cmp.Equal(m.StatusCodes, wantCodes) || !cmp.Equal(m.ErrorKinds, wantKinds) {
		t.Errorf("by_name %s: requests %d errors %d codes %v kinds %v; want %d, %d, %v, %v",
			unaryMethod, m.Requests, m.Errors, m.StatusCodes, m.ErrorKinds, calls, unavailable, wantCodes, wantKinds)
	}
	reqSize := int64(proto.Size(&testgrpc.SimpleRequest{ResponseSize: 32, Payload: payload(64)}))
	respSize := int64(proto.Size(&testgrpc.SimpleResponse{Payload: payload(32)}))
	wantMsgs := &loadtest.Messages{Sent: calls, Received: ok, SentBytes: calls * reqSize, ReceivedBytes: ok * respSize}
	if diff := cmp.Diff(wantMsgs, m.Messages); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	if m.ServiceTime.Count != calls || m.Latency.Count != calls {
		t.Errorf("latency counts %d, service time counts %d; want %d each", m.Latency.Count, m.ServiceTime.Count, calls)
	}
	if n := srv.accepted.Load(); n != 4 {
		t.Errorf("the server accepted %d connections, want the 4 of WithConnections(4)", n)
	}
	assert.SLA(t, res,
		"status(UNAVAILABLE) == 10%",
		"status(OK) == 90%",
		`status(UNAVAILABLE){name="`+unaryMethod+`"} < 11%`,
		`requests{name="`+unaryMethod+`"} == 10000`,
		"error_rate <= 10%",
	)
	if len(res.Leaks) != 0 {
		t.Errorf("leaks after the run: %+v", res.Leaks)
	}
}

// TestMetadata checks the metadata every call carries: a request id
// unique in the run, the run's id, and a W3C traceparent whose trace id
// starts with the run's id; a value the caller set is kept. The slowest
// requests carry the ids of their slowest call, to be found by them in the
// service's logs and traces.
func TestMetadata(t *testing.T) {
	srv := &testServer{keep: true}
	conn := dial(t, serve(t, srv))
	client := testgrpc.NewTestServiceClient(conn)
	res := loadtest.Run(t, loadtest.Scenario{
		Target: conn.Target(func(ctx context.Context) error {
			// Two calls per request: one trace, two spans.
			if _, err := client.UnaryCall(ctx, &testgrpc.SimpleRequest{}); err != nil {
				return err
			}
			ctx = metadata.AppendToOutgoingContext(ctx, grpcload.RequestIDKey, "mine")
			_, err := client.UnaryCall(ctx, &testgrpc.SimpleRequest{})
			return err
		}),
		Load:    loadtest.Users(2).Iterations(50).For(time.Minute),
		Slowest: 10,
	})
	if res == nil {
		return
	}
	mds := srv.metadata()
	if len(mds) != 200 {
		t.Fatalf("the server saw %d calls, want 200", len(mds))
	}
	traceparent := regexp.MustCompile(`^00-` + res.RunID + `([0-9a-f]{16})-([0-9a-f]{16})-01$`)
	ids, traces, spans := map[string]bool{}, map[string]int{}, map[string]bool{}
	mine := 0
	for _, md := range mds {
		if got := md.Get(grpcload.RunIDKey); len(got) != 1 || got[0] != res.RunID {
			t.Errorf("%s = %q, want [%q]", grpcload.RunIDKey, got, res.RunID)
		}
		id := md.Get(grpcload.RequestIDKey)
		switch {
		case len(id) == 1 && id[0] == "mine":
			mine++
		case len(id) == 1 && strings.HasPrefix(id[0], res.RunID+"-") && !ids[id[0]]:
			ids[id[0]] = true
		default:
			t.Errorf("%s = %q: want one, unique, %q and a number", grpcload.RequestIDKey, id, res.RunID+"-")
		}
		tp := md.Get(grpcload.TraceparentKey)
		m := traceparent.FindStringSubmatch(strings.Join(tp, ","))
		if m == nil {
			t.Errorf("traceparent %q does not match %s", tp, traceparent)
			continue
		}
		traces[m[1]]++
		if spans[m[2]] {
			t.Errorf("span id %s used twice", m[2])
		}
		spans[m[2]] = true
	}
	if mine != 100 || len(ids) != 100 {
		t.Errorf("%d calls kept the caller's request id and %d had loadgate's; want 100 and 100", mine, len(ids))
	}
	for trace, n := range traces {
		if n != 2 {
			t.Errorf("trace %s has %d calls, want the 2 of its request", trace, n)
		}
	}
	if len(res.Slowest) != 10 {
		t.Fatalf("%d slowest requests, want 10", len(res.Slowest))
	}
	for _, sr := range res.Slowest {
		trace, ok := strings.CutPrefix(sr.TraceID, res.RunID)
		if sr.Step == nil || sr.Step.Name != "/grpc.testing.TestService/UnaryCall" || sr.Step.StatusName != "OK" || sr.Step.Steps != 2 ||
			!(sr.RequestID == "mine" || ids[sr.RequestID]) || !ok || traces[trace] != 2 {
			t.Errorf("a slowest request without the ids of its slowest call: %+v, step %+v", sr, sr.Step)
		}
	}
}

// TestStreams loads each kind of stream and checks what is recorded of the
// stream (its total time, how it ended, its messages) and of each message,
// exactly: the closed model makes 100 requests.
func TestStreams(t *testing.T) {
	checkNoLeaks(t)
	const requests = 100
	out := func(n int, size int32) *testgrpc.StreamingOutputCallRequest {
		req := &testgrpc.StreamingOutputCallRequest{}
		for range n {
			req.ResponseParameters = append(req.ResponseParameters, &testgrpc.ResponseParameters{Size: size})
		}
		return req
	}
	// slow asks for 1,000 messages a millisecond apart: the server is
	// still sending when the caller leaves.
	slow := out(1000, 10)
	for _, p := range slow.ResponseParameters {
		p.IntervalUs = 1000
	}
	outSize := func(size int32) int64 {
		return int64(proto.Size(&testgrpc.StreamingOutputCallResponse{Payload: payload(size)}))
	}
	type want struct {
		codes    map[string]int64
		kinds    map[string]int64
		messages loadtest.Messages // per stream
		sends    int64             // #send steps per stream (a server stream's request is one)
		recvs    int64             // #recv steps per stream
	}
	tests := []struct {
		name string
		// failStreamAfter is the server's testServer.failStreamAfter.
		failStreamAfter int
		method          string
		fn              func(ctx context.Context, c testgrpc.TestServiceClient) error
		want            want
		// wantFail says the requests fail (the function returns the
		// stream's error).
		wantFail bool
	}{
		{
			name: "server stream read to its end", method: outputMethod,
			fn: func(ctx context.Context, c testgrpc.TestServiceClient) error {
				s, err := c.StreamingOutputCall(ctx, out(5, 100))
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
			},
			want: want{codes: map[string]int64{"OK": requests}, kinds: map[string]int64{}, sends: 1, recvs: 5,
				messages: loadtest.Messages{Sent: 1, Received: 5, SentBytes: int64(proto.Size(out(5, 100))), ReceivedBytes: 5 * outSize(100)}},
		},
		{
			name: "server stream left after two messages", method: outputMethod,
			fn: func(ctx context.Context, c testgrpc.TestServiceClient) error {
				s, err := c.StreamingOutputCall(ctx, slow)
				if err != nil {
					return err
				}
				for range 2 {
					if _, err := s.Recv(); err != nil {
						return err
					}
				}
				return nil // the target cancels the stream
			},
			want: want{codes: map[string]int64{"CANCELLED": requests}, kinds: map[string]int64{}, sends: 1, recvs: 2,
				messages: loadtest.Messages{Sent: 1, Received: 2, SentBytes: int64(proto.Size(slow)), ReceivedBytes: 2 * outSize(10)}},
		},
		{
			name: "server stream broken by the server", method: outputMethod, failStreamAfter: 2,
			fn: func(ctx context.Context, c testgrpc.TestServiceClient) error {
				s, err := c.StreamingOutputCall(ctx, out(5, 100))
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
			},
			wantFail: true,
			want: want{codes: map[string]int64{"UNAVAILABLE": requests}, kinds: map[string]int64{"grpc_unavailable": requests}, sends: 1, recvs: 2,
				messages: loadtest.Messages{Sent: 1, Received: 2, SentBytes: int64(proto.Size(out(5, 100))), ReceivedBytes: 2 * outSize(100)}},
		},
		{
			name: "client stream", method: inputMethod,
			fn: func(ctx context.Context, c testgrpc.TestServiceClient) error {
				s, err := c.StreamingInputCall(ctx)
				if err != nil {
					return err
				}
				for range 3 {
					if err := s.Send(&testgrpc.StreamingInputCallRequest{Payload: payload(50)}); err != nil {
						return err
					}
				}
				resp, err := s.CloseAndRecv()
				if err == nil && resp.GetAggregatedPayloadSize() != 150 {
					return errors.New("the server counted another size")
				}
				return err
			},
			want: want{codes: map[string]int64{"OK": requests}, kinds: map[string]int64{}, sends: 3, recvs: 1,
				messages: loadtest.Messages{Sent: 3, Received: 1,
					SentBytes:     3 * int64(proto.Size(&testgrpc.StreamingInputCallRequest{Payload: payload(50)})),
					ReceivedBytes: int64(proto.Size(&testgrpc.StreamingInputCallResponse{AggregatedPayloadSize: 150}))}},
		},
		{
			name: "bidirectional ping-pong", method: duplexMethod,
			fn: func(ctx context.Context, c testgrpc.TestServiceClient) error {
				s, err := c.FullDuplexCall(ctx)
				if err != nil {
					return err
				}
				for range 4 {
					if err := s.Send(out(1, 20)); err != nil {
						return err
					}
					if _, err := s.Recv(); err != nil {
						return err
					}
				}
				if err := s.CloseSend(); err != nil {
					return err
				}
				if _, err := s.Recv(); err != io.EOF {
					return err
				}
				return nil
			},
			want: want{codes: map[string]int64{"OK": requests}, kinds: map[string]int64{}, sends: 4, recvs: 4,
				messages: loadtest.Messages{Sent: 4, Received: 4, SentBytes: 4 * int64(proto.Size(out(1, 20))), ReceivedBytes: 4 * outSize(20)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &testServer{failStreamAfter: tt.failStreamAfter}
			conn := dial(t, serve(t, srv), grpcload.WithConnections(2))
			client := testgrpc.NewTestServiceClient(conn)
			res := loadtest.Run(t, loadtest.Scenario{
				Target:  conn.Target(func(ctx context.Context) error { return tt.fn(ctx, client) }),
				Load:    loadtest.Users(4).SharedIterations(requests).For(time.Minute),
				Timeout: 5 * time.Second,
			})
			if res == nil {
				return
			}
			if n := srv.streams.Load(); n != requests {
				t.Errorf("the server saw %d streams, want %d", n, requests)
			}
			wantErrors := int64(0)
			if tt.wantFail {
				wantErrors = requests
			}
			if res.Requests != requests || res.Errors != wantErrors {
				t.Errorf("requests %d errors %d (%v); want %d, %d", res.Requests, res.Errors, res.ErrorSamples, requests, wantErrors)
			}
			w := tt.want
			s := res.ByName[tt.method]
			if s.Requests != requests || !cmp.Equal(s.StatusCodes, w.codes) || !cmp.Equal(s.ErrorKinds, w.kinds) {
				t.Errorf("stream %s: %d recorded, codes %v, kinds %v; want %d, %v, %v", tt.method, s.Requests, s.StatusCodes, s.ErrorKinds, requests, w.codes, w.kinds)
			}
			wantMsgs := w.messages
			wantMsgs.Sent *= requests
			wantMsgs.Received *= requests
			wantMsgs.SentBytes *= requests
			wantMsgs.ReceivedBytes *= requests
			if diff := cmp.Diff(&wantMsgs, s.Messages); diff != "" {
				t.Errorf("messages of %s (-want +got):\n%s", tt.method, diff)
			}
			// The stream's total time holds its messages' waits.
			if s.ServiceTime.MaxNS <= 0 || s.Latency.MinNS < s.ServiceTime.MinNS {
				t.Errorf("stream latency %+v, service time %+v: want latency ≥ service time > 0", s.Latency, s.ServiceTime)
			}
			for _, step := range []struct {
				suffix string
				want   int64
			}{{"#send", w.sends}, {"#recv", w.recvs}} {
				got := res.ByName[tt.method+step.suffix]
				if got.Requests != step.want*requests || got.Errors != 0 {
					t.Errorf("%s: %d messages recorded, %d errors; want %d, 0", tt.method+step.suffix, got.Requests, got.Errors, step.want*requests)
				}
			}
			if got := res.ByName[tt.method+"#recv"].Messages; w.recvs > 0 && (got == nil || got.Received != w.messages.Received*requests || got.ReceivedBytes != w.messages.ReceivedBytes*requests) {
				t.Errorf("#recv messages %+v, want %d received, %d bytes", got, w.messages.Received*requests, w.messages.ReceivedBytes*requests)
			}
			// What a gRPC run writes is schema loadgate.result/v1, every key
			// documented.
			data, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			schematest.Validate(t, "../../schema/result.v1.json", data)
		})
	}
}

// TestPanicEndsStreams: a function that panics with a stream open (the
// harness recovers the panic and counts it) has the stream ended before
// Hit unwinds. The stream used to stay open until the harness canceled
// the request's context, and gRPC then recorded it into the Sample the
// harness had already reused for the next request (a data race, and the
// stream counted as a step of another request).
func TestPanicEndsStreams(t *testing.T) {
	checkNoLeaks(t)
	conn := dial(t, serve(t, &testServer{}))
	client := testgrpc.NewTestServiceClient(conn)
	// The server sends one message, then waits 10 s for the next.
	req := &testgrpc.StreamingOutputCallRequest{ResponseParameters: []*testgrpc.ResponseParameters{
		{Size: 8}, {Size: 8, IntervalUs: 10_000_000},
	}}
	var stream grpc.ClientStream
	tg := conn.Target(func(ctx context.Context) error {
		s, err := client.StreamingOutputCall(ctx, req)
		if err != nil {
			return err
		}
		if _, err := s.Recv(); err != nil {
			return err
		}
		stream = s
		panic("boom")
	})
	if err := tg.(loadtest.Preparer).Prepare(context.Background(), loadtest.RunInfo{RunID: "0123456789abcdef", Timeout: 5 * time.Second}); err != nil {
		t.Fatal(err)
	}
	defer tg.(loadtest.Finisher).Finish()
	func() {
		defer func() {
			if v := recover(); v != "boom" {
				t.Errorf("recovered %v, want the function's panic", v)
			}
		}()
		_ = tg.Hit(context.Background(), &loadtest.Sample{})
	}()
	if stream == nil {
		t.Fatal("the function did not reach its panic")
	}
	if err := stream.Context().Err(); err == nil {
		t.Error("the stream is still open after Hit panicked; want it ended (and recorded) before Hit unwinds")
	}
}

// TestLoadModels runs one target under every load model, a ramp with a
// gate on a gRPC code, and checks that every request was sent once and
// recorded under its method.
func TestLoadModels(t *testing.T) {
	tests := []struct {
		name string
		load loadtest.Load
	}{
		{"rate", loadtest.Rate(200).For(300 * time.Millisecond)},
		{"poisson", loadtest.Poisson(200).For(300 * time.Millisecond)},
		{"rate ramp", loadtest.Rate(100).RampTo(300).For(300 * time.Millisecond)},
		{"users", loadtest.Users(4).For(300 * time.Millisecond)},
		{"users ramp", loadtest.Users(1).RampUsersTo(4).For(300 * time.Millisecond)},
		{"iterations", loadtest.Users(4).Iterations(25).For(time.Minute)},
		{"gated ramp", loadtest.Ramp(
			loadtest.Rate(200).For(200*time.Millisecond).Gated(assert.MustGate("status(UNAVAILABLE) < 1%", "error_rate < 1%")),
			loadtest.Users(2).For(200*time.Millisecond),
		)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &testServer{}
			conn := dial(t, serve(t, srv), grpcload.WithConnections(2))
			res := loadtest.Run(t, loadtest.Scenario{
				Target: conn.Target(unaryCall(testgrpc.NewTestServiceClient(conn))),
				Load:   tt.load, Warmup: 0,
			})
			if res == nil {
				return
			}
			if res.Stopped != nil {
				t.Errorf("stopped: %+v", res.Stopped)
			}
			n := srv.unary.Load()
			m := res.ByName[unaryMethod]
			if res.Requests == 0 || res.Requests != n || m.Requests != n || res.StatusCodes["OK"] != n || res.Errors != 0 {
				t.Errorf("requests %d, by name %d, OK %d, errors %d; the server saw %d", res.Requests, m.Requests, res.StatusCodes["OK"], res.Errors, n)
			}
		})
	}
}

// TestRequestOutcome checks how a request is described from what its
// function returns.
func TestRequestOutcome(t *testing.T) {
	srv := &testServer{failEvery: 1} // every UnaryCall fails
	conn := dial(t, serve(t, srv))
	client := testgrpc.NewTestServiceClient(conn)
	call := func(ctx context.Context) error {
		_, err := client.UnaryCall(ctx, &testgrpc.SimpleRequest{})
		return err
	}
	tests := []struct {
		name      string
		fn        func(ctx context.Context) error
		wantCodes map[string]int64
		wantKinds map[string]int64
	}{
		{"the call's error", call, map[string]int64{"UNAVAILABLE": 4}, map[string]int64{"grpc_unavailable": 4}},
		{"wrapped", func(ctx context.Context) error {
			if err := call(ctx); err != nil {
				return errors.Join(errors.New("checking stock"), err)
			}
			return nil
		}, map[string]int64{"UNAVAILABLE": 4}, map[string]int64{"grpc_unavailable": 4}},
		{"a kind of the caller's", func(ctx context.Context) error {
			return loadtest.KindError("stock", call(ctx))
		}, map[string]int64{"UNAVAILABLE": 4}, map[string]int64{"stock": 4}},
		{"handled by the caller", func(ctx context.Context) error {
			_ = call(ctx) // a fallback path: the request succeeds
			return nil
		}, map[string]int64{"OK": 4}, map[string]int64{}},
		{"an error of the caller's after a failed call", func(ctx context.Context) error {
			_ = call(ctx)
			return errors.New("no fallback either")
		}, map[string]int64{"UNAVAILABLE": 4}, map[string]int64{loadtest.KindOther: 4}},
		{"a code the caller makes", func(ctx context.Context) error {
			return status.Error(codes.NotFound, "no such item")
		}, map[string]int64{"NOT_FOUND": 4}, map[string]int64{"grpc_not_found": 4}},
		// No call through the Conn (one through a connection of the
		// caller's, here none at all) measured nothing: it passed.
		{"no call through the Conn", func(ctx context.Context) error {
			return nil
		}, nil, map[string]int64{"no_call": 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := loadtest.Run(t, loadtest.Scenario{Target: conn.Target(tt.fn), Load: loadtest.Users(1).Iterations(4).For(time.Minute)})
			if res == nil {
				return
			}
			if diff := cmp.Diff(tt.wantCodes, res.StatusCodes); diff != "" {
				t.Errorf("status codes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantKinds, res.ErrorKinds); diff != "" {
				t.Errorf("error kinds (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRequestRejectedAfterOK: a function whose calls were all answered OK
// and that rejects the answer (as an HTTP target's Check rejects a 200)
// fails its request with its own error, and the request's code is OK, so
// that status_codes counts every request that made a call. It counted
// none of them: status_codes summed to fewer than the requests.
func TestRequestRejectedAfterOK(t *testing.T) {
	srv := &testServer{}
	conn := dial(t, serve(t, srv))
	client := testgrpc.NewTestServiceClient(conn)
	res := loadtest.Run(t, loadtest.Scenario{
		Target: conn.Target(func(ctx context.Context) error {
			resp, err := client.UnaryCall(ctx, &testgrpc.SimpleRequest{ResponseSize: 0})
			if err != nil {
				return err
			}
			if len(resp.GetPayload().GetBody()) == 0 {
				return errors.New("want a payload")
			}
			return nil
		}),
		Load: loadtest.Users(1).Iterations(4).For(time.Minute),
	})
	if res == nil {
		return
	}
	if diff := cmp.Diff(map[string]int64{"OK": 4}, res.StatusCodes); diff != "" {
		t.Errorf("status codes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int64{loadtest.KindOther: 4}, res.ErrorKinds); diff != "" {
		t.Errorf("error kinds (-want +got):\n%s", diff)
	}
	if m := res.ByName[unaryMethod]; m.Errors != 0 || m.StatusCodes["OK"] != 4 {
		t.Errorf("%s: %d errors, codes %v; want the calls' 4 OKs, not failures", unaryMethod, m.Errors, m.StatusCodes)
	}
}
