package loadtest

import (
	"fmt"
	"math"
	"math/bits"
	"time"
)

// Model says how requests arrive.
type Model string

const (
	// Open is the open model: requests arrive at a rate that does not depend
	// on how fast the target answers, as real users do.
	Open Model = "open"
	// Closed is the closed model: a fixed number of users each send a request,
	// wait for the answer, optionally think, and send the next.
	Closed Model = "closed"
)

// Arrivals says how requests are spaced in the open model.
type Arrivals string

const (
	// Even spaces arrivals exactly 1/rate apart.
	Even Arrivals = "even"
	// Exponential draws inter-arrival times from an exponential distribution
	// (a Poisson process), reproducible from [Stage.Seed].
	Exponential Arrivals = "poisson"
	// Custom arrivals are planned by the stage's own [Pacer] (see [Paced]).
	Custom Arrivals = "custom"
)

// Load is what a scenario puts on its target: one [Stage] or a sequence of
// them built with [Ramp].
type Load interface {
	// Stages returns the stages in the order they run.
	Stages() []Stage
}

// Stage is one stretch of a load: its arrivals or users, and its length.
// Build stages with [Rate], [Poisson], [Paced] or [Users] and refine them
// with the chaining methods; the zero Stage is not useful. A stage that
// would send nothing (a rate of 0 from start to end, 0 users throughout,
// a [Pacer] that plans no arrival before the stage ends) is refused when
// the scenario runs, and so is a stage of rates that plans under one
// request, as LOADGATE_SCALE can leave one: a run that sends nothing
// passes every limit on errors.
type Stage struct {
	// Name labels the stage in results; it defaults to a description such as
	// "200/s" or "50→500/s" or "10 users" or "10→50 users".
	Name string
	// Model is Open for [Rate], [Poisson] and [Paced] stages, Closed for
	// [Users].
	Model Model
	// Arrivals is how open-model requests are spaced.
	Arrivals Arrivals
	// From and To are the arrival rates, in requests per second, at the
	// start and at the end of the stage; the rate changes linearly between
	// them. They are equal for a hold.
	From, To float64
	// Pacer plans the arrivals of a stage built with [Paced] (Arrivals
	// Custom) instead of From and To.
	Pacer Pacer
	// Users and UsersTo are the numbers of concurrent loops of a
	// closed-model stage at its start and at its end: the count changes
	// linearly between them (see [Stage.RampUsersTo]). [Users] sets both;
	// they are equal for a hold.
	Users, UsersTo int
	// Think is the pause each closed-model user takes between requests.
	Think time.Duration
	// IterationsPerUser, if positive, ends a closed-model stage once each
	// user has done that many iterations (see [Stage.Iterations]).
	IterationsPerUser int
	// IterationsShared, if positive, ends a closed-model stage once its
	// users have done that many iterations between them (see
	// [Stage.SharedIterations]).
	IterationsShared int
	// Duration is how long the stage lasts (before LOADGATE_SCALE). For a
	// stage of a fixed number of iterations it is an upper bound, and 0
	// means [DefaultIterationsCap].
	Duration time.Duration
	// Seed seeds the exponential arrivals; 0 means seed 1. Every run of a
	// stage with one seed meets the same arrivals, base and head alike,
	// which keeps their comparison free of the arrivals' own noise.
	Seed int64
	// Gate, if set, is checked when the stage ends; the run stops after a
	// stage whose gate fails.
	Gate Gate

	rateRamped bool   // RampTo was called: a rate, which a closed stage refuses
	capDefault bool   // Duration is DefaultIterationsCap, set by ready, not by For
	shard      stride // the part of the schedule a shard runs (see splitLoad)
}

// Rate returns an open-model stage with evenly spaced arrivals at perSecond
// requests per second. Set its length with [Stage.For].
func Rate(perSecond float64) Stage {
	return Stage{Model: Open, Arrivals: Even, From: perSecond, To: perSecond}
}

