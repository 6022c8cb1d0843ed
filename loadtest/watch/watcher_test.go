package watch_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/loadgate/loadgate/loadtest"
	"github.com/loadgate/loadgate/loadtest/watch"
)

// metricsPage is what a Go service with client_golang's default registry
// shows, cut down to the metrics the watcher reads and two others.
func metricsPage(goroutines, fds int, heap, gcMax float64, requests int) string {
	return fmt.Sprintf(`# HELP go_gc_duration_seconds A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles.
# TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0"} 1.2e-05
go_gc_duration_seconds{quantile="0.5"} 3.1e-05
go_gc_duration_seconds{quantile="1"} %g
go_gc_duration_seconds_sum 0.0021
go_gc_duration_seconds_count 40
# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines %d
# TYPE go_memstats_heap_inuse_bytes gauge
go_memstats_heap_inuse_bytes %g
# TYPE process_open_fds gauge
process_open_fds %d
# TYPE http_requests_total counter
http_requests_total{code="200"} %d
http_requests_total{code="500"} 1
# TYPE rpc_seconds summary
rpc_seconds_sum 1.5
rpc_seconds_count 30
`, gcMax, goroutines, heap, fds, requests)
}

// profile is a goroutine profile in the debug=1 format with n goroutines
// leaked by shop.leak and two goroutines of a handler.
func profile(n int) string {
	return fmt.Sprintf(`goroutine profile: total %d
%d @ 0x48bd6e 0x41ae2e 0x7c1bb9 0x4936e1
#	0x7c1bb8	example.com/shop.leak.func1+0x18	/src/shop/shop.go:151

2 @ 0x48bd6e 0x44d757 0x48af45 0x4936e1
#	0x48af44	internal/poll.runtime_pollWait+0x84		/go/src/runtime/netpoll.go:351
#	0x654c2f	net/http.(*conn).serve+0x68f			/go/src/net/http/server.go:2067

1 @ 0x4936e1

`, n+3, n)
}

// service is a fake service in three phases: before, during and after
// the load. It counts the scrapes it answered.
type service struct {
	phase      atomic.Int32
	scrapes    atomic.Int32
	noPprof    bool
	metricsErr bool
	html       bool          // /metrics serves an HTML page
	slow       time.Duration // /metrics answers after this long
	startTime  bool          // /metrics has process_start_time_seconds
	restart    bool          // which changes when the load starts
	lateVec    bool          // a labelled counter, orders_total, appears with the load
	bare       bool          // /metrics has none of the series a Watcher records
}

func (s *service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/metrics":
		defer s.scrapes.Add(1)
		if s.metricsErr {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		if s.html {
			fmt.Fprint(w, "<!doctype html>\n<html><body>Welcome</body></html>\n")
			return
		}
		time.Sleep(s.slow)
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		if s.startTime || s.restart {
			start := 1700000000.25 // 22:13:20.25 UTC
			if s.restart && s.phase.Load() > 0 {
				start += 61.5
			}
			fmt.Fprintf(w, "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds %.2f\n", start)
		}
		if s.bare {
			fmt.Fprint(w, "# TYPE up gauge\nup 1\n")
			return
		}
		if s.lateVec && s.phase.Load() > 0 {
			fmt.Fprint(w, "# TYPE orders_total counter\norders_total{status=\"ok\"} 7\n")
		}
		switch s.phase.Load() {
		case 0:
			fmt.Fprint(w, metricsPage(10, 8, 4e6, 0.0001, 0))
		case 1:
			fmt.Fprint(w, metricsPage(120, 40, 9e6, 0.002, 500))
		default:
			fmt.Fprint(w, metricsPage(55, 9, 5e6, 0.0003, 1000))
		}
	case "/debug/pprof/goroutine":
		if s.noPprof || r.URL.Query().Get("debug") != "1" {
			http.NotFound(w, r)
			return
		}
		// The leak's goroutines appear with the load: a profile read
		// once the load has started is not the one before it.
		if s.phase.Load() == 0 {
			fmt.Fprint(w, profile(3))
		} else {
			fmt.Fprint(w, profile(48))
		}
	default:
		http.NotFound(w, r)
	}
}

