package loadtest

import (
	"bytes"
	"net/http"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/loadgate/loadgate/internal/stack"
)

// LeakCheck configures the goroutine-leak check that Run does after every
// scenario. The zero value checks, waits DefaultScenario.Leaks.Wait (2s) for
// goroutines to end, and fails the test on a leak.
type LeakCheck struct {
	// Off disables the check.
	Off bool
	// ReportOnly records leaks in the result without failing the test.
	ReportOnly bool
	// Ignore lists functions (fully qualified, e.g.
	// "example.com/cache.(*Cache).janitor") whose goroutines are expected
	// to outlive the scenario: a goroutine with one of them on its stack,
	// or created by one, is not a leak. It is goleak's IgnoreAnyFunction
	// (which covers IgnoreTopFunction) that also matches the creator;
	// goroutines running before the load are never leaks, as if
	// goleak.IgnoreCurrent were given. As in goleak, a name that matches
	// no goroutine is ignored without a word: a function of an external
	// test package is "example.com/cache_test.helper", not "helper".
	Ignore []string
	// Wait is how long goroutines may take to end after the load
	// (default DefaultScenario.Leaks.Wait).
	Wait time.Duration
}

// Leak is a group of goroutines that started during a scenario and were
// still alive after it: blocked in the same function, created by the same
// function, in the same state.
type Leak struct {
	Function  string `json:"function"`
	File      string `json:"file,omitempty"`
	Line      int    `json:"line,omitempty"`
	CreatedBy string `json:"created_by,omitempty"`
	// CreatedAt is the file:line of the go statement.
	CreatedAt   string `json:"created_at,omitempty"`
	Count       int    `json:"count"`
	State       string `json:"state"`
	SampleStack string `json:"sample_stack"`
	// Proven is set when the runtime's goroutineleak profile proved the
	// goroutines blocked forever (Go 1.27, or Go 1.26 built with
	// GOEXPERIMENT=goroutineleakprofile).
	Proven bool `json:"proven,omitempty"`
}

// activeScenarios lets a leak check know whether other scenarios ran at the
// same time (parallel tests): their goroutines must not be blamed on it.
var activeScenarios struct {
	sync.Mutex
	runs map[*leakWatch]struct{}
}

// leakWatch follows one scenario's goroutines.
type leakWatch struct {
	cfg        LeakCheck
	before     map[int]bool // goroutines alive before the load
	runners    [2]int       // the goroutine that called Run, and RunAll's caller (or 0)
	mu         sync.Mutex
	harness    map[int]bool // the harness's workers, users and sampler
	known      map[int]bool // goroutines seen to descend from the scenario's
	overlapped bool         // another scenario ran at the same time
}

// startLeakWatch snapshots the goroutines before the load. Goroutines that
// the calling goroutine or runner (if not 0) start belong to the scenario.
func startLeakWatch(cfg LeakCheck, runner int) *leakWatch {
	if cfg.Off {
		return nil
	}
	w := &leakWatch{cfg: cfg, before: map[int]bool{}, runners: [2]int{stack.Current(), runner}, harness: map[int]bool{}, known: map[int]bool{}}
	all := stack.All()
	for _, g := range all {
		w.before[g.ID] = true
	}
	w.learnFrom(all, true) // e.g. the accept loop of a server this test started
	activeScenarios.Lock()
	if activeScenarios.runs == nil {
		activeScenarios.runs = map[*leakWatch]struct{}{}
	}
	for other := range activeScenarios.runs {
		other.setOverlapped()
		w.overlapped = true
	}
	activeScenarios.runs[w] = struct{}{}
	activeScenarios.Unlock()
	return w
}

func (w *leakWatch) setOverlapped() {
	w.mu.Lock()
	w.overlapped = true
	w.mu.Unlock()
}

// learn records which goroutines alive now descend from the scenario, so
// that a goroutine they start is still attributed after they end (a server
// connection's goroutine ends when the client closes it; a goroutine it
// leaked lives on). Run calls it when the load ends, and the sampler every
// second while another scenario runs at the same time.
func (w *leakWatch) learn() {
	if w == nil {
		return
	}
	w.learnFrom(stack.All(), false)
}

func (w *leakWatch) learnFrom(all []stack.Goroutine, includeBefore bool) {
	byID := indexByID(all)
	for _, g := range all {
		if (includeBefore || !w.before[g.ID]) && w.belongs(g, byID) == yes {
			w.mu.Lock()
			w.known[g.ID] = true
			w.mu.Unlock()
		}
	}
}

