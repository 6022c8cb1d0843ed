package watch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/loadgate/loadgate/internal/allowhosts"
	"github.com/loadgate/loadgate/loadtest"
)

// Watcher scrapes a service's Prometheus metrics and goroutine profile
// while a scenario runs; build one with [Prometheus]. A Watcher serves one
// run at a time; it may be started again after Stop.
type Watcher struct {
	metricsURL string
	opts       options

	// Set by Start, read-only until Stop.
	metrics    *url.URL
	pprof      *url.URL // nil without a goroutine profile
	client     *http.Client
	transport  *http.Transport
	quit       chan struct{}   // closed by Stop to end the scrape loop
	stopCtx    context.Context // for the scrapes of Stop, which outlive a canceled test
	loopDone   chan struct{}
	loadKicked chan struct{} // LoadStarted asks the loop for a profile at once

	mu       sync.Mutex
	running  bool
	started  time.Time
	loadAt   time.Time // zero until LoadStarted
	loadEnd  time.Time // zero until LoadEnded
	samples  []sample
	listed   map[string]bool           // the metrics of watch.Metrics a scrape found
	pages    int                       // the scrapes that read a page of metrics
	before   map[string]goroutineGroup // the goroutine profile at LoadStarted
	noPprof  bool                      // the derived pprof URL answered 404
	errs     errorLog
	lastStat *loadtest.ServerStats
	prof     *profiling // the profiles of the load (ProfileLoad); nil if none
}

var _ loadtest.Watcher = (*Watcher)(nil)

// sample is the values of one scrape.
type sample struct {
	at     time.Time
	values map[string]float64
}

// Prometheus returns a Watcher of the service whose metrics are at
// metricsURL, in the Prometheus text format, such as
// http://127.0.0.1:8080/metrics. Mistakes in the URL or the options are
// reported by Start, so that loadtest.Run fails the test with them.
func Prometheus(metricsURL string, opts ...Option) *Watcher {
	return &Watcher{metricsURL: metricsURL, opts: buildOptions(opts)}
}

