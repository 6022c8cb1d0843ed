package loadtest

import (
	"context"
	"time"
)

// Watcher observes the service under test from outside the harness while a
// scenario runs, for example by scraping its Prometheus metrics (see package
// github.com/loadgate/loadgate/loadtest/watch). Run calls Start before the
// warm-up, LoadStarted and LoadEnded around the measured load, and Stop
// after the scenario's CoolDown; what Stop returns becomes Result.Server.
type Watcher interface {
	Start(ctx context.Context) error
	LoadStarted(at time.Time)
	LoadEnded(at time.Time)
	Stop() *ServerStats
}

// DefaultCoolDown is how long Run keeps watching after the load when a
// scenario has a Watcher and no CoolDown of its own.
const DefaultCoolDown = 3 * time.Second

// ServerStats is what a [Watcher] saw of the service under test.
type ServerStats struct {
	// Source names what was watched, such as a metrics URL.
	Source string `json:"source"`
	// Series holds the sampled values by metric name (go_goroutines,
	// process_open_fds, heap_inuse_bytes, gc_pause_max_seconds, …).
	Series map[string][]Point `json:"series"`
	// Before is each metric's last value before the load started; After
	// its last value after the cool-down; Peak its highest value.
	Before map[string]float64 `json:"before"`
	After  map[string]float64 `json:"after"`
	Peak   map[string]float64 `json:"peak"`
	// GoroutineGrowth compares the service's goroutines before the load
	// and after the cool-down, grouped by function, where the service
	// exposes /debug/pprof/goroutine?debug=1. Only growing groups are kept.
	GoroutineGrowth []GoroutineDelta `json:"goroutine_growth,omitempty"`
	// Errors lists failed scrapes (at most a few).
	Errors []string `json:"errors,omitempty"`
}

// Point is one sample; TNS is nanoseconds from the start of the measured
// load (negative before it).
type Point struct {
	TNS   int64   `json:"t_ns"`
	Value float64 `json:"value"`
}

// GoroutineDelta is the change of one group of the service's goroutines.
type GoroutineDelta struct {
	Function string `json:"function"`
	Before   int    `json:"before"`
	After    int    `json:"after"`
	Stack    string `json:"stack,omitempty"`
}

// A ProfilingWatcher is a [Watcher] that can also profile the service it
// watches, for a scenario that asks for profiles ([Scenario.Profile],
// LOADGATE_PROFILE): Run then profiles the service through it, not the
// test process. Run calls ProfileLoad right after LoadStarted, and
// Profiles after Stop.
type ProfilingWatcher interface {
	Watcher
	// ProfileLoad starts the profiles p asks for over the measured load,
	// which has just started and is planned to last d. It must return at
	// once: the load is already being timed.
	ProfileLoad(p Profile, d time.Duration)
	// Profiles returns the profiles taken, and notes on those that could
	// not be (a service whose Go lacks one, a profile cut short); a
	// missing profile is a note, never an error of the run.
	Profiles() ([]ProfileData, []string)
}
