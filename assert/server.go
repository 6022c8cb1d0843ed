package assert

import (
	"fmt"
	"strings"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

// serverGroupsShown is how many growing goroutine groups a failure of
// ServerSettled lists; the first is shown with its stack.
const serverGroupsShown = 3

// ServerSettled checks that the service under test was back where it
// started once the load and the scenario's CoolDown were over, as the
// scenario's Watch (such as package loadtest/watch's Prometheus) saw it from
// outside: its go_goroutines after the cool-down may exceed their level
// before the load by at most goroutineTolerance, and its process_open_fds by
// at most fdTolerance. A negative tolerance leaves that metric unchecked,
// e.g. process_open_fds of a service that does not expose it. A failure
// names the scenario, both values and the goroutine groups that grew most:
//
//	assert.ServerSettled: scenario leak: the server's go_goroutines = 213 after the cool-down, 12 before the load (+201, tolerance 5)
//	  goroutine groups that grew:
//	    +200 github.com/loadgate/loadgate/examples/shop.(*Server).listProducts.func1 (0 → 200)
//
// It fails too when res has no Server stats (the scenario had no Watch),
// or when a checked metric has no value before or after the load; the
// watcher's failed scrapes are quoted then, and the goroutine groups that
// grew if the goroutine profile was read. It fails when the service
// restarted between the last scrape before the load and the cool-down
// (its process_start_time_seconds, where it exposes it, changed): the
// numbers after the cool-down are then a new process's, which a leak of
// the old one did not reach. It returns true when the service settled.
func ServerSettled(t TestingT, res *loadtest.Result, goroutineTolerance, fdTolerance int) bool {
	if h, ok := t.(tHelper); ok {
		h.Helper()
	}
	const fn = "assert.ServerSettled"
	switch {
	case res == nil:
		t.Errorf("%s: no result (did loadtest.Run fail?)", fn)
		return false
	case res.Server == nil:
		t.Errorf("%s: scenario %s: the result has no Server stats: set Scenario.Watch, e.g. to watch.Prometheus(metricsURL)", fn, res.Scenario)
		return false
	}
	const start = "process_start_time_seconds"
	before, hasBefore := res.Server.Before[start]
	after, hasAfter := res.Server.After[start]
	if hasBefore && hasAfter && before != after {
		t.Errorf("%s: scenario %s: the server restarted during the run (%s %s before the load, %s after the cool-down; source %s): its numbers after the cool-down are a new process's (a leak of the old one died with it)",
			fn, res.Scenario, start, unixTime(before), unixTime(after), res.Server.Source)
		return false
	}
	ok := true
	for _, m := range []struct {
		name      string
		tolerance int
	}{{"go_goroutines", goroutineTolerance}, {"process_open_fds", fdTolerance}} {
		if m.tolerance < 0 {
			continue
		}
		if msg := settled(res, m.name, m.tolerance); msg != "" {
			t.Errorf("%s: scenario %s: %s", fn, res.Scenario, msg)
			ok = false
		}
	}
	return ok
}

// settled explains how metric name failed to settle, or returns "".
func settled(res *loadtest.Result, name string, tolerance int) string {
	s := res.Server
	before, hasBefore := s.Before[name]
	after, hasAfter := s.After[name]
	if !hasBefore || !hasAfter {
		var missing []string
		if !hasBefore {
			missing = append(missing, "before the load")
		}
		if !hasAfter {
			missing = append(missing, "after the cool-down")
		}
		msg := fmt.Sprintf("the server's %s has no value %s (source %s)", name, strings.Join(missing, " nor "), s.Source)
		if len(s.Errors) > 0 {
			msg += "; the watcher's errors:\n  " + strings.Join(s.Errors, "\n  ")
		}
		if name == "go_goroutines" && len(s.GoroutineGrowth) > 0 {
			// The profile may answer where the metrics did not.
			msg += "\n  " + groupsThatGrew(s.GoroutineGrowth)
		}
		return msg
	}
	if after-before <= float64(tolerance) {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the server's %s = %g after the cool-down, %g before the load (%+g, tolerance %d)",
		name, after, before, after-before, tolerance)
	if name != "go_goroutines" {
		return b.String()
	}
	if len(s.GoroutineGrowth) == 0 {
		b.WriteString("\n  (no goroutine profile: serve net/http/pprof on the service to see which goroutines grew)")
		return b.String()
	}
	b.WriteString("\n  " + groupsThatGrew(s.GoroutineGrowth))
	return b.String()
}

// groupsThatGrew lists the first few groups of growth, the first with its
// stack; growth is not empty.
func groupsThatGrew(growth []loadtest.GoroutineDelta) string {
	var b strings.Builder
	b.WriteString("goroutine groups that grew:")
	for i, g := range growth {
		if i == serverGroupsShown {
			fmt.Fprintf(&b, "\n    … and %d more groups", len(growth)-i)
			break
		}
		fmt.Fprintf(&b, "\n    %+d %s (%d → %d)", g.After-g.Before, g.Function, g.Before, g.After)
	}
	if st := growth[0].Stack; st != "" {
		b.WriteString("\n  stack of the first group:\n      " + strings.ReplaceAll(st, "\n", "\n      "))
	}
	return b.String()
}

// unixTime formats a process_start_time_seconds value (seconds since the
// epoch) as a time of day in UTC.
func unixTime(sec float64) string {
	return time.UnixMilli(int64(sec * 1000)).UTC().Format("15:04:05.00 UTC")
}
