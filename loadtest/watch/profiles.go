package watch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

// earlyStop is how much sooner than planned the load may end and the
// service's CPU profile still be awaited: its ?seconds=N window ends within
// a second of the load's. A load stopped earlier (a gate, an abort) cancels
// the window: the profile would cover mostly an idle service, and its
// request would outlive the run's goroutine check.
const earlyStop = time.Second

// profiling is the profiles of one measured load of the watched service,
// read from its net/http/pprof endpoints under base.
type profiling struct {
	base    *url.URL
	p       loadtest.Profile
	seconds int
	end     time.Time // when the ?seconds=N profiles end
	client  *http.Client
	timeout time.Duration

	window    context.Context // the ?seconds=N fetches
	endWindow context.CancelFunc
	wg        sync.WaitGroup

	mu       sync.Mutex
	profiles []loadtest.ProfileData
	notes    []string
	// notFound are the kinds of profile whose endpoint answered 404: one
	// note for all of them (a service without net/http/pprof answers 404
	// to each).
	notFound map[string]*url.URL
}

var _ loadtest.ProfilingWatcher = (*Watcher)(nil)

// ProfileLoad starts the profiles p asks for over the load that has just
// started and is planned to last d, through the service's net/http/pprof
// endpoints in the directory of its goroutine profile
// (/debug/pprof/ on the metrics URL's host unless [WithPprof] says
// otherwise): a CPU profile (profile?seconds=N, N the planned load in
// whole seconds, at least 1), and mutex and block profiles
// (mutex?seconds=N, block?seconds=N: deltas over the same window, at the
// rates the service set), and the heap profile now (no garbage collection,
// so that the load is not disturbed: it is as of the service's last one).
// LoadEnded reads the heap (after a collection, heap?gc=1) and goroutine
// profiles; Stop reads the goroutineleak profile after the cool-down, when
// Goroutine is asked for and the service's Go has it (Go 1.27). Every
// fetch obeys the watcher's allow-list. A profile the service does not
// serve, or that fails, is a note of [Watcher.Profiles], never an error.
func (w *Watcher) ProfileLoad(p loadtest.Profile, d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.running {
		return
	}
	seconds := max(1, int(d/time.Second))
	pr := &profiling{p: p, seconds: seconds, end: time.Now().Add(time.Duration(seconds) * time.Second), timeout: w.opts.timeout}
	w.prof = pr
	if w.pprof == nil {
		pr.note("no profile of the service taken: watch.WithoutPprof turned its /debug/pprof endpoints off")
		return
	}
	pr.base, _ = w.pprof.Parse("./") // the directory of the goroutine profile: cannot fail
	pr.base.RawQuery = ""
	// A client of its own: without a time limit of its own (the CPU
	// profile takes the whole load), and without keep-alive, so that no
	// connection it opened outlives the fetch and looks like a leak to
	// loadtest's goroutine check.
	tr := w.transport.Clone()
	tr.DisableKeepAlives = true
	pr.client = &http.Client{Transport: tr, CheckRedirect: w.client.CheckRedirect}
	pr.window, pr.endWindow = context.WithCancel(w.stopCtx)
	q := fmt.Sprintf("?seconds=%d", seconds)
	windowTimeout := time.Duration(seconds)*time.Second + w.opts.timeout
	if p.CPU {
		pr.fetch(pr.window, loadtest.ProfileCPU, "profile"+q, windowTimeout)
	}
	if p.Mutex {
		pr.fetch(pr.window, loadtest.ProfileMutex, "mutex"+q, windowTimeout)
	}
	if p.Block {
		pr.fetch(pr.window, loadtest.ProfileBlock, "block"+q, windowTimeout)
	}
	if p.Heap {
		pr.fetch(w.stopCtx, loadtest.ProfileHeapStart, "heap", w.opts.timeout)
	}
}

// loadEnded reads the profiles of the end of the load, and cancels the
// window of a load that stopped early. The caller holds w.mu.
func (pr *profiling) loadEnded(ctx context.Context, at time.Time) {
	if pr == nil || pr.client == nil {
		return
	}
	if early := pr.end.Sub(at); early > earlyStop && (pr.p.CPU || pr.p.Mutex || pr.p.Block) {
		pr.endWindow()
		pr.note(fmt.Sprintf("no CPU, mutex or block profile of the service: the load ended %v before the end of their %ds window", early.Round(100*time.Millisecond), pr.seconds))
	}
	if pr.p.Heap {
		pr.fetch(ctx, loadtest.ProfileHeap, "heap?gc=1", pr.timeout)
	}
	if pr.p.Goroutine {
		pr.fetch(ctx, loadtest.ProfileGoroutine, "goroutine", pr.timeout)
	}
}

