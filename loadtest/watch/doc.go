// Package watch observes a service under load from outside its process, as
// a [loadtest.Watcher]: set Scenario.Watch to [Prometheus] and the result's
// Server says what the service did before, during and after the load.
//
// The parts fit in the order the data flows:
//
//  1. [Prometheus] names the service's metrics endpoint (Prometheus text
//     format); [Option] values tune it. [loadtest.Run] calls Start, which
//     checks the URLs (loopback only unless allowed, as for the load
//     itself), then scrapes at once and every second until Stop.
//  2. Each scrape keeps a few numbers: the gauges go_goroutines and
//     process_open_fds, go_memstats_heap_inuse_bytes as heap_inuse_bytes,
//     the largest recent GC pause (the quantile="1" of the
//     go_gc_duration_seconds summary) as gc_pause_max_seconds, any
//     metric named with [Metrics], and process_start_time_seconds where
//     the service has it: when it changes, the service restarted, and
//     that is an error in ServerStats.Errors.
//  3. With each scrape until the load starts (the last one read before
//     it counts), and again at Stop after the scenario's CoolDown, the
//     watcher reads the service's goroutine profile
//     (/debug/pprof/goroutine?debug=1 on the metrics URL's host unless
//     [WithPprof] says otherwise) and groups it by the innermost function
//     outside the runtime.
//  4. Stop returns a [loadtest.ServerStats]: every metric as a series in
//     time from the start of the load, its last value before the load
//     (Before), after the cool-down (After) and its highest (Peak), and the
//     goroutine groups that grew (GoroutineGrowth), the largest growth
//     first. Package assert's ServerSettled turns them into a pass or fail.
//  5. When the scenario asks for profiles (loadtest.Scenario.Profile,
//     LOADGATE_PROFILE), the Watcher is a [loadtest.ProfilingWatcher]: it
//     reads the service's CPU, heap, goroutine, mutex and block profiles
//     over the measured load from its net/http/pprof endpoints, and its
//     goroutineleak profile after the cool-down where its Go has one (see
//     [Watcher.ProfileLoad]); loadtest writes them beside the result.
//
// A failed scrape never fails the run: it is counted in ServerStats.Errors
// (a few distinct messages, with how often each happened), and the numbers
// it would have given are missing.
package watch
