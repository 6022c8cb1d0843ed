package loadtest

import (
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"strings"
	"time"
)

// Scenario is one load test: what to hit, and how hard. Only Target and
// Load are required; the zero value of every other field picks the default
// in [DefaultScenario].
type Scenario struct {
	// Name identifies the scenario in results and file names; it defaults
	// to the test's name.
	Name string
	// Target is what one request does.
	Target Target
	// Load is the arrival pattern: a [Stage] or a [Ramp] of stages.
	Load Load
	// Warmup runs the first stage's starting load for this long before the
	// measured load; nothing it sends is in the statistics. A first stage
	// that starts from nothing (Users(0).RampUsersTo(n), a rate ramp from
	// 0) has nothing to warm up with: a Warmup is refused there.
	Warmup time.Duration
	// Timeout bounds each request; the context passed to the target expires
	// after it, and the request counts as a "timeout" failure.
	Timeout time.Duration
	// MaxInFlight caps the requests running at once in the open model,
	// with the arrivals waiting for a worker while new connections open
	// (an HTTP target starts a few at a time; see Result.Generator). An
	// arrival that finds the cap reached is counted as dropped: it is
	// never sent later in a burst. It is k6's maxVUs of an arrival-rate
	// scenario (whose dropped_iterations are Result.Dropped); vegeta's
	// -max-workers instead sends such an arrival late. Closed-model
	// stages are bounded by their users alone.
	MaxInFlight int
	// Abort stops the run early when the load is clearly failing; off by
	// default.
	Abort Abort
	// Leaks configures the goroutine-leak check after the load: by default
	// goroutines that the scenario started (in the harness, the target, or
	// a server this test runs in-process) and that are still alive once the
	// load has drained fail the test.
	Leaks LeakCheck
	// Watch, if set, observes the service under test from outside during
	// the run (its metrics, its goroutines); the result's Server holds what
	// it saw.
	Watch Watcher
	// CoolDown is how long Run keeps watching after the load, so that the
	// service's goroutines and files can return to their level before it
	// (default DefaultCoolDown when Watch is set). It needs a Watch: a
	// scenario without one that sets it is refused.
	CoolDown time.Duration
	// Profile selects the profiles taken of the measured load (CPU, heap,
	// goroutines, mutex and block), written next to the result; off by
	// default. LOADGATE_PROFILE (loadgate run -profile) adds to it.
	Profile Profile
	// AllowHosts lists the hosts other than loopback that this scenario may
	// send load to; LOADGATE_ALLOW_HOSTS (comma-separated) adds more.
	// Loopback needs no entry: the IP addresses of 127.0.0.0/8 and ::1, and
	// the name localhost. No other name is resolved to decide, so a name
	// that points at 127.0.0.1 must be listed. An entry is one host name or
	// IP address and allows that host alone, case-insensitively, on any
	// port; ports, wildcards and CIDR ranges are errors, not entries. Every
	// other host is refused before the run, and a connection to a host that
	// is not listed must reach a loopback address whatever DNS answers, so
	// that a load test cannot hit production by mistake. watch.AllowHost
	// follows the same rules.
	AllowHosts []string
	// ProgressEvery is the interval of progress lines in the test log under
	// go test -v (and -json, as loadgate runs tests). A line's figures are
	// those of the whole seconds completed so far, so an interval under a
	// second repeats them.
	ProgressEvery time.Duration
	// Slowest is how many of the slowest requests of the measured load the
	// result keeps (Result.Slowest), with their request and trace ids;
	// negative keeps none, and at most 1000 are kept. Memory stays bounded
	// and recording a request allocates nothing either way.
	Slowest int
	// FlightRecorder keeps an execution trace of the moment that mattered
	// (a failed gate, the abort, or the worst second) beside the result;
	// off unless On or LOADGATE_FLIGHT=1.
	FlightRecorder FlightRecorder

	// In a sharded run (set by ready): the shard, and the plan of the
	// whole load, which Load no longer holds.
	split *sharding
	whole *LoadInfo
}

// Abort stops a run whose every second, for Sustained in a row, has an error
// rate above ErrorRate or a p99 above P99; a zero ErrorRate or P99 is not
// checked, and the zero Abort never stops a run. A second's error rate is
// that of the requests that completed in it, as [Result.ErrorRate]. For example
// Abort{ErrorRate: 0.5, Sustained: 5 * time.Second} gives up on a service
// that fails half its requests for five seconds. The rule looks at whole
// seconds, so Sustained is rounded up to whole seconds (1.5s waits for two
// bad seconds in a row), and one under a second, 0 included, means a
// single bad second.
type Abort struct {
	ErrorRate float64
	P99       time.Duration
	Sustained time.Duration
}

