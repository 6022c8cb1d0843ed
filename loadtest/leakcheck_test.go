package loadtest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/stack"
)

// leakyServers are handlers with the leaks that take services down under
// load. Each leaked goroutine waits on release, which the test closes once
// the scenario has been checked, so that later tests start clean.
type leakyServers struct {
	release chan struct{}
	backend *httptest.Server
	client  *http.Client
	mu      sync.Mutex
	bodies  []io.Closer // closed by the test's cleanup, not by the handler
}

func newLeakyServers(t *testing.T) *leakyServers {
	l := &leakyServers{release: make(chan struct{})}
	l.backend = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("x", 64<<10))
	}))
	client := &http.Client{Transport: &http.Transport{}}
	var once sync.Once
	t.Cleanup(func() {
		once.Do(func() { close(l.release) })
		l.mu.Lock()
		for _, b := range l.bodies {
			b.Close()
		}
		l.mu.Unlock()
		client.CloseIdleConnections()
		l.backend.Close()
	})
	l.client = client
	return l
}

// auditMiddleware starts a goroutine per request that waits for a result
// nobody sends.
func (l *leakyServers) auditMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		done := make(chan error)
		go func() {
			select {
			case <-done:
			case <-l.release:
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// proxyHandler calls a backend and never closes the response body.
func (l *leakyServers) proxyHandler(w http.ResponseWriter, r *http.Request) {
	resp, err := l.client.Get(l.backend.URL)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(resp.StatusCode) // resp.Body is never closed
	l.mu.Lock()
	l.bodies = append(l.bodies, resp.Body)
	l.mu.Unlock()
}

// tickerHandler starts a refresher loop on a ticker that is never stopped.
func (l *leakyServers) tickerHandler(w http.ResponseWriter, r *http.Request) {
	go func() {
		t := time.NewTicker(time.Hour)
		for {
			select {
			case <-t.C:
			case <-l.release:
				return
			}
		}
	}()
}

var ok = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})

func TestScenarioLeakCheckFindsRealLeaks(t *testing.T) {
	tests := []struct {
		name         string
		handler      func(l *leakyServers) http.Handler
		wantFunction string
		wantState    string
		wantPerReq   bool // one leaked goroutine per request
	}{
		{
			name:         "middleware goroutine per request",
			handler:      func(l *leakyServers) http.Handler { return l.auditMiddleware(ok) },
			wantFunction: "auditMiddleware",
			wantState:    "select",
			wantPerReq:   true,
		},
		{
			name:         "response body never closed",
			handler:      func(l *leakyServers) http.Handler { return http.HandlerFunc(l.proxyHandler) },
			wantFunction: "net/http.(*persistConn).readLoop",
			wantState:    "select",
		},
		{
			name:         "ticker never stopped",
			handler:      func(l *leakyServers) http.Handler { return http.HandlerFunc(l.tickerHandler) },
			wantFunction: "tickerHandler",
			wantState:    "select",
			wantPerReq:   true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLeakyServers(t)
			srv := httptest.NewServer(tt.handler(l))
			defer srv.Close()
			res := runHTTPWith(t, GET(srv.URL), Rate(100).For(500*time.Millisecond), func(s *Scenario) {
				s.Leaks = LeakCheck{ReportOnly: true, Wait: 300 * time.Millisecond}
			})
			var found *Leak
			for i, lk := range res.Leaks {
				if strings.Contains(lk.Function, tt.wantFunction) {
					found = &res.Leaks[i]
				}
			}
			if found == nil {
				t.Fatalf("no leak in %s; leaks:\n%s", tt.wantFunction, leakReport(res.Leaks))
			}
			if found.State != tt.wantState {
				t.Errorf("state = %q, want %q", found.State, tt.wantState)
			}
			if tt.wantPerReq && int64(found.Count) != res.Requests {
				t.Errorf("count = %d, want one per request (%d)", found.Count, res.Requests)
			}
			if found.Line == 0 || found.SampleStack == "" {
				t.Errorf("leak lacks file:line or stack: %+v", found)
			}
			t.Logf("%s: %d requests\n%s", tt.name, res.Requests, leakReport(res.Leaks))
		})
	}
}

