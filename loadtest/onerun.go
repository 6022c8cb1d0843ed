package loadtest

import (
	"fmt"
	"sync/atomic"
)

// oneRun is held by a target from its Prepare to its Finish: a target
// serves one run at a time, since a second run's Prepare would rebuild it
// under the first run's requests.
type oneRun struct{ busy atomic.Bool }

// prepare runs build, the target's Prepare, unless another run holds the
// target; a build that fails leaves the target free. what names the
// target and own says what to give each scenario instead.
func (o *oneRun) prepare(what, own string, build func() error) error {
	if !o.busy.CompareAndSwap(false, true) {
		return fmt.Errorf("%s serves one run at a time, and another scenario is running it: give each scenario its own %s", what, own)
	}
	if err := build(); err != nil {
		o.busy.Store(false)
		return err
	}
	return nil
}

// finish frees the target for the next run.
func (o *oneRun) finish() { o.busy.Store(false) }