// Poisson returns an open-model stage whose arrivals form a Poisson process
// with a mean of perSecond requests per second: the irregular, "breathing"
// traffic of many independent users. Set its length with [Stage.For].
func Poisson(perSecond float64) Stage {
	return Stage{Model: Open, Arrivals: Exponential, From: perSecond, To: perSecond}
}

// Paced returns an open-model stage whose arrivals p plans: a schedule of
// your own, such as a replayed trace or a burst pattern. Set its length with
// [Stage.For]; p sees it.
func Paced(p Pacer) Stage {
	return Stage{Model: Open, Arrivals: Custom, Pacer: p}
}

// Users returns a closed-model stage of n concurrent users, each sending its
// next request as soon as the previous one is answered (plus [Stage.Thinking]).
// Set its length with [Stage.For], or end it after a number of iterations
// with [Stage.Iterations] or [Stage.SharedIterations].
func Users(n int) Stage {
	return Stage{Model: Closed, Users: n, UsersTo: n}
}

// For returns the stage lasting d: for a stage of a fixed number of
// iterations, lasting at most d.
func (s Stage) For(d time.Duration) Stage { s.Duration = d; return s }

// RampTo returns the open-model stage ramping linearly from its rate to
// perSecond over its duration, as k6's ramping-arrival-rate does. On a
// closed-model stage, RampTo(n) with a whole n is [Stage.RampUsersTo](n):
// Users(10).RampTo(50) ramps from 10 users to 50, as k6's ramping-vus; a
// fractional n there is refused when the scenario runs.
func (s Stage) RampTo(perSecond float64) Stage {
	if s.Model == Closed && perSecond >= 0 && perSecond == math.Trunc(perSecond) && perSecond <= math.MaxInt32 {
		return s.RampUsersTo(int(perSecond))
	}
	s.To = perSecond
	s.rateRamped = true
	return s
}

// RampUsersTo returns the closed-model stage ramping its users linearly from
// [Stage.Users] to n over its duration, as k6's ramping-vus does: at offset t
// of a stage lasting d, Users + ⌊(n−Users)·t/d⌋ users run (rounded toward
// Users), so the count reaches n as the stage ends. A user added starts its
// first iteration at once; a user removed finishes the iteration it is in
// (its think time is cut short) and stops. Users(10).RampUsersTo(50).For(40*time.Second)
// adds a user every second; Users(50).RampUsersTo(0) ramps them down.
//
// RampUsersTo says users where [Stage.RampTo] says a rate or users by the
// stage's model; RampUsersTo on an open-model stage is refused when the
// scenario runs.
func (s Stage) RampUsersTo(n int) Stage { s.UsersTo = n; return s }

// Iterations returns the closed-model stage ending once each of its users
// has done n iterations (requests, or runs of a [Flow]), as k6's
// per-vu-iterations does: Users(8).Iterations(100) sends exactly 800. A
// user that is done waits for the others. The stage's duration, if set with
// [Stage.For], is an upper bound; without it the bound is
// [DefaultIterationsCap]. A warm-up before such a stage runs its users for
// the warm-up's length, and what they send then is not counted among the n.
func (s Stage) Iterations(n int) Stage { s.IterationsPerUser = n; return s }

// SharedIterations returns the closed-model stage ending once its users have
// done n iterations between them, as k6's shared-iterations does: each user
// takes the next iteration as soon as it is free, so faster users do more.
// Users(8).SharedIterations(1000) sends exactly 1000. Its duration bounds
// it as for [Stage.Iterations].
func (s Stage) SharedIterations(n int) Stage { s.IterationsShared = n; return s }

// DefaultIterationsCap bounds a stage of a fixed number of iterations that
// has no duration of its own ([Stage.For]): ten minutes, k6's default
// maxDuration. Under go test, [Run] also ends such a stage in time for the
// drain to finish before -timeout, giving each uncapped stage an equal
// share of the time left. LOADGATE_SCALE scales a duration set with For,
// not this default, and never the number of iterations. A stage that ends
// at its bound before its iterations are done has a warning in the result.
const DefaultIterationsCap = 10 * time.Minute

