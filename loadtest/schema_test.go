package loadtest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/golden"
	"github.com/loadgate/loadgate/internal/schematest"
)

const schemaPath = "../schema/result.v1.json"

// goldenResult is a fixed result covering every field, so the golden file
// shows the whole v1 layout.
func goldenResult() *Result {
	four := 4
	lat := Latency{Count: 3, MinNS: 1000, MeanNS: 2000, P50NS: 2000, P90NS: 3000, P95NS: 3000, P99NS: 3000, P999NS: 3000, MaxNS: 3000}
	return &Result{
		Schema: SchemaVersion, Scenario: "checkout", Package: "example.com/shop", Test: "TestLoadCheckout",
		RunID: "0123456789abcdef", Started: time.Date(2026, 11, 23, 1, 2, 3, 0, time.UTC),
		DurationNS: int64(time.Second),
		Env: Env{Go: "go1.26.8", GOOS: "linux", GOARCH: "amd64", CPUs: 2, CPUModel: "Example CPU", Scale: 0.5,
			RateScale: 0.25, Target: "https://staging.example.com/shop"},
		Load: LoadInfo{Model: "mixed", DurationNS: int64(3 * time.Second), TimeoutNS: int64(30 * time.Second), MaxInFlight: 10000,
			Stages: []StagePlan{
				{Name: "3/s", Model: Open, Arrivals: Exponential, From: 3, To: 3, DurationNS: int64(time.Second), Seed: 1, Gated: true},
				{Name: "2→4 users", Model: Closed, Users: 2, UsersTo: &four, ThinkNS: int64(time.Millisecond), DurationNS: int64(time.Second)},
				{Name: "4 users", Model: Closed, Users: 4, UsersTo: &four, IterationsPerUser: 10, DurationNS: int64(time.Second)},
			}},
		Requests: 3, Errors: 1, ErrorRate: 1.0 / 3, Dropped: 0, Abandoned: 0, Rate: 3, Throughput: 2,
		Latency: lat, ServiceTime: lat,
		ErrorKinds:   map[string]int64{KindTimeout: 1},
		ErrorSamples: map[string][]string{KindTimeout: {"context deadline exceeded"}},
		StatusCodes:  map[string]int64{"200": 2},
		ByName: map[string]NameResult{
			"browse": {Requests: 3, Errors: 1, ErrorRate: 1.0 / 3, Latency: lat, ServiceTime: lat,
				ErrorKinds: map[string]int64{KindTimeout: 1}, StatusCodes: map[string]int64{"200": 2}},
			"/grpc.health.v1.Health/Check": {Requests: 3, Errors: 1, ErrorRate: 1.0 / 3, Latency: lat, ServiceTime: lat,
				ErrorKinds: map[string]int64{"grpc_unavailable": 1}, StatusCodes: map[string]int64{"OK": 2, "UNAVAILABLE": 1},
				Messages: &Messages{Sent: 3, Received: 2, SentBytes: 21, ReceivedBytes: 4}},
		},
		Phases:        map[string]Latency{"connect": lat, "ttfb": lat, "total": lat},
		Connections:   &Connections{Requests: 2, Reused: 1, ReuseShare: 0.5, Protocols: map[string]int64{"HTTP/1.1": 2}},
		PacerLagMaxNS: 30000,
		Generator: &Generator{CPUs: 2, CPUShare: 0.97, Sends: 3, SendLagP90NS: 20000, SendLagP99NS: 30000, SchedLatencyP99NS: 1572864,
			ConnWaits: 1, ConnWaitMaxNS: 2000000, Requests: 2, Bound: true,
			Reasons: []string{"the process used 97% of its 2 CPUs and its goroutines waited up to 1.57ms for one at p99 (limits 90% and 1ms)"}},
		Runtime: RuntimeStats{GoroutinesStart: 2, GoroutinesPeak: 6, GoroutinesEnd: 2, HeapPeakBytes: 1 << 20, GCPauseP99NS: 50000, GCPauseMaxNS: 60000, NumGC: 1, CPUSeconds: 0.25},
		Warmup:  &Warmup{DurationNS: int64(time.Second), Requests: 3},
		Stages: []StageResult{{Index: 0, Name: "3/s", ElapsedNS: int64(time.Second), Requests: 3, Errors: 1, ErrorRate: 1.0 / 3,
			Rate: 3, Throughput: 2, Latency: lat, ServiceTime: lat, ErrorKinds: map[string]int64{KindTimeout: 1},
			Gate: &GateResult{Passed: false, Reason: "p95 = 3µs, want < 2µs"}}},
		Timeline: []Second{{Second: 0, Sent: 3, Requests: 3, Errors: 1, P50NS: 2000, P99NS: 3000}, {Second: 1, Sent: 3, Requests: 3, P50NS: 2000, P99NS: 3000, Users: 3, HDR: "HISTFAAAAB14nJNpmSzMwMDAzAABMBqEGZnsLQYwwwCjAwB4OQY5"}},
		Server: &ServerStats{Source: "http://127.0.0.1:8080/metrics",
			Series: map[string][]Point{"go_goroutines": {{TNS: -int64(time.Second), Value: 12}, {TNS: 0, Value: 40}, {TNS: int64(time.Second), Value: 14}}},
			Before: map[string]float64{"go_goroutines": 12}, After: map[string]float64{"go_goroutines": 14}, Peak: map[string]float64{"go_goroutines": 40},
			GoroutineGrowth: []GoroutineDelta{{Function: "example.com/shop.audit.func1", Before: 0, After: 2, Stack: "example.com/shop.audit.func1+0x25 /src/shop/audit.go:42"}},
			Errors:          []string{"scrape at +2s: connection refused"}},
		Leaks: []Leak{{Function: "example.com/shop.audit.func1", File: "/src/shop/audit.go", Line: 42,
			CreatedBy: "example.com/shop.audit", CreatedAt: "/src/shop/audit.go:40", Count: 3, State: "chan receive",
			SampleStack: "goroutine 21 [chan receive]:\nexample.com/shop.audit.func1()\n\t/src/shop/audit.go:42 +0x25", Proven: true}},
		Slowest: []SlowRequest{
			{Name: "browse", Stage: "3/s", RequestID: "0123456789abcdef-2", TraceID: "0123456789abcdef5d2e9a6c1b3f4a70",
				StartNS: 400000000, Start: time.Date(2026, 11, 23, 1, 2, 4, 400000000, time.UTC), LatencyNS: 3000, ServiceTimeNS: 2500,
				Phases: map[string]int64{"ttfb": 2000, "total": 2500}, Status: 200},
			{Stage: "3/s", RequestID: "0123456789abcdef-i3", StartNS: 700000000, Start: time.Date(2026, 11, 23, 1, 2, 4, 700000000, time.UTC),
				LatencyNS: 2000, ServiceTimeNS: 2000, ErrorKind: KindTimeout, Step: &SlowStep{Name: "pay", LatencyNS: 1900, Status: 504}},
		},
		FlightRecording: &FlightRecording{File: "checkout.trace", Moment: FlightGate, Second: 0, Stage: "3/s", Reason: "p95 = 3µs, want < 2µs",
			AtNS: int64(time.Second), WindowNS: int64(10 * time.Second), Bytes: 123456},
		Stopped:  &Stop{Cause: "gate", Stage: "3/s", Reason: "p95 = 3µs, want < 2µs"},
		Profiles: map[string]string{ProfileCPU: "checkout.cpu.pprof", ProfileHeap: "checkout.heap.pprof", ProfileHeapStart: "checkout.heap-start.pprof"},
		Warnings: []string{"an example warning"},
		// A shard's block and a merged result's breakdown, together only
		// here, so that the golden file shows both.
		Shard: &Shard{Index: 2, Count: 4, Group: "start-20261123T010200.000Z-0123456789ab", Commit: "0123456789abcdef", Run: 1,
			Start:     &ShardStart{At: time.Date(2026, 11, 23, 1, 2, 0, 0, time.UTC), FirstSend: time.Date(2026, 11, 23, 1, 2, 0, 1200, time.UTC), SkewNS: 1200},
			LoadStart: time.Date(2026, 11, 23, 1, 2, 1, 0, time.UTC), BusyNS: int64(1100 * time.Millisecond),
			Plan: []StagePlan{{Name: "3/s", Model: Open, Arrivals: Exponential, From: 0.75, To: 0.75, DurationNS: int64(time.Second), Seed: 77, Gated: true}},
			Note: shardNote(2, 4)},
		Shards: []ShardRun{{Index: 1, File: "shard-1/checkout.shard-1-of-4.json", RunID: "fedcba9876543210", Requests: 1, Rate: 1, P50NS: 2000, P99NS: 3000,
			StartSkewNS: 900, PacerLagMaxNS: 30000,
			Generator: &Generator{CPUs: 2, CPUShare: 0.4, Sends: 1, SendLagP90NS: 30000, SendLagP99NS: 30000, SchedLatencyP99NS: 98304},
			Runtime:   RuntimeStats{GoroutinesStart: 2, GoroutinesPeak: 6, GoroutinesEnd: 2, CPUSeconds: 0.25},
			Env:       Env{Go: "go1.26.8", GOOS: "linux", GOARCH: "amd64", CPUs: 2}}},
	}
}

// TestResultGolden guards the JSON layout of schema loadgate.result/v1:
// a change to it must be deliberate (go test -update) and show in review.
func TestResultGolden(t *testing.T) {
	got, err := json.MarshalIndent(goldenResult(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden.Check(t, "result.golden.json", got)
	schematest.Validate(t, schemaPath, got)
}

// TestResultSchemaOfRealRun checks that what a real run writes matches the
// schema, and that the schema documents every key the run writes.
func TestResultSchemaOfRealRun(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	targets := map[string]Target{
		"func": Func(func(ctx context.Context) error { return nil }),
		"http": Mix(Request{Name: "a", URL: srv.URL + "/a"}, Request{Name: "b", URL: srv.URL + "/b"}),
	}
	for name, target := range targets {
		t.Run(name, func(t *testing.T) {
			s := Scenario{
				Name:   "schema check",
				Target: target,
				Load:   Ramp(Rate(100).For(300*time.Millisecond), Users(2).For(200*time.Millisecond)),
				Warmup: 100 * time.Millisecond,
			}.withDefaults(1)
			res, err := execute(context.Background(), s, execOptions{drainLimit: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			res.Env = currentEnv(unscaled, "")
			data, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			schematest.Validate(t, schemaPath, data)
		})
	}
}
