package loadtest

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestGeneratorLimits checks the decision of issue 21 on figures made up
// for it: each limit alone makes a run generator-bound, with a sentence
// that says which, and figures under every limit do not.
func TestGeneratorLimits(t *testing.T) {
	ms := int64(time.Millisecond)
	calm := Generator{CPUs: 2, CPUShare: 0.30, Sends: 1000, SendLagP90NS: 100e3, SendLagP99NS: 900e3, SchedLatencyP99NS: 300e3,
		Requests: 1000, ConnWaits: 10, ConnWaitMaxNS: 3 * ms}
	tests := []struct {
		name string
		give func(g *Generator)
		want []string
	}{
		{"under every limit", func(*Generator) {}, nil},
		{"busy, goroutines run at once", func(g *Generator) { g.CPUShare = 0.97 }, nil},
		{"busy, goroutines wait", func(g *Generator) { g.CPUShare, g.SchedLatencyP99NS = 0.90, 2621440 },
			[]string{"the process used 90% of its 2 CPUs and its goroutines waited up to 2.62ms for one at p99 (limits 90% and 2ms)"}},
		{"just under busy", func(g *Generator) { g.CPUShare, g.SchedLatencyP99NS = 0.899, 2621440 }, nil},
		{"busy, goroutines wait a little", func(g *Generator) { g.CPUShare, g.SchedLatencyP99NS = 0.94, 1048576 }, nil},
		{"one CPU, goroutines wait long", func(g *Generator) { g.CPUs, g.CPUShare, g.SchedLatencyP99NS = 1, 0.97, 12582912 },
			[]string{"the process used 97% of its 1 CPU and its goroutines waited up to 12.6ms for one at p99 (limits 90% and 2ms)"}},
		{"scheduler over", func(g *Generator) { g.SchedLatencyP99NS = 12582912 },
			[]string{"goroutines waited up to 12.6ms for a CPU at p99 (Go scheduler latency; limit 5ms)"}},
		{"scheduler under, not busy", func(g *Generator) { g.SchedLatencyP99NS = 2097152 }, nil},
		{"sends late again and again", func(g *Generator) { g.SendLagP90NS, g.SendLagP99NS = 3400e3, 4100e3 },
			[]string{"one send in ten left more than 2ms late (p90 3.4ms)"}},
		{"sends late now and then", func(g *Generator) { g.SendLagP99NS = 5 * ms }, nil},
		{"sends very late now and then", func(g *Generator) { g.SendLagP99NS = 39 * ms },
			[]string{"sends left up to 39ms late at p99 (limit 10ms)"}},
		{"send lags at the limits", func(g *Generator) { g.SendLagP90NS, g.SendLagP99NS = ms, 10*ms }, nil},
		{"closed model: no sends", func(g *Generator) { g.Sends, g.SendLagP90NS, g.SendLagP99NS = 0, 50*ms, 50*ms }, nil},
		{"connection waits over 1%", func(g *Generator) { g.ConnWaits = 11 },
			[]string{"11 of 1000 requests (1.1%) waited 1ms or more for a pooled connection, up to 3ms (limit 1% of requests, at least 10)"}},
		{"a few waits in a short run", func(g *Generator) { g.Requests, g.ConnWaits = 33, 1 }, nil},
		{"ten waits in a short run", func(g *Generator) { g.Requests, g.ConnWaits = 300, 10 },
			[]string{"10 of 300 requests (3.3%) waited 1ms or more for a pooled connection, up to 3ms (limit 1% of requests, at least 10)"}},
		{"every limit", func(g *Generator) {
			g.CPUShare, g.SendLagP90NS, g.SendLagP99NS, g.SchedLatencyP99NS, g.ConnWaits = 1, 3*ms, 11*ms, 6*ms, 500
		}, []string{
			"the process used 100% of its 2 CPUs and its goroutines waited up to 6ms for one at p99 (limits 90% and 2ms)",
			"one send in ten left more than 2ms late (p90 3ms)",
			"sends left up to 11ms late at p99 (limit 10ms)",
			"500 of 1000 requests (50.0%) waited 1ms or more for a pooled connection, up to 3ms (limit 1% of requests, at least 10)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := calm
			tt.give(&g)
			DefaultGeneratorLimits.Judge(&g)
			if diff := cmp.Diff(tt.want, g.Reasons); diff != "" {
				t.Errorf("reasons (-want +got):\n%s", diff)
			}
			if g.Bound != (len(tt.want) > 0) {
				t.Errorf("bound = %v with reasons %q", g.Bound, g.Reasons)
			}
		})
	}
	if got := (GeneratorLimits{}).Check(Generator{CPUShare: 1, Sends: 1, SendLagP90NS: time.Hour.Nanoseconds(), SendLagP99NS: time.Hour.Nanoseconds(), SchedLatencyP99NS: time.Hour.Nanoseconds()}); got != nil {
		t.Errorf("zero limits found %q; a zero limit is not checked", got)
	}
	if got := (GeneratorLimits{CPUShare: 0.9}).Check(Generator{CPUs: 1, CPUShare: 0.95}); len(got) != 1 || got[0] != "the process used 95% of its 1 CPU (limit 90%)" {
		t.Errorf("CPUShare alone: %q", got)
	}
}

