package loadtest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/loadgate/loadgate/loadtest"
	"go.uber.org/goleak"
)

// TestFailingTargets runs targets that fail in every way a target can: each
// run finishes, counts and classifies what happened, and leaves no
// goroutine of the harness behind.
func TestFailingTargets(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name    string
		timeout time.Duration
		load    loadtest.Stage
		// target is built per run; n counts calls, fails counts the
		// requests the target itself made fail.
		target func(n, fails *atomic.Int64) loadtest.Func
		// wantKind is the error kind of every failure.
		wantKind string
		// wantAllFail says every request fails; otherwise exactly the
		// ones counted in fails do.
		wantAllFail bool
		wantSample  string // a substring of one of wantKind's samples
		// wantMinLatency is a floor on every request's latency.
		wantMinLatency time.Duration
		wantAbandoned  bool
		// leakWait is how long the target's own goroutines may outlive
		// Run (a target that ignores its context keeps its worker).
		leakWait time.Duration
	}{
		{
			name: "panic every request",
			load: loadtest.Rate(200).For(500 * time.Millisecond),
			target: func(n, fails *atomic.Int64) loadtest.Func {
				return func(context.Context) error { n.Add(1); fails.Add(1); panic("boom") }
			},
			wantKind: loadtest.KindPanic, wantAllFail: true, wantSample: "panic: boom",
		},
		{
			name: "panic one in ten",
			load: loadtest.Rate(200).For(500 * time.Millisecond),
			target: func(n, fails *atomic.Int64) loadtest.Func {
				return func(context.Context) error {
					if n.Add(1)%10 == 0 {
						fails.Add(1)
						panic(fmt.Errorf("boom %d", n.Load()))
					}
					return nil
				}
			},
			wantKind: loadtest.KindPanic, wantSample: "panic: boom",
		},
		{
			name:    "hang until the context is done",
			timeout: 50 * time.Millisecond,
			load:    loadtest.Rate(200).For(500 * time.Millisecond),
			target: func(n, fails *atomic.Int64) loadtest.Func {
				return func(ctx context.Context) error { n.Add(1); <-ctx.Done(); return ctx.Err() }
			},
			wantKind: loadtest.KindTimeout, wantAllFail: true, wantSample: "deadline exceeded",
			wantMinLatency: 50 * time.Millisecond,
		},
		{
			// A request that succeeds after its timeout is a timeout.
			name:    "ignore the context, 300ms past the timeout",
			timeout: 50 * time.Millisecond,
			load:    loadtest.Rate(100).For(500 * time.Millisecond),
			target: func(n, fails *atomic.Int64) loadtest.Func {
				return func(context.Context) error { n.Add(1); time.Sleep(350 * time.Millisecond); return nil }
			},
			wantKind: loadtest.KindTimeout, wantAllFail: true, wantSample: "deadline exceeded",
			wantMinLatency: 350 * time.Millisecond, leakWait: time.Second,
		},
		{
			// The drain waits Timeout plus a second; requests still running
			// then are abandoned.
			name:    "ignore the context past the drain",
			timeout: 50 * time.Millisecond,
			load:    loadtest.Rate(20).For(time.Second),
			target: func(n, fails *atomic.Int64) loadtest.Func {
				return func(context.Context) error { n.Add(1); time.Sleep(1500 * time.Millisecond); return nil }
			},
			wantKind: loadtest.KindTimeout, wantAllFail: true, wantSample: "deadline exceeded",
			wantMinLatency: 1500 * time.Millisecond, wantAbandoned: true, leakWait: 3 * time.Second,
		},
		{
			name: "fail every request",
			load: loadtest.Rate(200).For(500 * time.Millisecond),
			target: func(n, fails *atomic.Int64) loadtest.Func {
				return func(context.Context) error { n.Add(1); fails.Add(1); return errBoom }
			},
			wantKind: loadtest.KindOther, wantAllFail: true, wantSample: "boom",
		},
		{
			name: "custom kind",
			load: loadtest.Users(2).Thinking(5 * time.Millisecond).For(500 * time.Millisecond),
			target: func(n, fails *atomic.Int64) loadtest.Func {
				return func(context.Context) error {
					n.Add(1)
					fails.Add(1)
					return loadtest.KindError("quota", errors.New("429 too many requests"))
				}
			},
			wantKind: "quota", wantAllFail: true, wantSample: "429",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer verifyNoLeaks(t, max(tt.leakWait, 500*time.Millisecond), goleak.IgnoreCurrent())
			var n, fails atomic.Int64
			res := loadtest.Run(t, loadtest.Scenario{Target: tt.target(&n, &fails), Load: tt.load, Timeout: tt.timeout})
			if res == nil {
				return
			}
			t.Logf("%s: %d requests, %d errors %v, abandoned %d, latency p50 %v max %v, samples %q",
				tt.name, res.Requests, res.Errors, res.ErrorKinds, res.Abandoned,
				time.Duration(res.Latency.P50NS), time.Duration(res.Latency.MaxNS), res.ErrorSamples[tt.wantKind])

			if res.Requests == 0 {
				t.Fatal("no requests completed")
			}
			if tt.wantAbandoned != (res.Abandoned > 0) {
				t.Errorf("abandoned %d, want abandoned requests = %v", res.Abandoned, tt.wantAbandoned)
			}
			// Every call is a request, completed or abandoned, and an
			// abandoned one is a timeout: error_rate must see it.
			if res.Requests != n.Load() {
				t.Errorf("requests %d (abandoned %d), want the %d calls of the target", res.Requests, res.Abandoned, n.Load())
			}
			if res.Latency.Count != res.Requests-res.Abandoned {
				t.Errorf("latency of %d requests, want the %d that finished", res.Latency.Count, res.Requests-res.Abandoned)
			}
			wantErrors := fails.Load()
			if tt.wantAllFail {
				wantErrors = res.Requests
			}
			if res.Errors != wantErrors || res.ErrorKinds[tt.wantKind] != wantErrors {
				t.Errorf("errors %d, kinds %v; want %d of kind %q", res.Errors, res.ErrorKinds, wantErrors, tt.wantKind)
			}
			if len(res.ErrorKinds) != 1 {
				t.Errorf("error kinds %v, want only %q", res.ErrorKinds, tt.wantKind)
			}
			found := false
			for _, s := range res.ErrorSamples[tt.wantKind] {
				found = found || strings.Contains(s, tt.wantSample)
			}
			if !found {
				t.Errorf("samples of %q = %q, want one containing %q", tt.wantKind, res.ErrorSamples[tt.wantKind], tt.wantSample)
			}
			// Latency.MinNS is the lower bound of an HDR bucket: up to 0.1%
			// below the true minimum.
			if min, floor := time.Duration(res.Latency.MinNS), tt.wantMinLatency*999/1000; min < floor {
				t.Errorf("latency min %v, want at least %v (%v less 0.1%%)", min, floor, tt.wantMinLatency)
			}
			// A stage counts the requests that finished in it.
			if s := res.Stages; len(s) != 1 || s[0].Errors != res.Errors-res.Abandoned {
				t.Errorf("stages %+v, want one with %d errors", s, res.Errors-res.Abandoned)
			}
		})
	}
}

