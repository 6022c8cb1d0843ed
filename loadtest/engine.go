package loadtest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// job is one open-model arrival handed to a worker.
type job struct {
	intended time.Time
	sent     time.Time // when the scheduler counted it as sent
	slot     int
	queued   bool // it waited for a worker (see startingWorkers)
}

// worker is the per-goroutine state of a worker or closed-model user.
type worker struct {
	shard  int
	sample Sample
	// slot and intended describe the request running now (slot -1: none),
	// so that a gate can count requests still in flight at a stage's end.
	slot     atomic.Int32
	intended atomic.Int64 // unix nanoseconds
}

// deadlineTarget is a target that bounds a request by a deadline it is
// handed rather than by one its context carries. For such a target the
// engine skips the per-request context.WithTimeout, which costs an
// allocation, a runtime timer, and a lock on the run's context to register
// and unregister the child: 7% of the CPU profile of a closed-model run on
// the Lean transport (docs/PERFORMANCE.md). The HTTP target is one, with
// every transport profile (the net/http ones through a watchdog,
// http_deadline.go), and only when it is the scenario's Target itself: a
// wrapper that embeds *HTTP must see its own Hit called.
type deadlineTarget interface {
	hitBy(ctx context.Context, deadline time.Time, s *Sample) error
}

// engine drives one scenario's load. The goroutine that calls runStage is
// the scheduler; workers and users do the requests.
type engine struct {
	scenario Scenario
	rec      *recorder
	leaks    *leakWatch      // nil when the leak check is off
	flight   *flight         // nil when the run records no flight
	reqCtx   context.Context // parent of every request's context
	direct   deadlineTarget  // the Target, when it takes its deadline directly

	// reqCtx's own deadline, if any, bounds every request's.
	ctxDeadline    time.Time
	hasCtxDeadline bool

	stop     chan struct{} // closed to end the load early or at its end
	stopOnce sync.Once
	stopMu   sync.Mutex
	stopped  *Stop
	// running is the slot of the stage running now plus one; 0 before
	// the first (the warm-up, or else the first stage) starts.
	running atomic.Int32

	wg        sync.WaitGroup // every worker and user goroutine
	workersMu sync.Mutex
	all       []*worker
	busy      atomic.Int64 // requests running now
	nextShard atomic.Int64

	// Open model.
	idle    idleWorkers
	workers int // started so far; only the scheduler touches it
	// starting counts the workers whose first request has no connection
	// yet, up to startingMax (startingWorkers; 0: no bound).
	starting    atomic.Int32
	startingMax int32
	dropped     []atomic.Int64
	lagMax      atomic.Int64
	lags        *sendLags // the measured load's sends: the scheduler's, and the queued ones workers start

	// Closed model.
	loops   *userLoops               // where users run; nil: a goroutine each
	plan    atomic.Pointer[userPlan] // what users do now
	spawned int                      // only the scheduler touches it
	wake    atomic.Pointer[chan struct{}]
	users   userGauge

	// Timeline: requests started per second of the measured load.
	loadStart time.Time
	sent      []atomic.Int64

	// hdr keeps the whole distribution of every latency in the result
	// (a sharded run, for loadgate merge).
	hdr bool
	// anchor is when the load (its warm-up, if any) was planned to start:
	// startAt (LOADGATE_START_AT, zero if the load did not wait for it),
	// or when the load started if that was later. firstSend and
	// firstPlanned, unix nanoseconds, are when the first request was sent
	// and when the schedule from anchor said to send it.
	anchor       time.Time
	startAt      time.Time
	firstSend    atomic.Int64
	firstPlanned atomic.Int64
}

func newEngine(s Scenario, rec *recorder, reqCtx context.Context, slots int) *engine {
	e := &engine{
		scenario:    s,
		rec:         rec,
		reqCtx:      reqCtx,
		stop:        make(chan struct{}),
		startingMax: startingWorkers(s.Target),
		dropped:     make([]atomic.Int64, slots),
		lags:        newSendLags(),
	}
	wake := make(chan struct{})
	e.wake.Store(&wake)
	e.plan.Store(&userPlan{})
	if h, ok := s.Target.(*HTTP); ok {
		e.direct = h
	}
	e.ctxDeadline, e.hasCtxDeadline = reqCtx.Deadline()
	if usesUserLoops(s.Target) {
		e.loops = newUserLoops(userBody{run: e.user, wg: &e.wg, own: func() { e.leaks.own() }})
	}
	return e
}

