package shop_test

import (
	"bytes"
	"go/version"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/loadtest"
	"github.com/loadgate/loadgate/loadtest/watch"
)

// leaker is the function of the goroutine every GET /products of a leaking
// shop starts and never ends.
const leaker = "github.com/loadgate/loadgate/examples/shop.(*Server).listProducts.func1"

// TestLoadRemoteLeakProfile loads shopd -leak in a process of its own with
// profiling on (CPU and goroutines, as LOADGATE_PROFILE=cpu,goroutine asks)
// and checks that both reports of the leak name the leaking function
// (issue 15): the service's goroutineleak profile, which its runtime proves
// and the watcher reads after the cool-down, and the goroutine delta
// before and after the load that assert.ServerSettled reports.
//
// shopd is built with the Go that runs the test: from Go 1.27 it serves
// the goroutineleak profile; Go 1.26 does with GOEXPERIMENT=goroutineleakprofile,
// which this test adds for it.
func TestLoadRemoteLeakProfile(t *testing.T) {
	if testing.Short() {
		t.Skip("load test skipped in -short mode: it builds shopd and runs it as a separate process")
	}
	if v := os.Getenv(loadtest.EnvTarget); v != "" {
		t.Skipf("%s=%s: this test loads a leaking shopd of its own", loadtest.EnvTarget, v)
	}
	bin := buildShopd(t, leakProfileEnv()...)
	url := startShopd(t, bin, "-addr", "127.0.0.1:0", "-leak")
	res := loadtest.Run(t, loadtest.Scenario{
		Target:   loadtest.GET(url + "/products"),
		Load:     loadtest.Rate(100).For(2 * time.Second),
		Watch:    watch.Prometheus(url + "/metrics"),
		CoolDown: 2 * time.Second,
		Profile:  loadtest.Profile{CPU: true, Goroutine: true},
	})
	if res == nil {
		return
	}
	checkClean(t, res)
	if res.Server == nil {
		t.Fatal("the result has no Server stats")
	}

	// The goroutineleak profile: every request's goroutine, proven
	// blocked forever, and nothing else.
	var kinds []string
	var leakProfile []byte
	for _, p := range res.TakenProfiles() {
		kinds = append(kinds, p.Kind)
		if p.Kind == loadtest.ProfileGoroutineLeak {
			leakProfile = p.Data
		}
	}
	t.Logf("shopd built with %s: %d requests; profiles %v; warnings %q", runtime.Version(), res.Requests, kinds, res.Warnings)
	for _, k := range []string{loadtest.ProfileCPU, loadtest.ProfileGoroutine, loadtest.ProfileGoroutineLeak} {
		if !slices.Contains(kinds, k) {
			t.Errorf("no %s profile of shopd taken; warnings: %q", k, res.Warnings)
		}
	}
	if leakProfile != nil {
		leaked, err := leakedBy(leakProfile)
		if err != nil {
			t.Fatalf("reading the goroutineleak profile: %v", err)
		}
		t.Logf("goroutineleak profile of shopd: %v", leaked)
		if len(leaked) != 1 || leaked[leaker] != res.Requests {
			t.Errorf("goroutineleak profile: leaked goroutines by function %v, want %d (one per request) in %s only", leaked, res.Requests, leaker)
		}
	}

	// The goroutine delta, as assert.ServerSettled reports it.
	ft := &serverFailures{}
	if assert.ServerSettled(ft, res, 5, 5) {
		t.Fatalf("ServerSettled passed on a shop that leaks a goroutine per request")
	}
	t.Logf("ServerSettled reported:\n%s", ft)
	if !strings.Contains(ft.String(), leaker) {
		t.Errorf("ServerSettled's report does not name %s", leaker)
	}
}

// leakProfileEnv is what go build needs for the goroutineleak profile: Go
// before 1.27 has it as an experiment.
func leakProfileEnv() []string {
	v := runtime.Version()
	if !version.IsValid(v) || version.Compare(v, "go1.27") >= 0 {
		return nil
	}
	exp := "goroutineleakprofile"
	if old := os.Getenv("GOEXPERIMENT"); old != "" {
		exp = old + "," + exp
	}
	return []string{"GOEXPERIMENT=" + exp}
}

// leakedBy counts the goroutines of a goroutineleak profile (pprof format)
// by the innermost function outside the runtime on their stacks: the one
// that blocked forever.
func leakedBy(data []byte) (map[string]int64, error) {
	p, err := profile.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	leaked := map[string]int64{}
	for _, s := range p.Sample {
		fn := "unknown"
	frames:
		for _, loc := range s.Location { // innermost first
			for _, line := range loc.Line { // innermost inlined call first
				if name := line.Function.Name; !strings.HasPrefix(name, "runtime.") {
					fn = name
					break frames
				}
			}
		}
		leaked[fn] += s.Value[0]
	}
	return leaked, nil
}