// TestSendLagsQuantiles checks the lag histogram against the exact p90
// and p99 of the same lags sorted: the value of rank q·n rounded (at
// least 1), as HdrHistogram ranks them. HDR at 2 significant digits reads
// a value at most 1% above it, never below.
func TestSendLagsQuantiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 1))
	for _, n := range []int{1, 7, 100, 1000, 54321} {
		l := newSendLags()
		lags := make([]time.Duration, n)
		for i := range lags {
			// Mostly tens of microseconds, with a tail of milliseconds.
			lags[i] = time.Duration(rng.ExpFloat64() * 50e3)
			if rng.IntN(50) == 0 {
				lags[i] += time.Duration(rng.IntN(20e6))
			}
			l.note(1+i%3, lags[i])
		}
		l.note(0, time.Hour) // the warm-up's: not counted
		sends, p90, p99 := l.quantiles()
		slices.Sort(lags)
		exact := func(q float64) time.Duration { return lags[max(1, int(math.Floor(q*float64(n)+0.5)))-1] }
		if sends != int64(n) {
			t.Errorf("n=%d: %d sends counted", n, sends)
		}
		for _, c := range []struct {
			name      string
			got, want time.Duration
		}{{"p90", p90, exact(0.90)}, {"p99", p99, exact(0.99)}} {
			if c.got < c.want || float64(c.got) > 1.01*float64(c.want)+1 {
				t.Errorf("n=%d: %s %v, exact %v: want within [exact, exact+1%%]", n, c.name, c.got, c.want)
			}
		}
	}
	if sends, p90, p99 := newSendLags().quantiles(); sends != 0 || p90 != 0 || p99 != 0 {
		t.Errorf("no sends: %d, p90 %v, p99 %v", sends, p90, p99)
	}
	l := newSendLags()
	l.note(1, -time.Millisecond) // a clock step: counted as on time
	if _, _, p99 := l.quantiles(); p99 > time.Microsecond {
		t.Errorf("negative lag read as %v", p99)
	}
}

// TestSendLagsAllocs guards the hot path of the open model's scheduler.
func TestSendLagsAllocs(t *testing.T) {
	l := newSendLags()
	if n := testing.AllocsPerRun(1000, func() { l.note(1, 1234567) }); n != 0 {
		t.Errorf("note allocates %v times", n)
	}
}

// TestConnWait checks how the wait for a pooled connection is taken
// from httptrace's timestamps: a reused connection's whole wait, a new
// one's less its dial.
func TestConnWait(t *testing.T) {
	tests := []struct {
		name                               string
		reused                             bool
		get, got, dns, connStart, connDone int64
		tlsDone                            int64
		want                               time.Duration
		timed                              bool
	}{
		{name: "not traced", timed: false},
		{name: "reused at once", reused: true, get: 100, got: 150, want: 50, timed: true},
		{name: "reused after a wait", reused: true, get: 100, got: 3e6 + 100, want: 3e6, timed: true},
		{name: "dialled", get: 100, got: 2100, connStart: 200, connDone: 2000, want: 200, timed: true},
		{name: "dialled with DNS and TLS", get: 100, got: 9100, dns: 150, connStart: 1000, connDone: 2000, tlsDone: 9000, want: 150, timed: true},
		{name: "dial longer than the wait", get: 100, got: 200, connStart: 50, connDone: 300, want: 100, timed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newHTTPScratch()
			sc.getConn.Store(tt.get)
			sc.gotConn.Store(tt.got)
			sc.dnsStart.Store(tt.dns)
			sc.connStart.Store(tt.connStart)
			sc.connDone.Store(tt.connDone)
			sc.tlsDone.Store(tt.tlsDone)
			sc.reused.Store(tt.reused)
			got, timed := sc.connWait()
			if got != tt.want || timed != tt.timed {
				t.Errorf("connWait() = %v, %v; want %v, %v", got, timed, tt.want, tt.timed)
			}
		})
	}
}

