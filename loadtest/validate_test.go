package loadtest

import (
	"context"
	"errors"
	"iter"
	"math"
	"os"
	"strings"
	"testing"
	"time"
)

// TestExecuteRefusesBadLoads: loads that could not run as planned (a rate
// that is not a number, or one no process can send) are refused up front,
// naming the stage, instead of running for far longer than planned.
func TestExecuteRefusesBadLoads(t *testing.T) {
	nop := Func(func(context.Context) error { return nil })
	tests := []struct {
		name string
		load Load
		want string
	}{
		{"NaN rate", Rate(math.NaN()).For(time.Second), "load stage 1 (NaN→NaN/s): rate NaN is not a number of requests per second"},
		{"infinite rate", Rate(10).RampTo(math.Inf(1)).For(time.Second), "rate +Inf is not a number of requests per second"},
		{"negative rate", Rate(-1).For(time.Second), "rate must not be negative"},
		{"rate over the limit", Poisson(2e6).For(time.Second), "rate 2e+06/s is over 1e+06/s"},
		{"no duration", Rate(10), "duration must be positive"},
		// Users(1<<40) for 100ms started users for minutes, past its
		// length, with nearly every request failing for want of files.
		// (1<<30: an int on 32-bit platforms too.)
		{"users over the limit", Users(1 << 30).For(100 * time.Millisecond),
			"load stage 1 (1073741824 users): 1073741824 users are over 100000, more than one process can run; split the load over several"},
		{"RampUsersTo over the limit", Users(1).RampUsersTo(MaxUsers + 1).For(100 * time.Millisecond), "100001 users are over 100000"},
		{"RampTo over the limit", Users(1).RampTo(1e12).For(100 * time.Millisecond), "RampTo(1000000000000): 1000000000000 users are over 100000"},
		// Issue 14: Users(10).RampTo(50) was silently ignored; it ramps
		// users now, and only a whole number of them.
		{"RampTo a fraction of users", Users(10).RampTo(2.5).For(time.Second),
			"load stage 1 (10 users): RampTo(2.5): a closed-model stage ramps to a whole number of users, such as RampTo(3)"},
		// It said "such as RampTo(-1)", the very call it refused.
		{"RampTo a negative number of users", Users(10).RampTo(-1).For(time.Second),
			"load stage 1 (10 users): RampTo(-1): users must not be negative"},
		{"RampTo a negative fraction of users", Users(10).RampTo(-2.5).For(time.Second),
			"load stage 1 (10 users): RampTo(-2.5): users must not be negative"},
		{"RampUsersTo on a rate", Rate(10).RampUsersTo(50).For(time.Second),
			"load stage 1 (10/s): users, RampUsersTo and iterations belong to closed-model stages (build them with Users); an open-model stage ramps its rate with RampTo"},
		{"negative RampUsersTo", Users(10).RampUsersTo(-1).For(time.Second), "load stage 1 (10→-1 users): RampUsersTo must not be negative, got -1"},
		{"iterations on a rate", Poisson(10).Iterations(5), "users, RampUsersTo and iterations belong to closed-model stages"},
		// Think time on a rate was silently ignored.
		{"think time on a rate", Rate(10).Thinking(time.Second).For(time.Second),
			"load stage 1 (10/s): think time (Thinking(1s)) belongs to closed-model stages, whose users wait between requests (build them with Users)"},
		{"both iterations", Users(2).Iterations(5).SharedIterations(10),
			"load stage 1 (2 users): Iterations (5 per user) and SharedIterations (10 in all) cannot both bound a stage; pick one"},
		{"negative iterations", Users(2).Iterations(-5), "Iterations must not be negative, got -5"},
		{"iterations and a ramp", Users(2).RampUsersTo(4).Iterations(5),
			"load stage 1 (2→4 users): a stage of a fixed number of iterations cannot ramp its users (RampUsersTo)"},
		{"iterations without users", Users(0).SharedIterations(5), "iterations need at least one user, got Users(0)"},
		{"iterations, negative bound", Users(1).Iterations(5).For(-time.Second), "duration must not be negative (it bounds the iterations; leave it out for 10m0s)"},
		{"nil pacer", Paced(nil).For(time.Second), `load stage 1 (paced): Arrivals "custom" needs a Pacer (build the stage with Paced)`},
		{"pacer on a rate", Stage{Model: Open, Arrivals: Even, From: 1, To: 1, Pacer: evenPacer(time.Millisecond), Duration: time.Second},
			`Pacer is set but Arrivals is "even" (build the stage with Paced)`},
		{"RampTo on a paced stage", Paced(evenPacer(time.Millisecond)).RampTo(5).For(time.Second),
			"RampTo does not apply to a Paced stage: its Pacer plans the rate"},
		// It ran for its length, sent nothing, and passed.
		{"pacer that plans nothing", Paced(PacerFunc(func(time.Duration) iter.Seq[time.Duration] {
			return func(func(time.Duration) bool) {}
		})).For(time.Second), "load stage 1 (paced): its Pacer plans no arrival in 1s, so the stage would send nothing"},
		{"pacer that plans after the stage", Paced(PacerFunc(func(d time.Duration) iter.Seq[time.Duration] {
			return func(yield func(time.Duration) bool) { yield(d) }
		})).For(time.Second), "load stage 1 (paced): its Pacer plans no arrival in 1s"},
		{"pacer on users", Stage{Model: Closed, Users: 1, UsersTo: 1, Pacer: evenPacer(time.Millisecond), Duration: time.Second},
			"a Pacer plans open-model arrivals; build the stage with Paced"},
		// For(math.MaxInt64), "until I cancel it", ran Execute out of
		// memory before its first request: a counter per planned second.
		{"duration over MaxDuration", Rate(10).For(math.MaxInt64),
			"load stage 1 (10/s): duration 2562047h47m16.854775807s is over 168h0m0s (MaxDuration); to run until canceled, use MaxDuration and cancel the run's context"},
		{"iterations bounded over MaxDuration", Users(2).Iterations(5).For(MaxDuration + 1), "load stage 1 (2 users): duration 168h0m0.000000001s is over 168h0m0s (MaxDuration)"},
		// Two stages of 2^62 ns overflowed the planned length, and
		// Execute panicked (makeslice: len out of range).
		{"stages overflowing the planned length", Ramp(Rate(10).For(1<<62), Rate(10).For(1<<62)), "load stage 1 (10/s): duration 1281023h53m38.427387904s is over 168h0m0s (MaxDuration)"},
		{"stages adding up over MaxDuration", Ramp(Rate(10).For(MaxDuration), Users(2).For(time.Second), Rate(5).For(MaxDuration)),
			"load stage 2 (2 users): the load lasts 168h0m1s by the stage's end (warm-up included), over 168h0m0s (MaxDuration): run a longer soak as several runs"},
		{"a whole MaxDuration", Rate(10).For(MaxDuration).Gated(func(*StageResult) error { return nil }), "<runs>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			if tt.want == "<runs>" {
				// A load of MaxDuration is accepted: it runs until its
				// context ends, and stops there.
				ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
				defer cancel()
				res, err := Execute(ctx, Scenario{Name: "long", Target: nop, Load: tt.load})
				if err != nil || res.Stopped == nil || res.Stopped.Cause != "canceled" {
					t.Errorf("Execute = %+v, %v; want a run stopped by its context", res, err)
				}
				return
			}
			// Bounded: a load that is not refused runs.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err := Execute(ctx, Scenario{Name: "bad", Target: nop, Load: tt.load})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("refusing the load took %v", took) // a run, not a refusal
			}
		})
	}
}