// DefaultScenario holds the defaults for the zero fields of a [Scenario].
var DefaultScenario = Scenario{
	Timeout:        30 * time.Second,
	MaxInFlight:    10000,
	Leaks:          LeakCheck{Wait: 2 * time.Second},
	ProgressEvery:  5 * time.Second,
	Profile:        Profile{MutexFraction: 10, BlockRate: 10000},
	Slowest:        10,
	FlightRecorder: FlightRecorder{Window: 10 * time.Second, MaxBytes: 64 << 20},
}

// ErrNoTarget and ErrNoLoad are returned for a scenario missing its Target
// or Load. A Target that holds a nil value (a nil Func, a nil *HTTP or
// *FlowTarget) is missing too: it could only panic on every request.
var (
	ErrNoTarget = errors.New("scenario has no Target")
	ErrNoLoad   = errors.New("scenario has no Load")
)

// withDefaults returns s with its zero fields filled and every duration of
// the load multiplied by scale.
func (s Scenario) withDefaults(scale float64) Scenario {
	d := DefaultScenario
	if s.Timeout == 0 {
		s.Timeout = d.Timeout
	}
	if s.MaxInFlight == 0 {
		s.MaxInFlight = d.MaxInFlight
	}
	if s.Leaks.Wait == 0 {
		s.Leaks.Wait = d.Leaks.Wait
	}
	if s.Watch != nil && s.CoolDown == 0 {
		s.CoolDown = DefaultCoolDown
	}
	if s.ProgressEvery == 0 {
		s.ProgressEvery = d.ProgressEvery
	}
	if s.Profile.MutexFraction == 0 {
		s.Profile.MutexFraction = d.Profile.MutexFraction
	}
	if s.Profile.BlockRate == 0 {
		s.Profile.BlockRate = d.Profile.BlockRate
	}
	if s.FlightRecorder.Window == 0 {
		s.FlightRecorder.Window = d.FlightRecorder.Window
	}
	if s.FlightRecorder.MaxBytes == 0 {
		s.FlightRecorder.MaxBytes = d.FlightRecorder.MaxBytes
	}
	switch {
	case s.Slowest == 0:
		s.Slowest = d.Slowest
	case s.Slowest < 0:
		s.Slowest = 0
	case s.Slowest > maxSlowest:
		s.Slowest = maxSlowest
	}
	if scale != 1 {
		s.Warmup = scaleDuration(s.Warmup, scale)
	}
	stages := append([]Stage(nil), s.Load.Stages()...)
	changed := false
	for i := range stages {
		st := &stages[i]
		if scale != 1 {
			// Think time is how users behave, not how long the load
			// lasts: scaling it would make a shorter run hotter.
			st.Duration = scaleDuration(st.Duration, scale)
			changed = true
		}
		if st.Model == Closed && st.iterations() && st.Duration == 0 {
			st.Duration, st.capDefault = DefaultIterationsCap, true
			changed = true
		}
	}
	if changed {
		s.Load = Sequence(stages)
	}
	return s
}

// fitCaps shortens the default bounds of the scenario's stages of a fixed
// number of iterations ([DefaultIterationsCap]) so that its load and then
// its drain fit in left, the time go test's -timeout leaves: each such stage
// gets an equal share of what the rest of the load leaves. It returns the
// load's planned length; ok is false if the rest of the load does not fit by
// itself.
func (s Scenario) fitCaps(left time.Duration) (_ Scenario, need time.Duration, ok bool) {
	stages := append([]Stage(nil), s.Load.Stages()...)
	fixed, uncapped := s.Warmup+s.CoolDown, 0
	for _, st := range stages {
		if st.capDefault {
			uncapped++
		} else {
			fixed += st.Duration
		}
	}
	if fixed >= left {
		return s, fixed, false
	}
	if uncapped == 0 {
		return s, fixed, true
	}
	spare := left - fixed
	share := max((spare-s.Timeout-drainGrace)/time.Duration(uncapped), spare/time.Duration(2*uncapped), 1)
	need = fixed
	for i := range stages {
		if stages[i].capDefault {
			stages[i].Duration = min(stages[i].Duration, share)
			need += stages[i].Duration
		}
	}
	s.Load = Sequence(stages)
	return s, need, need < left
}

