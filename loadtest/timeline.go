package loadtest

import (
	"fmt"
	"maps"
	"os"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/loadgate/loadgate/internal/progress"
	"github.com/loadgate/loadgate/internal/quantity"
)

const (
	// sampleEvery is how often runtime statistics are sampled.
	sampleEvery = 100 * time.Millisecond
	// secondGrace is how long after a second ends its statistics are taken:
	// a request that completed just before the boundary is recorded a moment
	// later.
	secondGrace = 250 * time.Millisecond
)

// timeline is the sampler goroutine's state: it folds finished seconds into
// the per-second timeline, samples the runtime, checks the abort rule and
// writes progress lines.
type timeline struct {
	e        *engine
	rt       *runtimeSampler
	abort    Abort
	planned  time.Duration
	every    time.Duration
	logf     func(string, ...any)
	quit     chan struct{}
	quitOnce sync.Once

	stageMu   sync.Mutex
	stageName string

	seconds    []Second
	scratch    *hdrhistogram.Histogram
	scratchSvc *hdrhistogram.Histogram
	kinds      map[string]int64
	cumulative *hdrhistogram.Histogram
	badStreak  time.Duration
	machine    bool // LOADGATE_PROGRESS=json: a progress record every second
	lastLog    time.Time
	logSent    int64 // requests completed at the last progress line
	completed  int64
	errors     int64
}

func newTimeline(e *engine, rt *runtimeSampler, s Scenario, planned time.Duration, logf func(string, ...any)) *timeline {
	return &timeline{
		e: e, rt: rt, abort: s.Abort, planned: planned, every: s.ProgressEvery, logf: logf,
		quit:       make(chan struct{}),
		scratch:    newCoarseHistogram(),
		scratchSvc: newCoarseHistogram(),
		kinds:      map[string]int64{},
		cumulative: newCoarseHistogram(),
		lastLog:    e.loadStart,
		machine:    progress.Enabled(os.Getenv),
	}
}

func (tl *timeline) setStage(name string) {
	tl.stageMu.Lock()
	tl.stageName = name
	tl.stageMu.Unlock()
}

func (tl *timeline) stage() string {
	tl.stageMu.Lock()
	defer tl.stageMu.Unlock()
	return tl.stageName
}

// run samples until finish is called, then takes every remaining second.
func (tl *timeline) run() {
	ticker := time.NewTicker(sampleEvery)
	defer ticker.Stop()
	next := int64(0) // the next second to take
	var lastLearn, lastMachine time.Time
	for {
		select {
		case <-ticker.C:
		case <-tl.quit:
			tl.rt.sample()
			last := int64(time.Since(tl.e.loadStart) / time.Second)
			for ; next <= last; next++ {
				tl.take(next, false)
			}
			tl.trimTrailingIdle()
			if tl.machine {
				// The last record counts every request, so that a live
				// display ends at the run's true totals.
				tl.machineProgress(time.Now())
			}
			return
		}
		tl.rt.sample()
		now := time.Now()
		for ; !now.Before(tl.e.loadStart.Add(time.Duration(next+1)*time.Second + secondGrace)); next++ {
			tl.take(next, true)
		}
		if now.Sub(tl.lastLog) >= tl.every {
			tl.progress(now)
		}
		if tl.machine && now.Sub(lastMachine) >= time.Second {
			tl.machineProgress(now)
			lastMachine = now
		}
		if now.Sub(lastLearn) >= time.Second && tl.e.leaks.isOverlapped() {
			// Only while another scenario runs: the snapshot stops the
			// world for a moment.
			tl.e.leaks.learn()
			lastLearn = now
		}
	}
}

// finish makes run take the remaining seconds and return.
func (tl *timeline) finish() { tl.quitOnce.Do(func() { close(tl.quit) }) }