// Start checks the URLs and the options, scrapes the metrics once (waiting
// at most the Timeout), and keeps scraping them in the background until Stop
// or until ctx is done. A failed scrape is not an error of Start: it ends up
// in ServerStats.Errors.
func (w *Watcher) Start(ctx context.Context) error {
	if err := w.opts.validate(); err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	allow, err := allowhosts.Parse("watch.AllowHost", append(slices.Clone(w.opts.allowHosts), allowhosts.FromEnv()...))
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	metrics, err := checkURL("metrics URL", w.metricsURL, allow)
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	var pprof *url.URL
	switch {
	case w.opts.noPprof:
	case w.opts.pprofURL != "":
		if pprof, err = checkURL("pprof URL", w.opts.pprofURL, allow); err != nil {
			return fmt.Errorf("watch: %w", err)
		}
	default:
		pprof, _ = metrics.Parse(pprofPath) // cannot fail: a constant relative URL
	}

	w.mu.Lock()
	if w.running {
		w.mu.Unlock()
		return errors.New("watch: Start called twice without Stop")
	}
	w.running = true
	w.started = time.Now()
	w.loadAt, w.loadEnd = time.Time{}, time.Time{}
	w.samples, w.before, w.noPprof, w.errs, w.lastStat, w.prof = nil, nil, false, errorLog{}, nil, nil
	w.listed, w.pages = nil, 0
	w.mu.Unlock()

	w.metrics, w.pprof = metrics, pprof
	w.transport = &http.Transport{
		Proxy:               nil,                                               // a proxy would take loopback URLs elsewhere
		DialContext:         allow.Dialer(net.Dialer{Timeout: w.opts.timeout}), // loopback unless allowed, whatever DNS says
		MaxIdleConnsPerHost: 2,
		DisableCompression:  true,
	}
	w.client = &http.Client{
		Transport: w.transport,
		Timeout:   w.opts.timeout,
		// A redirect could lead to a host that was not checked.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	w.stopCtx = context.WithoutCancel(ctx)
	quit := make(chan struct{})
	w.quit = quit
	w.loopDone = make(chan struct{})
	w.loadKicked = make(chan struct{}, 1)

	// Scraping once now gives Before a value even without a warm-up, and
	// opens the keep-alive connection before loadtest's leak check counts
	// the goroutines it starts with; the goroutine profile, read now and
	// at every scrape until the load starts, is the one GoroutineGrowth
	// compares with.
	w.scrape(ctx)
	w.readBefore(ctx)
	go w.loop(ctx, quit)
	return nil
}

// LoadStarted marks the start of the measured load: times in the series are
// counted from it, the metrics are scraped right away, in the background,
// and the goroutine profile read last before it is the one GoroutineGrowth
// compares with. It returns at once: the load is timed from at, and must
// not wait for the service.
func (w *Watcher) LoadStarted(at time.Time) {
	w.mu.Lock()
	w.loadAt = at
	w.mu.Unlock()
	select {
	case w.loadKicked <- struct{}{}:
	default:
	}
}

// LoadEnded marks the end of the load: After is taken from the scrapes
// after it. It starts reading the profiles of the end of the load, if
// ProfileLoad asked for them, and returns at once.
func (w *Watcher) LoadEnded(at time.Time) {
	w.mu.Lock()
	w.loadEnd = at
	w.prof.loadEnded(w.stopCtx, at)
	w.mu.Unlock()
}

// Stop stops the background scrapes, scrapes the metrics and the goroutine
// profile a last time, reads the profiles of the cool-down that
// ProfileLoad asked for and waits for those in flight, and returns what
// the watcher saw. Against a service that does not answer it waits for
// at most four requests in turn, each bounded by the [Timeout] (the scrape
// in flight, and before the load the goroutine profile read with it; the
// last scrape; the last goroutine profile), then for the profile fetches
// still running (each bounded by the Timeout; the CPU, mutex and block
// profiles by their window and the Timeout, from the start of the load).
// It returns nil if the watcher was never started; called again, it
// returns the same stats.
func (w *Watcher) Stop() *loadtest.ServerStats {
	w.mu.Lock()
	running, last := w.running, w.lastStat
	w.mu.Unlock()
	if !running {
		return last
	}
	close(w.quit) // a scrape in flight finishes: its sample counts
	<-w.loopDone

	w.scrape(w.stopCtx)
	after := w.readGoroutines(w.stopCtx)
	w.mu.Lock()
	prof := w.prof
	w.mu.Unlock()
	prof.finish(w.stopCtx)
	w.transport.CloseIdleConnections()

	w.mu.Lock()
	defer w.mu.Unlock()
	st := w.stats()
	if w.before != nil && after != nil {
		st.GoroutineGrowth = growth(w.before, after)
	}
	w.neverSeen()
	st.Errors = w.errs.list()
	w.running, w.lastStat = false, st
	return st
}

// loop scrapes every interval until quit is closed or ctx is done, and
// once when the load starts; until then it reads the goroutine profile
// with each scrape.
func (w *Watcher) loop(ctx context.Context, quit <-chan struct{}) {
	defer close(w.loopDone)
	tick := time.NewTicker(w.opts.interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-quit:
			return
		case <-w.loadKicked:
			w.scrape(ctx)
		case <-tick.C:
			w.scrape(ctx)
			w.readBefore(ctx)
		}
	}
}

// readBefore reads the goroutine profile if the load has not started,
// and keeps it as the one before the load if it was read entirely before
// the load started. A profile read once the load is under way would hold
// the goroutines of its first requests: a leak would seem smaller by them,
// and the requests in flight would hide the growth of their handler.
func (w *Watcher) readBefore(ctx context.Context) {
	w.mu.Lock()
	started := !w.loadAt.IsZero()
	w.mu.Unlock()
	if started {
		return
	}
	g := w.readGoroutines(ctx)
	done := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	if g != nil && (w.loadAt.IsZero() || done.Before(w.loadAt)) {
		w.before = g
	}
}