func TestScenarioLeakCheckNoFalseAlarms(t *testing.T) {
	srv := httptest.NewServer(ok)
	defer srv.Close()
	for i := range 5 {
		res := runHTTPWith(t, GET(srv.URL), Ramp(Rate(300).For(200*time.Millisecond), Users(8).For(200*time.Millisecond)), nil)
		if len(res.Leaks) != 0 {
			t.Fatalf("run %d: clean keep-alive scenario reported leaks:\n%s", i, leakReport(res.Leaks))
		}
	}
}

// TestScenarioLeakCheckFindsAfterFuncLeaks: a handler that schedules
// time.AfterFunc callbacks which then block forever leaks a goroutine per
// request. The runtime starts those goroutines from time.goFunc with no
// creator goroutine, so following creators back to the scenario found
// nothing and the check reported no leak; goleak reports them.
func TestScenarioLeakCheckFindsAfterFuncLeaks(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	fired := make(chan struct{}, 1000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.AfterFunc(time.Millisecond, func() {
			fired <- struct{}{}
			<-release
		})
	}))
	defer srv.Close()
	res := runHTTPWith(t, GET(srv.URL), Rate(100).For(300*time.Millisecond), func(s *Scenario) {
		s.Leaks = LeakCheck{ReportOnly: true, Wait: 300 * time.Millisecond}
	})
	total := 0
	for _, l := range res.Leaks {
		if strings.Contains(l.Function, "TestScenarioLeakCheckFindsAfterFuncLeaks") {
			total += l.Count
		}
	}
	if int64(total) != res.Requests || len(fired) != int(res.Requests) {
		t.Errorf("%d AfterFunc goroutines blocked after %d requests (%d fired); leaks:\n%s", total, res.Requests, len(fired), leakReport(res.Leaks))
	}
}

// TestScenarioLeakCheckKeepsParallelTestsApart runs a leaky and a clean
// scenario at the same time: each reports only its own goroutines.
func TestScenarioLeakCheckKeepsParallelTestsApart(t *testing.T) {
	var leakyRes, cleanRes *Result
	t.Run("group", func(t *testing.T) {
		t.Run("leaky", func(t *testing.T) {
			t.Parallel()
			l := newLeakyServers(t)
			srv := httptest.NewServer(l.auditMiddleware(ok))
			defer srv.Close()
			leakyRes = runHTTPWith(t, GET(srv.URL), Rate(200).For(time.Second), func(s *Scenario) {
				s.Leaks = LeakCheck{ReportOnly: true, Wait: 300 * time.Millisecond}
			})
		})
		t.Run("clean", func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(ok)
			defer srv.Close()
			cleanRes = runHTTPWith(t, GET(srv.URL), Rate(200).For(time.Second), nil)
		})
	})
	if len(cleanRes.Leaks) != 0 {
		t.Errorf("clean scenario blamed for:\n%s", leakReport(cleanRes.Leaks))
	}
	total := 0
	for _, l := range leakyRes.Leaks {
		total += l.Count
	}
	if int64(total) != leakyRes.Requests {
		t.Errorf("leaky scenario: %d leaked goroutines for %d requests:\n%s", total, leakyRes.Requests, leakReport(leakyRes.Leaks))
	}
}

