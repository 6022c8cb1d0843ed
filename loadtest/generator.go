package loadtest

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Generator says how the load generator fared over the measured load, and
// whether it, rather than the service, may have set the latencies: a
// generator short of CPU sends late and reads responses late, and both
// delays are in the latency. A run whose generator was the bottleneck is
// generator-bound (Bound): package baseline judges latencies and
// throughput without it (inconclusive when too few other runs are left),
// and every rendering of the run says so with the Reasons.
//
// The figures describe the test process: the harness, the target and any
// service running in the same process (a test server, an example shop).
// Run measures them and decides Bound with [DefaultGeneratorLimits].
type Generator struct {
	// CPUs is how many CPUs the process could use: GOMAXPROCS (which
	// follows a container's CPU limit), at most the CPUs its affinity
	// allows (runtime.NumCPU).
	CPUs int `json:"cpus"`
	// CPUShare is the CPU time the process used over the measured load,
	// over the load's wall time times CPUs: 1 means every CPU it could
	// use was busy the whole time, and it is never above 1. It is 0, not
	// measured, over a load shorter than 200 ms (the CPU time moves in
	// clock ticks) and where the platform does not report the process's
	// CPU time.
	CPUShare float64 `json:"cpu_share"`
	// Sends counts the open-model sends of the measured load, and
	// SendLagP90NS and SendLagP99NS are the 90th and 99th percentiles of
	// how late they left their schedule (2 significant digits). A p90 in
	// milliseconds says the generator fell behind again and again; a p99
	// alone, that something held it up now and then. All are 0, and
	// absent from JSON, in a closed-model run: a user sends when its
	// previous request and its think time end, and its latency is timed
	// from the actual send, so it has no schedule to be late for (a late
	// user sends less; it is in the rate, not the latency). Result.PacerLagMaxNS is the largest
	// lag. A [Paced] stage whose Pacer plans several arrivals at one
	// instant sends them one after another, so that the later ones of a
	// burst are late by the time the earlier ones took: the lag is the
	// generator's, and in their latency.
	Sends        int64 `json:"sends,omitempty"`
	SendLagP90NS int64 `json:"send_lag_p90_ns,omitempty"`
	SendLagP99NS int64 `json:"send_lag_p99_ns,omitempty"`
	// SchedLatencyP99NS is the 99th percentile of the time goroutines of
	// the process spent runnable before they ran, over the measured load:
	// the Go runtime's /sched/latencies:seconds histogram, whose bucket
	// bounds it gives (the runtime samples it). It is the most direct
	// sign that the process had no CPU for its goroutines.
	SchedLatencyP99NS int64 `json:"sched_latency_p99_ns"`
	// ConnWaits counts the requests that waited [ConnWaitCounted] or
	// longer for a connection from net/http's pool (httptrace's
	// GetConn to GotConn, less the dial when the request dialled its own),
	// and ConnWaitMaxNS is the longest wait; Requests counts the requests
	// they are among. All are 0 for targets that do not report
	// connections, and for the Lean profile, whose workers each keep a
	// connection of their own and never wait for one.
	ConnWaits     int64 `json:"conn_waits,omitempty"`
	ConnWaitMaxNS int64 `json:"conn_wait_max_ns,omitempty"`
	Requests      int64 `json:"requests,omitempty"`
	// Bound says the generator was the bottleneck: a figure above reached
	// its limit in [DefaultGeneratorLimits]. Reasons say which, as
	// sentences ("one send in ten left more than 2ms late (p90 3.4ms)").
	Bound   bool     `json:"bound"`
	Reasons []string `json:"reasons,omitempty"`
}

// ConnWaitCounted is the shortest wait for a pooled connection that
// Generator.ConnWaits counts.
const ConnWaitCounted = time.Millisecond

