package loadtest

import (
	"sync"
	"sync/atomic"
	"time"
)

// userPlan is what the closed-model users do during one stage. The
// scheduler swaps in a new one at each stage and wakes the users; a user
// loads it once per iteration, so the slot it records into, its think time
// and the iteration it takes always belong to the same stage.
type userPlan struct {
	slot  int
	think time.Duration
	// active is how many users run: those numbered below it. A ramp
	// changes it during the stage.
	active atomic.Int64
	// perUser is how many iterations each user may start (0: no limit);
	// when limitShared, shared counts down those the users may still start
	// between them.
	perUser     int64
	limitShared bool
	shared      atomic.Int64
	// pending counts the iterations still to finish; done is closed when
	// the last one does. done is nil for a stage bounded by time alone.
	pending atomic.Int64
	done    chan struct{}
}

// take reports whether a user that has started *did iterations under p may
// start another, and counts it.
func (p *userPlan) take(did *int64) bool {
	switch {
	case p.perUser > 0:
		if *did >= p.perUser {
			return false
		}
		*did++
	case p.limitShared:
		// Counting down from the total, exactly that many takers see a
		// value of 0 or more, however many users race.
		if p.shared.Add(-1) < 0 {
			return false
		}
	}
	return true
}

// finish counts an iteration of p as done, once its request is recorded.
func (p *userPlan) finish() {
	if p.done != nil && p.pending.Add(-1) == 0 {
		close(p.done)
	}
}

// userGauge counts the closed-model users running (from the start of their
// first iteration until they park or stop; thinking counts) and keeps, for
// every second of the measured load, the most that ran at once. Users
// change state only when the plan changes, so a mutex is cheap here.
type userGauge struct {
	mu    sync.Mutex
	level int64
	start time.Time // of the measured load; zero before it
	last  int       // the last second a change fell in; -1 for none
	peak  []int64   // by second, up to last
}

// begin starts the per-second record at the start of the measured load;
// users already running (from the warm-up) carry over.
func (g *userGauge) begin(start time.Time, seconds int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.start, g.last, g.peak = start, -1, make([]int64, seconds)
}

// add changes the count by delta now. The time is read under the lock, so
// that changes arrive in the order of their seconds.
func (g *userGauge) add(delta int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	before := g.level
	g.level += delta
	if g.start.IsZero() {
		return
	}
	sec := int(time.Since(g.start) / time.Second)
	for len(g.peak) <= sec {
		g.peak = append(g.peak, 0) // a drain that outlasted the plan
	}
	for s := g.last + 1; s <= sec; s++ {
		g.peak[s] = before // the seconds since the last change held it
	}
	g.peak[sec] = max(g.peak[sec], g.level)
	g.last = sec
}

// peakIn returns the most users that ran at once in second sec, which must
// have ended.
func (g *userGauge) peakIn(sec int64) int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	if int(sec) > g.last {
		return g.level // nothing changed since: the count held
	}
	return g.peak[sec]
}