// scrape reads the metrics once and keeps them as a sample.
func (w *Watcher) scrape(ctx context.Context) {
	at := time.Now()
	values, listed, err := w.readMetrics(ctx)
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, name := range listed {
		if w.listed == nil {
			w.listed = map[string]bool{}
		}
		w.listed[name] = true
	}
	if values != nil {
		w.pages++ // read, though it may hold none of the series kept
	}
	if err != nil {
		w.fail(ctx, err)
	}
	if len(values) > 0 {
		w.noteRestart(values)
		w.samples = append(w.samples, sample{at: at, values: values})
	}
}

// noteRestart records an error if the service's start time differs from
// the one its last scrape gave: a service killed and started again on the
// same port answers as if nothing happened, with a new process's numbers
// (a leak of the old one gone with it). The caller holds w.mu.
func (w *Watcher) noteRestart(values map[string]float64) {
	now, ok := values[StartTime]
	if !ok {
		return
	}
	for _, s := range slices.Backward(w.samples) {
		if then, ok := s.values[StartTime]; ok {
			if then != now {
				w.errs.add(fmt.Errorf("%s: the service restarted: %s went from %s to %s; the numbers after that are the new process's",
					w.metrics, StartTime, startTime(then), startTime(now)))
			}
			return
		}
	}
}

// startTime formats a process_start_time_seconds value (seconds since
// the epoch) as a time of day in UTC.
func startTime(sec float64) string {
	return time.UnixMilli(int64(sec * 1000)).UTC().Format("15:04:05.00 UTC")
}

// fail records err unless it only says that ctx was canceled: Stop cancels
// the scrape in flight. The caller holds w.mu.
func (w *Watcher) fail(ctx context.Context, err error) {
	if ctx.Err() == nil {
		w.errs.add(err)
	}
}

// stats builds the series and their summaries. The caller holds w.mu.
func (w *Watcher) stats() *loadtest.ServerStats {
	origin := w.loadAt
	if origin.IsZero() {
		origin = w.started
	}
	st := &loadtest.ServerStats{
		Source: w.metrics.String(),
		Series: map[string][]loadtest.Point{},
		Before: map[string]float64{},
		After:  map[string]float64{},
		Peak:   map[string]float64{},
	}
	for _, s := range w.samples {
		for name, v := range s.values {
			st.Series[name] = append(st.Series[name], loadtest.Point{TNS: int64(s.at.Sub(origin)), Value: v})
			if p, ok := st.Peak[name]; !ok || v > p {
				st.Peak[name] = v
			}
			switch {
			case !w.loadAt.IsZero() && s.at.Before(w.loadAt):
				st.Before[name] = v
			case !w.loadEnd.IsZero() && !s.at.Before(w.loadEnd):
				st.After[name] = v
			}
		}
	}
	return st
}

// maxErrors is how many distinct errors a run keeps: a service that is down
// fails every scrape the same way.
const maxErrors = 5

// errorLog keeps the first few distinct errors and how often each happened.
type errorLog struct {
	msgs   []string
	counts map[string]int
	more   int // errors beyond the distinct ones kept
}

func (l *errorLog) add(err error) {
	msg := err.Error()
	if _, ok := l.counts[msg]; !ok && len(l.msgs) == maxErrors {
		l.more++
		return
	}
	if l.counts == nil {
		l.counts = map[string]int{}
	}
	if l.counts[msg] == 0 {
		l.msgs = append(l.msgs, msg)
	}
	l.counts[msg]++
}

func (l *errorLog) list() []string {
	var out []string
	for _, m := range l.msgs {
		if n := l.counts[m]; n > 1 {
			m = fmt.Sprintf("%s (%d times)", m, n)
		}
		out = append(out, m)
	}
	if l.more > 0 {
		out = append(out, fmt.Sprintf("and %d more errors", l.more))
	}
	return out
}