func (w *leakWatch) isOverlapped() bool {
	if w == nil {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.overlapped
}

// own notes a goroutine of the harness: what it creates belongs to the
// scenario. It is called once per worker, user and sampler goroutine.
func (w *leakWatch) own() {
	if w == nil {
		return
	}
	id := stack.Current()
	w.mu.Lock()
	w.harness[id] = true
	w.mu.Unlock()
}

// finish waits up to the configured time for the scenario's new goroutines
// to end, and returns those still alive, grouped; the number of new
// goroutines it could not attribute to this scenario because others ran at
// the same time; and the number of idle keep-alive connections left open.
func (w *leakWatch) finish() (leaks []Leak, unattributed, idle int) {
	if w == nil {
		return nil, 0, 0
	}
	activeScenarios.Lock()
	delete(activeScenarios.runs, w)
	activeScenarios.Unlock()

	deadline := time.Now().Add(w.cfg.Wait)
	var suspects []stack.Goroutine
	for pause := 10 * time.Millisecond; ; pause = min(2*pause, 200*time.Millisecond) {
		// Keep-alive connections of the default client are the classic
		// false alarm (goleak#102): close them and let their goroutines go.
		http.DefaultTransport.(*http.Transport).CloseIdleConnections()
		suspects, unattributed = w.suspects()
		var serverOnly int
		suspects, idle, serverOnly = withoutIdleConnections(suspects)
		// A server's end whose client's is not here either ends in a
		// moment (a Finish just closed the client's) or is held open by
		// a client that is no net/http one (a net.Conn never closed):
		// wait for it as for a suspect.
		if len(suspects) == 0 && serverOnly == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(min(pause, time.Until(deadline)))
	}
	if len(suspects) == 0 {
		return nil, unattributed, idle
	}
	proven := provenLeaks()
	for _, g := range stack.GroupBy(suspects) {
		leaks = append(leaks, Leak{
			Function: g.BlockedIn.Func, File: g.BlockedIn.File, Line: g.BlockedIn.Line,
			CreatedBy: g.CreatedBy.Func, CreatedAt: fileLine(g.CreatedBy),
			Count: g.Count, State: g.State, SampleStack: g.Sample.Raw,
			Proven: proven[g.Sample.ID],
		})
	}
	return leaks, unattributed, idle
}

// withoutIdleConnections removes the goroutines of idle keep-alive HTTP
// connections: a client connection whose read loop waits for the server's
// next bytes, its write loop, and a server connection waiting for the next
// request. They end when the pool closes them and are not leaks; a
// connection whose response body was never closed is not idle (its read loop
// waits in a select) and stays a suspect. It returns the idle connections,
// a connection both of whose ends are in this process counted once, and
// serverOnly, those of them of which only the server's end is here: its
// client is no net/http one of this process (a net.Conn a target never
// closed), or closed it a moment ago (a target's Finish) and the server
// has yet to see it.
func withoutIdleConnections(gs []stack.Goroutine) (rest []stack.Goroutine, idle, serverOnly int) {
	const (
		readLoop  = "net/http.(*persistConn).readLoop"
		writeLoop = "net/http.(*persistConn).writeLoop"
		serve     = "net/http.(*conn).serve"
	)
	idleReaders, servers := 0, 0
	for _, g := range gs {
		if g.State == "IO wait" && g.HasFunc(readLoop) {
			idleReaders++
		}
	}
	writers := idleReaders
	for _, g := range gs {
		switch {
		case g.State == "IO wait" && g.HasFunc(readLoop):
		case g.State == "IO wait" && g.HasFunc(serve):
			servers++
		case writers > 0 && g.BlockedIn().Func == writeLoop:
			writers--
		default:
			rest = append(rest, g)
		}
	}
	serverOnly = max(servers-idleReaders, 0)
	return rest, idleReaders + serverOnly, serverOnly
}

func fileLine(f stack.Frame) string {
	if f.File == "" {
		return ""
	}
	return f.File + ":" + strconv.Itoa(f.Line)
}

// suspects returns the goroutines born during the scenario that are still
// alive and belong to it.
func (w *leakWatch) suspects() (mine []stack.Goroutine, unattributed int) {
	all := stack.All()
	byID, overlapped := indexByID(all), w.isOverlapped()
	for _, g := range all {
		if w.before[g.ID] || w.isRunner(g.ID) || w.ignored(g) || isTestingGoroutine(g) || isSignalLoop(g) {
			continue
		}
		switch w.belongs(g, byID) {
		case yes:
			mine = append(mine, g)
		case unknown:
			if overlapped {
				unattributed++
			} else {
				mine = append(mine, g)
			}
		}
	}
	return mine, unattributed
}

// indexByID maps the goroutines of all by their IDs, for belongs.
func indexByID(all []stack.Goroutine) map[int]*stack.Goroutine {
	byID := make(map[int]*stack.Goroutine, len(all))
	for i := range all {
		byID[all[i].ID] = &all[i]
	}
	return byID
}

type ownership int

const (
	no ownership = iota
	yes
	unknown
)

// belongs follows g's creators back to this scenario's goroutines: the
// harness, or the goroutine that called Run (which also started any test
// server of the scenario). It answers unknown when the chain passes through
// a goroutine that has already ended, or reaches a time.AfterFunc callback's.
func (w *leakWatch) belongs(g stack.Goroutine, byID map[int]*stack.Goroutine) ownership {
	w.mu.Lock()
	defer w.mu.Unlock()
	cur := g
	for range 64 {
		id := cur.CreatorID
		if w.isRunner(id) || w.harness[id] || w.known[id] {
			return yes
		}
		if id == 0 {
			if isTimerFunc(cur) {
				// The runtime starts an AfterFunc's callback with no
				// creator goroutine: who scheduled it cannot be read.
				return unknown
			}
			return no // created by the runtime or the process's main goroutine
		}
		parent, alive := byID[id]
		if !alive {
			return unknown
		}
		if isTestingGoroutine(*parent) {
			return no // another test's goroutine
		}
		cur = *parent
	}
	return unknown
}

// isTimerFunc reports the goroutine of a time.AfterFunc callback.
func isTimerFunc(g stack.Goroutine) bool {
	return g.CreatedBy.Func == "time.goFunc"
}

func (w *leakWatch) isRunner(id int) bool {
	return id != 0 && (id == w.runners[0] || id == w.runners[1])
}

func (w *leakWatch) ignored(g stack.Goroutine) bool {
	for _, fn := range w.cfg.Ignore {
		if g.HasFunc(fn) {
			return true
		}
	}
	return false
}

// isTestingGoroutine reports goroutines of the testing package itself:
// other tests, and their runners.
func isTestingGoroutine(g stack.Goroutine) bool {
	return strings.HasPrefix(g.CreatedBy.Func, "testing.") ||
		(len(g.Frames) > 0 && strings.HasPrefix(g.Frames[len(g.Frames)-1].Func, "testing."))
}

// isSignalLoop reports os/signal's goroutine, which the process's first
// signal.Notify starts and which lives as long as the process (goleak
// ignores it too). Run's own Notify starts it before the load; another
// test's, run in parallel, started it during the load, and the scenario
// was blamed for it.
func isSignalLoop(g stack.Goroutine) bool {
	return g.HasFunc("os/signal.signal_recv") || g.HasFunc("os/signal.loop")
}

var (
	leakProfileOnce sync.Once
	leakProfile     *pprof.Profile
)

// leakProfileAvailable reports whether the runtime can prove leaks.
func leakProfileAvailable() bool {
	leakProfileOnce.Do(func() { leakProfile = pprof.Lookup("goroutineleak") })
	return leakProfile != nil
}

// provenLeaks returns the IDs of goroutines the runtime proves blocked
// forever; nil where the goroutineleak profile is absent. Reading it runs a
// garbage collection.
func provenLeaks() map[int]bool {
	if !leakProfileAvailable() {
		return nil
	}
	var buf bytes.Buffer
	if err := leakProfile.WriteTo(&buf, 2); err != nil {
		return nil
	}
	proven := map[int]bool{}
	for _, g := range stack.Parse(buf.Bytes()) {
		if g.Leaked {
			proven[g.ID] = true
		}
	}
	return proven
}

// leakReport renders leaks for a test log: one line per group with counts
// and file:line, each with its sample stack.
func leakReport(leaks []Leak) string {
	groups := make([]stack.Group, len(leaks))
	for i, l := range leaks {
		createdFile, createdLine := splitFileLine(l.CreatedAt)
		groups[i] = stack.Group{
			BlockedIn: stack.Frame{Func: l.Function, File: l.File, Line: l.Line},
			CreatedBy: stack.Frame{Func: l.CreatedBy, File: createdFile, Line: createdLine},
			State:     l.State, Count: l.Count, Proven: l.Proven,
			Sample: stack.Goroutine{Raw: l.SampleStack},
		}
	}
	return stack.Report(groups)
}

func splitFileLine(s string) (string, int) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return s, 0
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil {
		return s, 0
	}
	return s[:i], n
}