// waitFor polls cond for up to a few seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestWatcherPhases drives a watcher by hand through a run, scraping only
// when Start, LoadStarted and Stop ask for it, so that every value is known.
func TestWatcherPhases(t *testing.T) {
	defer goleak.VerifyNone(t) // after the server's Close below
	svc := &service{}
	srv := httptest.NewServer(svc)
	defer srv.Close()

	w := watch.Prometheus(srv.URL+"/metrics", watch.Interval(time.Hour), watch.Metrics("http_requests_total", "rpc_seconds_count"))
	if err := w.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := svc.scrapes.Load(); got != 1 {
		t.Fatalf("Start scraped %d times, want once", got)
	}
	time.Sleep(2 * time.Millisecond) // so that the first sample is clearly before the load
	svc.phase.Store(1)
	loadAt := time.Now()
	w.LoadStarted(loadAt)
	waitFor(t, "the scrape of LoadStarted", func() bool { return svc.scrapes.Load() == 2 })
	w.LoadEnded(time.Now())
	svc.phase.Store(2)
	st := w.Stop()

	if st.Source != srv.URL+"/metrics" {
		t.Errorf("Source = %q", st.Source)
	}
	want := map[string][3]float64{ // before, after, peak
		"go_goroutines":        {10, 55, 120},
		"process_open_fds":     {8, 9, 40},
		"heap_inuse_bytes":     {4e6, 5e6, 9e6},
		"gc_pause_max_seconds": {0.0001, 0.0003, 0.002},
		"http_requests_total":  {1, 1001, 1001},
		"rpc_seconds_count":    {30, 30, 30},
	}
	for name, w := range want {
		got := [3]float64{st.Before[name], st.After[name], st.Peak[name]}
		if got != w {
			t.Errorf("%s: before, after, peak = %v, want %v", name, got, w)
		}
		series := st.Series[name]
		if len(series) != 3 {
			t.Errorf("%s: %d points, want 3 (Start, LoadStarted, Stop)", name, len(series))
			continue
		}
		if series[0].TNS >= 0 || series[1].TNS < 0 || series[2].TNS <= series[1].TNS {
			t.Errorf("%s: times %d, %d, %d ns from the load start, want negative, then growing from 0", name, series[0].TNS, series[1].TNS, series[2].TNS)
		}
	}
	wantGrowth := []loadtest.GoroutineDelta{{
		Function: "example.com/shop.leak.func1", Before: 3, After: 48,
		Stack: "example.com/shop.leak.func1\n\t/src/shop/shop.go:151",
	}}
	if diff := cmp.Diff(wantGrowth, st.GoroutineGrowth); diff != "" {
		t.Errorf("GoroutineGrowth (-want +got):\n%s", diff)
	}
	if len(st.Errors) > 0 {
		t.Errorf("Errors = %q, want none", st.Errors)
	}
	if again := w.Stop(); again != st {
		t.Errorf("a second Stop returned other stats")
	}
}

// TestWatcherScrapesInBackground checks the background scrapes, and that a
// watcher can run again after Stop.
func TestWatcherScrapesInBackground(t *testing.T) {
	defer goleak.VerifyNone(t)
	svc := &service{}
	srv := httptest.NewServer(svc)
	defer srv.Close()

	w := watch.Prometheus(srv.URL+"/metrics", watch.Interval(5*time.Millisecond))
	for round := range 2 {
		svc.scrapes.Store(0)
		if err := w.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "background scrapes", func() bool { return svc.scrapes.Load() >= 4 })
		w.LoadStarted(time.Now())
		w.LoadEnded(time.Now())
		st := w.Stop()
		if n := len(st.Series["go_goroutines"]); n < 4 {
			t.Errorf("round %d: %d samples, want at least 4", round, n)
		}
	}
}