// take moves second sec from the recorder into the timeline. live is false
// for the seconds taken after the load, where the abort rule no longer
// matters.
func (tl *timeline) take(sec int64, live bool) {
	requests, errors := tl.e.rec.takeSecond(sec, tl.scratch, tl.scratchSvc, tl.kinds)
	s := Second{Second: sec, Requests: requests, Errors: errors, Users: tl.e.users.peakIn(sec)}
	if int(sec) < len(tl.e.sent) {
		s.Sent = tl.e.sent[sec].Load()
	}
	if requests > 0 {
		s.P50NS = tl.scratch.ValueAtQuantile(50)
		s.P90NS = tl.scratch.ValueAtQuantile(90)
		s.P99NS = tl.scratch.ValueAtQuantile(99)
		s.ServiceP50NS = tl.scratchSvc.ValueAtQuantile(50)
		s.ServiceP90NS = tl.scratchSvc.ValueAtQuantile(90)
		s.ServiceP99NS = tl.scratchSvc.ValueAtQuantile(99)
		tl.cumulative.Merge(tl.scratch)
		if b, err := tl.scratch.Encode(hdrhistogram.V2CompressedEncodingCookieBase); err == nil {
			s.HDR = string(b)
		}
		if tl.e.hdr {
			// A shard's seconds keep their service times too, so
			// that loadgate merge can give the merged seconds theirs.
			if b, err := tl.scratchSvc.Encode(hdrhistogram.V2CompressedEncodingCookieBase); err == nil {
				s.ServiceHDR = string(b)
			}
		}
	}
	if len(tl.kinds) > 0 {
		s.ErrorKinds = maps.Clone(tl.kinds)
	}
	tl.completed += requests
	tl.errors += errors
	tl.seconds = append(tl.seconds, s)
	fl := tl.e.flight
	if fl != nil {
		fl.mark("second %d ended: %d requests, %d errors, p99 %v", sec, requests, errors, roundLatency(time.Duration(s.P99NS)))
	}
	if live {
		tl.checkAbort(s) // an abort's snapshot comes before the worst second's
	}
	fl.second(s, tl.stage())
}

// trimTrailingIdle drops empty seconds at the end (the drain after the load
// usually ends within the last second).
func (tl *timeline) trimTrailingIdle() {
	limit := int64(tl.planned / time.Second)
	for n := len(tl.seconds); n > 0; n-- {
		s := tl.seconds[n-1]
		if s.Second < limit || s.Requests > 0 || s.Sent > 0 {
			tl.seconds = tl.seconds[:n]
			return
		}
	}
	tl.seconds = tl.seconds[:0]
}

// checkAbort halts the load when the abort rule has held for long enough.
func (tl *timeline) checkAbort(s Second) {
	a := tl.abort
	if a.ErrorRate == 0 && a.P99 == 0 {
		return
	}
	if s.Requests == 0 {
		return // nothing completed: neither proof of health nor of failure
	}
	rate := float64(s.Errors) / float64(s.Requests)
	bad := (a.ErrorRate > 0 && rate > a.ErrorRate) || (a.P99 > 0 && time.Duration(s.P99NS) > a.P99)
	if !bad {
		tl.badStreak = 0
		return
	}
	tl.badStreak += time.Second
	if tl.badStreak < max(a.Sustained, time.Second) {
		return
	}
	reason := fmt.Sprintf("error rate %s > %s", quantity.Percent(rate), quantity.Percent(a.ErrorRate))
	if a.ErrorRate == 0 || rate <= a.ErrorRate {
		reason = fmt.Sprintf("p99 %s > %s", quantity.Duration(float64(s.P99NS), 3), quantity.Duration(float64(a.P99), 3))
	}
	st := Stop{Cause: "abort", Stage: tl.stage(), Reason: fmt.Sprintf("%s for %v (second %d)", reason, tl.badStreak, s.Second)}
	tl.e.halt(st)
	tl.e.flight.stopped(FlightAbort, st.Stage, st.Reason)
}

// progress writes one line about the run so far.
func (tl *timeline) progress(now time.Time) {
	elapsed := now.Sub(tl.e.loadStart)
	window := now.Sub(tl.lastLog).Seconds()
	rate := 0.0
	if window > 0 {
		rate = float64(tl.completed-tl.logSent) / window
	}
	tl.lastLog, tl.logSent = now, tl.completed
	// The figures as loadgate run's live line and the summary write them
	// (quantity): "40/s", "1.33ms", "3 errors (1.2%)".
	tl.logf("loadtest: %s  %v/%v  stage %s  %s  p99 %s  %s",
		tl.e.scenario.Name, elapsed.Round(time.Second), tl.planned.Round(time.Second), tl.stage(),
		quantity.Rate(rate), quantity.Duration(float64(tl.cumulative.ValueAtQuantile(99)), 3), quantity.Errors(tl.errors, tl.completed))
}

// roundLatency rounds d to three significant figures for display.
func roundLatency(d time.Duration) time.Duration {
	for unit := time.Duration(1); unit < time.Hour; unit *= 10 {
		if d < 1000*unit {
			return d.Round(unit)
		}
	}
	return d.Round(time.Second)
}

func (tl *timeline) machineProgress(now time.Time) {
	p := progress.Record{
		Scenario: tl.e.scenario.Name, Stage: tl.stage(),
		ElapsedNS: int64(min(now.Sub(tl.e.loadStart), tl.planned)), TotalNS: int64(tl.planned),
		Requests: tl.completed, Errors: tl.errors,
		P99NS: tl.cumulative.ValueAtQuantile(99),
	}
	if n := len(tl.seconds); n > 0 {
		p.Rate = float64(tl.seconds[n-1].Requests)
	}
	tl.logf("%s", p.Line())
}