// TestExecuteRefusesBadScenarioFields: fields that were silently ignored
// or misread are refused, naming the field and the value: a negative
// ProgressEvery wrote a progress line every 100ms (where a negative
// Slowest keeps none), a negative Abort.P99 and a NaN Abort.ErrorRate
// never aborted, a CoolDown without a Watch was not waited for.
func TestExecuteRefusesBadScenarioFields(t *testing.T) {
	tests := []struct {
		name string
		give func(*Scenario)
		want string
	}{
		{"negative ProgressEvery", func(s *Scenario) { s.ProgressEvery = -time.Second }, "ProgressEvery must not be negative, got -1s"},
		{"negative Abort.P99", func(s *Scenario) { s.Abort = Abort{P99: -time.Millisecond, Sustained: time.Second} }, "Abort.P99 must not be negative, got -1ms"},
		{"NaN Abort.ErrorRate", func(s *Scenario) { s.Abort.ErrorRate = math.NaN() }, "Abort.ErrorRate must be in [0, 1], got NaN"},
		{"negative CoolDown", func(s *Scenario) { s.CoolDown = -time.Second }, "CoolDown must not be negative, got -1s"},
		// It was ignored without a word: the run ended with the load.
		{"CoolDown without Watch", func(s *Scenario) { s.CoolDown = 200 * time.Millisecond },
			"CoolDown (200ms) is how long Run keeps watching the service after the load, and the scenario has no Watch: set Watch, or leave CoolDown out"},
		// A warm-up before a first stage that starts from nothing idled
		// for its length and warmed nothing.
		{"warm-up of no users", func(s *Scenario) {
			s.Warmup, s.Load = 5*time.Second, Ramp(Users(0).RampUsersTo(4).For(time.Second), Users(4).For(time.Second))
		}, "Warmup (5s) runs load stage 1 (0→4 users) at its starting load, which sends nothing: start the stage above 0, or put a stage of its own before it in place of the warm-up"},
		{"warm-up of no rate", func(s *Scenario) { s.Warmup, s.Load = time.Second, Poisson(0).RampTo(50).For(time.Second) },
			"Warmup (1s) runs load stage 1 (poisson 0→50/s) at its starting load, which sends nothing"},
		{"warm-up over MaxDuration", func(s *Scenario) { s.Warmup = math.MaxInt64 }, "Warmup (2562047h47m16.854775807s) is over 168h0m0s (MaxDuration)"},
		{"warm-up and load over MaxDuration", func(s *Scenario) { s.Warmup = MaxDuration },
			"load stage 1 (10/s): the load lasts 168h0m0.1s by the stage's end (warm-up included), over 168h0m0s (MaxDuration)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Scenario{Name: "bad", Target: Func(func(context.Context) error { return nil }), Load: Rate(10).For(100 * time.Millisecond)}
			tt.give(&s)
			// Bounded: a field that is not refused runs its load.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err := Execute(ctx, s)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestScaleFromEnv: LOADGATE_SCALE must be a positive number; it scales
// the stages and the warm-up, not think time.
func TestScaleFromEnv(t *testing.T) {
	for _, bad := range []string{"NaN", "0", "-1", "x", "1e9"} {
		t.Setenv(EnvScale, bad)
		if _, err := scaleFromEnv(os.Getenv, EnvScale); err == nil || !strings.Contains(err.Error(), "want a positive number up to 1e6") {
			t.Errorf("%s=%s: err = %v", EnvScale, bad, err)
		}
	}
	s := Scenario{Target: Func(func(context.Context) error { return nil }),
		Load: Users(2).Thinking(50 * time.Millisecond).For(time.Second), Warmup: time.Second}.withDefaults(0.5)
	st := s.Load.Stages()[0]
	if st.Duration != 500*time.Millisecond || s.Warmup != 500*time.Millisecond || st.Think != 50*time.Millisecond {
		t.Errorf("at scale 0.5: stage %v, warm-up %v, think %v; want 500ms, 500ms and the think time unscaled, 50ms", st.Duration, s.Warmup, st.Think)
	}
	// A duration scaled past time.Duration's range came out negative and
	// ran as 1ns; it saturates now, and MaxDuration refuses it by name.
	if got := scaleDuration(math.MaxInt64/2+1, 2); got != math.MaxInt64 {
		t.Errorf("scaleDuration(2^62, 2) = %v, want math.MaxInt64", got)
	}
	long := Scenario{Target: Func(func(context.Context) error { return nil }), Load: Rate(10).For(MaxDuration)}
	if _, err := long.ready(scales{duration: 2, rate: 1}); err == nil || !strings.Contains(err.Error(), "is over 168h0m0s (MaxDuration); to run until canceled, use MaxDuration and cancel the run's context (at LOADGATE_SCALE=2)") {
		t.Errorf("MaxDuration at LOADGATE_SCALE=2: err = %v", err)
	}
}

// TestRampChangesThinkTime: a closed-model stage that keeps the users but
// shortens their think time takes effect at once, even for users asleep
// in the old, long think time.
func TestRampChangesThinkTime(t *testing.T) {
	res, err := Execute(context.Background(), Scenario{
		Name:   "think",
		Target: Func(func(context.Context) error { return nil }),
		Load: Ramp(
			Users(2).Thinking(10*time.Second).For(300*time.Millisecond),
			Users(2).Thinking(10*time.Millisecond).For(500*time.Millisecond),
		),
	})
	if err != nil {
		t.Fatal(err)
	}
	// Two users at one request a 10 ms think: about 100 in 500 ms.
	if got := res.Stages[1].Requests; got < 20 {
		t.Errorf("the stage with the short think time ran %d requests, want about 100", got)
	}
}

// TestLeakWait: the leak check's wait defaults to DefaultScenario's, and a
// negative one is refused rather than read as "use the default".
func TestLeakWait(t *testing.T) {
	nop := Func(func(context.Context) error { return nil })
	tests := []struct {
		name    string
		give    time.Duration
		want    time.Duration
		wantErr string
	}{
		{name: "default", give: 0, want: DefaultScenario.Leaks.Wait},
		{name: "set", give: 50 * time.Millisecond, want: 50 * time.Millisecond},
		{name: "negative", give: -time.Second, wantErr: "Leaks.Wait must not be negative, got -1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Scenario{Target: nop, Load: Rate(1).For(time.Second), Leaks: LeakCheck{Wait: tt.give}}.ready(unscaled)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || s.Leaks.Wait != tt.want {
				t.Errorf("Leaks.Wait = %v (err %v), want %v", s.Leaks.Wait, err, tt.want)
			}
		})
	}
	if DefaultScenario.Leaks.Wait != 2*time.Second {
		t.Errorf("DefaultScenario.Leaks.Wait = %v; the docs of LeakCheck say 2s", DefaultScenario.Leaks.Wait)
	}
}

// TestScaleRates (issue 14): LOADGATE_RATE_SCALE multiplies open-model
// rates and closed-model users, rounding users up to at least one, and
// leaves names, durations and think time as written.
func TestScaleRates(t *testing.T) {
	tests := []struct {
		name      string
		give      Stage
		f         float64
		wantFrom  float64
		wantTo    float64
		wantUsers int
		wantName  string
		// wantUsersTo is the users at the stage's end: 0 means
		// wantUsers (a hold), -1 none.
		wantUsersTo int
	}{
		{name: "rate", give: Rate(200), f: 0.5, wantFrom: 100, wantTo: 100, wantName: "200/s"},
		{name: "ramp", give: Poisson(50).RampTo(500), f: 2, wantFrom: 100, wantTo: 1000, wantName: "poisson 50→500/s"},
		{name: "named", give: Rate(10).Named("hold"), f: 0.1, wantFrom: 1, wantTo: 1, wantName: "hold"},
		{name: "users", give: Users(8), f: 0.5, wantUsers: 4, wantName: "8 users"},
		{name: "users rounded up", give: Users(3), f: 0.5, wantUsers: 2, wantName: "3 users"},
		{name: "users at least one", give: Users(8), f: 0.01, wantUsers: 1, wantName: "8 users"},
		{name: "whole product is not rounded up", give: Users(10), f: 0.3, wantUsers: 3, wantName: "10 users"},
		{name: "more users", give: Users(8).Thinking(time.Second), f: 2.5, wantUsers: 20, wantName: "8 users"},
		{name: "no users stay none", give: Users(0), f: 3, wantUsers: 0, wantName: "0 users"},
		// A hold of 10 users at 0.5 became a ramp from 5 to 10, and a
		// ramp from 4 to 8 one from 2 to 8: more load than asked for.
		{name: "ramp of users", give: Users(4).RampUsersTo(8), f: 0.5, wantUsers: 2, wantUsersTo: 4, wantName: "4→8 users"},
		{name: "ramp of users down to none", give: Users(8).RampUsersTo(0), f: 0.5, wantUsers: 4, wantUsersTo: -1, wantName: "8→0 users"},
		{name: "ramp of users up from none", give: Users(0).RampUsersTo(3), f: 0.5, wantUsers: 0, wantUsersTo: 2, wantName: "0→3 users"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scaleRates(tt.give.For(time.Second), tt.f)[0]
			if got.From != tt.wantFrom || got.To != tt.wantTo || got.Users != tt.wantUsers || got.Name != tt.wantName {
				t.Errorf("scaled by %g: %g→%g/s, %d users, named %q; want %g→%g/s, %d users, named %q",
					tt.f, got.From, got.To, got.Users, got.Name, tt.wantFrom, tt.wantTo, tt.wantUsers, tt.wantName)
			}
			wantTo := tt.wantUsersTo
			switch {
			case tt.give.Model != Closed:
				wantTo = 0
			case wantTo == 0:
				wantTo = tt.wantUsers
			case wantTo < 0:
				wantTo = 0
			}
			if got.UsersTo != wantTo {
				t.Errorf("scaled by %g: users %d→%d, want %d→%d", tt.f, got.Users, got.UsersTo, tt.wantUsers, wantTo)
			}
			if got.Duration != time.Second || got.Think != tt.give.Think {
				t.Errorf("scaled by %g: duration %v, think %v; want them unchanged", tt.f, got.Duration, got.Think)
			}
		})
	}
	// A rate scaled past the limit is refused, saying why it got there.
	_, err := Scenario{Target: Func(func(context.Context) error { return nil }), Load: Rate(2000).For(time.Second)}.ready(scales{duration: 1, rate: 1000})
	if want := "over 1e+06/s, more than one process can send; split the load over several (at LOADGATE_RATE_SCALE=1000)"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("ready at rate scale 1000 = %v, want an error containing %q", err, want)
	}
}