// TestErrorSamples checks what the result keeps of failure messages: at most
// five distinct ones per kind, each cut to a bounded length.
func TestErrorSamples(t *testing.T) {
	tests := []struct {
		name        string
		give        func(n int64) error
		wantSamples int
		wantMaxLen  int
	}{
		{name: "one message", give: func(int64) error { return errors.New("same") }, wantSamples: 1},
		{name: "distinct messages", give: func(n int64) error { return fmt.Errorf("failure %d", n) }, wantSamples: 5},
		{name: "long message", give: func(int64) error { return errors.New(strings.Repeat("x", 10000)) }, wantSamples: 1, wantMaxLen: 400},
		// Cut at 300 bytes, "xжж…" lost half a character and was not
		// UTF-8 in the summary, nor the same message in the JSON.
		{name: "long message in another script", give: func(int64) error { return errors.New("x" + strings.Repeat("ж", 5000)) }, wantSamples: 1, wantMaxLen: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int64
			res := loadtest.Run(t, loadtest.Scenario{
				Target: loadtest.Func(func(context.Context) error { return tt.give(n.Add(1)) }),
				Load:   loadtest.Rate(100).For(300 * time.Millisecond),
			})
			if res == nil {
				return
			}
			got := res.ErrorSamples[loadtest.KindOther]
			if len(got) != tt.wantSamples {
				t.Errorf("%d samples %q, want %d", len(got), got, tt.wantSamples)
			}
			for _, s := range got {
				if tt.wantMaxLen > 0 && len(s) > tt.wantMaxLen {
					t.Errorf("sample of %d bytes, want at most %d", len(s), tt.wantMaxLen)
				}
				if !utf8.ValidString(s) {
					t.Errorf("sample %q is not valid UTF-8", s)
				}
			}
		})
	}
}

