package loadtest_test

import (
	"context"
	"math"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

// TestRunAllKeepsEachRate runs two open-model scenarios at once (issue 14:
// k6's scenarios, browse at 200/s while checkout runs at 20/s) and checks
// that each sent its own plan's arrivals within 1% to its own target, ran
// in its own subtest, overlapped the other, and wrote its own result file.
func TestRunAllKeepsEachRate(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(loadtest.EnvOut, dir)
	var browseHits, checkoutHits atomic.Int64
	counter := func(n *atomic.Int64) loadtest.Target {
		return loadtest.Func(func(context.Context) error { n.Add(1); return nil })
	}
	results := loadtest.RunAll(t,
		loadtest.Scenario{Name: "browse", Target: counter(&browseHits), Load: loadtest.Rate(200).For(2 * time.Second)},
		loadtest.Scenario{Name: "checkout", Target: counter(&checkoutHits), Load: loadtest.Rate(20).For(2 * time.Second)},
	)
	if len(results) != 2 || results[0] == nil || results[1] == nil {
		t.Fatalf("results %v, want two", results)
	}
	for i, tt := range []struct {
		name string
		hits *atomic.Int64
	}{{"browse", &browseHits}, {"checkout", &checkoutHits}} {
		res := results[i]
		p := res.Load.Stages[0]
		planned := (p.From + p.To) / 2 * time.Duration(p.DurationNS).Seconds()
		t.Logf("%s: %d sent of %.0f planned, %d dropped, rate %.2f/s", tt.name, res.Requests, planned, res.Dropped, res.Rate)
		if dev := float64(res.Requests)/planned - 1; math.Abs(dev) > 0.01 {
			t.Errorf("%s: %d requests sent, want the %.0f planned ± 1%% (off by %+.2f%%)", tt.name, res.Requests, planned, 100*dev)
		}
		if res.Dropped != 0 || res.Errors != 0 || tt.hits.Load() != res.Requests {
			t.Errorf("%s: %d dropped, %d errors, target hit %d times for %d requests", tt.name, res.Dropped, res.Errors, tt.hits.Load(), res.Requests)
		}
		if res.Scenario != tt.name || res.Test != t.Name()+"/"+tt.name {
			t.Errorf("result of scenario %q in test %q, want %q in %q", res.Scenario, res.Test, tt.name, t.Name()+"/"+tt.name)
		}
		file, err := loadtest.ReadFile(filepath.Join(dir, tt.name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		if file.RunID != res.RunID || file.Requests != res.Requests {
			t.Errorf("%s.json holds run %s of %d requests, want run %s of %d", tt.name, file.RunID, file.Requests, res.RunID, res.Requests)
		}
	}
	a, b := results[0], results[1]
	if a.RunID == b.RunID {
		t.Errorf("both results are run %s", a.RunID)
	}
	// The loads ran at the same time: each started before the other ended.
	if end := b.Started.Add(b.Duration()); !a.Started.Before(end) {
		t.Errorf("browse started at %v, after checkout ended at %v", a.Started, end)
	}
	if end := a.Started.Add(a.Duration()); !b.Started.Before(end) {
		t.Errorf("checkout started at %v, after browse ended at %v", b.Started, end)
	}
}