func TestWithoutIdleConnections(t *testing.T) {
	w := startLeakWatch(LeakCheck{Wait: 10 * time.Millisecond}, 0)
	srv := httptest.NewServer(ok)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	for range 3 {
		resp, err := client.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	time.Sleep(50 * time.Millisecond)
	all, _ := w.suspects()
	w.finish()
	rest, idle, _ := withoutIdleConnections(all)
	// One connection, reused by the three requests: counted once, though
	// its server's end is in this process too (it counted 2).
	if idle != 1 {
		t.Errorf("idle = %d, want the one idle connection", idle)
	}
	for _, g := range rest {
		if g.HasFunc("net/http.(*persistConn).readLoop") || g.HasFunc("net/http.(*persistConn).writeLoop") || g.HasFunc("net/http.(*conn).serve") {
			t.Errorf("idle connection goroutine kept as a suspect:\n%s", g.Raw)
		}
	}
}

// TestProvenLeaks runs a truly leaking scenario in a child process (its
// goroutines can never end, so they must not stay in this test binary) and
// checks that the runtime's goroutineleak profile marks them proven, where
// the runtime has it (Go 1.27; Go 1.26 with GOEXPERIMENT=goroutineleakprofile).
func TestProvenLeaks(t *testing.T) {
	if os.Getenv("LOADGATE_PROVEN_CHILD") == "1" {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			done := make(chan struct{})
			go func() { <-done }() // nothing else can ever reach done
		}))
		defer srv.Close()
		res := runHTTPWith(t, GET(srv.URL), Rate(100).For(300*time.Millisecond), func(s *Scenario) {
			s.Leaks = LeakCheck{ReportOnly: true, Wait: 200 * time.Millisecond}
		})
		out, _ := json.Marshal(struct {
			Available bool
			Leaks     []Leak
		}{leakProfileAvailable(), res.Leaks})
		fmt.Printf("RESULT %s\n", out)
		return
	}
	if testing.Short() {
		t.Skip("starts a child test process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestProvenLeaks$", "-test.count=1")
	cmd.Env = append(os.Environ(), "LOADGATE_PROVEN_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var got struct {
		Available bool
		Leaks     []Leak
	}
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "RESULT "); ok {
			if err := json.Unmarshal([]byte(rest), &got); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(got.Leaks) != 1 || got.Leaks[0].Count != 30 {
		t.Fatalf("child leaks = %+v, want one group of 30\n%s", got.Leaks, out)
	}
	if !got.Available {
		t.Skipf("leak found by snapshot (%d goroutines); the goroutineleak profile is absent in %s (Go 1.27, or GOEXPERIMENT=goroutineleakprofile, proves them)", got.Leaks[0].Count, runtime.Version())
	}
	if !got.Leaks[0].Proven {
		t.Errorf("leak not marked proven: %+v", got.Leaks[0])
	}
}

// TestSignalLoopNotALeak: os/signal's goroutine, started by the process's
// first signal.Notify, lives on. Started during a scenario (by a parallel
// test's Run, whose own leak check was off or whose Prepare failed, so
// that nothing marked the scenario as overlapped), it was reported as the
// scenario's leak.
func TestSignalLoopNotALeak(t *testing.T) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM) // starts the loop, if nothing has yet
	signal.Stop(c)
	w := startLeakWatch(LeakCheck{Wait: time.Millisecond}, 0)
	defer w.finish()
	var loop *stack.Goroutine
	for _, g := range stack.All() {
		if g.HasFunc("os/signal.loop") {
			loop = &g
		}
	}
	if loop == nil {
		t.Fatal("no os/signal.loop goroutine after signal.Notify")
	}
	// As if it had started during the load, from the scenario's side.
	delete(w.before, loop.ID)
	w.known[loop.CreatorID] = true
	mine, _ := w.suspects()
	for _, g := range mine {
		if g.ID == loop.ID {
			t.Errorf("os/signal's goroutine is a suspect:\n%s", g.Raw)
		}
	}
}

// TestIdleServerConnectionsWithoutClient: a target whose connections to
// an in-process server have no net/http client end (a raw net.Conn it
// never closes, one per request) is warned of. Only the server's end of
// such a connection is left, waiting for the next request; counting
// client ends alone said nothing of them, neither as leaks nor as idle
// connections.
func TestIdleServerConnectionsWithoutClient(t *testing.T) {
	srv := httptest.NewServer(ok)
	defer srv.Close()
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	target := Func(func(ctx context.Context) error {
		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			return err
		}
		mu.Lock()
		conns = append(conns, c) // never closed during the load
		mu.Unlock()
		if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			return err
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	})
	res := runHTTPWith(t, target, Users(1).Iterations(5), func(s *Scenario) {
		s.Warmup = 0
		s.Leaks = LeakCheck{Wait: 300 * time.Millisecond}
	})
	if !slicesContain(res.Warnings, "5 idle keep-alive HTTP connections") {
		t.Errorf("warnings %q: want the 5 connections left open named", res.Warnings)
	}
	if len(res.Leaks) != 0 {
		t.Errorf("idle connections counted as leaks:\n%s", leakReport(res.Leaks))
	}
}