// halt stops the load early; the first reason wins.
func (e *engine) halt(st Stop) {
	e.stopMu.Lock()
	if e.stopped == nil {
		e.stopped = &st
	}
	e.stopMu.Unlock()
	e.stopOnce.Do(func() { close(e.stop) })
	e.loops.wake()
}

// endLoad releases the closed-model users at the end of the load: no user
// starts after it.
func (e *engine) endLoad() {
	e.stopOnce.Do(func() { close(e.stop) })
	e.loops.close()
}

func (e *engine) stopReason() *Stop {
	e.stopMu.Lock()
	defer e.stopMu.Unlock()
	return e.stopped
}

func (e *engine) halted() bool {
	select {
	case <-e.stop:
		return true
	default:
		return false
	}
}

// ending reports whether no new request may start: the load was halted,
// or the requests' context ended (a request that failed because of that
// must not be followed by another).
func (e *engine) ending() bool {
	return e.halted() || e.reqCtx.Err() != nil
}

// beginMeasuring marks the start of the measured load, after the warm-up.
func (e *engine) beginMeasuring(now time.Time, planned time.Duration) {
	e.loadStart = now
	e.sent = make([]atomic.Int64, int(planned/time.Second)+2)
	e.users.begin(now, len(e.sent))
	e.rec.loadStart.Store(now.UnixNano())
}

// noteSend keeps the first send of the run (the start skew of a shard).
func (e *engine) noteSend(sent, planned time.Time) {
	if e.firstSend.Load() != 0 {
		return
	}
	if e.firstSend.CompareAndSwap(0, sent.UnixNano()) {
		e.firstPlanned.Store(planned.UnixNano())
	}
}

func (e *engine) markSent(slot int, at time.Time) {
	if slot == 0 || e.sent == nil {
		return
	}
	if sec := int(at.Sub(e.loadStart) / time.Second); sec >= 0 && sec < len(e.sent) {
		e.sent[sec].Add(1)
	}
}

// unmarkSent takes back a send counted at at that sent nothing: its target
// found no test data. A second the timeline already took keeps it.
func (e *engine) unmarkSent(slot int, at time.Time) {
	if slot == 0 || e.sent == nil {
		return
	}
	if sec := int(at.Sub(e.loadStart) / time.Second); sec >= 0 && sec < len(e.sent) {
		e.sent[sec].Add(-1)
	}
}

// runStage runs one stage (slot 0 is the warm-up) from start for at most d,
// and returns when its time is up, its iterations are done or the load is
// halted, with the time the next stage starts: start+d, or the moment the
// stage's last iteration ended. Keeping to start+d, rather than to when the
// scheduler got round to returning, keeps a sequence of stages on its plan.
func (e *engine) runStage(slot int, st Stage, start time.Time, d time.Duration) time.Time {
	e.running.Store(int32(slot) + 1)
	end := start.Add(d)
	if st.Model == Closed {
		p := e.setPlan(slot, st)
		if st.Users != st.UsersTo {
			e.rampUsers(p, st, start, d)
		}
		if e.waitStage(end, p.done) {
			return time.Now()
		}
		return end
	}
	e.setPlan(slot, Stage{})
	e.runOpen(slot, st, start, d)
	e.sleepUntil(end)
	return end
}

// setPlan makes the closed-model users follow stage st (the zero Stage
// parks them all), starting any that do not exist yet, and wakes every user
// waiting so that it looks at the new plan.
func (e *engine) setPlan(slot int, st Stage) *userPlan {
	p := &userPlan{slot: slot, think: st.Think, perUser: int64(st.IterationsPerUser)}
	p.active.Store(int64(st.Users))
	if n := st.totalIterations(); n > 0 {
		p.pending.Store(n)
		p.done = make(chan struct{})
		if st.IterationsShared > 0 {
			p.limitShared = true
			p.shared.Store(n)
		}
	}
	e.plan.Store(p)
	e.spawn(st.Users)
	e.wakeUsers()
	return p
}