// Named returns the stage with the given name.
func (s Stage) Named(name string) Stage { s.Name = name; return s }

// Thinking returns the closed-model stage with users pausing d between
// requests. An open-model stage has no users to pause: think time on one
// is refused when the scenario runs (its arrivals keep their rate whatever
// the answers take).
func (s Stage) Thinking(d time.Duration) Stage { s.Think = d; return s }

// Seeded returns the stage with a seed for its exponential arrivals.
func (s Stage) Seeded(seed int64) Stage { s.Seed = seed; return s }

// Gated returns the stage guarded by g: when the stage ends, g sees the
// stage's result and the run stops if it returns an error. A stop is not a
// failure of the test, and SLA expressions judge only the stages that ran
// ("throughput >= 95%" too): Result.Stopped says where and why, so a test
// that must reach the last stage checks it.
func (s Stage) Gated(g Gate) Stage { s.Gate = g; return s }

// Stages implements [Load] for a single stage.
func (s Stage) Stages() []Stage { return []Stage{s} }

var _ Load = Stage{}
var _ Load = Sequence(nil)

// Sequence is a [Load] made of stages that run one after the other.
type Sequence []Stage

// Stages implements [Load].
func (q Sequence) Stages() []Stage { return q }

// Ramp returns the stages as one load that runs them in order: stepped holds
// (Rate(50).For(d), Rate(200).For(d), …), linear ramps
// (Rate(50).RampTo(500).For(d)), closed-model steps (Users(10), Users(50))
// and ramps (Users(0).RampUsersTo(50).For(d)). A stage of a fixed number of
// iterations ends when they are done, and the next stage starts then.
func Ramp(stages ...Stage) Sequence { return Sequence(stages) }

// label is the default name of the stage.
func (s Stage) label() string {
	if s.Name != "" {
		return s.Name
	}
	switch {
	case s.Model == Closed && s.Users != s.UsersTo:
		return fmt.Sprintf("%d→%d users", s.Users, s.UsersTo)
	case s.Model == Closed && s.Users == 1:
		return "1 user"
	case s.Model == Closed:
		return fmt.Sprintf("%d users", s.Users)
	case s.Arrivals == Custom:
		if str, ok := s.Pacer.(fmt.Stringer); ok {
			return str.String()
		}
		return "paced"
	}
	poisson := ""
	if s.Arrivals == Exponential {
		poisson = "poisson "
	}
	if s.From == s.To {
		return fmt.Sprintf("%s%s/s", poisson, formatRate(s.From))
	}
	return fmt.Sprintf("%s%s→%s/s", poisson, formatRate(s.From), formatRate(s.To))
}

func formatRate(r float64) string {
	if r == float64(int64(r)) {
		return fmt.Sprintf("%d", int64(r))
	}
	return fmt.Sprintf("%.3g", r)
}

// MaxRate bounds an open-model stage's rate, in requests per second: a
// million is already more than one process sends against a real server,
// and a plan far beyond what the scheduler can keep would take far longer
// than planned to run. Split a higher load over several processes
// ([Shard]).
const MaxRate = 1_000_000

// MaxUsers bounds the users of a closed-model stage, at its start and at
// its end: each is a goroutine and, for an HTTP target, a connection of its
// own, and a process runs out of file descriptors and of loopback's
// ephemeral ports (about 28,000 a destination on Linux) well before it. A
// stage starts all its users before it looks at its clock, so a count
// far beyond this (Users(1<<40) for 100 ms) ran for minutes past its
// length with nearly every request failing. Split a higher load over several
// processes ([Shard]).
const MaxUsers = 100_000

