package watch_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	runtimepprof "runtime/pprof"
	"slices"
	"strings"
	"testing"
	"time"

	pprofile "github.com/google/pprof/profile"

	"github.com/loadgate/loadgate/loadtest"
	"github.com/loadgate/loadgate/loadtest/watch"
)

// pprofService is the fake service of watcher_test.go with the real
// net/http/pprof handlers, as a Go service registers them, served from
// this test process on 127.0.0.1; or without them (404), as a service
// that does not import net/http/pprof.
func pprofService(t *testing.T, withPprof bool) *httptest.Server {
	t.Helper()
	svc := &service{noPprof: !withPprof}
	mux := http.NewServeMux()
	mux.Handle("/", svc)
	if withPprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	}
	mux.HandleFunc("/work", func(w http.ResponseWriter, r *http.Request) {})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func kindsOf(ps []loadtest.ProfileData) []string {
	var kinds []string
	for _, p := range ps {
		kinds = append(kinds, p.Kind)
	}
	return kinds
}

// TestProfileRemote profiles a watched service through its /debug/pprof
// endpoints: the CPU, mutex and block profiles over the load's whole
// seconds, the heap at both ends, the goroutines at the end, and the
// goroutineleak profile after the cool-down where this Go has it; the
// test process itself is not profiled (issue 15).
func TestProfileRemote(t *testing.T) {
	if testing.Short() {
		t.Skip("load test skipped in -short mode")
	}
	srv := pprofService(t, true)
	res, err := loadtest.Execute(t.Context(), loadtest.Scenario{
		Name:     "remote",
		Target:   loadtest.GET(srv.URL + "/work"),
		Load:     loadtest.Rate(50).For(1200 * time.Millisecond), // a 1 s window
		Watch:    watch.Prometheus(srv.URL+"/metrics", watch.Interval(100*time.Millisecond)),
		CoolDown: 100 * time.Millisecond,
		Profile:  loadtest.Profile{CPU: true, Heap: true, Goroutine: true, Mutex: true, Block: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"cpu", "heap", "heap-start", "goroutine", "mutex", "block"}
	leakProfile := runtimepprof.Lookup("goroutineleak") != nil
	if leakProfile {
		want = []string{"cpu", "heap", "heap-start", "goroutine", "goroutineleak", "mutex", "block"}
	}
	if got := kindsOf(res.TakenProfiles()); !slices.Equal(got, want) {
		t.Fatalf("profiles %q, want %q; warnings %q", got, want, res.Warnings)
	}
	for _, p := range res.TakenProfiles() {
		prof, err := pprofile.ParseData(p.Data)
		if err != nil {
			t.Errorf("%s: %v", p.Kind, err)
			continue
		}
		if p.Kind == "cpu" && time.Duration(prof.DurationNanos).Round(time.Second) != time.Second {
			t.Errorf("the CPU profile covers %v, want the load's whole second", time.Duration(prof.DurationNanos))
		}
	}
	t.Logf("warnings: %q; leaks: %v", res.Warnings, res.Leaks)
	hasLeakNote := slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, "no goroutineleak profile of the service") })
	if hasLeakNote == leakProfile {
		t.Errorf("goroutineleak profile available: %v; warnings %q", leakProfile, res.Warnings)
	}
}

// TestProfileRemoteMissing: a service without net/http/pprof gives no
// profile, and says so, without failing the run; a load stopped early
// by its gate gives no CPU profile rather than wait for a window that
// outlasts it.
func TestProfileRemoteMissing(t *testing.T) {
	if testing.Short() {
		t.Skip("load test skipped in -short mode")
	}
	t.Run("no pprof", func(t *testing.T) {
		srv := pprofService(t, false)
		res, err := loadtest.Execute(t.Context(), loadtest.Scenario{
			Target:   loadtest.GET(srv.URL + "/work"),
			Load:     loadtest.Rate(20).For(300 * time.Millisecond),
			Watch:    watch.Prometheus(srv.URL+"/metrics", watch.Interval(100*time.Millisecond)),
			CoolDown: 10 * time.Millisecond,
			Profile:  loadtest.Profile{Heap: true, Goroutine: true},
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(res.TakenProfiles()); n != 0 {
			t.Errorf("%d profiles, want none", n)
		}
		// One warning for every profile the service does not serve (it
		// was one each, near-identical).
		var missing []string
		for _, w := range res.Warnings {
			if strings.Contains(w, "404") {
				missing = append(missing, w)
			}
		}
		if len(missing) != 1 || !strings.Contains(missing[0], "no goroutine, goroutineleak, heap, heap-start profiles of the service: each answered 404 under "+srv.URL+"/debug/pprof/") {
			t.Errorf("warnings about the missing profiles: %q, want one naming them all", missing)
		}
	})
	t.Run("stopped early", func(t *testing.T) {
		srv := pprofService(t, true)
		res, err := loadtest.Execute(t.Context(), loadtest.Scenario{
			Target: loadtest.GET(srv.URL + "/work"),
			Load: loadtest.Ramp(
				loadtest.Rate(20).For(200*time.Millisecond).Gated(func(*loadtest.StageResult) error { return context.Canceled }),
				loadtest.Rate(20).For(20*time.Second),
			),
			Watch:    watch.Prometheus(srv.URL+"/metrics", watch.Interval(100*time.Millisecond)),
			CoolDown: 10 * time.Millisecond,
			Profile:  loadtest.Profile{CPU: true},
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Stopped == nil {
			t.Fatal("the gate did not stop the run")
		}
		if n := len(res.TakenProfiles()); n != 0 {
			t.Errorf("%d profiles, want none", n)
		}
		if !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, "before the end of their 20s window") }) {
			t.Errorf("no warning about the window cut short: %q", res.Warnings)
		}
	})
}
