package assert_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/loadtest"
)

// TestRealRun checks SLAs on the result of a real, tiny run.
func TestRealRun(t *testing.T) {
	res := loadtest.Run(t, loadtest.Scenario{
		Name:   "noop",
		Target: loadtest.Func(func(context.Context) error { return nil }),
		Load:   loadtest.Rate(200).For(500 * time.Millisecond),
	})
	if res == nil {
		t.Fatal("no result")
	}
	// Limits loose enough for a busy machine: the point is that every
	// metric reads from a real result.
	assert.SLA(t, res,
		"errors == 0", "error_rate == 0", "requests >= 20", "dropped == 0", "abandoned == 0",
		"p99 < 5s", "p(99.5) < 5s", "service.max < 5s", "throughput >= 10%", "rate > 0",
		"goroutines_peak < 100000", "goroutines_end - goroutines_start < 1000", "heap_peak < 1TiB",
		`requests{stage=0} >= 20`, `p99{stage="200/s"} < 5s`, `rate{stage=0} >= 10%`,
	)

	rt := &recordT{}
	if assert.SLA(rt, res, "p99 < 1ns", "requests > 1000000") {
		t.Fatal("SLA passed impossible limits")
	}
	want := []*regexp.Regexp{
		// A busy machine may make the run generator-bound, which the
		// message of a latency then says.
		regexp.MustCompile(`^scenario noop: p99 = [0-9.]+[nµm]?s, want < 1ns( \([0-9.]+% over\))?(; generator-bound: .+)?$`),
		regexp.MustCompile(`^scenario noop: requests = \d+, want > 1000000 \(100% under\)$`),
	}
	if len(rt.errors) != len(want) {
		t.Fatalf("reported %q, want %d failures", rt.errors, len(want))
	}
	for i, re := range want {
		if !re.MatchString(rt.errors[i]) {
			t.Errorf("failure %d = %q, want it to match %s", i, rt.errors[i], re)
		}
	}
}

// TestRealGate stops a real ramp with a gate that cannot pass.
func TestRealGate(t *testing.T) {
	res := loadtest.Run(t, loadtest.Scenario{
		Name:   "gated",
		Target: loadtest.Func(func(context.Context) error { return nil }),
		Load: loadtest.Ramp(
			loadtest.Rate(200).For(200*time.Millisecond).Named("first").Gated(assert.MustGate("error_rate == 0", "p99 < 1ns")),
			loadtest.Rate(200).For(200*time.Millisecond).Named("second"),
		),
	})
	if res == nil {
		t.Fatal("no result")
	}
	if res.Stopped == nil || res.Stopped.Cause != "gate" || len(res.Stages) != 1 {
		t.Fatalf("Stopped = %+v after %d stages, want a stop by the gate after 1", res.Stopped, len(res.Stages))
	}
	if !regexp.MustCompile(`^p99 = \S+, want < 1ns`).MatchString(res.Stopped.Reason) {
		t.Errorf("gate reason = %q", res.Stopped.Reason)
	}
	rt := &recordT{}
	assert.SLA(rt, res, `requests{stage="second"} > 0`)
	if len(rt.errors) != 1 || !strings.Contains(rt.errors[0], `stage "second" did not run: the run stopped early (gate) in stage first: p99 = `) {
		t.Errorf("reported %q", rt.errors)
	}
}

// TestRealGateOnPlannedRate stops a real ramp where a service that serves
// at most 100 requests a second falls behind the stage's planned rate.
func TestRealGateOnPlannedRate(t *testing.T) {
	one := make(chan struct{}, 1) // the service serves one request at a time
	slow := loadtest.Func(func(ctx context.Context) error {
		select {
		case one <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		defer func() { <-one }()
		time.Sleep(10 * time.Millisecond)
		return nil
	})
	gate := assert.MustGate("throughput >= 80%")
	res := loadtest.Run(t, loadtest.Scenario{
		Name:   "falls behind",
		Target: slow,
		Load: loadtest.Ramp(
			loadtest.Rate(20).For(500*time.Millisecond).Named("easy").Gated(gate),
			loadtest.Rate(400).For(300*time.Millisecond).Named("too much").Gated(gate),
			loadtest.Rate(400).For(300*time.Millisecond).Named("never"),
		),
		MaxInFlight: 4,
		Timeout:     time.Second,
	})
	if res == nil {
		t.Fatal("no result")
	}
	if g := res.Stages[0].Gate; g == nil || !g.Passed {
		t.Errorf("gate of the easy stage: %+v, want passed", g)
	}
	if res.Stopped == nil || res.Stopped.Cause != "gate" || res.Stopped.Stage != "too much" {
		t.Fatalf("Stopped = %+v, want a stop by the gate of stage \"too much\"", res.Stopped)
	}
	if !regexp.MustCompile(`^throughput = \S+, want >= 80% of the planned 400/s = 320/s`).MatchString(res.Stopped.Reason) {
		t.Errorf("gate reason = %q", res.Stopped.Reason)
	}
}