// rampUsers moves the users of plan p from st.Users to st.UsersTo over the
// stage, one at a time at the offsets [Stage.userStep] gives. The last step
// falls on the stage's end, where the next stage takes over.
func (e *engine) rampUsers(p *userPlan, st Stage, start time.Time, d time.Duration) {
	steps, sign := absInt(st.UsersTo-st.Users), 1
	if st.UsersTo < st.Users {
		sign = -1
	}
	for k := 1; k < steps; k++ {
		if !e.sleepUntil(start.Add(st.userStep(k, d))) {
			return
		}
		n := st.Users + sign*k
		p.active.Store(int64(n))
		e.spawn(n)
		e.wakeUsers()
	}
}

// spawn starts users until n exist.
func (e *engine) spawn(n int) {
	for ; e.spawned < n; e.spawned++ {
		e.wg.Add(1)
		if !e.loops.start(e.spawned) {
			go e.user(e.spawned, nil)
		}
	}
}

// sleepUntil waits for t or for the load to be halted, and reports whether
// t came.
func (e *engine) sleepUntil(t time.Time) bool {
	return !e.waitStage(t, nil) && !e.halted()
}

// waitStage waits for t, for done to close or for the load to be halted,
// and reports whether done closed first. A nil done never closes.
func (e *engine) waitStage(t time.Time, done <-chan struct{}) bool {
	wait := time.Until(t)
	if wait <= 0 {
		return false
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return false
	case <-done:
		return true
	case <-e.stop:
		return false
	}
}

// releaseGrain is the shortest time between two wake-ups of the open-model
// scheduler. Each wake-up costs a precise sleep and the wake-up of an idle
// worker thread, about 40 µs of CPU per arrival on the project's 2-core
// machine, which is what limits the open model's rate (docs/PERFORMANCE.md).
// When arrivals come closer than that (above 10,000 a second when evenly
// spaced) the scheduler therefore releases together the arrivals that fall
// due within releaseGrain of its last wake-up: none
// leaves early, none leaves more than releaseGrain late, and each is still
// timed from its intended start, so the delay is in the latency, not hidden.
// At 20,000/s against a tiny handler this cut the CPU per arrival by a
// quarter (38 to 28 µs) for 33 µs more median latency (147 to 180 µs).
const releaseGrain = 100 * time.Microsecond

// queuePoll is how often the scheduler looks for a free dial slot while
// arrivals wait for a worker (see startingWorkers) and the next arrival is
// further away: a wake-up costs about 40 µs of CPU (releaseGrain).
const queuePoll = time.Millisecond

// startingWorkers bounds how many new open-model workers may be opening
// their first connection at once, for targets that tell when a request
// has its connection (a connReporter); 0 for others, which start a worker
// for every arrival that finds none idle. An arrival that finds no worker
// idle and the bound reached waits in a queue for the first worker to
// finish a request or for a dial to end, whichever comes first. Without
// the bound, a run at 20,000/s from a cold start on the project's 2-core
// machine (which opens 5,000 to 13,000 loopback connections a second)
// dialled for nearly every arrival of its first milliseconds: the dials
// took the CPU the requests needed, so more arrivals found no worker idle,
// and within a second 10,000 connections were open (MaxInFlight), a third
// of the arrivals were dropped and the p50 was 400 ms. The wait is in the
// latency, which is timed from the intended start, and in the send lag.
//
// While arrivals are queued the scheduler looks again every queuePoll for a
// free dial slot (workers that finish a request take queued arrivals
// themselves), rather than sleeping until the next arrival.
func startingWorkers(t Target) int32 {
	if r, ok := t.(connReporter); ok && r.reportsConn() {
		return int32(2 * max(1, runtime.GOMAXPROCS(0)))
	}
	return 0
}

// connReporter is a target that calls Sample.connected as soon as a
// request has its connection, when reportsConn says it does.
type connReporter interface {
	reportsConn() bool
}