// TestGeneratorSummary checks the summary's generator line and the
// result's warning, bound and not.
func TestGeneratorSummary(t *testing.T) {
	calm := &Generator{CPUs: 2, CPUShare: 0.12, Sends: 400, SendLagP90NS: 45e3, SendLagP99NS: 310e3, SchedLatencyP99NS: 98304}
	r := &Result{Scenario: "calm", Generator: calm}
	if got, want := Summary(r), "\ngenerator: 12% of 2 CPUs, send lag p90 45µs p99 310µs, scheduler latency p99 98.3µs"; !strings.HasSuffix(got, want) {
		t.Errorf("summary lacks %q:\n%s", want, got)
	}
	if w := warnings(r); len(w) != 0 {
		t.Errorf("warnings of a run that was not bound: %q", w)
	}
	bound := &Generator{CPUs: 2, CPUShare: 0.97, SchedLatencyP99NS: 12582912, Requests: 600, ConnWaits: 12, ConnWaitMaxNS: 8e6}
	DefaultGeneratorLimits.Judge(bound)
	r = &Result{Scenario: "hogged", Generator: bound}
	r.Warnings = warnings(r)
	got := Summary(r)
	for _, want := range []string{
		"\ngenerator-bound: 97% of 2 CPUs, scheduler latency p99 12.6ms, 12 of 600 requests waited 1ms or more for a connection (at most 8ms)\n",
		"\nwarning: generator-bound: the process used 97% of its 2 CPUs and its goroutines waited up to 12.6ms for one at p99 (limits 90% and 2ms); " +
			"12 of 600 requests (2.0%) waited 1ms or more for a pooled connection, up to 8ms (limit 1% of requests, at least 10): " +
			"the latencies are the load generator's as much as the service's; a comparison judges latencies and throughput without this run, or leaves them inconclusive",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if err := r.Validate(); err != nil {
		t.Error(err)
	}
}

// TestGeneratorValidate checks that a result cannot claim a verdict it
// gives no reason for, or impossible figures.
func TestGeneratorValidate(t *testing.T) {
	tests := []struct {
		name string
		give Generator
		want string
	}{
		{"bound without a reason", Generator{Bound: true}, "generator.bound = true: no reasons say why"},
		{"reasons but not bound", Generator{Reasons: []string{"x"}}, `generator.bound = false: but 1 reasons say it was: "x"`},
		{"negative share", Generator{CPUShare: -0.1}, "generator.cpu_share = -0.1: negative"},
		{"NaN share", Generator{CPUShare: math.NaN()}, "generator.cpu_share = NaN: not a number"},
		{"more waits than requests", Generator{ConnWaits: 3, Requests: 2}, "generator.conn_waits = 3: more than requests = 2"},
		{"negative lag", Generator{SendLagP99NS: -1}, "generator.send_lag_p99_ns = -1: negative"},
		{"p90 over p99", Generator{SendLagP90NS: 2e6, SendLagP99NS: 1e6}, "generator.send_lag_p90_ns = 2000000: above send_lag_p99_ns = 1000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := tt.give
			r := &Result{Scenario: "s", Generator: &g}
			if err := r.Validate(); err == nil || err.Error() != tt.want {
				t.Errorf("Validate() = %v, want %s", err, tt.want)
			}
		})
	}
}

// TestGeneratorBoundOnPurpose makes a run generator-bound (issue 21): an
// open-model target that busy-spins twice as long as the arrivals are
// apart, on one P, keeps the scheduler goroutine from running when its
// sends fall due, so that sends leave late and runnable goroutines wait.
// It asserts the verdict, not a time: the lag comes from the spinning,
// which no machine runs faster than the spinner's own clock.
func TestGeneratorBoundOnPurpose(t *testing.T) {
	if testing.Short() {
		t.Skip("spins a CPU for a second")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	spin := func(ctx context.Context) error {
		for start := time.Now(); time.Since(start) < 2*time.Millisecond; {
		}
		return nil
	}
	s := Scenario{Name: "spin", Target: Func(spin), Load: Rate(1000).For(time.Second), MaxInFlight: 64}.withDefaults(1)
	res, err := execute(context.Background(), s, execOptions{drainLimit: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	g := res.Generator
	if g == nil || !g.Bound {
		t.Fatalf("a run spinning twice its one CPU is not generator-bound: %+v", g)
	}
	if g.CPUs != 1 {
		t.Errorf("CPUs = %d under GOMAXPROCS(1)", g.CPUs)
	}
	if !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.HasPrefix(w, BoundWord+": ") }) {
		t.Errorf("warnings do not say generator-bound: %q", res.Warnings)
	}
	t.Logf("%s", g.Figures())
}

// TestGeneratorCPUShareWindow: a load stopped in its warm-up lasted a few
// milliseconds, and a clock tick of CPU time over it read "178% of 2
// CPUs". Over a load shorter than minCPUWindow the share is left unknown
// (0), and it never exceeds every CPU.
func TestGeneratorCPUShareWindow(t *testing.T) {
	w := watchGenerator()
	if !w.haveCPU {
		t.Skip("no process CPU time here")
	}
	w.cpu -= 10 * time.Millisecond // a tick, over a load of nothing
	if g := w.stop(); g.CPUShare != 0 {
		t.Errorf("CPU share over %v = %v, want 0 (unknown)", time.Since(w.wall), g.CPUShare)
	}
	w = watchGenerator()
	w.wall = w.wall.Add(-2 * minCPUWindow)
	w.cpu -= 100 * minCPUWindow * time.Duration(w.cpus)
	if g := w.stop(); g.CPUShare != 1 {
		t.Errorf("CPU share of more CPU time than every CPU had = %v, want 1", g.CPUShare)
	}
}

func TestGeneratorFiguresUnmeasured(t *testing.T) {
	g := Generator{CPUs: 2, SchedLatencyP99NS: 98e3}
	if got, want := g.Figures(), "generator: CPU share not measured, scheduler latency p99 98µs"; got != want {
		t.Errorf("Figures() = %q, want %q", got, want)
	}
}
