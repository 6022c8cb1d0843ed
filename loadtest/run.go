package loadtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/allowhosts"
)

var noteMissingLeakProfile sync.Once

// deadlineMargin is kept free before go test's -timeout: writing the result
// and the test's own cleanup need a moment too.
const deadlineMargin = 2 * time.Second

// drainGrace is added to the request timeout when waiting for the requests
// still running after the load.
const drainGrace = time.Second

// scenarioTests maps the results directory and name of every scenario Run
// and RunAll ran in this process to the test that ran it: two tests must
// not write results of one scenario name.
var scenarioTests sync.Map

// claimName records that test runs the scenario called name, or says which
// other test did: one name, one scenario, or their results would be read
// as runs of one scenario and compared with one baseline. It holds only
// while results are written (LOADGATE_OUT, as loadgate run and the Action
// set it): without, tests may reuse a name.
func claimName(name, test string) error {
	out := os.Getenv(EnvOut)
	if out == "" {
		return nil
	}
	if other, ok := scenarioTests.LoadOrStore(out+"\x00"+name, test); ok && other != test {
		return fmt.Errorf("loadtest: scenario %q is the scenario of %s too: give each test's scenario its own Scenario.Name", name, other)
	}
	return nil
}

// Run drives the scenario's load from test t and returns what it measured.
//
// Run fails t (and returns nil) if the scenario is invalid, has the name of
// a scenario another test of the process ran while results are written
// (LOADGATE_OUT), or cannot finish
// before go test's -timeout. It fails t (and returns the result) if the
// load sent no request at all, which measured nothing: a Unique feed used
// up before the measured load, a context already ended; one shard of a
// sharded run may send none without failing, as the merged result is the
// one judged. A failed request is data, not a failure of t:
// the caller asserts on the returned [Result]. Under go test -v, Run logs a
// progress line every few seconds and a summary at the end; when
// LOADGATE_OUT is set it writes the result there (see [WriteFile]). To run
// several scenarios at once, use [RunAll].
//
// Ctrl-C (SIGINT) or SIGTERM during the load stops it as a failed gate
// would, instead of killing the test binary with what it measured: the
// result (Stopped.Cause "interrupted") is summarised and written, t fails,
// and the process's later scenarios are skipped. One that comes after the
// load, before the result is written, stops nothing but skips the later
// scenarios too. A second signal kills the process as before. A signal
// the process was started ignoring (SIGINT in a shell script's background
// job) stays ignored. Under plain go test without -v the go command drops
// the output of a package it was interrupted in; the result file stays.
//
// LOADGATE_SCALE multiplies every duration of the load (not think time),
// and LOADGATE_RATE_SCALE the rates of its open-model stages and the users
// of its closed-model ones (rounded up, at least one user a stage); the
// result records both (Env.Scale, Env.RateScale). When t, or a test t is a
// subtest of, took its base URL from [TargetURL] under LOADGATE_TARGET, Run
// fails t before any request unless the target's host is loopback or
// allowed (Scenario.AllowHosts, LOADGATE_ALLOW_HOSTS), and records the
// target in Env.Target.
//
// Under LOADGATE_SHARD=i/N (or JOB_COMPLETION_INDEX with LOADGATE_SHARDS)
// Run sends shard i's share of the load, starting at LOADGATE_START_AT if
// set, and its result says so ([Shard]): its gates and Abort act on that
// share alone, and loadgate merge joins the shards' results into the one
// to judge (docs/SHARDS.md).
func Run(t testing.TB, s Scenario) *Result {
	t.Helper()
	if why := interruptedBefore(); why != "" {
		t.Skipf("loadtest: %s", why)
		return nil
	}
	pkg := callerPackage(1)
	sc, err := scalesFromEnv()
	if err == nil {
		s, err = s.withEnvFlight()
	}
	if err != nil {
		t.Fatalf("loadtest: %v", err)
		return nil
	}
	if s.Name == "" {
		s.Name = t.Name()
	}
	if err := claimName(s.Name, t.Name()); err != nil {
		t.Fatalf("%v", err)
		return nil
	}
	s, drainLimit, msg := readyFor(t, s, sc)
	if msg != "" {
		t.Fatalf("%s", msg)
		return nil
	}
	return runReady(t, s, pkg, sc, execOptions{drainLimit: drainLimit})
}

