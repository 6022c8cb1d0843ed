package assert_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/loadgate/loadgate/internal/histo"
	"github.com/loadgate/loadgate/loadtest"
)

// recordT is a TestingT that records what the assertions report.
type recordT struct {
	mu      sync.Mutex
	errors  []string
	helpers int
}

func (r *recordT) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recordT) Helper() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.helpers++
}

// hdr encodes a histogram of the latencies from..to in steps, as
// loadtest.Latency.HDR holds them.
func hdr(t testing.TB, from, to, step time.Duration) (string, *hdrhistogram.Histogram) {
	t.Helper()
	h := histo.New()
	for d := from; d <= to; d += step {
		if err := h.RecordValue(int64(d)); err != nil {
			t.Fatal(err)
		}
	}
	return histo.Summarize(h, true).HDR, h
}

const ms = int64(time.Millisecond)

// slaResult is a result as loadtest.Run would return it for an open-model
// ramp warm (100/s, 2s) → ramp (100→300/s, 4s) → peak (300/s, 4s): 2200
// planned arrivals in 10s, 220/s on average. Its stored percentiles are
// round numbers; its HDR histograms (1ms…1000ms for the latency, 1ms…500ms
// for the service time) only serve percentiles such as p(99.5).
func slaResult(t testing.TB) *loadtest.Result {
	latHDR, _ := hdr(t, time.Millisecond, time.Second, time.Millisecond)
	svcHDR, _ := hdr(t, time.Millisecond, 500*time.Millisecond, time.Millisecond)
	nameHDR, _ := hdr(t, 2*time.Millisecond, 600*time.Millisecond, 2*time.Millisecond)
	lat := func(min, mean, p50, p90, p95, p99, p999, max int64) loadtest.Latency {
		return loadtest.Latency{Count: 100, MinNS: min * ms, MeanNS: mean * ms, P50NS: p50 * ms, P90NS: p90 * ms,
			P95NS: p95 * ms, P99NS: p99 * ms, P999NS: p999 * ms, MaxNS: max * ms}
	}
	latency := lat(1, 20, 15, 40, 60, 231, 400, 500)
	latency.Count, latency.HDR = 2000, latHDR
	service := lat(1, 12, 10, 30, 45, 150, 300, 450)
	service.Count, service.HDR = 2000, svcHDR
	checkout := lat(2, 30, 25, 80, 120, 300, 550, 600)
	checkout.Count, checkout.HDR = 500, nameHDR
	browse := lat(1, 15, 12, 30, 40, 90, 150, 200)
	browse.Count = 1500
	return &loadtest.Result{
		Schema:     loadtest.SchemaVersion,
		Scenario:   "checkout",
		DurationNS: int64(10 * time.Second),
		Load: loadtest.LoadInfo{
			Model: loadtest.Open, DurationNS: int64(10 * time.Second), TimeoutNS: int64(time.Second), MaxInFlight: 100,
			Stages: []loadtest.StagePlan{
				{Name: "warm", Model: loadtest.Open, Arrivals: loadtest.Even, From: 100, To: 100, DurationNS: int64(2 * time.Second)},
				{Name: "ramp", Model: loadtest.Open, Arrivals: loadtest.Even, From: 100, To: 300, DurationNS: int64(4 * time.Second)},
				{Name: "peak", Model: loadtest.Open, Arrivals: loadtest.Even, From: 300, To: 300, DurationNS: int64(4 * time.Second)},
			},
		},
		Requests: 2000, Errors: 10, ErrorRate: 0.005, Dropped: 3, Abandoned: 1,
		Rate: 200.1, Throughput: 199,
		Latency: latency, ServiceTime: service,
		ErrorKinds:  map[string]int64{"http_503": 6, "http_500": 4},
		StatusCodes: map[string]int64{"200": 1990, "503": 6, "500": 4},
		ByName: map[string]loadtest.NameResult{
			"checkout": {Requests: 500, Errors: 8, ErrorRate: 0.016, Latency: checkout,
				StatusCodes: map[string]int64{"200": 492, "503": 6, "500": 2}},
			"browse": {Requests: 1500, Errors: 2, ErrorRate: 2.0 / 1500, Latency: browse,
				StatusCodes: map[string]int64{"200": 1498, "500": 2}},
			// A gRPC method, as loadtest/grpcload records it.
			"/shop.Cart/Add": {Requests: 1000, Errors: 10, ErrorRate: 0.01, Latency: browse, ServiceTime: lat(1, 5, 4, 9, 12, 20, 30, 40),
				ErrorKinds:  map[string]int64{"grpc_unavailable": 7, "grpc_deadline_exceeded": 3},
				StatusCodes: map[string]int64{"OK": 990, "UNAVAILABLE": 7, "DEADLINE_EXCEEDED": 3}},
		},
		Phases: map[string]loadtest.Latency{
			"dns":     lat(1, 2, 2, 3, 4, 5, 6, 7),
			"connect": lat(1, 1, 1, 2, 2, 3, 4, 5),
			"ttfb":    lat(1, 18, 14, 38, 55, 220, 390, 480),
			"total":   lat(1, 19, 15, 39, 58, 228, 398, 499),
		},
		Runtime: loadtest.RuntimeStats{
			GoroutinesStart: 10, GoroutinesPeak: 120, GoroutinesEnd: 14,
			HeapPeakBytes: 300 << 20, GCPauseP99NS: 2 * ms, GCPauseMaxNS: 5 * ms, NumGC: 42, CPUSeconds: 3.5,
		},
		Stages: []loadtest.StageResult{
			{Index: 0, Name: "warm", ElapsedNS: int64(2 * time.Second), Requests: 200, Errors: 0,
				Rate: 100, Throughput: 100, Latency: lat(1, 8, 6, 12, 15, 20, 25, 30), ServiceTime: lat(1, 6, 5, 10, 12, 18, 22, 28),
				StatusCodes: map[string]int64{"200": 200}},
			{Index: 1, Name: "ramp", ElapsedNS: int64(4 * time.Second), Requests: 800, Errors: 2, ErrorRate: 0.0025, Dropped: 1,
				Rate: 200, Throughput: 199.5, Latency: lat(1, 15, 12, 30, 45, 80, 120, 150), ServiceTime: lat(1, 10, 9, 25, 35, 60, 100, 120),
				StatusCodes: map[string]int64{"200": 798, "503": 2}},
			{Index: 2, Name: "peak", ElapsedNS: int64(4 * time.Second), Requests: 1000, Errors: 8, ErrorRate: 0.008, Dropped: 2,
				Rate: 250, Throughput: 248, Latency: lat(2, 35, 25, 70, 110, 300, 450, 500), ServiceTime: lat(1, 20, 15, 50, 80, 200, 380, 450),
				StatusCodes: map[string]int64{"200": 992, "503": 4, "500": 4}},
		},
	}
}