func scaleDuration(d time.Duration, scale float64) time.Duration {
	if d <= 0 {
		return d
	}
	f := float64(d) * scale
	if f >= math.MaxInt64 {
		// Out of range, the conversion gave a negative duration, and the
		// stage ran for 1ns; saturated, validate refuses it by name.
		return math.MaxInt64
	}
	if v := time.Duration(f); v > 0 {
		return v
	}
	return 1
}

// ready returns s with its defaults and scales applied, or why it cannot
// run.
func (s Scenario) ready(sc scales) (Scenario, error) {
	if s.Load == nil || len(s.Load.Stages()) == 0 {
		return s, ErrNoLoad
	}
	s = s.withDefaults(sc.duration)
	if sc.rate != 1 {
		s.Load = scaleRates(s.Load, sc.rate)
	}
	err := s.validate()
	if err == nil {
		err = s.planned()
	}
	var at []string
	if sc.duration != 1 {
		at = append(at, fmt.Sprintf("%s=%g", EnvScale, sc.duration))
	}
	if sc.rate != 1 {
		at = append(at, fmt.Sprintf("%s=%g", EnvRateScale, sc.rate))
	}
	if err != nil {
		if len(at) > 0 {
			return s, fmt.Errorf("%w (at %s)", err, strings.Join(at, ", "))
		}
		return s, err
	}
	if sh := sc.split; sh != nil {
		whole := planOf(s)
		load, err := splitLoad(s.Load, sh.index, sh.count)
		if err != nil {
			return s, fmt.Errorf("%w (as shard %d of %d, %s)", err, sh.index, sh.count, sh.from)
		}
		s.Load, s.split, s.whole = load, sh, &whole
	}
	return s, nil
}

// planned checks that every open-model stage of rates plans at least one
// request: LOADGATE_SCALE=1e-9 left a stage of 100/s for 1ns, and the
// run reported "1 requests in 0s (22184.3 req/s sent)". A stage of a Pacer
// of its own must plan a first arrival before it ends: one that planned
// none sent nothing, and the run passed with no word. A stage of users
// plans no count to check.
func (s Scenario) planned() error {
	for i, st := range s.Load.Stages() {
		if st.Model != Open {
			continue
		}
		if st.Arrivals == Custom {
			if !plansArrival(st.Pacer, st.Duration) {
				return fmt.Errorf("load stage %d (%s): its Pacer plans no arrival in %v, so the stage would send nothing: plan one before the stage ends, or remove the stage",
					i+1, st.label(), st.Duration)
			}
			continue
		}
		if n := (st.From + st.To) / 2 * st.Duration.Seconds(); n < 1 {
			return fmt.Errorf("load stage %d (%s): %v at %s plans %.3g requests, under one: lengthen the stage or raise its rate",
				i+1, st.label(), st.Duration, rateText(st), n)
		}
	}
	return nil
}

// rateText writes the stage's rate: "100/s" or "0→10/s".
func rateText(st Stage) string {
	if st.From == st.To {
		return formatRate(st.From) + "/s"
	}
	return formatRate(st.From) + "→" + formatRate(st.To) + "/s"
}

// scaleRates returns the stages of load with the rates of open-model
// stages and the users of closed-model ones multiplied by f
// (LOADGATE_RATE_SCALE). Users are rounded up, and a stage of users keeps
// at least one, so that a scaled-down load still runs: 8 users at 0.1 are
// 1, at 0.3 are 3. Think time, durations, MaxInFlight and the timeout are
// not scaled. A stage keeps the name it had unscaled (its default name
// too), so that SLA selectors such as {stage="200/s"} still find it; the
// plan in the result holds the rates and users it ran with.
func scaleRates(load Load, f float64) Sequence {
	stages := append([]Stage(nil), load.Stages()...)
	for i := range stages {
		st := &stages[i]
		st.Name = st.label()
		switch st.Model {
		case Open:
			st.From *= f
			st.To *= f
		case Closed:
			// Both ends: scaling only Users turned a hold of 10 users
			// at 0.5 into a ramp from 5 to 10.
			if st.Users > 0 {
				st.Users = scaleUsers(st.Users, f)
			}
			if st.UsersTo > 0 {
				st.UsersTo = scaleUsers(st.UsersTo, f)
			}
		}
	}
	return Sequence(stages)
}

// scaleUsers is n users times f, rounded up, at least 1. A product within
// rounding error of a whole number is that number: 10 × 0.3 is 3, not 4.
func scaleUsers(n int, f float64) int {
	v := float64(n) * f
	if r := math.Round(v); math.Abs(v-r) <= 1e-9*v {
		v = r
	}
	return max(1, int(math.Ceil(v)))
}

