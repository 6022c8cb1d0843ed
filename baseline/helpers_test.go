package baseline

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/loadgate/loadgate/internal/histo"
	"github.com/loadgate/loadgate/loadtest"
)

// testEnv is the machine of synthetic results.
var testEnv = loadtest.Env{Go: "go1.26.8", GOOS: "linux", GOARCH: "amd64", CPUs: 2, CPUModel: "Example CPU"}

// run makes a Run whose latencies are those of a service with median p50
// and tail p99; everything else is steady.
func run(p50, p99 time.Duration) Run {
	return Run{
		RunID: "r", Started: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC), DurationNS: int64(time.Second),
		Requests: 1000, P50NS: int64(p50), P90NS: int64(p50 + (p99-p50)/2), P99NS: int64(p99), P999NS: int64(p99 * 2),
		ErrorRate: 0, Throughput: 1000, Dropped: 0, GoroutineGrowth: 0, HeapPeakBytes: 8 << 20, GCPauseP99NS: 20000,
	}
}

// sampleP99 makes a sample whose runs have the given p99s (ms) and a p50
// of a tenth of them.
func sampleP99(label string, p99ms ...float64) Sample {
	s := Sample{Scenario: "checkout", Label: label, Env: testEnv}
	for _, ms := range p99ms {
		d := time.Duration(ms * float64(time.Millisecond))
		s.Runs = append(s.Runs, run(d/10, d))
	}
	return s
}

// result makes a loadtest.Result of scenario whose 1000 latencies are
// spread around median (±50%), with a real HDR histogram, as Run makes.
func result(scenario string, median time.Duration, seed uint64) *loadtest.Result {
	rng := rand.New(rand.NewPCG(seed, 1))
	h := histo.New()
	for range 1000 {
		h.RecordValue(int64(float64(median) * (0.5 + rng.Float64())))
	}
	lat := loadtest.Latency(histo.Summarize(h, true))
	return &loadtest.Result{
		Schema: loadtest.SchemaVersion, Scenario: scenario, Package: "example.com/shop", Test: "TestLoad",
		RunID: fmt.Sprintf("run%d", seed), Started: time.Date(2026, 11, 23, 1, 2, 3, 0, time.UTC),
		DurationNS: int64(time.Second), Env: testEnv,
		Requests: 1000, Rate: 1000, Throughput: 1000,
		Latency: lat, ServiceTime: lat,
		Runtime: loadtest.RuntimeStats{GoroutinesStart: 4, GoroutinesPeak: 20, GoroutinesEnd: 5, HeapPeakBytes: 8 << 20, GCPauseP99NS: 20000},
	}
}

// fakeTB records what Check reports.
type fakeTB struct {
	mu     sync.Mutex
	errors []string
	logs   []string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}
func (f *fakeTB) Logf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logs = append(f.logs, fmt.Sprintf(format, args...))
}
func (f *fakeTB) failed() bool { return len(f.errors) > 0 }

// Failed is testing.TB's: Check does not record a run whose test failed.
func (f *fakeTB) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.errors) > 0
}
func (f *fakeTB) text() string {
	return "errors:\n" + strings.Join(f.errors, "\n") + "\nlogs:\n" + strings.Join(f.logs, "\n")
}

var _ TB = (*fakeTB)(nil)