// readyFor returns s with its defaults and scales applied and the time its
// drain may take, or why it cannot run from t: it is invalid, its target
// (LOADGATE_TARGET) is not allowed, or it cannot finish before go test's
// -timeout.
func readyFor(t testing.TB, s Scenario, sc scales) (_ Scenario, drainLimit time.Duration, msg string) {
	envProfile, err := profileFromEnv(os.Getenv)
	if err != nil {
		return s, 0, fmt.Sprintf("loadtest: %v", err)
	}
	s.Profile = s.Profile.with(envProfile)
	s, err = s.ready(sc)
	if err != nil {
		return s, 0, fmt.Sprintf("loadtest: scenario %s: %v", s.Name, err)
	}
	if target, targeted := targetOf(t.Name()); targeted {
		if err := checkTarget(target, s.AllowHosts); err != nil {
			return s, 0, fmt.Sprintf("loadtest: scenario %s: %v", s.Name, err)
		}
	}
	drainLimit = s.Timeout + drainGrace
	startAt, err := s.split.pendingStart(time.Now())
	if err != nil {
		return s, 0, fmt.Sprintf("loadtest: scenario %s: %v", s.Name, err)
	}
	if dt, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if deadline, ok := dt.Deadline(); ok {
			left := max(time.Until(deadline)-deadlineMargin, 0)
			if !startAt.IsZero() {
				// The wait for LOADGATE_START_AT comes out of go test's
				// time too.
				left = max(left-time.Until(startAt), 0)
			}
			s, need, ok := s.fitCaps(left)
			if !ok {
				return s, 0, fmt.Sprintf("loadtest: scenario %s needs %v of load but go test -timeout leaves %v: "+
					"raise -timeout (e.g. -timeout %v) or scale the load down with %s=0.1",
					s.Name, need, left.Round(time.Second), (2*need + time.Minute).Round(time.Minute), EnvScale)
			}
			return s, min(drainLimit, left-need), ""
		}
	}
	return s, drainLimit, ""
}