// withEnvFlight returns s with its flight recording on if LOADGATE_FLIGHT
// says so.
func (s Scenario) withEnvFlight() (Scenario, error) {
	on, err := flightFromEnv(os.Getenv)
	s.FlightRecorder.On = s.FlightRecorder.On || on
	return s, err
}

// isNil reports whether t holds a nil pointer, func, map, channel or slice.
func isNil(t Target) bool {
	switch v := reflect.ValueOf(t); v.Kind() {
	case reflect.Pointer, reflect.Func, reflect.Map, reflect.Chan, reflect.Slice, reflect.Interface:
		return v.IsNil()
	}
	return false
}

// validate checks the scenario after defaults were applied.
func (s Scenario) validate() error {
	if s.Target == nil {
		return ErrNoTarget
	}
	if isNil(s.Target) {
		return fmt.Errorf("%w: it is a nil %T", ErrNoTarget, s.Target)
	}
	if s.Load == nil || len(s.Load.Stages()) == 0 {
		return ErrNoLoad
	}
	for i, st := range s.Load.Stages() {
		if err := st.validate(i); err != nil {
			return err
		}
	}
	first := s.Load.Stages()[0]
	switch {
	case s.Warmup < 0:
		return fmt.Errorf("Warmup must not be negative, got %v", s.Warmup)
	case s.Warmup > 0 && (first.Model == Closed && first.Users == 0 || first.Model == Open && first.Arrivals != Custom && first.From == 0):
		// It idled for its length and warmed nothing, as k6's
		// startVUs: 0 would.
		return fmt.Errorf("Warmup (%v) runs load stage 1 (%s) at its starting load, which sends nothing: start the stage above 0, or put a stage of its own before it in place of the warm-up", s.Warmup, first.label())
	case s.Timeout < 0:
		return fmt.Errorf("Timeout must not be negative, got %v", s.Timeout)
	case s.MaxInFlight < 0:
		return fmt.Errorf("MaxInFlight must not be negative, got %d", s.MaxInFlight)
	case s.Leaks.Wait < 0:
		return fmt.Errorf("Leaks.Wait must not be negative, got %v", s.Leaks.Wait)
	case !(s.Abort.ErrorRate >= 0 && s.Abort.ErrorRate <= 1): // NaN too
		return fmt.Errorf("Abort.ErrorRate must be in [0, 1], got %g", s.Abort.ErrorRate)
	case s.Abort.P99 < 0:
		// The rule checks a positive P99 only: a negative one never
		// aborted, without a word.
		return fmt.Errorf("Abort.P99 must not be negative, got %v", s.Abort.P99)
	case s.ProgressEvery < 0:
		// A negative interval wrote a progress line every 100ms.
		return fmt.Errorf("ProgressEvery must not be negative, got %v", s.ProgressEvery)
	case s.CoolDown < 0:
		return fmt.Errorf("CoolDown must not be negative, got %v", s.CoolDown)
	case s.CoolDown > 0 && s.Watch == nil:
		// It was ignored: the run ended with the load, and nothing said so.
		return fmt.Errorf("CoolDown (%v) is how long Run keeps watching the service after the load, and the scenario has no Watch: set Watch, or leave CoolDown out", s.CoolDown)
	case s.Profile.MutexFraction < 0:
		return fmt.Errorf("Profile.MutexFraction must not be negative, got %d", s.Profile.MutexFraction)
	case s.Profile.BlockRate < 0:
		return fmt.Errorf("Profile.BlockRate must not be negative, got %d", s.Profile.BlockRate)
	case s.Abort.Sustained < 0:
		return fmt.Errorf("Abort.Sustained must not be negative, got %v", s.Abort.Sustained)
	case s.FlightRecorder.Window < 0:
		return fmt.Errorf("FlightRecorder.Window must not be negative, got %v", s.FlightRecorder.Window)
	case s.Warmup > MaxDuration:
		return fmt.Errorf("Warmup (%v) is over %v (MaxDuration)", s.Warmup, MaxDuration)
	}
	// Each term is at most MaxDuration, so the sum cannot overflow before
	// it is caught.
	total := s.Warmup
	for i, st := range s.Load.Stages() {
		if total += st.Duration; total > MaxDuration {
			return fmt.Errorf("load stage %d (%s): the load lasts %v by the stage's end (warm-up included), over %v (MaxDuration): run a longer soak as several runs",
				i+1, st.label(), total, MaxDuration)
		}
	}
	return nil
}