// TestRunAllRefusesBeforeAnyLoad: RunAll checks every scenario before any
// load starts: each needs a Name of its own, and one invalid scenario stops
// them all, named.
func TestRunAllRefusesBeforeAnyLoad(t *testing.T) {
	nop := Func(func(context.Context) error { return nil })
	ok := func(name string) Scenario { return Scenario{Name: name, Target: nop, Load: Rate(10).For(time.Second)} }
	tests := []struct {
		name string
		give []Scenario
		want string
	}{
		{"no name", []Scenario{ok("a"), {Target: nop, Load: Rate(1).For(time.Second)}},
			"loadtest: RunAll: scenario 2 has no Name: each needs its own, for its subtest and its result file"},
		{"same name", []Scenario{ok("a"), ok("b"), ok("a")},
			`loadtest: RunAll: scenarios 1 and 3 are both named "a": each needs its own Name, for its subtest and its result file`},
		{"invalid", []Scenario{ok("a"), {Name: "b", Target: nop, Load: Users(3).RampTo(8.5).For(time.Second)}},
			"loadtest: scenario b: load stage 1 (3 users): RampTo(8.5): a closed-model stage ramps to a whole number of users, such as RampTo(9)"},
		{"fine", []Scenario{ok("a"), ok("b")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ready, _, msg := readyAll(t, tt.give, unscaled)
			if msg != tt.want {
				t.Errorf("message %q, want %q", msg, tt.want)
			}
			if msg == "" && len(ready) != len(tt.give) {
				t.Errorf("%d scenarios ready, want %d", len(ready), len(tt.give))
			}
		})
	}
}

// TestExecuteRefusesNilTargets: a Target interface that holds a nil value
// is no target. It was sent load, and panicked on every request (a nil
// Func) or in Prepare, crashing the test (a nil *HTTP or *FlowTarget).
func TestExecuteRefusesNilTargets(t *testing.T) {
	tests := []struct {
		name string
		give Target
		want string
	}{
		{"nil Func", Func(nil), "scenario has no Target: it is a nil loadtest.Func"},
		{"nil HTTP", (*HTTP)(nil), "scenario has no Target: it is a nil *loadtest.HTTP"},
		{"nil Flow", (*FlowTarget)(nil), "scenario has no Target: it is a nil *loadtest.FlowTarget"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Execute(context.Background(), Scenario{Name: "nil", Target: tt.give, Load: Rate(10).For(100 * time.Millisecond)})
			if !errors.Is(err, ErrNoTarget) || !strings.HasSuffix(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q wrapping ErrNoTarget", err, tt.want)
			}
		})
	}
}
