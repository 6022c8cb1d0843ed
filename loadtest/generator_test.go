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
	calm := Generator{CPUs: 2, CPUShare: 0.30, Sends: 1000, SendLagP99NS: 200e3, SchedLatencyP99NS: 300e3, Requests: 1000, ConnWaits: 10, ConnWaitMaxNS: 3 * ms}
	tests := []struct {
		name string
		give func(g *Generator)
		want []string
	}{
		{"under every limit", func(*Generator) {}, nil},
		{"CPU at the limit", func(g *Generator) { g.CPUShare = 0.90 },
			[]string{"the process used 90% of its 2 CPUs (limit 90%)"}},
		{"CPU just under", func(g *Generator) { g.CPUShare = 0.899 }, nil},
		{"one CPU", func(g *Generator) { g.CPUs, g.CPUShare = 1, 0.97 },
			[]string{"the process used 97% of its 1 CPU (limit 90%)"}},
		{"send lag over", func(g *Generator) { g.SendLagP99NS = 4100e3 },
			[]string{"sends left up to 4.1ms late at p99 (limit 2ms)"}},
		{"send lag at the limit", func(g *Generator) { g.SendLagP99NS = 2 * ms }, nil},
		{"closed model: no sends", func(g *Generator) { g.Sends, g.SendLagP99NS = 0, 50*ms }, nil},
		{"scheduler over", func(g *Generator) { g.SchedLatencyP99NS = 12582912 },
			[]string{"goroutines waited up to 12.6ms for a CPU at p99 (Go scheduler latency; limit 5ms)"}},
		{"scheduler under", func(g *Generator) { g.SchedLatencyP99NS = 2097152 }, nil},
		{"connection waits over 1%", func(g *Generator) { g.ConnWaits = 11 },
			[]string{"11 of 1000 requests (1.1%) waited over 1ms for a pooled connection, up to 3ms (limit 1% of requests)"}},
		{"every limit", func(g *Generator) {
			g.CPUShare, g.SendLagP99NS, g.SchedLatencyP99NS, g.ConnWaits = 1, 3*ms, 6*ms, 500
		}, []string{
			"the process used 100% of its 2 CPUs (limit 90%)",
			"sends left up to 3ms late at p99 (limit 2ms)",
			"goroutines waited up to 6ms for a CPU at p99 (Go scheduler latency; limit 5ms)",
			"500 of 1000 requests (50.0%) waited over 1ms for a pooled connection, up to 3ms (limit 1% of requests)",
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
	if got := (GeneratorLimits{}).Check(Generator{CPUShare: 1, Sends: 1, SendLagP99NS: time.Hour.Nanoseconds()}); got != nil {
		t.Errorf("zero limits found %q; a zero limit is not checked", got)
	}
}

// TestSendLagsP99 checks the lag histogram against the exact p99 of the
// same lags sorted (nearest rank): HDR at 2 significant digits reads a
// value at most 1% above it, never below.
func TestSendLagsP99(t *testing.T) {
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
		sends, got := l.p99()
		slices.Sort(lags)
		want := lags[int(math.Ceil(0.99*float64(n)))-1]
		if sends != int64(n) {
			t.Errorf("n=%d: %d sends counted", n, sends)
		}
		if got < want || float64(got) > 1.01*float64(want)+1 {
			t.Errorf("n=%d: p99 %v, exact %v: want within [exact, exact+1%%]", n, got, want)
		}
	}
	if sends, p99 := newSendLags().p99(); sends != 0 || p99 != 0 {
		t.Errorf("no sends: %d, p99 %v", sends, p99)
	}
	l := newSendLags()
	l.note(1, -time.Millisecond) // a clock step: counted as on time
	if _, p99 := l.p99(); p99 > time.Microsecond {
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
	calm := &Generator{CPUs: 2, CPUShare: 0.12, Sends: 400, SendLagP99NS: 45e3, SchedLatencyP99NS: 98304}
	r := &Result{Scenario: "calm", Generator: calm}
	if got, want := Summary(r), "\ngenerator: 12% of 2 CPUs, send lag p99 45µs, scheduler latency p99 98.3µs"; !strings.HasSuffix(got, want) {
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
		"\nwarning: generator-bound: the process used 97% of its 2 CPUs (limit 90%); goroutines waited up to 12.6ms for a CPU at p99 (Go scheduler latency; limit 5ms); " +
			"12 of 600 requests (2.0%) waited over 1ms for a pooled connection, up to 8ms (limit 1% of requests): " +
			"the latencies are the load generator's as much as the service's, and a comparison leaves them inconclusive",
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