// MaxDuration bounds the length of a load, its warm-up and stages together
// (after LOADGATE_SCALE): a week, longer than soak tests run. Before the
// first request the run sets aside a counter for every second it plans, and
// the result keeps a line per second, so Rate(10).For(math.MaxInt64),
// meant as "until I cancel it", ran the process out of memory before
// sending anything, and two such stages overflowed the planned length and
// panicked. To run until canceled, give the load MaxDuration and cancel
// [Execute]'s context; run a longer soak as several runs.
const MaxDuration = 7 * 24 * time.Hour

// validate reports what is wrong with the stage, naming it by position.
func (s Stage) validate(i int) error {
	where := fmt.Sprintf("load stage %d (%s)", i+1, s.label())
	switch s.Model {
	case Open:
		if s.Users != 0 || s.UsersTo != 0 || s.IterationsPerUser != 0 || s.IterationsShared != 0 {
			return fmt.Errorf("%s: users, RampUsersTo and iterations belong to closed-model stages (build them with Users); an open-model stage ramps its rate with RampTo", where)
		}
		if s.Think != 0 {
			return fmt.Errorf("%s: think time (Thinking(%v)) belongs to closed-model stages, whose users wait between requests (build them with Users); an open-model stage's arrivals keep its rate whatever the answers take", where, s.Think)
		}
		if s.Arrivals == Custom || s.Pacer != nil {
			switch {
			case s.Pacer == nil:
				return fmt.Errorf("%s: Arrivals %q needs a Pacer (build the stage with Paced)", where, Custom)
			case s.Arrivals != Custom:
				return fmt.Errorf("%s: Pacer is set but Arrivals is %q (build the stage with Paced)", where, s.Arrivals)
			case s.rateRamped || s.From != 0 || s.To != 0:
				return fmt.Errorf("%s: RampTo does not apply to a Paced stage: its Pacer plans the rate", where)
			}
			break
		}
		for _, r := range []float64{s.From, s.To} {
			switch {
			case math.IsNaN(r) || math.IsInf(r, 0):
				return fmt.Errorf("%s: rate %v is not a number of requests per second", where, r)
			case r < 0:
				return fmt.Errorf("%s: rate must not be negative", where)
			case r > MaxRate:
				return fmt.Errorf("%s: rate %g/s is over %g/s, more than one process can send; split the load over several", where, r, float64(MaxRate))
			}
		}
		if s.Arrivals != Even && s.Arrivals != Exponential {
			return fmt.Errorf("%s: unknown arrivals %q (want %q or %q)", where, s.Arrivals, Even, Exponential)
		}
		if s.From == 0 && s.To == 0 {
			// It would idle, and "throughput >= 95%" and "errors == 0"
			// would pass on nothing.
			return fmt.Errorf("%s: rate 0 sends nothing: remove the stage or give it a rate", where)
		}
	case Closed:
		switch {
		case (s.rateRamped || s.To != 0) && s.To > MaxUsers && s.To == math.Trunc(s.To):
			return fmt.Errorf("%s: RampTo(%s): %s users are over %d, more than one process can run; split the load over several", where, formatRate(s.To), formatRate(s.To), MaxUsers)
		case s.rateRamped && s.To < 0 && s.From == 0:
			// Not "such as RampTo(-1)": RampTo kept the rate because it
			// was negative, not because it was a fraction.
			return fmt.Errorf("%s: RampTo(%s): users must not be negative", where, formatRate(s.To))
		case s.rateRamped || s.From != 0 || s.To != 0:
			return fmt.Errorf("%s: RampTo(%s): a closed-model stage ramps to a whole number of users, such as RampTo(%d)", where, formatRate(s.To), int(math.Ceil(s.To)))
		case s.Pacer != nil:
			return fmt.Errorf("%s: a Pacer plans open-model arrivals; build the stage with Paced", where)
		case s.Users < 0:
			return fmt.Errorf("%s: users must not be negative", where)
		case s.UsersTo < 0:
			return fmt.Errorf("%s: RampUsersTo must not be negative, got %d", where, s.UsersTo)
		case s.Users > MaxUsers || s.UsersTo > MaxUsers:
			return fmt.Errorf("%s: %d users are over %d, more than one process can run; split the load over several", where, max(s.Users, s.UsersTo), MaxUsers)
		case s.Think < 0:
			return fmt.Errorf("%s: think time must not be negative", where)
		case s.IterationsPerUser < 0:
			return fmt.Errorf("%s: Iterations must not be negative, got %d", where, s.IterationsPerUser)
		case s.IterationsShared < 0:
			return fmt.Errorf("%s: SharedIterations must not be negative, got %d", where, s.IterationsShared)
		case s.IterationsPerUser > 0 && s.IterationsShared > 0:
			return fmt.Errorf("%s: Iterations (%d per user) and SharedIterations (%d in all) cannot both bound a stage; pick one", where, s.IterationsPerUser, s.IterationsShared)
		case s.iterations() && s.Users != s.UsersTo:
			return fmt.Errorf("%s: a stage of a fixed number of iterations cannot ramp its users (RampUsersTo); hold them, or ramp in a stage of its own", where)
		case s.iterations() && s.Users == 0:
			return fmt.Errorf("%s: iterations need at least one user, got Users(0)", where)
		case s.Users == 0 && s.UsersTo == 0:
			return fmt.Errorf("%s: 0 users send nothing: remove the stage or give it users", where)
		}
	default:
		return fmt.Errorf("%s: unknown model %q (build stages with Rate, Poisson, Paced or Users)", where, s.Model)
	}
	if s.Gate != nil {
		if err := probeGate(s.Gate); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
	}
	switch {
	case s.iterations() && s.Duration < 0:
		return fmt.Errorf("%s: duration must not be negative (it bounds the iterations; leave it out for %v)", where, DefaultIterationsCap)
	case !s.iterations() && s.Duration <= 0:
		return fmt.Errorf("%s: duration must be positive (use .For(d))", where)
	case s.Duration > MaxDuration:
		return fmt.Errorf("%s: duration %v is over %v (MaxDuration); to run until canceled, use MaxDuration and cancel the run's context", where, s.Duration, MaxDuration)
	}
	return nil
}