// runOpen schedules the stage's arrivals. Each arrival is handed to a worker
// at its intended time (see releaseGrain), or queued for one
// (startingWorkers); an arrival that finds MaxInFlight requests running or
// queued is dropped, so that a slow target cannot make the generator send
// late bursts.
func (e *engine) runOpen(slot int, st Stage, start time.Time, d time.Duration) {
	sl := newSleeper()
	defer sl.close()
	var woke time.Time
	for off := range pacerOf(st).Pace(d) {
		if off >= d {
			return
		}
		at := start.Add(max(off, 0))
		for {
			waiting := e.startQueued()
			if !at.After(time.Now()) {
				break
			}
			wake := woke.Add(releaseGrain)
			if wake.Before(at) {
				wake = at
				if waiting && woke.Add(queuePoll).Before(at) {
					wake = woke.Add(queuePoll) // look again at the queue before then
				}
			}
			if !sl.until(wake, e.stop) {
				return
			}
			woke = time.Now()
		}
		if e.ending() {
			return
		}
		now := time.Now()
		if lag := int64(now.Sub(at)); lag > e.lagMax.Load() {
			e.lagMax.Store(lag)
		}
		switch e.submit(job{intended: at, sent: now, slot: slot}) {
		case dropped:
			e.lags.note(slot, now.Sub(at))
			e.dropped[slot].Add(1)
			continue
		case started:
			e.lags.note(slot, now.Sub(at))
		case queued: // its lag is noted when it starts
		}
		e.noteSend(now, at)
		e.markSent(slot, now)
	}
}

// submission is what became of an arrival handed to submit.
type submission int

const (
	dropped submission = iota // MaxInFlight requests were running or queued
	started                   // a worker has it
	queued                    // it waits for a worker (startingWorkers)
)

// submit hands j to an idle worker, or starts a new one for it while
// fewer than MaxInFlight exist and fewer than startingWorkers are opening a
// connection, or else queues it for the next worker to finish. Only the
// scheduler calls it.
func (e *engine) submit(j job) submission {
	if e.busy.Load() >= int64(e.scenario.MaxInFlight) {
		return dropped
	}
	e.busy.Add(1)
	if e.idle.hand(j) {
		return started
	}
	if e.workers < e.scenario.MaxInFlight && e.mayStart() {
		e.spawnWorker(j)
		return started
	}
	// Every worker is busy, and new ones are opening connections or every
	// worker exists: busy is below MaxInFlight, so one will take j.
	if e.idle.handOrQueue(j) {
		return started
	}
	return queued
}

// mayStart says a new worker may start now: fewer than startingWorkers are
// opening their first connection.
func (e *engine) mayStart() bool {
	return e.startingMax == 0 || e.starting.Load() < e.startingMax
}

// startQueued starts a new worker for each queued arrival, oldest first,
// while fewer than MaxInFlight workers exist and mayStart allows it. It
// reports whether arrivals are still queued. Only the scheduler calls it;
// the queue is also emptied by workers that finish a request, so none is
// left behind when the scheduler stops.
func (e *engine) startQueued() (waiting bool) {
	for e.workers < e.scenario.MaxInFlight && e.mayStart() {
		j, ok := e.idle.takeQueued()
		if !ok {
			return false
		}
		e.spawnWorker(j)
	}
	return e.idle.waiting()
}

// spawnWorker starts a new worker with first as its first arrival.
func (e *engine) spawnWorker(first job) {
	e.workers++
	if e.startingMax > 0 {
		e.starting.Add(1) // until its first request has a connection (Sample.connected)
	}
	e.wg.Add(1)
	go e.work(first)
}

func (e *engine) work(first job) {
	defer e.wg.Done()
	generatorLabels()
	w := e.newWorker()
	if e.startingMax > 0 {
		w.sample.starting = &e.starting // until its first request has a connection
	}
	e.serve(w, first)
}

