package loadtest

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// recordOne is the one place the tests call recorder.record, so that a
// change of its signature is fixed here only.
func recordOne(r *recorder, shard, slot int, end time.Time, latency, service time.Duration, kind string, s *Sample) {
	r.record(shard, slot, end, latency, service, kind, s)
}

// executeScenario is the one place the tests call execute: it runs a
// scenario that already has its defaults, without a testing.TB to drive.
func executeScenario(tb testing.TB, s Scenario) *Result {
	tb.Helper()
	res, err := execute(context.Background(), s, execOptions{drainLimit: s.Timeout + drainGrace})
	if err != nil {
		tb.Fatalf("execute %s: %v", s.Name, err)
	}
	return res
}

// newMeasuringRecorder returns a recorder whose measured load began at
// start, as execute leaves it after the warm-up.
func newMeasuringRecorder(slots int, start time.Time) *recorder {
	r := newRecorder(slots, DefaultScenario.Slowest)
	r.loadStart.Store(start.UnixNano())
	return r
}

// TestRecordAllocatesNothing checks the claim of recorder.record: once a
// shard has seen a stage (and a request name or error kind), recording a
// request allocates nothing, whatever the request looks like.
func TestRecordAllocatesNothing(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	named := Sample{Name: "checkout", Status: 200}
	phased := Sample{Status: 503}
	phased.SetPhase(PhaseConnect, 300*time.Microsecond)
	phased.SetPhase(PhaseTTFB, 2*time.Millisecond)
	phased.SetPhase(PhaseTotal, 3*time.Millisecond)

	tests := []struct {
		name   string
		slot   int
		kind   string
		sample Sample
		// step is how far end moves between requests: a second or more
		// makes every request start a new second of the timeline ring.
		step   time.Duration
		closed bool
	}{
		{name: "success", slot: 1},
		{name: "error kind", slot: 1, kind: KindTimeout},
		{name: "named with status", slot: 1, sample: named},
		{name: "phases and status", slot: 2, kind: KindOther, sample: phased},
		{name: "new second every request", slot: 1, step: time.Second},
		{name: "warm-up", slot: 0},
		{name: "after the drain gave up", slot: 1, closed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newMeasuringRecorder(3, start)
			end := start.Add(1500 * time.Millisecond)
			s := tt.sample
			recordOne(r, 0, tt.slot, end, time.Millisecond, time.Millisecond, tt.kind, &s) // the shard sees the stage
			r.closed.Store(tt.closed)
			lat := time.Duration(0)
			allocs := testing.AllocsPerRun(1000, func() {
				end = end.Add(tt.step)
				lat += 997 * time.Nanosecond
				recordOne(r, 0, tt.slot, end, lat, lat/2, tt.kind, &s)
			})
			if allocs != 0 {
				t.Errorf("record allocates %v times per request, want 0", allocs)
			}
			if !tt.closed {
				if got := r.slotTally(tt.slot).requests; got != 1002 { // AllocsPerRun warms up once
					t.Errorf("recorded %d requests, want 1002", got)
				}
			}
		})
	}
}

// BenchmarkRecord measures the per-request recording path, from one
// goroutine and from many (each on its own shard, as workers are).
func BenchmarkRecord(b *testing.B) {
	start := time.Now()
	benchmarks := []struct {
		name     string
		kind     string
		sample   Sample
		parallel bool
		keep     int  // slowest requests kept; -1 for none
		random   bool // latencies in no order, rather than growing
	}{
		{name: "success"},
		// Every request slower than the last: each replaces the fastest of
		// the slowest kept, the costliest case of keeping them.
		{name: "success, no slowest kept", keep: -1},
		// Latencies in no order: few requests are among the slowest so far.
		{name: "random latencies", random: true},
		{name: "random latencies, no slowest kept", random: true, keep: -1},
		{name: "error", kind: KindTimeout},
		{name: "named", sample: Sample{Name: "checkout", Status: 200}},
		{name: "success parallel", parallel: true},
		{name: "named parallel", sample: Sample{Name: "checkout", Status: 200}, parallel: true},
	}
	for _, bm := range benchmarks {
		b.Run(bm.name, func(b *testing.B) {
			r := newMeasuringRecorder(2, start)
			if bm.keep < 0 {
				r.each(func(sh *shard) { sh.slow = slowHeap{} })
			}
			b.ReportAllocs()
			if !bm.parallel {
				s := bm.sample
				i := 0
				for b.Loop() {
					i++
					// About a million requests a second: the ring moves on
					// to a new second every million iterations.
					end := start.Add(time.Duration(i) * time.Microsecond)
					lat := time.Duration(i & 0xfffff)
					if bm.random {
						lat = time.Duration(splitmix64(uint64(i)) & 0xfffff)
					}
					recordOne(r, 0, 1, end, lat, 50*time.Microsecond, bm.kind, &s)
				}
				return
			}
			var shards atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				shard := int(shards.Add(1))
				s := bm.sample
				i := 0
				for pb.Next() {
					i++
					end := start.Add(time.Duration(i) * time.Microsecond)
					recordOne(r, shard, 1, end, time.Duration(i&0xfffff)*time.Nanosecond, 50*time.Microsecond, bm.kind, &s)
				}
			})
		})
	}
}

// BenchmarkScenario runs whole scenarios against a no-op target and reports
// what one request costs the harness: wall time per request in the closed
// model (how fast the harness can go), CPU time per request in the open
// model (what a paced request costs), and allocations per request. The
// recording path allocates nothing; what remains is the per-request context
// with its timeout.
func BenchmarkScenario(b *testing.B) {
	noop := Func(func(context.Context) error { return nil })
	fail := Func(func(context.Context) error { return errBench })
	panics := Func(func(context.Context) error { panic(errBench) })
	benchmarks := []struct {
		name string
		give Scenario
	}{
		{name: "closed 1 user", give: Scenario{Target: noop, Load: Users(1).For(250 * time.Millisecond)}},
		{name: "closed GOMAXPROCS users", give: Scenario{Target: noop, Load: Users(runtime.GOMAXPROCS(0)).For(250 * time.Millisecond)}},
		{name: "closed failing", give: Scenario{Target: fail, Load: Users(runtime.GOMAXPROCS(0)).For(250 * time.Millisecond)}},
		{name: "closed panicking", give: Scenario{Target: panics, Load: Users(runtime.GOMAXPROCS(0)).For(250 * time.Millisecond)}},
		{name: "open 20000 per s", give: Scenario{Target: noop, Load: Rate(20000).For(250 * time.Millisecond)}},
		{name: "open poisson 20000 per s", give: Scenario{Target: noop, Load: Poisson(20000).For(250 * time.Millisecond)}},
	}
	for _, bm := range benchmarks {
		b.Run(bm.name, func(b *testing.B) {
			s := bm.give.withDefaults(1)
			var requests int64
			var cpu, wall time.Duration
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				res := executeScenario(b, s)
				requests += res.Requests
				cpu += time.Duration(res.Runtime.CPUSeconds * 1e9)
				wall += res.Duration()
			}
			runtime.ReadMemStats(&after)
			if requests == 0 {
				b.Fatal("no requests")
			}
			b.ReportMetric(float64(wall)/float64(requests), "ns/req")
			b.ReportMetric(float64(cpu)/float64(requests), "cpu-ns/req")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(requests), "allocs/req")
			b.ReportMetric(float64(requests)/wall.Seconds(), "req/s")
		})
	}
}

var errBench = errors.New("bench: refused")