// TestGatedRamp checks that a ramp stops after the stage whose gate fails,
// names that stage, and sends nothing of the stages after it.
func TestGatedRamp(t *testing.T) {
	defer verifyNoLeaks(t, 500*time.Millisecond, goleak.IgnoreCurrent())
	var n atomic.Int64
	res := loadtest.Run(t, loadtest.Scenario{
		// One request in five fails: the first gate (50%) passes, the
		// second (1%) does not. Users write gates with assert.Gate; here
		// they are plain functions, to test the mechanism alone.
		Target: loadtest.Func(func(context.Context) error {
			if n.Add(1)%5 == 0 {
				return errors.New("unavailable")
			}
			return nil
		}),
		Load: loadtest.Ramp(
			loadtest.Rate(100).For(time.Second).Named("easy").Gated(errorRateAtMost(0.5)),
			loadtest.Rate(100).For(time.Second).Named("strict").Gated(errorRateAtMost(0.01)),
			loadtest.Rate(100).For(time.Second).Named("never"),
		),
	})
	if res == nil {
		return
	}
	if res.Stopped == nil || res.Stopped.Cause != "gate" || res.Stopped.Stage != "strict" {
		t.Fatalf("stopped %+v, want cause gate in stage strict", res.Stopped)
	}
	if !strings.Contains(res.Stopped.Reason, "error rate") {
		t.Errorf("stop reason %q, want the failed gate's error", res.Stopped.Reason)
	}
	if len(res.Stages) != 2 {
		t.Fatalf("%d stages in the result, want the 2 that ran", len(res.Stages))
	}
	if g := res.Stages[0].Gate; g == nil || !g.Passed {
		t.Errorf("gate of stage easy: %+v, want passed", g)
	}
	if g := res.Stages[1].Gate; g == nil || g.Passed {
		t.Errorf("gate of stage strict: %+v, want failed", g)
	}
	if got := n.Load(); got != 200 {
		t.Errorf("target called %d times, want the 200 arrivals of the first two stages", got)
	}
	if res.Load.DurationNS != int64(3*time.Second) || res.Duration() >= 3*time.Second {
		t.Errorf("planned %v, ran %v: want the run cut short of the plan", time.Duration(res.Load.DurationNS), res.Duration())
	}
	t.Logf("gate: stopped %+v after %v, %d requests", *res.Stopped, res.Duration(), res.Requests)
}

// errorRateAtMost is a gate that fails a stage whose error rate is over max.
func errorRateAtMost(max float64) loadtest.Gate {
	return func(s *loadtest.StageResult) error {
		if s.ErrorRate > max {
			return fmt.Errorf("error rate %g > %g", s.ErrorRate, max)
		}
		return nil
	}
}

// TestAbort checks the abort rule: a run whose every second for Sustained
// breaks it stops early and says why; one that does not runs to the end.
func TestAbort(t *testing.T) {
	tests := []struct {
		name    string
		abort   loadtest.Abort
		load    loadtest.Stage
		target  loadtest.Func
		wantHit bool
		// Bounds on the arrivals sent: an abort cannot come before
		// Sustained seconds were seen.
		wantMinSent, wantMaxSent int64
		wantReason               string
	}{
		{
			name:  "error rate sustained 2s",
			abort: loadtest.Abort{ErrorRate: 0.5, Sustained: 2 * time.Second},
			load:  loadtest.Rate(100).For(10 * time.Second),
			target: loadtest.Func(func(context.Context) error {
				return errors.New("down")
			}),
			wantHit: true, wantMinSent: 200, wantMaxSent: 999, wantReason: "error rate 100% > 50%",
		},
		{
			name:  "p99 sustained 1s",
			abort: loadtest.Abort{P99: 10 * time.Millisecond, Sustained: time.Second},
			load:  loadtest.Rate(50).For(5 * time.Second),
			target: loadtest.Func(func(ctx context.Context) error {
				time.Sleep(20 * time.Millisecond)
				return nil
			}),
			wantHit: true, wantMinSent: 50, wantMaxSent: 249, wantReason: "p99",
		},
		{
			name:  "error rate below the rule",
			abort: loadtest.Abort{ErrorRate: 0.5, Sustained: time.Second},
			load:  loadtest.Rate(100).For(1500 * time.Millisecond),
			target: func() loadtest.Func {
				var n atomic.Int64
				return func(context.Context) error {
					if n.Add(1)%3 == 0 {
						return errors.New("flaky")
					}
					return nil
				}
			}(),
			wantMinSent: 150, wantMaxSent: 150,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer verifyNoLeaks(t, 500*time.Millisecond, goleak.IgnoreCurrent())
			var sent atomic.Int64
			target := tt.target
			res := loadtest.Run(t, loadtest.Scenario{
				Target: loadtest.Func(func(ctx context.Context) error { sent.Add(1); return target(ctx) }),
				Load:   tt.load,
				Abort:  tt.abort,
			})
			if res == nil {
				return
			}
			t.Logf("%s: stopped %+v after %v, %d sent", tt.name, res.Stopped, res.Duration(), sent.Load())
			if got := sent.Load(); got < tt.wantMinSent || got > tt.wantMaxSent {
				t.Errorf("%d requests sent, want %d to %d", got, tt.wantMinSent, tt.wantMaxSent)
			}
			if !tt.wantHit {
				if res.Stopped != nil {
					t.Errorf("stopped %+v, want the run to go to the end", res.Stopped)
				}
				return
			}
			if res.Stopped == nil || res.Stopped.Cause != "abort" {
				t.Fatalf("stopped %+v, want cause abort", res.Stopped)
			}
			if !strings.Contains(res.Stopped.Reason, tt.wantReason) {
				t.Errorf("reason %q, want it to contain %q", res.Stopped.Reason, tt.wantReason)
			}
			if last := res.Stages[len(res.Stages)-1].Name; res.Stopped.Stage != last {
				t.Errorf("stopped in stage %q, want the stage that ran, %q", res.Stopped.Stage, last)
			}
		})
	}
}