// GeneratorLimits are the limits beyond which a run is generator-bound:
// reaching any one of them is enough. A zero limit is not checked, except
// BusySchedLatencyP99: with it zero, a CPUShare reached is enough alone.
type GeneratorLimits struct {
	// CPUShare and BusySchedLatencyP99 bound Generator.CPUShare and
	// SchedLatencyP99NS together: a process that used CPUShare of its
	// CPUs or more while its goroutines waited longer than
	// BusySchedLatencyP99 at p99 had too little CPU. A busy process whose
	// goroutines still ran at once had enough: a closed-model test with
	// no think time keeps the CPUs of a test process busy by design.
	CPUShare            float64
	BusySchedLatencyP99 time.Duration
	// SendLagP90 and SendLagP99 bound Generator.SendLagP90NS and
	// SendLagP99NS (the open model's).
	SendLagP90, SendLagP99 time.Duration
	// SchedLatencyP99 bounds Generator.SchedLatencyP99NS.
	SchedLatencyP99 time.Duration
	// ConnWaitShare bounds the share of the requests that waited
	// [ConnWaitCounted] or longer for a pooled connection: over 1% puts
	// such a wait into the p99. It counts only once at least ConnWaitsMin
	// requests waited: in a short run one slow dial is over 1% of the
	// requests (1 of 33 in a shard of the README's sharded workflow under
	// act) without a pool that keeps requests waiting.
	ConnWaitShare float64
	ConnWaitsMin  int64
}

// DefaultGeneratorLimits are the limits [Run] and [Execute] judge every
// run with; a program may change them before it runs any scenario. They
// come from the examples' load tests on the project's shared 2-core
// machine (docs/PERFORMANCE.md, "When the generator is the bottleneck").
// There, ordinary runs sent one send in ten at most 0.48 ms late, but one
// in a hundred up to 5.5 ms late: a p99 in milliseconds is the machine
// waking the sender late now and then, a p90 is the generator falling
// behind again and again, as it did beside two busy loops pinned to the
// test's one CPU (p90 2.2-112 ms, one run 1.36 ms). Now and then an
// ordinary run's p90 reached 1.1-2.1 ms too: 1.17 and 2.06 ms in 720 runs
// of the examples' scenarios, 1.17 and 1.99 ms in the Action end to end on
// a busy CI machine, 1.11 ms in scripts/generator-bound.sh gate. So the
// p90 limit is 2 ms, above most of that noise (a mark leaves a run out of
// a comparison's latencies). Goroutines waited at most 1.6 ms at
// p99, 2.6 ms in the checkout journey, whose eight shoppers' requests come
// in bursts, and 10.5-12.6 ms there beside the busy loops. Closed-model
// tests without think time kept up to 98% of the CPUs busy with
// goroutines that still ran within 0.3 ms, and within 1.05 ms in later
// runs: busy, not short of CPU; so a busy process counts only once its
// goroutines wait more than 2 ms.
var DefaultGeneratorLimits = GeneratorLimits{
	CPUShare:            0.90,
	BusySchedLatencyP99: 2 * time.Millisecond,
	SendLagP90:          2 * time.Millisecond,
	SendLagP99:          10 * time.Millisecond,
	SchedLatencyP99:     5 * time.Millisecond,
	ConnWaitShare:       0.01,
	ConnWaitsMin:        10,
}

// Check returns the reasons g is generator-bound under l, one sentence
// per limit reached, or none.
func (l GeneratorLimits) Check(g Generator) []string {
	var why []string
	sched := time.Duration(g.SchedLatencyP99NS)
	switch busy := l.CPUShare > 0 && g.CPUShare >= l.CPUShare; {
	case busy && l.BusySchedLatencyP99 == 0:
		why = append(why, fmt.Sprintf("the process used %.0f%% of its %s (limit %.0f%%)",
			100*g.CPUShare, plural(g.CPUs, "CPU"), 100*l.CPUShare))
	case busy && sched > l.BusySchedLatencyP99:
		why = append(why, fmt.Sprintf("the process used %.0f%% of its %s and its goroutines waited up to %v for one at p99 (limits %.0f%% and %v)",
			100*g.CPUShare, plural(g.CPUs, "CPU"), ns(g.SchedLatencyP99NS), 100*l.CPUShare, l.BusySchedLatencyP99))
	case l.SchedLatencyP99 > 0 && sched > l.SchedLatencyP99:
		why = append(why, fmt.Sprintf("goroutines waited up to %v for a CPU at p99 (Go scheduler latency; limit %v)", ns(g.SchedLatencyP99NS), l.SchedLatencyP99))
	}
	if g.Sends > 0 {
		if l.SendLagP90 > 0 && time.Duration(g.SendLagP90NS) > l.SendLagP90 {
			why = append(why, fmt.Sprintf("one send in ten left more than %v late (p90 %v)", l.SendLagP90, ns(g.SendLagP90NS)))
		}
		if l.SendLagP99 > 0 && time.Duration(g.SendLagP99NS) > l.SendLagP99 {
			why = append(why, fmt.Sprintf("sends left up to %v late at p99 (limit %v)", ns(g.SendLagP99NS), l.SendLagP99))
		}
	}
	if l.ConnWaitShare > 0 && g.Requests > 0 && g.ConnWaits >= l.ConnWaitsMin && float64(g.ConnWaits) > l.ConnWaitShare*float64(g.Requests) {
		why = append(why, fmt.Sprintf("%d of %d requests (%.1f%%) waited %v or more for a pooled connection, up to %v (limit %.0f%% of requests, at least %d)",
			g.ConnWaits, g.Requests, 100*float64(g.ConnWaits)/float64(g.Requests), ConnWaitCounted, ns(g.ConnWaitMaxNS), 100*l.ConnWaitShare, l.ConnWaitsMin))
	}
	return why
}

