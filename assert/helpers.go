package assert

import (
	"strconv"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

// The helpers below each check one limit. They build the expression they
// stand for and evaluate it as [SLA] does, so their messages are the same
// as SLA's, and each returns true when the limit held.

// LatencyAtMost checks that the latency at quantile q (0.99 for p99, 1 for
// the maximum) is at most limit: "p99 <= 200ms".
func LatencyAtMost(t TestingT, res *loadtest.Result, q float64, limit time.Duration) bool {
	if h, ok := t.(tHelper); ok {
		h.Helper()
	}
	if !(q >= 0 && q <= 1) {
		t.Errorf("assert.LatencyAtMost: quantile %g out of range [0, 1]", q)
		return false
	}
	return check(t, "assert.LatencyAtMost", res, []string{stat{pct: tidy(100 * q)}.String() + " <= " + limit.String()})
}

// ErrorRateAtMost checks that the share of the requests sent that failed
// ([loadtest.Result.ErrorRate]) is at most max (0.001 for 0.1%):
// "error_rate <= 0.1%". Dropped arrivals are not in it: bound them with
// [DroppedAtMost].
func ErrorRateAtMost(t TestingT, res *loadtest.Result, max float64) bool {
	if h, ok := t.(tHelper); ok {
		h.Helper()
	}
	if !(max >= 0 && max <= 1) {
		t.Errorf("assert.ErrorRateAtMost: max %g out of range [0, 1] (0.01 is 1%%)", max)
		return false
	}
	return check(t, "assert.ErrorRateAtMost", res, []string{"error_rate <= " + percent(max)})
}

// ThroughputAtLeast checks that the successful requests per second were at
// least shareOfTarget (0.95 for 95%) of the planned open-model rate:
// "throughput >= 95%". A closed-model run has no planned rate and fails.
func ThroughputAtLeast(t TestingT, res *loadtest.Result, shareOfTarget float64) bool {
	if h, ok := t.(tHelper); ok {
		h.Helper()
	}
	if !(shareOfTarget >= 0) {
		t.Errorf("assert.ThroughputAtLeast: share %g must not be negative (0.95 is 95%%)", shareOfTarget)
		return false
	}
	return check(t, "assert.ThroughputAtLeast", res, []string{"throughput >= " + percent(shareOfTarget)})
}

// DroppedAtMost checks that at most max arrivals were dropped because
// MaxInFlight requests were already running: "dropped <= 0".
func DroppedAtMost(t TestingT, res *loadtest.Result, max int64) bool {
	if h, ok := t.(tHelper); ok {
		h.Helper()
	}
	return check(t, "assert.DroppedAtMost", res, []string{"dropped <= " + strconv.FormatInt(max, 10)})
}

// GoroutineGrowthAtMost checks that the process ended the load with at most
// max more goroutines than it started with: "goroutine_growth <= 5".
func GoroutineGrowthAtMost(t TestingT, res *loadtest.Result, max int) bool {
	if h, ok := t.(tHelper); ok {
		h.Helper()
	}
	return check(t, "assert.GoroutineGrowthAtMost", res, []string{"goroutine_growth <= " + strconv.Itoa(max)})
}

// PeakGoroutinesAtMost checks that the process never ran more than max
// goroutines during the load: "goroutines_peak <= 10000".
func PeakGoroutinesAtMost(t TestingT, res *loadtest.Result, max int) bool {
	if h, ok := t.(tHelper); ok {
		h.Helper()
	}
	return check(t, "assert.PeakGoroutinesAtMost", res, []string{"goroutines_peak <= " + strconv.Itoa(max)})
}

// GCPauseAtMost checks the garbage collector's stop-the-world pauses during
// the load: their p99 for q = 0.99, their maximum for q = 1 (the runtime
// records no other quantile): "gc_pause_p99 <= 50ms".
func GCPauseAtMost(t TestingT, res *loadtest.Result, q float64, limit time.Duration) bool {
	if h, ok := t.(tHelper); ok {
		h.Helper()
	}
	var name string
	switch q {
	case 0.99:
		name = "gc_pause_p99"
	case 1:
		name = "gc_pause_max"
	default:
		t.Errorf("assert.GCPauseAtMost: quantile %g not recorded: want 0.99 or 1", q)
		return false
	}
	return check(t, "assert.GCPauseAtMost", res, []string{name + " <= " + limit.String()})
}

// PeakHeapAtMost checks that the live heap never exceeded max bytes during
// the load: "heap_peak <= 512MiB".
func PeakHeapAtMost(t TestingT, res *loadtest.Result, max int64) bool {
	if h, ok := t.(tHelper); ok {
		h.Helper()
	}
	return check(t, "assert.PeakHeapAtMost", res, []string{"heap_peak <= " + exactBytes(max)})
}

// StatusShareAtMost checks that at most share (0.01 for 1%) of the
// responses had status code (such as "503"), class (such as "5xx") or
// gRPC code (such as "UNAVAILABLE"): "status(5xx) <= 1%".
func StatusShareAtMost(t TestingT, res *loadtest.Result, code string, share float64) bool {
	if h, ok := t.(tHelper); ok {
		h.Helper()
	}
	normal, ok := normalStatus(code)
	if !ok {
		t.Errorf("assert.StatusShareAtMost: %s", badStatus(code))
		return false
	}
	code = normal
	if !(share >= 0 && share <= 1) {
		t.Errorf("assert.StatusShareAtMost: share %g out of range [0, 1] (0.01 is 1%%)", share)
		return false
	}
	return check(t, "assert.StatusShareAtMost", res, []string{"status(" + code + ") <= " + percent(share)})
}

// percent writes a fraction as a percentage literal: 0.001 as "0.1%".
func percent(v float64) string { return fnum(tidy(100*v)) + "%" }