// serve runs the worker's requests: first, then every arrival queued or
// handed to it while it is idle, until the load is over.
func (e *engine) serve(w *worker, first job) {
	jobs := make(chan job, 1)
	for next, ok := first, true; ok; next, ok = e.idle.take(jobs) {
		if next.queued {
			e.lags.note(next.slot, time.Since(next.intended))
		}
		if !e.do(w, next.slot, next.intended, time.Now()) {
			e.unmarkSent(next.slot, next.sent)
		}
		w.sample.connected() // if the target did not say so
		e.busy.Add(-1)
	}
}

// wakeUsers makes every user waiting (parked or thinking) look again at
// the plan.
func (e *engine) wakeUsers() {
	fresh := make(chan struct{})
	close(*e.wake.Swap(&fresh))
	e.loops.wake()
}

// user is one closed-model loop: request, think, repeat, while the plan
// lets it (its number is below the active count, and the stage has
// iterations left for it); otherwise it parks until the plan changes. lu
// is the coroutine it runs as on a user loop, nil when it has a goroutine
// of its own.
func (e *engine) user(id int, lu *loopUser) {
	defer e.wg.Done()
	generatorLabels()
	w := e.newWorker()
	w.sample.loop = lu
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	running := false // counted in e.users
	defer func() {
		if running {
			e.users.add(-1)
		}
	}()
	var mine *userPlan
	var did int64 // iterations started under mine
	for {
		wake := *e.wake.Load()
		// The run's context ends a moment before the halt it causes: a
		// request started in between would fail at once, and a user can
		// start thousands of them.
		if e.ending() {
			return
		}
		p := e.plan.Load()
		if p != mine {
			mine, did = p, 0
		}
		if int64(id) >= p.active.Load() || !p.take(&did) {
			if running {
				running = false
				e.users.add(-1)
			}
			if lu != nil {
				lu.pause(0) // until the plan changes or the load ends
				continue
			}
			select {
			case <-wake:
				continue
			case <-e.stop:
				return
			}
		}
		start := time.Now()
		if !running {
			running = true
			e.users.add(1)
		}
		e.noteSend(start, e.anchor)
		e.markSent(p.slot, start)
		e.busy.Add(1)
		if !e.do(w, p.slot, start, start) {
			e.unmarkSent(p.slot, start)
		}
		e.busy.Add(-1)
		p.finish()
		if p.think > 0 && !e.think(id, p.think, timer, lu) {
			return
		}
	}
}

// think pauses user id for d. It returns early when the plan's think time
// changes (the user takes the new one at once) or the user is no longer
// active, and false when the load ends. A new plan that keeps both lets
// the user sleep on, so that a stage boundary sends no burst.
func (e *engine) think(id int, d time.Duration, timer *time.Timer, lu *loopUser) bool {
	if lu != nil {
		end := mono() + int64(d)
		for {
			if p := e.plan.Load(); p.think != d || int64(id) >= p.active.Load() {
				return true
			}
			if mono() >= end {
				return true
			}
			if lu.pause(end); e.halted() {
				return false
			}
		}
	}
	until := time.Now().Add(d)
	for {
		wake := *e.wake.Load()
		if p := e.plan.Load(); p.think != d || int64(id) >= p.active.Load() {
			return true
		}
		left := time.Until(until)
		if left <= 0 {
			return true
		}
		timer.Reset(left)
		select {
		case <-timer.C:
			return true
		case <-wake:
			timer.Stop()
		case <-e.stop:
			return false
		}
	}
}

// newWorker registers the calling goroutine as a worker or user.
func (e *engine) newWorker() *worker {
	e.leaks.own()
	w := &worker{shard: int(e.nextShard.Add(1))}
	w.slot.Store(-1)
	e.workersMu.Lock()
	e.all = append(e.all, w)
	e.workersMu.Unlock()
	return w
}

// inFlight returns how long each request of slot still running at now has
// been waiting since it should have started.
func (e *engine) inFlight(slot int, now time.Time) []time.Duration {
	e.workersMu.Lock()
	defer e.workersMu.Unlock()
	var ages []time.Duration
	for _, w := range e.all {
		if int(w.slot.Load()) == slot {
			ages = append(ages, now.Sub(time.Unix(0, w.intended.Load())))
		}
	}
	return ages
}

