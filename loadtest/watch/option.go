package watch

import (
	"fmt"
	"time"
)

// An Option tunes a [Watcher].
type Option interface {
	apply(*options)
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// options of a Watcher; the defaults are set in buildOptions.
type options struct {
	interval   time.Duration
	timeout    time.Duration
	metrics    []string
	pprofURL   string // "" derives it from the metrics URL
	noPprof    bool
	allowHosts []string
}

// Defaults of the options.
const (
	DefaultInterval = time.Second
	DefaultTimeout  = 2 * time.Second
)

// pprofPath is where a Go service built with net/http/pprof serves its
// goroutines grouped by stack.
const pprofPath = "/debug/pprof/goroutine?debug=1"

func buildOptions(opts []Option) options {
	o := options{interval: DefaultInterval, timeout: DefaultTimeout}
	for _, opt := range opts {
		opt.apply(&o)
	}
	return o
}

func (o options) validate() error {
	switch {
	case o.interval <= 0:
		return fmt.Errorf("Interval must be positive, got %v", o.interval)
	case o.timeout <= 0:
		return fmt.Errorf("Timeout must be positive, got %v", o.timeout)
	}
	for _, m := range o.metrics {
		if m == "" {
			return fmt.Errorf("Metrics: empty metric name")
		}
	}
	return nil
}

// Interval sets how often the metrics are scraped (default
// [DefaultInterval]).
func Interval(d time.Duration) Option {
	return optionFunc(func(o *options) { o.interval = d })
}

// Timeout bounds each request to the service (default [DefaultTimeout]); a
// scrape that takes longer is counted as failed. It also bounds how much a
// service that does not answer adds to a run: Start waits for one scrape,
// Stop for up to four in turn (see [Watcher.Stop]).
func Timeout(d time.Duration) Option {
	return optionFunc(func(o *options) { o.timeout = d })
}

// Metrics records more metrics, each as a series under its own name: a
// gauge, counter or untyped metric (summed over its label sets), or the
// _sum or _count of a summary or histogram. A name the metrics page lacks
// on some scrapes (a labelled counter, which appears with its first
// increment) has no value there; one it lacks on every scrape is an error
// in ServerStats.Errors, as is a summary or histogram named without _sum
// or _count on each scrape.
func Metrics(names ...string) Option {
	return optionFunc(func(o *options) { o.metrics = append(o.metrics, names...) })
}

// WithPprof sets the URL of the service's goroutine profile in the debug=1
// format, such as http://127.0.0.1:6060/debug/pprof/goroutine?debug=1. By
// default the watcher tries /debug/pprof/goroutine?debug=1 on the metrics
// URL's host and, if that answers 404, does without; a URL given here that
// fails is reported in ServerStats.Errors.
func WithPprof(url string) Option {
	return optionFunc(func(o *options) { o.pprofURL, o.noPprof = url, false })
}

// WithoutPprof turns the goroutine profile off: GoroutineGrowth stays empty.
func WithoutPprof() Option {
	return optionFunc(func(o *options) { o.pprofURL, o.noPprof = "", true })
}

// AllowHost lets the watcher reach hosts that are not loopback, with the
// rules of loadtest's Scenario.AllowHosts (the watcher cannot see the
// scenario's list): an entry is one host name or IP address, and a name
// other than localhost must be listed even if it points at loopback.
// LOADGATE_ALLOW_HOSTS adds more.
func AllowHost(hosts ...string) Option {
	return optionFunc(func(o *options) { o.allowHosts = append(o.allowHosts, hosts...) })
}
