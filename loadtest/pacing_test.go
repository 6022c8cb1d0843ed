package loadtest_test

import (
	"context"
	"math"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

// envLong names the variable that turns on the long versions of the
// measurement tests (10 s of load each), which the normal suite skips:
//
//	LOADGATE_TEST_LONG=1 go test -run 'Pacing|CoordinatedOmission' -v ./loadtest/
const envLong = "LOADGATE_TEST_LONG"

// skipUnlessLong skips t unless the long measurement tests were asked for.
func skipUnlessLong(t *testing.T) {
	t.Helper()
	if os.Getenv(envLong) == "" {
		t.Skipf("10 s of load: set %s=1 to run it", envLong)
	}
}

// TestOpenPacing checks the open model's pacing against an in-process no-op
// target: every planned arrival is sent, the achieved rate is within 1% of
// the configured one, and no second of the timeline sends more than 110%
// of it (no catch-up bursts).
func TestOpenPacing(t *testing.T) {
	tests := []struct {
		name string
		rate float64
		d    time.Duration
		long bool
	}{
		{name: "2000rps_3s", rate: 2000, d: 3 * time.Second},
		{name: "poisson_2000rps_2s", rate: 2000, d: 2 * time.Second},
		{name: "2000rps_10s", rate: 2000, d: 10 * time.Second, long: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.long {
				skipUnlessLong(t)
			}
			load := loadtest.Rate(tt.rate).For(tt.d)
			poisson := tt.name[:7] == "poisson"
			if poisson {
				load = loadtest.Poisson(tt.rate).For(tt.d)
			}
			var hits atomic.Int64
			res := loadtest.Run(t, loadtest.Scenario{
				Target: loadtest.Func(func(context.Context) error { hits.Add(1); return nil }),
				Load:   load,
			})
			if res == nil {
				return
			}

			planned := int64(tt.rate * tt.d.Seconds())
			if !poisson && res.Requests+res.Dropped != planned {
				t.Errorf("%d requests + %d dropped, want the %d planned arrivals", res.Requests, res.Dropped, planned)
			}
			if res.Dropped != 0 || res.Errors != 0 || res.Abandoned != 0 {
				t.Errorf("dropped %d, errors %d, abandoned %d; want none", res.Dropped, res.Errors, res.Abandoned)
			}
			if hits.Load() != res.Requests {
				t.Errorf("target hit %d times, result counts %d requests", hits.Load(), res.Requests)
			}

			tolerance := 0.01
			if poisson {
				// The count itself is random: 5σ of a Poisson count.
				tolerance = 5 / math.Sqrt(float64(planned))
			}
			dev := res.Rate/tt.rate - 1
			if math.Abs(dev) > tolerance {
				t.Errorf("achieved rate %.1f/s, want %g/s ± %.1f%% (off by %+.2f%%)", res.Rate, tt.rate, 100*tolerance, 100*dev)
			}

			var sent, completed, maxSent, minSent int64
			minSent = math.MaxInt64
			limit := int64(1.10 * tt.rate)
			for _, s := range res.Timeline {
				sent += s.Sent
				completed += s.Requests
				if s.Sent > limit {
					t.Errorf("second %d sent %d requests, want at most %d (110%% of %g/s)", s.Second, s.Sent, limit, tt.rate)
				}
				if s.Second < int64(tt.d/time.Second) {
					maxSent, minSent = max(maxSent, s.Sent), min(minSent, s.Sent)
				}
			}
			if sent != res.Requests || completed != res.Requests {
				t.Errorf("timeline: %d sent and %d completed in all, want %d of each", sent, completed, res.Requests)
			}
			t.Logf("pacing %s: %d requests in %v, achieved %.2f/s (%+.3f%% of %g/s), per-second sent min %d max %d (limit %d), pacer lag max %v, p50 %v p99 %v",
				tt.name, res.Requests, res.Duration(), res.Rate, 100*dev, tt.rate, minSent, maxSent, limit,
				time.Duration(res.PacerLagMaxNS), time.Duration(res.Latency.P50NS), time.Duration(res.Latency.P99NS))
		})
	}
}