// finish reads the goroutineleak profile after the cool-down and waits for
// the fetches in flight.
func (pr *profiling) finish(ctx context.Context) {
	if pr == nil || pr.client == nil {
		return
	}
	if pr.p.Goroutine {
		pr.fetch(ctx, loadtest.ProfileGoroutineLeak, "goroutineleak", pr.timeout)
	}
	pr.wg.Wait()
	pr.endWindow()
	pr.client.CloseIdleConnections()
}

// Profiles returns the profiles of the service that ProfileLoad asked for
// and notes on those it could not take. Call it after Stop.
func (w *Watcher) Profiles() ([]loadtest.ProfileData, []string) {
	w.mu.Lock()
	pr := w.prof
	w.mu.Unlock()
	if pr == nil {
		return nil, nil
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	notes := slices.Clone(pr.notes)
	switch kinds := slices.Sorted(maps.Keys(pr.notFound)); {
	case len(kinds) == 1 && kinds[0] == loadtest.ProfileGoroutineLeak:
		notes = append(notes, fmt.Sprintf("no goroutineleak profile of the service: %s answered 404 (it is served from Go 1.27, or Go 1.26 built with GOEXPERIMENT=goroutineleakprofile)", pr.notFound[kinds[0]]))
	case len(kinds) == 1:
		notes = append(notes, fmt.Sprintf("no %s profile of the service: %s answered 404 (does it serve net/http/pprof?)", kinds[0], pr.notFound[kinds[0]]))
	case len(kinds) > 1:
		notes = append(notes, fmt.Sprintf("no %s profiles of the service: each answered 404 under %s (does it serve net/http/pprof?)", strings.Join(kinds, ", "), pr.base))
	}
	return pr.profiles, notes
}

// urlOf is the URL of the profile at path, relative to the pprof base.
func (pr *profiling) urlOf(path string) *url.URL {
	u, _ := pr.base.Parse(path) // a constant relative URL: cannot fail
	return u
}

func (pr *profiling) note(s string) {
	pr.mu.Lock()
	pr.notes = append(pr.notes, s)
	pr.mu.Unlock()
}

// fetch reads one profile in the background.
func (pr *profiling) fetch(ctx context.Context, kind, path string, timeout time.Duration) {
	u := pr.urlOf(path)
	pr.wg.Go(func() {
		data, err := pr.get(ctx, u.String(), timeout)
		var se *statusError
		switch {
		case err == nil:
			pr.mu.Lock()
			pr.profiles = append(pr.profiles, loadtest.ProfileData{Kind: kind, Data: data})
			pr.mu.Unlock()
		case errors.Is(err, context.Canceled):
			// The window was ended on purpose; loadEnded said why.
		case errors.As(err, &se) && se.code == http.StatusNotFound:
			pr.mu.Lock()
			if pr.notFound == nil {
				pr.notFound = map[string]*url.URL{}
			}
			pr.notFound[kind] = u
			pr.mu.Unlock()
		default:
			pr.note(fmt.Sprintf("no %s profile of the service: %v", kind, err))
		}
	})
}

// get fetches a profile: a 200 response whose body is a gzipped pprof
// profile of at most maxProfileBytes.
func (pr *profiling) get(ctx context.Context, u string, timeout time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := pr.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxProfileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: reading the body: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		// net/http/pprof says why in the body, e.g. "profile duration
		// exceeds server's WriteTimeout".
		why, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
		if len(why) > 200 {
			why = why[:200]
		}
		return nil, &statusError{url: u, status: strings.TrimSpace(resp.Status + " " + why), code: resp.StatusCode}
	}
	if int64(len(b)) > maxProfileBytes {
		return nil, fmt.Errorf("%s: body longer than %d bytes", u, maxProfileBytes)
	}
	if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
		return nil, fmt.Errorf("%s: not a profile in the pprof format (not gzipped)", u)
	}
	return b, nil
}
