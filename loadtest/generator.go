package loadtest

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Generator says how the load generator fared over the measured load, and
// whether it, rather than the service, may have set the latencies: a
// generator short of CPU sends late and reads responses late, and both
// delays are in the latency. A run whose generator was the bottleneck is
// generator-bound (Bound): package baseline does not judge its latencies
// (their comparison is inconclusive), and every rendering of the run says
// so with the Reasons.
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
	// use was busy the whole time. It is 0 where the platform does not
	// report the process's CPU time.
	CPUShare float64 `json:"cpu_share"`
	// Sends counts the open-model sends of the measured load, and
	// SendLagP99NS is the 99th percentile of how late they left their
	// schedule (2 significant digits). Both are 0, and absent from JSON,
	// in a closed-model run: a user sends when its previous request and
	// its think time end, and its latency is timed from the actual send,
	// so it has no schedule to be late for (a late user sends less; it is
	// in the rate, not the latency). Result.PacerLagMaxNS is the largest
	// lag. A [Paced] stage whose Pacer plans several arrivals at one
	// instant sends them one after another, so that the later ones of a
	// burst are late by the time the earlier ones took: the lag is the
	// generator's, and in their latency.
	Sends        int64 `json:"sends,omitempty"`
	SendLagP99NS int64 `json:"send_lag_p99_ns,omitempty"`
	// SchedLatencyP99NS is the 99th percentile of the time goroutines of
	// the process spent runnable before they ran, over the measured load:
	// the Go runtime's /sched/latencies:seconds histogram, whose bucket
	// bounds it gives (the runtime samples it). It is the most direct
	// sign that the process had no CPU for its goroutines.
	SchedLatencyP99NS int64 `json:"sched_latency_p99_ns"`
	// ConnWaits counts the requests that waited longer than
	// [ConnWaitCounted] for a connection from net/http's pool (httptrace's
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
	// sentences ("the process used 97% of its 2 CPUs (limit 90%)").
	Bound   bool     `json:"bound"`
	Reasons []string `json:"reasons,omitempty"`
}

// ConnWaitCounted is the shortest wait for a pooled connection that
// Generator.ConnWaits counts.
const ConnWaitCounted = time.Millisecond

// GeneratorLimits are the limits beyond which a run is generator-bound:
// reaching any one of them is enough. A zero limit is not checked.
type GeneratorLimits struct {
	// CPUShare bounds Generator.CPUShare.
	CPUShare float64
	// SendLagP99 bounds Generator.SendLagP99NS (the open model's).
	SendLagP99 time.Duration
	// SchedLatencyP99 bounds Generator.SchedLatencyP99NS.
	SchedLatencyP99 time.Duration
	// ConnWaitShare bounds the share of the requests that waited longer
	// than [ConnWaitCounted] for a pooled connection: over 1% puts such a
	// wait into the p99.
	ConnWaitShare float64
}

// DefaultGeneratorLimits are the limits [Run] and [Execute] judge every
// run with; a program may change them before it runs any scenario. They
// come from the examples' load tests on the project's shared 2-core
// machine (docs/PERFORMANCE.md, "When the generator is the bottleneck"):
// on a quiet machine their sends left at most 1.34 ms late at p99, their
// goroutines waited at most 0.2 ms at p99 (1.6 ms for the checkout
// journey, whose eight shoppers' requests come in bursts), and the
// process used at most half of its CPUs; with two busy loops pinned to the
// one CPU the tests were given, every open-model test sent at least
// 2.4 ms late at p99 and the checkout's goroutines waited 10 to 21 ms.
var DefaultGeneratorLimits = GeneratorLimits{
	CPUShare:        0.90,
	SendLagP99:      2 * time.Millisecond,
	SchedLatencyP99: 5 * time.Millisecond,
	ConnWaitShare:   0.01,
}

