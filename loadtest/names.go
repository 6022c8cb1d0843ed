package loadtest

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// MaxNames bounds the request names one run keeps apart in
// [Result.ByName]. Each name holds two latency histograms per CPU (about
// half a megabyte per CPU), so a scenario that names its
// requests by their parameters ("product 8812") would fill the machine's
// memory; past the bound, new names are counted together under
// [OtherNames] and the result warns. Name requests by route or by step.
const MaxNames = 100

// OtherNames is the name in [Result.ByName] under which the requests of
// the names past [MaxNames] are counted.
const OtherNames = "(other names)"

// nameGate admits the first MaxNames distinct request names of a run; the
// recorder asks it only when a shard meets a name it has no tally of, which
// for a refused name is every time: once the gate is full and its count of
// refused names is past telling, it answers without its lock.
type nameGate struct {
	mu       sync.Mutex
	admitted map[string]struct{} // written only until full is set
	refused  map[string]struct{} // up to MaxNames of them, for the warning's count
	full     atomic.Bool         // admitted holds MaxNames names: it no longer changes
	more     atomic.Bool         // refused names beyond those in refused
}

// admit tells whether name keeps a tally of its own.
func (g *nameGate) admit(name string) bool {
	if g.full.Load() {
		// admitted no longer changes: read it without the lock.
		if _, ok := g.admitted[name]; ok {
			return true
		}
		if g.more.Load() {
			return false
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.admitted[name]; ok {
		return true
	}
	if len(g.admitted) < MaxNames {
		if g.admitted == nil {
			g.admitted = map[string]struct{}{}
		}
		g.admitted[name] = struct{}{}
		if len(g.admitted) == MaxNames {
			g.full.Store(true)
		}
		return true
	}
	if _, ok := g.refused[name]; !ok {
		if len(g.refused) < MaxNames {
			if g.refused == nil {
				g.refused = map[string]struct{}{}
			}
			g.refused[name] = struct{}{}
		} else {
			g.more.Store(true)
		}
	}
	return false
}

// warning says how many names were counted as OtherNames; "" when none.
func (g *nameGate) warning() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.refused) == 0 {
		return ""
	}
	n := fmt.Sprint(len(g.refused))
	if g.more.Load() {
		n = "more than " + n
	}
	return fmt.Sprintf("the requests had more than %d names: %s more were counted together as %q; name requests by route or by step, not by their parameters", MaxNames, n, OtherNames)
}