// iterations reports whether the stage ends after a number of iterations.
func (s Stage) iterations() bool { return s.IterationsPerUser > 0 || s.IterationsShared > 0 }

// totalIterations is the number of iterations that ends the stage; 0 for a
// stage bounded by time alone.
func (s Stage) totalIterations() int64 {
	if s.IterationsShared > 0 {
		return int64(s.IterationsShared)
	}
	return int64(s.IterationsPerUser) * int64(s.Users)
}

// usersAt is the number of users the closed-model stage s, lasting d, plans
// to run at offset t: from Users to UsersTo, rounded toward Users.
func (s Stage) usersAt(t, d time.Duration) int {
	if s.Users == s.UsersTo || t <= 0 || d <= 0 {
		return s.Users
	}
	if t >= d {
		return s.UsersTo
	}
	n := int(mulDiv(uint64(absInt(s.UsersTo-s.Users)), uint64(t), uint64(d)))
	if s.UsersTo < s.Users {
		return s.Users - n
	}
	return s.Users + n
}

// userStep is the offset at which a ramp of the closed-model stage s,
// lasting d, has moved k users from Users: the first t with
// usersAt(t, d) k away from Users. The arithmetic is in integers, so that
// the engine's steps and usersAt agree to the nanosecond.
func (s Stage) userStep(k int, d time.Duration) time.Duration {
	hi, lo := bits.Mul64(uint64(k), uint64(d))
	q, r := bits.Div64(hi, lo, uint64(absInt(s.UsersTo-s.Users)))
	if r != 0 {
		q++ // the first whole nanosecond at or after k·d/Δ
	}
	return time.Duration(q)
}

// mulDiv returns ⌊a·b/c⌋ without overflowing in the product; the result must
// fit in 64 bits, as it does for a point inside a stage.
func mulDiv(a, b, c uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	q, _ := bits.Div64(hi, lo, c)
	return q
}

func absInt(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