// Check returns the reasons g is generator-bound under l, one sentence
// per limit reached, or none.
func (l GeneratorLimits) Check(g Generator) []string {
	var why []string
	if l.CPUShare > 0 && g.CPUShare >= l.CPUShare {
		why = append(why, fmt.Sprintf("the process used %.0f%% of its %s (limit %.0f%%)",
			100*g.CPUShare, plural(g.CPUs, "CPU"), 100*l.CPUShare))
	}
	if l.SendLagP99 > 0 && g.Sends > 0 && time.Duration(g.SendLagP99NS) > l.SendLagP99 {
		why = append(why, fmt.Sprintf("sends left up to %v late at p99 (limit %v)", ns(g.SendLagP99NS), l.SendLagP99))
	}
	if l.SchedLatencyP99 > 0 && time.Duration(g.SchedLatencyP99NS) > l.SchedLatencyP99 {
		why = append(why, fmt.Sprintf("goroutines waited up to %v for a CPU at p99 (Go scheduler latency; limit %v)", ns(g.SchedLatencyP99NS), l.SchedLatencyP99))
	}
	if l.ConnWaitShare > 0 && g.Requests > 0 && float64(g.ConnWaits) > l.ConnWaitShare*float64(g.Requests) {
		why = append(why, fmt.Sprintf("%d of %d requests (%.1f%%) waited over %v for a pooled connection, up to %v (limit %.0f%% of requests)",
			g.ConnWaits, g.Requests, 100*float64(g.ConnWaits)/float64(g.Requests), ConnWaitCounted, ns(g.ConnWaitMaxNS), 100*l.ConnWaitShare))
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

// stop returns what the process did since start; the caller adds the
// sends and connection waits and judges it.
func (w *generatorWatch) stop() Generator {
	wall := time.Since(w.wall)
	cpu, ok := processCPU()
	g := Generator{CPUs: w.cpus}
	if ok && w.haveCPU && wall > 0 {
		g.CPUShare = (cpu - w.cpu).Seconds() / (wall.Seconds() * float64(w.cpus))
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
// measured load left their schedule. Only the scheduler goroutine (the one
// that runs the stages) records into it and reads it, one stage after
// another, so it needs no lock; recording does not allocate.
type sendLags struct {
	h *hdrhistogram.Histogram
}

func newSendLags() *sendLags { return &sendLags{h: newCoarseHistogram()} }

// note records the lag of one send of slot; the warm-up's (slot 0) are
// not counted.
func (l *sendLags) note(slot int, lag time.Duration) {
	if slot == 0 {
		return
	}
	recordDuration(l.h, max(lag, 0))
}

// p99 returns the sends counted and their lag's 99th percentile.
func (l *sendLags) p99() (sends int64, p99 time.Duration) {
	n := l.h.TotalCount()
	if n == 0 {
		return 0, 0
	}
	return n, time.Duration(l.h.ValueAtQuantile(99))
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
	sends, lag := lags.p99()
	g.Sends, g.SendLagP99NS = sends, int64(lag)
	if p != nil {
		g.Requests, g.ConnWaits, g.ConnWaitMaxNS = p.connTimed, p.connWaits, int64(p.connWaitMax)
	}
	DefaultGeneratorLimits.Judge(&g)
	return &g
}

// BoundWord is the word every rendering marks a generator-bound run with.
const BoundWord = "generator-bound"

// Verdict is the sentence that says g was generator-bound and why, as
// the result's warnings and the summaries give it; "" when it was not.
func (g *Generator) Verdict() string {
	if g == nil || !g.Bound {
		return ""
	}
	return BoundWord + ": " + strings.Join(g.Reasons, "; ") +
		": the latencies are the load generator's as much as the service's, and a comparison leaves them inconclusive"
}

// Figures is the line of the summary that describes g: "generator: 12% of
// 2 CPUs, send lag p99 45µs, scheduler latency p99 98µs", starting with
// generator-bound instead when it was.
func (g *Generator) Figures() string {
	head := "generator"
	if g.Bound {
		head = BoundWord
	}
	parts := []string{fmt.Sprintf("%.0f%% of %s", 100*g.CPUShare, plural(g.CPUs, "CPU"))}
	if g.Sends > 0 {
		parts = append(parts, fmt.Sprintf("send lag p99 %v", ns(g.SendLagP99NS)))
	}
	parts = append(parts, fmt.Sprintf("scheduler latency p99 %v", ns(g.SchedLatencyP99NS)))
	if g.ConnWaits > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d requests waited %v or more for a connection (at most %v)",
			g.ConnWaits, g.Requests, ConnWaitCounted, ns(g.ConnWaitMaxNS)))
	}
	return head + ": " + strings.Join(parts, ", ")
}
