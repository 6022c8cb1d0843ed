package loadtest

import (
	"context"
	"errors"
	"fmt"
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
// the Lean transport (docs/PERFORMANCE.md). Only the Lean HTTP target is one,
// and only when it is the scenario's Target itself: a wrapper that embeds
// *HTTP must see its own Hit called.
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

	wg        sync.WaitGroup // every worker and user goroutine
	workersMu sync.Mutex
	all       []*worker
	busy      atomic.Int64 // requests running now
	nextShard atomic.Int64

	// Open model.
	jobs    chan job
	workers int // started so far; only the scheduler touches it
	dropped []atomic.Int64
	lagMax  atomic.Int64

	// Closed model.
	activeUsers atomic.Int64
	spawned     int // only the scheduler touches it
	userSlot    atomic.Int64
	think       atomic.Int64
	wake        atomic.Pointer[chan struct{}]

	// Timeline: requests started per second of the measured load.
	loadStart time.Time
	sent      []atomic.Int64
}

func newEngine(s Scenario, rec *recorder, reqCtx context.Context, slots int) *engine {
	e := &engine{
		scenario: s,
		rec:      rec,
		reqCtx:   reqCtx,
		stop:     make(chan struct{}),
		jobs:     make(chan job),
		dropped:  make([]atomic.Int64, slots),
	}
	wake := make(chan struct{})
	e.wake.Store(&wake)
	if h, ok := s.Target.(*HTTP); ok && h.lean != nil {
		e.direct = h
	}
	e.ctxDeadline, e.hasCtxDeadline = reqCtx.Deadline()
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
	e.rec.loadStart.Store(now.UnixNano())
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

// runStage runs one stage (slot 0 is the warm-up) from start for d, and
// returns when its time is up or the load is halted.
func (e *engine) runStage(slot int, st Stage, start time.Time, d time.Duration) {
	end := start.Add(d)
	if st.Model == Closed {
		e.userSlot.Store(int64(slot))
		oldThink := e.think.Swap(int64(st.Think))
		if !e.setActiveUsers(st.Users) && oldThink != int64(st.Think) {
			e.wakeUsers() // users thinking the old think time take the new one
		}
		e.sleepUntil(end)
		return
	}
	e.setActiveUsers(0)
	e.runOpen(slot, st, start, d)
	e.sleepUntil(end)
}

// sleepUntil waits for t or for the load to be halted.
func (e *engine) sleepUntil(t time.Time) {
	wait := time.Until(t)
	if wait <= 0 {
		return
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-e.stop:
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

// runOpen schedules the stage's arrivals. Each arrival is handed to a worker
// at its intended time (see releaseGrain); an arrival that finds MaxInFlight
// requests running is dropped, never queued, so that a slow target cannot
// make the generator send late bursts.
func (e *engine) runOpen(slot int, st Stage, start time.Time, d time.Duration) {
	p := newPacer(st, d)
	sl := newSleeper()
	defer sl.close()
	var woke time.Time
	for {
		off, ok := p.next()
		if !ok {
			return
		}
		at := start.Add(off)
		if at.After(time.Now()) {
			wake := woke.Add(releaseGrain)
			if wake.Before(at) {
				wake = at
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
		if !e.submit(job{intended: at, sent: now, slot: slot}) {
			e.dropped[slot].Add(1)
			continue
		}
		e.markSent(slot, now)
	}
}

// submit hands j to an idle worker, starting a new one if none is idle and
// fewer than MaxInFlight exist. It returns false if MaxInFlight requests
// are already running.
func (e *engine) submit(j job) bool {
	if e.busy.Load() >= int64(e.scenario.MaxInFlight) {
		return false
	}
	e.busy.Add(1)
	select {
	case e.jobs <- j:
		return true
	default:
	}
	if e.workers < e.scenario.MaxInFlight {
		e.workers++
		e.wg.Add(1)
		go e.work(j)
		return true
	}
	// Every worker exists and one has finished its request (busy is below
	// the cap): it is on its way back to the channel.
	e.jobs <- j
	return true
}

func (e *engine) work(first job) {
	defer e.wg.Done()
	w := e.newWorker()
	for j, ok := first, true; ok; j, ok = <-e.jobs {
		if !e.do(w, j.slot, j.intended, time.Now()) {
			e.unmarkSent(j.slot, j.sent)
		}
		e.busy.Add(-1)
	}
}

// setActiveUsers makes n closed-model users run, starting any that do not
// exist yet and parking the rest.
func (e *engine) setActiveUsers(n int) (changed bool) {
	if int64(n) == e.activeUsers.Load() {
		return false
	}
	e.activeUsers.Store(int64(n))
	for ; e.spawned < n; e.spawned++ {
		e.wg.Add(1)
		go e.user(e.spawned)
	}
	e.wakeUsers()
	return true
}

// wakeUsers makes every user waiting (parked or thinking) look again at
// the active count and the think time.
func (e *engine) wakeUsers() {
	fresh := make(chan struct{})
	close(*e.wake.Swap(&fresh))
}

// user is one closed-model loop: request, think, repeat, while its number is
// below the active count.
func (e *engine) user(id int) {
	defer e.wg.Done()
	w := e.newWorker()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		wake := *e.wake.Load()
		// The run's context ends a moment before the halt it causes: a
		// request started in between would fail at once, and a user can
		// start thousands of them.
		if e.ending() {
			return
		}
		if int64(id) >= e.activeUsers.Load() {
			select {
			case <-wake:
				continue
			case <-e.stop:
				return
			}
		}
		slot := int(e.userSlot.Load())
		start := time.Now()
		e.markSent(slot, start)
		e.busy.Add(1)
		if !e.do(w, slot, start, start) {
			e.unmarkSent(slot, start)
		}
		e.busy.Add(-1)
		if think := time.Duration(e.think.Load()); think > 0 {
			timer.Reset(think)
			select {
			case <-timer.C:
			case <-wake:
			case <-e.stop:
				return
			}
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
	w.sample.rec, w.sample.shard, w.sample.slot, w.sample.user = e.rec, w.shard, slot, w.shard
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
			e.halt(Stop{Cause: "data", Stage: e.stageName(slot), Reason: err.Error()})
		}
		return false
	}
	kind := ""
	if err != nil {
		kind = w.sample.Kind
		if kind == "" {
			kind = ErrorKind(err)
		}
		e.rec.noteError(kind, err)
	}
	e.rec.record(w.shard, slot, end, end.Sub(intended), end.Sub(start), kind, &w.sample)
	return true
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
	close(e.jobs) // the scheduler is done; idle workers exit
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