// do performs one request and records it. It returns false for a hit
// that found the test data exhausted ([ErrDataExhausted]): it sent
// nothing, so it is not recorded, and it ends the load.
func (e *engine) do(w *worker, slot int, intended, start time.Time) (counted bool) {
	w.intended.Store(intended.UnixNano())
	w.slot.Store(int32(slot))
	defer w.slot.Store(-1)
	w.sample.reset()
	w.sample.rec, w.sample.shard, w.sample.slot, w.sample.intended = e.rec, w.shard, slot, intended
	var err error
	var end time.Time
	if e.direct != nil {
		deadline := start.Add(e.scenario.Timeout)
		if e.hasCtxDeadline && e.ctxDeadline.Before(deadline) {
			deadline = e.ctxDeadline
		}
		err = e.call(e.reqCtx, deadline, &w.sample)
		end = time.Now()
		if err == nil && !end.Before(deadline) && e.reqCtx.Err() == nil {
			err = context.DeadlineExceeded // finished, but after its own timeout: not a success
		}
	} else {
		ctx, cancel := context.WithTimeout(e.reqCtx, e.scenario.Timeout)
		err = e.call(ctx, time.Time{}, &w.sample)
		if err == nil && ctx.Err() == context.DeadlineExceeded && e.reqCtx.Err() == nil {
			err = ctx.Err() // finished, but after its own timeout: not a success
		}
		cancel()
		end = time.Now()
	}
	if err != nil && errors.Is(err, ErrDataExhausted) {
		if !e.halted() {
			e.halt(Stop{Cause: StopData, Stage: e.stageName(slot), Reason: err.Error()})
		}
		return false
	}
	kind := ""
	if err != nil {
		kind = w.sample.Kind
		if kind == "" {
			kind = ErrorKind(err)
		}
		if kind == KindTimeout && e.cutOff(end) {
			// The run's own context ended it (Execute under a deadline),
			// not a slow service.
			kind = KindCanceled
		}
		e.rec.noteError(kind, err)
	}
	e.rec.record(w.shard, slot, end, end.Sub(intended), end.Sub(start), kind, &w.sample)
	return true
}

// cutOff reports whether a request that ended at end was cut off by the
// end of the run's context rather than by its own timeout. A request bound
// by the context's deadline can see it pass before the context's own timer
// ends the context.
func (e *engine) cutOff(end time.Time) bool {
	return e.reqCtx.Err() != nil || (e.hasCtxDeadline && !end.Before(e.ctxDeadline))
}

// runningStage names the stage running now, for a [Stop] that comes from
// outside the load (the test's context); "" before the first.
func (e *engine) runningStage() string {
	if r := e.running.Load(); r > 0 {
		return e.stageName(int(r) - 1)
	}
	return ""
}

// stageName names the stage of slot in a [Stop].
func (e *engine) stageName(slot int) string {
	if slot == 0 {
		return "warm-up"
	}
	if stages := e.scenario.Load.Stages(); slot <= len(stages) {
		return stages[slot-1].label()
	}
	return ""
}

// call runs the target, turning a panic into an error of kind "panic". A
// deadlineTarget gets deadline; any other target finds it in ctx.
func (e *engine) call(ctx context.Context, deadline time.Time, s *Sample) (err error) {
	defer func() {
		if v := recover(); v != nil {
			if !e.rec.panicked.Swap(true) { // the stack of the first only: it is costly
				e.rec.notePanic(fmt.Sprintf("panic: %v\n\n%s", v, debug.Stack()))
			}
			err = KindError(KindPanic, fmt.Errorf("panic: %v", v))
		}
	}()
	if e.direct != nil {
		return e.direct.hitBy(ctx, deadline, s)
	}
	return e.scenario.Target.Hit(ctx, s)
}

// drain waits for running requests to finish, up to limit, and returns how
// many were still running when it gave up.
func (e *engine) drain(limit time.Duration) int64 {
	e.idle.close() // the scheduler is done; idle workers exit
	done := make(chan struct{})
	go func() { e.leaks.own(); e.wg.Wait(); close(done) }()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case <-done:
		return 0
	case <-timer.C:
		return e.busy.Load()
	}
}