// TestScaleFromEnv checks LOADGATE_SCALE: it multiplies every duration of
// the load and the warm-up, and a bad value fails the test before any load.
func TestScaleFromEnv(t *testing.T) {
	tests := []struct {
		name         string
		give         string
		wantFatal    string
		wantLoad     time.Duration
		wantWarmup   time.Duration
		wantRequests int64
	}{
		{name: "tenth", give: "0.1", wantLoad: time.Second, wantWarmup: 200 * time.Millisecond, wantRequests: 100},
		{name: "unset", give: "", wantLoad: 500 * time.Millisecond, wantWarmup: 100 * time.Millisecond, wantRequests: 50},
		{name: "zero", give: "0", wantFatal: loadtest.EnvScale},
		{name: "negative", give: "-1", wantFatal: loadtest.EnvScale},
		{name: "not a number", give: "fast", wantFatal: loadtest.EnvScale},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(loadtest.EnvScale, tt.give)
			load, warmup := 10*time.Second, 2*time.Second
			if tt.give == "" {
				load, warmup = 500*time.Millisecond, 100*time.Millisecond
			}
			var n atomic.Int64
			tb := &fakeTB{TB: t}
			res := loadtest.Run(tb, loadtest.Scenario{
				Target: loadtest.Func(func(context.Context) error { n.Add(1); return nil }),
				Load:   loadtest.Rate(100).For(load),
				Warmup: warmup,
			})
			fatals := tb.fatalMessages()
			if tt.wantFatal != "" {
				if res != nil || len(fatals) != 1 || !strings.Contains(fatals[0], tt.wantFatal) || n.Load() != 0 {
					t.Errorf("result %v, fatal %q, %d calls; want a fatal naming %s and no load", res != nil, fatals, n.Load(), tt.wantFatal)
				}
				return
			}
			if res == nil || len(fatals) != 0 {
				t.Fatalf("fatal %q", fatals)
			}
			if got := time.Duration(res.Load.DurationNS); got != tt.wantLoad {
				t.Errorf("planned load %v, want %v", got, tt.wantLoad)
			}
			if res.Warmup == nil || time.Duration(res.Warmup.DurationNS) != tt.wantWarmup {
				t.Errorf("warm-up %+v, want %v", res.Warmup, tt.wantWarmup)
			}
			if res.Requests != tt.wantRequests {
				t.Errorf("%d requests measured, want %d", res.Requests, tt.wantRequests)
			}
			if want := float64(0); tt.give == "0.1" && res.Env.Scale != 0.1 || tt.give == "" && res.Env.Scale != want {
				t.Errorf("env scale %g, want %q", res.Env.Scale, tt.give)
			}
			t.Logf("scale %q: ran %v of load after %v of warm-up, %d requests (+%d in warm-up)",
				tt.give, res.Duration(), time.Duration(res.Warmup.DurationNS), res.Requests, res.Warmup.Requests)
		})
	}
}