// runReady runs the ready scenario s from t and reports it as [Run] does.
func runReady(t testing.TB, s Scenario, pkg string, sc scales, opts execOptions) *Result {
	t.Helper()
	ctx := context.Background()
	if c, ok := t.(interface{ Context() context.Context }); ok {
		ctx = c.Context()
	}
	opts.logf = func(format string, args ...any) {
		if testing.Verbose() {
			t.Logf(format, args...)
		}
	}
	// Caught until the result is written, not only during the load: a
	// signal between the two would kill the process with what it measured.
	ctx, stopCatching := interruptible(ctx, s.Name)
	defer stopCatching()
	res, err := execute(ctx, s, opts)
	if err != nil {
		t.Fatalf("loadtest: scenario %s: %v", s.Name, err)
		return nil
	}
	res.Package = pkg
	res.Test = t.Name()
	target, targeted := targetOf(t.Name())
	res.Env = currentEnv(sc, target)
	if w := unusedTarget(t.Name()); w != "" && !targeted {
		res.Warnings = append(res.Warnings, w)
	}

	if stack := res.panicStack; stack != "" {
		t.Logf("loadtest: %s: the target panicked %d times; the first panic:\n%s",
			s.Name, res.ErrorKinds[KindPanic], stack)
	}
	t.Log("\n" + Summary(res))
	if msg := nothingSent(res); msg != "" {
		t.Errorf("%s", msg)
	}
	if st := res.Stopped; st != nil && st.Cause == StopInterrupted {
		t.Errorf("loadtest: scenario %s stopped early: %s; its result holds the load until then", s.Name, st.Reason)
	}
	if res.gateInvalid != "" {
		// Not a verdict on the service: the load was written wrong, and a
		// test that did not look at Result.Stopped would pass on one stage.
		t.Errorf("loadtest: scenario %s: %s", s.Name, res.gateInvalid)
	}
	if len(res.Leaks) > 0 && !s.Leaks.ReportOnly {
		t.Errorf("loadtest: scenario %s leaked goroutines (fix the code that started them, or set Scenario.Leaks: Ignore lists functions whose goroutines may outlive the load, ReportOnly reports without failing):\n%s",
			s.Name, leakReport(res.Leaks))
	}
	if len(res.Leaks) > 0 { // said once, where it explains a report
		// Logged here, not in the Once's func: a log from a closure is
		// attributed to run.go, not to the test's line that called Run.
		missing := false
		noteMissingLeakProfile.Do(func() { missing = !leakProfileAvailable() })
		if missing {
			t.Logf("loadtest: the runtime's goroutineleak profile is not available (it needs Go 1.27, or Go 1.26 with GOEXPERIMENT=goroutineleakprofile): leaks are found by comparing goroutines before and after, not proven")
		}
	}
	if dir := os.Getenv(EnvOut); dir != "" {
		path, err := WriteFile(dir, res)
		if err != nil {
			t.Errorf("loadtest: %v", err)
		} else {
			t.Logf("loadtest: result written to %s", path)
			if len(res.Profiles) > 0 {
				t.Logf("loadtest: profiles of the load written beside it (go tool pprof %s)", filepath.Join(dir, res.Profiles[profileToShow(res.Profiles)]))
			}
			if fr := res.FlightRecording; fr != nil {
				t.Logf("loadtest: flight recording %s written to %s (go tool trace opens it)", fr, filepath.Join(filepath.Dir(path), fr.File))
			}
		}
	} else {
		if len(res.profiles) > 0 {
			t.Logf("loadtest: %d profiles taken but not written: set %s to a directory to keep them", len(res.profiles), EnvOut)
		}
		if fr := res.FlightRecording; fr != nil {
			t.Logf("loadtest: a flight recording was taken %s but not written: set %s to keep it", fr, EnvOut)
		}
	}
	return res
}