func TestWatcherErrors(t *testing.T) {
	defer goleak.VerifyNone(t)
	tests := []struct {
		name       string
		svc        *service
		opts       []watch.Option
		pprofPath  string   // for WithPprof, on the service's host
		wantErrors []string // substrings, in order
	}{
		{
			name:       "service without pprof",
			svc:        &service{noPprof: true},
			wantErrors: nil, // a 404 of the derived URL is not an error
		},
		{
			name:       "explicit pprof URL that fails",
			svc:        &service{},
			pprofPath:  "/nothing",
			wantErrors: []string{"/nothing: 404 Not Found (2 times)"},
		},
		{
			name:       "without pprof",
			svc:        &service{},
			opts:       []watch.Option{watch.WithoutPprof()},
			wantErrors: nil,
		},
		{
			name:       "failing metrics, counted once",
			svc:        &service{metricsErr: true, noPprof: true},
			wantErrors: []string{"/metrics: 500 Internal Server Error (3 times)"},
		},
		{
			name:       "an HTML page",
			svc:        &service{html: true, noPprof: true},
			wantErrors: []string{"/metrics: an HTML page, not metrics in the Prometheus text format (is this the service's metrics endpoint?) (3 times)"},
		},
		{
			name:       "slow metrics",
			svc:        &service{slow: 300 * time.Millisecond, noPprof: true},
			opts:       []watch.Option{watch.Timeout(50 * time.Millisecond)},
			wantErrors: []string{"(Client.Timeout exceeded while awaiting headers) (longer than watch.Timeout, 50ms)"},
		},
		{
			name:       "start time, no restart",
			svc:        &service{startTime: true, noPprof: true},
			wantErrors: nil,
		},
		{
			// A service killed and started again on the same port answers
			// the next scrape as if nothing happened.
			name:       "restart",
			svc:        &service{restart: true, noPprof: true},
			wantErrors: []string{"/metrics: the service restarted: process_start_time_seconds went from 22:13:20.25 UTC to 22:14:21.75 UTC; the numbers after that are the new process's"},
		},
		{
			name:       "missing metric",
			svc:        &service{noPprof: true},
			opts:       []watch.Option{watch.Metrics("no_such_metric", "rpc_seconds")},
			wantErrors: []string{"/metrics: rpc_seconds is a summary: name rpc_seconds_sum or rpc_seconds_count in watch.Metrics (3 times)", "/metrics: no no_such_metric in any of 3 scrapes (is the name right?"},
		}, {
			// A labelled counter appears with its first increment: the
			// scrape before the load lacks it, and that is no error.
			name: "labelled counter that appears with the load",
			svc:  &service{noPprof: true, lateVec: true},
			opts: []watch.Option{watch.Metrics("orders_total")},
		}, {
			// Pages that parse but hold none of the series recorded
			// gave no sample: the misspelt name went unsaid.
			name:       "missing metric on a page without the runtime's series",
			svc:        &service{noPprof: true, bare: true},
			opts:       []watch.Option{watch.Metrics("no_such_metric")},
			wantErrors: []string{"/metrics: no go_goroutines", "/metrics: no no_such_metric in any of 3 scrapes (is the name right?"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.svc)
			defer srv.Close()
			opts := append(tt.opts, watch.Interval(time.Hour))
			if tt.pprofPath != "" {
				opts = append(opts, watch.WithPprof(srv.URL+tt.pprofPath))
			}
			w := watch.Prometheus(srv.URL+"/metrics", opts...)
			if err := w.Start(t.Context()); err != nil {
				t.Fatal(err)
			}
			tt.svc.phase.Store(1)
			w.LoadStarted(time.Now())
			waitFor(t, "the scrape of LoadStarted", func() bool { return tt.svc.scrapes.Load() == 2 })
			w.LoadEnded(time.Now())
			st := w.Stop()
			if len(st.Errors) != len(tt.wantErrors) {
				t.Fatalf("Errors = %q, want %d", st.Errors, len(tt.wantErrors))
			}
			for i, want := range tt.wantErrors {
				if !strings.Contains(st.Errors[i], want) {
					t.Errorf("Errors[%d] = %q, want it to contain %q", i, st.Errors[i], want)
				}
			}
			if len(st.GoroutineGrowth) > 0 {
				t.Errorf("GoroutineGrowth = %+v, want none", st.GoroutineGrowth)
			}
		})
	}
}

// TestWatcherNeverSeenRestarted: a Watcher started again forgets the
// metrics its earlier run found: a name the second run never saw is said
// to be missing, though the first run had it.
func TestWatcherNeverSeenRestarted(t *testing.T) {
	svc := &service{noPprof: true, lateVec: true}
	srv := httptest.NewServer(svc)
	defer srv.Close()
	w := watch.Prometheus(srv.URL+"/metrics", watch.Metrics("orders_total"), watch.Interval(time.Hour))
	for i, phase := range []int32{1, 0} {
		svc.phase.Store(phase) // orders_total appears in phase 1 only
		if err := w.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		st := w.Stop()
		var want []string
		if i == 1 {
			want = []string{"/metrics: no orders_total in any of 2 scrapes"}
		}
		if len(st.Errors) != len(want) || len(want) > 0 && !strings.Contains(st.Errors[0], want[0]) {
			t.Errorf("run %d: Errors = %q, want %q", i+1, st.Errors, want)
		}
	}
}

// TestWatcherBoundsErrors checks that a service failing in many ways keeps
// only a few messages.
func TestWatcherBoundsErrors(t *testing.T) {
	defer goleak.VerifyNone(t)
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "", 500+int(n.Add(1))%10) // a different status each time
	}))
	defer srv.Close()
	w := watch.Prometheus(srv.URL+"/metrics", watch.Interval(time.Millisecond), watch.WithoutPprof())
	if err := w.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "scrapes", func() bool { return n.Load() >= 20 })
	st := w.Stop()
	if len(st.Errors) != 6 || !strings.HasPrefix(st.Errors[5], "and ") {
		t.Errorf("Errors = %q, want 5 distinct messages and a count of the others", st.Errors)
	}
}