// Judge sets g's Bound and Reasons under l.
func (l GeneratorLimits) Judge(g *Generator) {
	g.Reasons = l.Check(*g)
	g.Bound = len(g.Reasons) > 0
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// availableCPUs is how many CPUs the process can use at once.
func availableCPUs() int {
	return max(1, min(runtime.GOMAXPROCS(0), runtime.NumCPU()))
}

const metricSchedLatencies = "/sched/latencies:seconds"

// generatorWatch measures the process's CPU time and the scheduler's
// latencies between start and stop, the measured load.
type generatorWatch struct {
	wall    time.Time
	cpu     time.Duration
	haveCPU bool
	sched   *metrics.Float64Histogram
	cpus    int
}

// watchGenerator starts measuring; the caller must call stop at the end
// of the measured load.
func watchGenerator() *generatorWatch {
	w := &generatorWatch{cpus: availableCPUs()}
	w.sched = readSchedLatencies()
	w.cpu, w.haveCPU = processCPU()
	w.wall = time.Now()
	return w
}

// minCPUWindow is the shortest load whose CPU share is measured.
const minCPUWindow = 200 * time.Millisecond

// stop returns what the process did since start; the caller adds the
// sends and connection waits and judges it.
func (w *generatorWatch) stop() Generator {
	wall := time.Since(w.wall)
	cpu, ok := processCPU()
	g := Generator{CPUs: w.cpus}
	// The process's CPU time moves in clock ticks (4 to 10 ms): over a
	// load shorter than minCPUWindow (one stopped in its warm-up) the
	// share is a tick over nothing, "178% of 2 CPUs"; it is left 0,
	// unknown. It never exceeds every CPU.
	if ok && w.haveCPU && wall >= minCPUWindow {
		g.CPUShare = min((cpu-w.cpu).Seconds()/(wall.Seconds()*float64(w.cpus)), 1)
	}
	if end := readSchedLatencies(); w.sched != nil && end != nil {
		g.SchedLatencyP99NS, _ = pauseStats(w.sched, end)
	}
	return g
}

// readSchedLatencies returns a copy of the runtime's scheduler latency
// histogram, or nil where the runtime has none.
func readSchedLatencies() *metrics.Float64Histogram {
	s := []metrics.Sample{{Name: metricSchedLatencies}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64Histogram {
		return nil
	}
	return copyHistogram(s[0].Value.Float64Histogram())
}

// sendLags is the distribution of how late the open model's sends of the
// measured load left their schedule. The scheduler goroutine (the one that
// runs the stages) records the arrivals it hands to a worker, and a worker
// the queued ones it takes (engine.submit); recording does not allocate.
type sendLags struct {
	mu sync.Mutex
	h  *hdrhistogram.Histogram
}

func newSendLags() *sendLags { return &sendLags{h: newCoarseHistogram()} }

// note records the lag of one send of slot; the warm-up's (slot 0) are
// not counted.
func (l *sendLags) note(slot int, lag time.Duration) {
	if slot == 0 {
		return
	}
	l.mu.Lock()
	recordDuration(l.h, max(lag, 0))
	l.mu.Unlock()
}

// quantiles returns the sends counted and their lag's 90th and 99th
// percentiles.
func (l *sendLags) quantiles() (sends int64, p90, p99 time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.h.TotalCount()
	if n == 0 {
		return 0, 0, 0
	}
	return n, time.Duration(l.h.ValueAtQuantile(90)), time.Duration(l.h.ValueAtQuantile(99))
}

// connWait returns how long the request just reported waited for a
// connection from net/http's pool: GetConn to GotConn, less the dial when
// the request dialled a connection of its own. false when net/http did
// not report both (the Lean profile, a request that failed before).
func (sc *httpScratch) connWait() (time.Duration, bool) {
	get, got := sc.getConn.Load(), sc.gotConn.Load()
	if get == 0 || got < get {
		return 0, false
	}
	wait := got - get
	if !sc.reused.Load() {
		from, to := int64(0), int64(0)
		for _, t := range []int64{sc.dnsStart.Load(), sc.connStart.Load()} {
			if t >= get && (from == 0 || t < from) {
				from = t
			}
		}
		for _, t := range []int64{sc.connDone.Load(), sc.tlsDone.Load()} {
			if t <= got {
				to = max(to, t)
			}
		}
		if from != 0 && to > from {
			wait -= to - from
		}
	}
	return time.Duration(max(wait, 0)), true
}

// generatorOf completes what the watch measured with the sends' lags and
// the waits for connections, and judges it with [DefaultGeneratorLimits].
func generatorOf(g Generator, lags *sendLags, p *phaseTally) *Generator {
	sends, p90, p99 := lags.quantiles()
	g.Sends, g.SendLagP90NS, g.SendLagP99NS = sends, int64(p90), int64(p99)
	if p != nil {
		g.Requests, g.ConnWaits, g.ConnWaitMaxNS = p.connTimed, p.connWaits, int64(p.connWaitMax)
	}
	DefaultGeneratorLimits.Judge(&g)
	return &g
}

// BoundWord is the word every rendering marks a generator-bound run with.
const BoundWord = "generator-bound"

// IsBound reports whether g, which may be nil (a result without the
// generator's figures), says the generator was the bottleneck.
func (g *Generator) IsBound() bool { return g != nil && g.Bound }

// Timed returns the runs whose latencies and throughput loadgate's outputs
// show and judge: those that were not generator-bound, or all of them when
// every one was. runs is not changed.
func Timed(runs []*Result) []*Result {
	timed := slices.DeleteFunc(slices.Clone(runs), func(r *Result) bool { return r.Generator.IsBound() })
	if len(timed) == 0 {
		return runs
	}
	return timed
}

// Warning returns the sentence that says g was generator-bound and why, as
// the result's warnings and the summaries give it; "" when it was not.
func (g *Generator) Warning() string {
	if g == nil || !g.Bound {
		return ""
	}
	return BoundWord + ": " + strings.Join(g.Reasons, "; ") +
		": the latencies are the load generator's as much as the service's; a comparison judges latencies and throughput without this run, or leaves them inconclusive"
}

// Figures returns the line of the summary that describes g: "generator: 12% of
// 2 CPUs, send lag p99 45µs, scheduler latency p99 98µs", starting with
// generator-bound instead when it was.
func (g *Generator) Figures() string {
	head := "generator"
	if g.Bound {
		head = BoundWord
	}
	share := "CPU share not measured" // a load shorter than minCPUWindow, or no CPU time here
	if g.CPUShare > 0 {
		share = fmt.Sprintf("%.0f%% of %s", 100*g.CPUShare, plural(g.CPUs, "CPU"))
	}
	parts := []string{share}
	if g.Sends > 0 {
		parts = append(parts, fmt.Sprintf("send lag p90 %v p99 %v", ns(g.SendLagP90NS), ns(g.SendLagP99NS)))
	}
	parts = append(parts, fmt.Sprintf("scheduler latency p99 %v", ns(g.SchedLatencyP99NS)))
	if g.ConnWaits > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d requests waited %v or more for a connection (at most %v)",
			g.ConnWaits, g.Requests, ConnWaitCounted, ns(g.ConnWaitMaxNS)))
	}
	return head + ": " + strings.Join(parts, ", ")
}