// Execute runs the scenario outside a test and returns what it measured: it
// is [Run] for programs, such as a command-line tool or a benchmark driver,
// that have no testing.TB. The zero fields of s take [DefaultScenario],
// LOADGATE_SCALE and LOADGATE_RATE_SCALE scale the load, and
// LOADGATE_SHARD and LOADGATE_START_AT shard and start it, as they do for
// Run, and the name defaults to "scenario". Execute does not read
// LOADGATE_TARGET: a program that points its target elsewhere should set
// Result.Env.Target itself, so that comparisons tell its targets apart.
//
// Execute returns an error only if the scenario is invalid or its target's
// Prepare fails, before any request is sent; failed requests, leaked
// goroutines and early stops are in the [Result]. It logs nothing and writes
// no file: the caller can render the result with [Summary] and write it with
// [WriteFile]. Canceling ctx, or its deadline, ends the load early
// (Result.Stopped says so), like the end of a test's context does for Run:
// the requests it cuts off are failures of kind "canceled", not "timeout".
func Execute(ctx context.Context, s Scenario) (*Result, error) {
	what := "loadtest"
	if s.Name != "" {
		what = "loadtest: scenario " + s.Name
	} else {
		s.Name = "scenario"
	}
	sc, err := scalesFromEnv()
	if err == nil {
		s, err = s.withEnvFlight()
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	envProfile, err := profileFromEnv(os.Getenv)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	s.Profile = s.Profile.with(envProfile)
	s, err = s.ready(sc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	res, err := execute(ctx, s, execOptions{drainLimit: s.Timeout + drainGrace})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	res.Env = currentEnv(sc, "")
	return res, nil
}

// canceledStop says why the run that ended ctx stopped in stage.
func canceledStop(ctx context.Context, stage string) Stop {
	cause := context.Cause(ctx)
	var in errInterrupted
	if errors.As(cause, &in) {
		return Stop{Cause: StopInterrupted, Stage: stage, Reason: in.Error()}
	}
	return Stop{Cause: "canceled", Stage: stage, Reason: "the run's context ended: " + cause.Error()}
}

// execOptions tune execute for its caller.
type execOptions struct {
	// drainLimit bounds the wait for the requests still running after the
	// load.
	drainLimit time.Duration
	// logf receives progress lines; nil drops them.
	logf func(string, ...any)
	// runner is a goroutine whose descendants belong to the scenario, as
	// the calling goroutine's do (a test server the test started): for
	// RunAll, the test's own goroutine. 0 for none but the caller.
	runner int
	// start, if set, is called once the target is prepared, right before
	// the load; RunAll's scenarios wait in it for each other.
	start func()
}

// execute runs the load of a validated scenario and builds its result. It
// fails only if the target's Prepare does, before any request is sent.
func execute(ctx context.Context, s Scenario, opts execOptions) (*Result, error) {
	drainLimit, logf := opts.drainLimit, opts.logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	stages := s.Load.Stages()
	runID := newRunID()
	startAt, err := s.split.pendingStart(time.Now())
	if err != nil {
		return nil, err
	}
	// The requests' context: it ends with ctx, or when the drain gives up
	// on the requests still running. Prepare gets it too, so that what a
	// target ties to it (the Lean pool closes its busy connections) acts
	// only once a new request can no longer start.
	reqCtx, cancelRequests := context.WithCancel(ctx)
	defer cancelRequests()
	if p, ok := s.Target.(Preparer); ok {
		info := RunInfo{
			Scenario: s.Name, RunID: runID, Concurrency: concurrencyOf(s), Timeout: s.Timeout,
			AllowHosts: append(append([]string(nil), s.AllowHosts...), allowhosts.FromEnv()...),
		}
		if err := p.Prepare(reqCtx, info); err != nil {
			return nil, err
		}
	}
	if f, ok := s.Target.(Finisher); ok {
		defer f.Finish()
	}
	if s.Watch != nil {
		if err := s.Watch.Start(ctx); err != nil {
			return nil, fmt.Errorf("watching the service: %w", err)
		}
	}
	// Before the leak check's first look: the recorder's goroutine is not
	// the scenario's.
	fl, flightWarning := startFlight(s.Name, s.FlightRecorder)
	watch := startLeakWatch(s.Leaks, opts.runner)
	slots := len(stages) + 1 // slot 0 is the warm-up
	rec := newRecorder(slots, s.Slowest)
	e := newEngine(s, rec, reqCtx, slots)
	e.leaks = watch
	e.flight = fl
	// A sharded result keeps every distribution whole (HDR), so that
	// loadgate merge can add the shards' exactly.
	e.hdr = s.split != nil
	started := time.Now()
	rt := startRuntimeSampler()

	// Requests of a canceled test end at once; the run stops too.
	stopWatch := context.AfterFunc(ctx, func() {
		e.halt(canceledStop(ctx, e.runningStage()))
	})
	defer stopWatch()

	if opts.start != nil {
		opts.start()
	}
	// With LOADGATE_START_AT every shard's schedule is anchored on that
	// instant, not on when the process got round to it, so that the
	// shards' arrivals and timelines line up to the nanosecond. The wait
	// comes right before the first stage (the warm-up, if any), with all
	// else ready, so that the first request leaves on time.
	//
	// A shard that comes late (by at most StartAtLate: pendingStart)
	// starts at once, its schedule anchored on now, and its lateness is
	// in its start skew alone: anchored on the start it missed, its open
	// model would send every arrival it missed at once and time each from
	// its missed plan, so that the lateness was in every latency and in
	// the pacer's lag.
	e.anchor = time.Now()
	if !startAt.IsZero() {
		startClaimed.Store(true)
		e.startAt = startAt
		if e.anchor.Before(startAt) {
			e.anchor = startAt
		}
	}
	waitStart := func() {
		if !startAt.IsZero() {
			sl := newSleeper()
			sl.until(startAt, e.stop)
			sl.close()
		}
	}
	loadStart := e.anchor
	if s.Warmup > 0 {
		fl.mark("warm-up started")
		waitStart()
		next := e.runStage(0, warmupStage(stages[0]), e.anchor, s.Warmup)
		loadStart = time.Now()
		if !startAt.IsZero() {
			loadStart = next
		}
	}
	var measured time.Duration
	for _, st := range stages {
		measured += st.Duration
	}
	// A watched service that can be profiled is; otherwise the test
	// process, where the service then runs.
	remote, _ := s.Watch.(ProfilingWatcher)
	var local *localProfiler
	if remote == nil {
		local = startLocalProfile(s.Profile)
	}
	e.beginMeasuring(loadStart, measured)
	fl.measuring(loadStart)
	if s.Watch != nil {
		s.Watch.LoadStarted(loadStart)
		if remote != nil && s.Profile.Any() {
			remote.ProfileLoad(s.Profile, measured)
		}
	}
	tl := newTimeline(e, rt, s, measured, logf)
	samplerDone := make(chan struct{})
	go func() { defer close(samplerDone); watch.own(); tl.run() }()
	if s.Warmup == 0 {
		waitStart()
	}

	gw := watchGenerator()
	stageResults := make([]StageResult, len(stages))
	stageStart := loadStart
	ran := 0
	gateInvalid := ""
	for i, st := range stages {
		if e.halted() {
			break
		}
		tl.setStage(st.label())
		fl.mark("stage %s started", st.label())
		next := e.runStage(i+1, st, stageStart, st.Duration)
		stageEnd := time.Now()
		stageResults[i].ElapsedNS = int64(stageEnd.Sub(stageStart))
		ran = i + 1
		if st.Gate != nil && !e.halted() {
			// Requests still running are the slow ones when a server
			// stalls: the gate sees each at its age so far, a lower bound.
			sr := buildStage(rec, e, i, st, stageResults[i].ElapsedNS, e.inFlight(i+1, stageEnd))
			gr := &GateResult{Passed: true}
			if err := checkGate(st.Gate, &sr); err != nil {
				if errors.Is(err, ErrGateInvalid) && gateInvalid == "" {
					gateInvalid = fmt.Sprintf("the gate of load stage %d (%s) cannot be checked on it, so the run stopped after it: %v", i+1, st.label(), err)
				}
				gr = &GateResult{Passed: false, Reason: err.Error()}
				e.halt(Stop{Cause: "gate", Stage: st.label(), Reason: err.Error()})
				fl.stopped(FlightGate, st.label(), err.Error())
			}
			stageResults[i].Gate = gr
		}
		stageStart = next
	}
	loadEnd := time.Now()
	fl.ended(loadEnd)
	gen := gw.stop()
	local.stop()
	if s.Watch != nil {
		s.Watch.LoadEnded(loadEnd)
	}
	watch.learn() // while the connections of the load are still open
	e.endLoad()   // release closed-model users
	abandoned := e.drain(drainLimit)
	drainEnd := time.Now()
	if abandoned > 0 {
		rec.closed.Store(true)
		cancelRequests()
	}
	if f, ok := s.Target.(Finisher); ok {
		f.Finish() // before counting goroutines: idle connections hold two each
	}
	tl.finish()
	<-samplerDone
	recording, traceData, flightFailed := fl.stop()
	leaks, unattributed, idleConns := watch.finish()
	var server *ServerStats
	if s.Watch != nil {
		coolDown := time.NewTimer(s.CoolDown)
		select {
		case <-coolDown.C:
		case <-ctx.Done():
			coolDown.Stop()
		}
		server = s.Watch.Stop()
	}

	res := &Result{
		Schema:     SchemaVersion,
		Scenario:   s.Name,
		RunID:      runID,
		Started:    started.UTC(),
		DurationNS: int64(loadEnd.Sub(loadStart)),
		Load:       planOf(s),
		Abandoned:  abandoned,
		Stopped:    e.stopReason(),
		Timeline:   tl.seconds,
	}
	if s.Warmup > 0 {
		w := rec.slotTally(0)
		res.Warmup = &Warmup{DurationNS: int64(s.Warmup), Requests: w.requests, Errors: w.errors}
	}
	total := newTally()
	for i := range ran {
		gate, elapsed := stageResults[i].Gate, stageResults[i].ElapsedNS
		stageResults[i] = buildStage(rec, e, i, stages[i], elapsed, nil)
		stageResults[i].Gate = gate
		total.merge(rec.slotTally(i + 1))
		res.Dropped += stageResults[i].Dropped
	}
	res.Stages = stageResults[:ran]
	fillCounts(total, res.DurationNS, abandoned, &res.Requests, &res.Errors, &res.ErrorRate, &res.Rate, &res.Throughput)
	// Successes are counted until the last request ended, drain included:
	// a stalled target must not look fast.
	if busy := drainEnd.Sub(loadStart).Seconds(); busy > 0 {
		res.Throughput = float64(total.requests-total.errors) / busy
	}
	res.Latency = summarize(total.latency, true)
	res.ServiceTime = summarize(total.service, true)
	res.ErrorKinds = total.kinds
	if abandoned > 0 {
		// A request the drain gave up on outlived its timeout: it failed,
		// whether or not its target ever returns. Its latency is unknown,
		// so it is in the counts, not in the percentiles.
		res.Requests += abandoned
		res.Errors += abandoned
		res.ErrorRate = float64(res.Errors) / float64(res.Requests)
		if res.ErrorKinds == nil {
			res.ErrorKinds = map[string]int64{}
		}
		res.ErrorKinds[KindTimeout] += abandoned
	}
	res.ErrorSamples = rec.errorSamples()
	res.StatusCodes = statusCodes(total)
	res.ByName = byName(rec.nameTallies())
	phases := rec.phaseTally()
	res.Phases, res.Connections = phasesOf(phases, e.hdr)
	res.Slowest = rec.slowest(runID, loadStart, e.stageName)
	res.PacerLagMaxNS = e.lagMax.Load()
	res.Generator = generatorOf(gen, e.lags, phases)
	res.Runtime = rt.finish(runtime.NumGoroutine())
	res.panicStack = rec.panicStack
	res.gateInvalid = gateInvalid
	res.Leaks = leaks
	res.LeaksReportOnly = len(leaks) > 0 && e.scenario.Leaks.ReportOnly
	res.Server = server
	if res.Leaks == nil {
		res.Leaks = []Leak{}
	}
	if s.split != nil {
		res.Load = *s.whole
		res.Shard = shardOf(s, e, loadStart, drainEnd)
	}
	res.Warnings = warnings(res)
	if w := rec.names.warning(); w != "" {
		res.Warnings = append(res.Warnings, w)
	}
	if _, ok := s.Target.(*FlowTarget); ok && res.Requests > 0 && len(res.ByName) == 0 {
		res.Warnings = append(res.Warnings, flowWithoutSteps(res.Requests))
	}
	if res.Stopped == nil {
		for i, sr := range res.Stages {
			if n := stages[i].totalIterations(); n > 0 && sr.Requests < n {
				res.Warnings = append(res.Warnings, fmt.Sprintf("stage %d (%s) reached its bound of %v after %d of its %d iterations: give it a longer one with For",
					i+1, sr.Name, stages[i].Duration, sr.Requests, n))
			}
		}
	}
	if unattributed > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%d goroutines started during the run could not be attributed to this scenario because other scenarios ran at the same time; they were not counted as leaks", unattributed))
	}
	switch {
	case local != nil:
		res.profiles = local.profiles
		res.Warnings = append(res.Warnings, local.notes...)
	case remote != nil && s.Profile.Any():
		var notes []string
		res.profiles, notes = remote.Profiles()
		sortProfiles(res.profiles)
		res.Warnings = append(res.Warnings, notes...)
	}
	res.FlightRecording, res.flightTrace = recording, traceData
	for _, w := range []string{flightWarning, flightFailed} {
		if w != "" {
			res.Warnings = append(res.Warnings, w)
		}
	}
	if idleConns > 0 {
		whose := "a target with its own client can close them in a Finish method, see loadtest.Finisher"
		if s.Watch != nil {
			// The watcher scrapes on through the cool-down: a connection
			// it opened during the load is still open, and is its own.
			whose = "the Watcher's scrapes keep theirs open until it stops; a target with its own client can close its own in a Finish method, see loadtest.Finisher"
		}
		res.Warnings = append(res.Warnings, fmt.Sprintf("%d idle keep-alive HTTP connections were still open after the load; they are not counted as leaks (%s)", idleConns, whose))
	}
	return res, nil
}

// concurrencyOf is the most requests the scenario can have running at once.
func concurrencyOf(s Scenario) int {
	n := 0
	for _, st := range s.Load.Stages() {
		if st.Model == Closed {
			n = max(n, st.Users, st.UsersTo)
		} else {
			n = max(n, s.MaxInFlight)
		}
	}
	return n
}

// statusCodes returns the status counts of t: numbers (HTTP) and names
// (gRPC) in one map, keyed as status_codes is.
func statusCodes(t *tally) map[string]int64 {
	if len(t.statuses) == 0 && len(t.named) == 0 {
		return nil
	}
	out := make(map[string]int64, len(t.statuses)+len(t.named))
	for code, n := range t.statuses {
		out[strconv.Itoa(code)] += n
	}
	for name, n := range t.named {
		out[name] += n
	}
	return out
}

func byName(tallies map[string]*tally) map[string]NameResult {
	if len(tallies) == 0 {
		return nil
	}
	out := make(map[string]NameResult, len(tallies))
	for name, t := range tallies {
		nr := NameResult{
			Requests: t.requests, Errors: t.errors, Latency: summarize(t.latency, true),
			ServiceTime: summarize(t.service, true),
			ErrorKinds:  t.kinds, StatusCodes: statusCodes(t),
		}
		if t.withMsgs {
			m := t.messages
			nr.Messages = &m
		}
		if t.requests > 0 {
			nr.ErrorRate = float64(t.errors) / float64(t.requests)
		}
		out[name] = nr
	}
	return out
}

func phasesOf(p *phaseTally, withHDR bool) (map[string]Latency, *Connections) {
	if p == nil {
		return nil, nil
	}
	phases := map[string]Latency{}
	for i, h := range p.hists {
		if h.TotalCount() > 0 {
			phases[Phase(i).String()] = summarize(h, withHDR)
		}
	}
	if len(phases) == 0 {
		phases = nil
	}
	if p.withProto == 0 {
		return phases, nil
	}
	return phases, &Connections{
		Requests: p.withProto, Reused: p.reused,
		ReuseShare: float64(p.reused) / float64(p.withProto), Protocols: p.protos,
	}
}

// warmupStage is the load the warm-up runs: the first stage's starting
// load, held.
// A stage of a fixed number of iterations is warmed up for the warm-up's
// length, without counting its iterations; a Paced one runs the start of
// its Pacer's plan.
func warmupStage(first Stage) Stage {
	w := first
	w.To = w.From
	w.UsersTo = w.Users
	w.IterationsPerUser, w.IterationsShared = 0, 0
	w.Gate = nil
	w.Name = "warm-up"
	return w
}

// buildStage summarises stage i from the recorder. inFlight are the ages of
// requests still running, counted as requests with at least that latency.
func buildStage(rec *recorder, e *engine, i int, st Stage, elapsedNS int64, inFlight []time.Duration) StageResult {
	t := rec.slotTally(i + 1)
	for _, age := range inFlight {
		recordDuration(t.latency, age)
	}
	sr := StageResult{
		InFlight:    int64(len(inFlight)),
		Index:       i,
		Name:        st.label(),
		ElapsedNS:   elapsedNS,
		Plan:        stagePlanOf(st),
		Dropped:     e.dropped[i+1].Load(),
		Latency:     summarize(t.latency, e.hdr),
		ServiceTime: summarize(t.service, e.hdr),
		ErrorKinds:  t.kinds,
		StatusCodes: statusCodes(t),
	}
	fillCounts(t, elapsedNS, 0, &sr.Requests, &sr.Errors, &sr.ErrorRate, &sr.Rate, &sr.Throughput)
	return sr
}

// fillCounts derives the counts and rates of a tally over elapsedNS.
func fillCounts(t *tally, elapsedNS, abandoned int64, requests, errors *int64, errorRate, rate, throughput *float64) {
	*requests, *errors = t.requests, t.errors
	if t.requests > 0 {
		*errorRate = float64(t.errors) / float64(t.requests)
	}
	if secs := float64(elapsedNS) / 1e9; secs > 0 {
		*rate = float64(t.requests+abandoned) / secs
		*throughput = float64(t.requests-t.errors) / secs
	}
}

// planOf describes the scenario's planned load.
func planOf(s Scenario) LoadInfo {
	info := LoadInfo{TimeoutNS: int64(s.Timeout)}
	for _, st := range s.Load.Stages() {
		info.Stages = append(info.Stages, stagePlanOf(st))
		info.DurationNS += int64(st.Duration)
		switch {
		case info.Model == "":
			info.Model = st.Model
		case info.Model != st.Model:
			info.Model = "mixed"
		}
		if st.Model == Open {
			info.MaxInFlight = s.MaxInFlight
		}
	}
	return info
}

// stagePlanOf describes one stage's planned load.
func stagePlanOf(st Stage) StagePlan {
	p := StagePlan{
		Name: st.label(), Model: st.Model, Arrivals: arrivalsOf(st), From: st.shard.shareRate(st.From), To: st.shard.shareRate(st.To),
		Users: st.Users, ThinkNS: int64(st.Think), DurationNS: int64(st.Duration),
		IterationsPerUser: st.IterationsPerUser, IterationsShared: st.IterationsShared,
		Seed: seedOf(st), Gated: st.Gate != nil,
	}
	if st.Model == Closed {
		to := st.UsersTo
		p.UsersTo = &to
	}
	return p
}

func arrivalsOf(st Stage) Arrivals {
	if st.Model == Open {
		return st.Arrivals
	}
	return ""
}

// seedOf is the seed of the stage's exponential arrivals: its Seed, or 1
// for 0 ([Stage.Seed]); 0 for a stage without them.
func seedOf(st Stage) int64 {
	if st.Model != Open || st.Arrivals != Exponential {
		return 0
	}
	if st.Seed == 0 {
		return 1
	}
	return st.Seed
}

// warnings lists findings that do not fail a run but change how to read it.
func warnings(r *Result) []string {
	var w []string
	if g := r.Generator; g != nil && g.Bound {
		w = append(w, g.Warning())
	}
	if lag := time.Duration(r.PacerLagMaxNS); lag > 10*time.Millisecond {
		w = append(w, fmt.Sprintf("the generator fell behind its schedule by up to %v: the machine was short of CPU; latencies include the delay", lag.Round(time.Millisecond)))
	}
	if r.Dropped > 0 {
		w = append(w, fmt.Sprintf("%d arrivals were dropped because %d requests were already in flight (MaxInFlight)", r.Dropped, r.Load.MaxInFlight))
	}
	if r.Abandoned > 0 {
		w = append(w, fmt.Sprintf("%d requests were still running %v after the load ended: the target ignores its context", r.Abandoned, time.Duration(r.Load.TimeoutNS)+drainGrace))
	}
	if note := dataShortNote(r); note != "" {
		w = append(w, note)
	}
	return w
}

// dataShortNote says that the test data ran out well before the planned
// load's end (Stop.Cause StopData with less than 90% of the planned time
// run), or "". The run ends cleanly and the test passes unless its own
// checks fail, so without it a run that measured a tenth of its plan read
// as a whole one.
func dataShortNote(r *Result) string {
	if r.Stopped == nil || r.Stopped.Cause != StopData {
		return ""
	}
	var planned time.Duration
	upTo := ""
	for _, st := range r.Planned() {
		planned += time.Duration(st.DurationNS)
		if st.IterationsPerUser > 0 || st.IterationsShared > 0 {
			upTo = "up to " // a stage of iterations may end before its bound
		}
	}
	ran := time.Duration(r.DurationNS)
	if planned <= 0 || ran >= planned*9/10 {
		return ""
	}
	return fmt.Sprintf("the test data ran out after %v of the %s%v planned (%d requests): the figures are of that share of the load; give the table more rows, or use a Sequential or Random feed",
		ran.Round(time.Millisecond), upTo, planned, r.Requests)
}

func newRunID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