func TestWatcherStartRefuses(t *testing.T) {
	tests := []struct {
		name string
		url  string
		opts []watch.Option
		want string
	}{
		{name: "not loopback", url: "http://10.1.2.3:9090/metrics", want: "host 10.1.2.3 is not a loopback address: host not allowed"},
		{name: "a name not loopback", url: "http://metrics.example.com/metrics", want: "add the host to watch.AllowHost or set LOADGATE_ALLOW_HOSTS=metrics.example.com"},
		{name: "bad entry", url: "http://127.0.0.1:1/metrics", opts: []watch.Option{watch.AllowHost("10.0.0.0/8")}, want: `watch.AllowHost or LOADGATE_ALLOW_HOSTS: entry "10.0.0.0/8": want one host`},
		{name: "pprof not loopback", url: "http://127.0.0.1:1/metrics", opts: []watch.Option{watch.WithPprof("http://10.0.0.1/debug/pprof/goroutine?debug=1")}, want: "pprof URL: host 10.0.0.1"},
		{name: "relative URL", url: "/metrics", want: "want an absolute http:// or https:// URL"},
		{name: "no scheme", url: "127.0.0.1:8080/metrics", want: `metrics URL "127.0.0.1:8080/metrics": want an absolute http:// or https:// URL, such as "http://127.0.0.1:8080/metrics"`},
		{name: "no scheme, a name", url: "localhost:8080/metrics", want: `such as "http://localhost:8080/metrics"`},
		{name: "no host", url: "metrics", want: `metrics URL "metrics": want an absolute http:// or https:// URL, such as "http://127.0.0.1:9090/metrics"`},
		{name: "bad interval", url: "http://127.0.0.1:1/metrics", opts: []watch.Option{watch.Interval(0)}, want: "Interval must be positive"},
		{name: "bad timeout", url: "http://127.0.0.1:1/metrics", opts: []watch.Option{watch.Timeout(-1)}, want: "Timeout must be positive"},
		{name: "empty metric", url: "http://127.0.0.1:1/metrics", opts: []watch.Option{watch.Metrics("")}, want: "empty metric name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := watch.Prometheus(tt.url, tt.opts...).Start(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Start = %v, want an error containing %q", err, tt.want)
			}
			if strings.Contains(tt.name, "loopback") && !errors.Is(err, loadtest.ErrHostNotAllowed) {
				t.Errorf("error does not wrap loadtest.ErrHostNotAllowed")
			}
		})
	}
}

// TestWatcherServiceDown runs a watcher against a port nothing listens on:
// the scrapes fail, the run goes on.
func TestWatcherServiceDown(t *testing.T) {
	defer goleak.VerifyNone(t)
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/metrics"
	srv.Close()
	w := watch.Prometheus(url, watch.Interval(time.Hour), watch.Timeout(time.Second))
	if err := w.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	w.LoadStarted(time.Now())
	w.LoadEnded(time.Now())
	st := w.Stop()
	if len(st.Errors) == 0 || !strings.Contains(st.Errors[0], "connection refused") {
		t.Errorf("Errors = %q, want a refused connection", st.Errors)
	}
	if len(st.Series) != 0 || len(st.Before) != 0 {
		t.Errorf("stats of a service that is down = %+v, want no values", st)
	}
}

// TestWatcherInRun watches a service served by this test through
// loadtest.Run, as Scenario.Watch.
func TestWatcherInRun(t *testing.T) {
	if testing.Short() {
		t.Skip("load test skipped in -short mode")
	}
	svc := &service{}
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/work" {
			once.Do(func() { svc.phase.Store(1) })
			return
		}
		svc.ServeHTTP(w, r)
	}))
	defer srv.Close()
	res := loadtest.Run(t, loadtest.Scenario{
		Target:   loadtest.GET(srv.URL + "/work"),
		Load:     loadtest.Rate(50).For(300 * time.Millisecond),
		Watch:    watch.Prometheus(srv.URL+"/metrics", watch.Interval(50*time.Millisecond)),
		CoolDown: 200 * time.Millisecond,
	})
	if res == nil || res.Server == nil {
		t.Fatal("no Server stats in the result")
	}
	st := res.Server
	if st.Before["go_goroutines"] != 10 || st.Peak["go_goroutines"] != 120 {
		t.Errorf("go_goroutines before %v, peak %v; want 10 and 120", st.Before["go_goroutines"], st.Peak["go_goroutines"])
	}
	if len(st.GoroutineGrowth) != 1 || st.GoroutineGrowth[0].After-st.GoroutineGrowth[0].Before != 45 {
		t.Errorf("GoroutineGrowth = %+v, want shop.leak.func1 grown by 45", st.GoroutineGrowth)
	}
	if len(st.Errors) > 0 {
		t.Errorf("Errors = %q", st.Errors)
	}
}