// TestDeadline checks that a scenario longer than what go test's -timeout
// leaves fails the test at once, without sending anything, and that one
// that fits runs.
func TestDeadline(t *testing.T) {
	tests := []struct {
		name      string
		deadline  time.Duration // from now; 0 for none
		load      time.Duration
		warmup    time.Duration
		wantFatal bool
	}{
		{name: "load past the deadline", deadline: time.Second, load: 5 * time.Second, wantFatal: true},
		{name: "load inside the margin", deadline: time.Second, load: 100 * time.Millisecond, wantFatal: true},
		{name: "warm-up past the deadline", deadline: 5 * time.Second, load: time.Second, warmup: 3 * time.Second, wantFatal: true},
		{name: "fits", deadline: 10 * time.Second, load: 200 * time.Millisecond},
		{name: "no deadline", load: 200 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := &fakeTB{TB: t}
			if tt.deadline > 0 {
				tb.deadline = time.Now().Add(tt.deadline)
			}
			var n atomic.Int64
			res := loadtest.Run(tb, loadtest.Scenario{
				Target: loadtest.Func(func(context.Context) error { n.Add(1); return nil }),
				Load:   loadtest.Rate(50).For(tt.load),
				Warmup: tt.warmup,
			})
			fatals := tb.fatalMessages()
			if !tt.wantFatal {
				if res == nil || len(fatals) > 0 {
					t.Fatalf("fatal %q, want the run to go ahead", fatals)
				}
				return
			}
			if res != nil || n.Load() != 0 {
				t.Errorf("result %v, %d requests sent; want no run", res != nil, n.Load())
			}
			if len(fatals) != 1 || !strings.Contains(fatals[0], "-timeout") {
				t.Errorf("fatal %q, want one that says to raise -timeout", fatals)
			} else {
				t.Logf("fatal: %s", fatals[0])
			}
		})
	}
}

// TestDeadlineBoundsIterations: a stage of a fixed number of iterations
// without a duration of its own is bounded by what go test's -timeout
// leaves, less a drain, rather than failing the test for want of
// DefaultIterationsCap's ten minutes; the result says the bound was hit.
func TestDeadlineBoundsIterations(t *testing.T) {
	tb := &fakeTB{TB: t, deadline: time.Now().Add(5 * time.Second)}
	res := loadtest.Run(tb, loadtest.Scenario{
		Target: loadtest.Func(func(context.Context) error {
			time.Sleep(time.Millisecond)
			return nil
		}),
		Load:    loadtest.Users(1).Iterations(1_000_000),
		Timeout: time.Second,
	})
	if fatals := tb.fatalMessages(); res == nil || len(fatals) > 0 {
		t.Fatalf("fatal %q, want the run to go ahead", fatals)
	}
	// 5 s less the 2 s margin leaves 3 s: the bound keeps a drain's worth
	// of it free.
	if d := time.Duration(res.Load.Stages[0].DurationNS); d <= 0 || d >= 3*time.Second {
		t.Errorf("planned bound %v, want within the 3s -timeout leaves", d)
	}
	found := false
	for _, w := range res.Warnings {
		found = found || strings.Contains(w, "reached its bound")
	}
	if !found || res.Requests == 0 || res.Requests >= 1_000_000 {
		t.Errorf("%d requests, warnings %q: want some, and a warning that the bound ended the stage", res.Requests, res.Warnings)
	}
}

// TestLeakMessageSaysWhatToSet: a new user whose handler leaked was told to
// "set Scenario.Leaks to ignore functions or to report only", which names
// no field of LeakCheck; the failure names Ignore and ReportOnly.
func TestLeakMessageSaysWhatToSet(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	tb := &errorsTB{fakeTB: fakeTB{TB: t}}
	loadtest.Run(tb, loadtest.Scenario{
		Name: "leak-message",
		Target: loadtest.Func(func(ctx context.Context) error {
			go func() { <-release }()
			return nil
		}),
		Load:  loadtest.Rate(50).For(200 * time.Millisecond),
		Leaks: loadtest.LeakCheck{Wait: 100 * time.Millisecond},
	})
	errs := strings.Join(tb.errorMessages(), "\n")
	for _, want := range []string{"leaked goroutines", "Scenario.Leaks", "Ignore", "ReportOnly"} {
		if !strings.Contains(errs, want) {
			t.Errorf("the leak failure does not say %q:\n%s", want, errs)
		}
	}
}
