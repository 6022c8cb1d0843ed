package assert_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/loadtest"
)

var _ assert.TestingT = (*recordT)(nil)

// TestMessages: what a failed limit says. The margin is a percentage
// written as every percentage of loadgate's (three significant digits):
// it read "error_rate = 0.5%, want < 0.1% (400.0% over)", one line with
// two ways of writing a percentage.
func TestMessages(t *testing.T) {
	tests := []struct {
		name string
		give string
		want string
	}{
		{"over", "p99 < 200ms", "scenario checkout: p99 = 231ms, want < 200ms (15.5% over)"},
		{"under, passing", "p99 < 1s", "scenario checkout: p99 = 231ms, want < 1s (76.9% under)"},
		{"at the limit", "p99 <= 231ms", "scenario checkout: p99 = 231ms, want <= 231ms"},
		{"exact limit", "mean < 1.234567ms", "scenario checkout: mean = 20ms, want < 1.234567ms (1520% over)"},
		{"canonical metric", "p(99.9) < 200ms", "scenario checkout: p999 = 400ms, want < 200ms (100% over)"},
		{"at least", "rate >= 250", "scenario checkout: rate = 200/s, want >= 250/s (20% under)"},
		{"share of the planned rate", "throughput >= 95%",
			"scenario checkout: throughput = 199/s, want >= 95% of the planned 220/s = 209/s (4.78% under)"},
		{"ratio as percentages", "error_rate < 0.1%", "scenario checkout: error_rate = 0.5%, want < 0.1% (400% over)"},
		{"fraction limit as a percentage", "error_rate <= 0.001", "scenario checkout: error_rate = 0.5%, want <= 0.1% (400% over)"},
		{"status share", "status(5xx) < 0.1%", "scenario checkout: status(5xx) = 0.5%, want < 0.1% (400% over)"},
		{"count, zero limit", "errors == 0", "scenario checkout: errors = 10, want == 0 (10 over)"},
		{"duration, zero limit", "p99 <= 0", "scenario checkout: p99 = 231ms, want <= 0s (231ms over)"},
		{"difference", "goroutines_end - goroutines_start <= 3",
			"scenario checkout: goroutines_end - goroutines_start = 4, want <= 3 (33.3% over)"},
		{"negative limit", "goroutine_growth < -2", "scenario checkout: goroutine_growth = 4, want < -2 (300% over)"},
		{"bytes in binary units", "heap_peak < 256MiB", "scenario checkout: heap_peak = 300MiB, want < 256MiB (17.2% over)"},
		{"bytes in the limit's unit", "heap_peak < 300MB", "scenario checkout: heap_peak = 315MB, want < 300MB (4.86% over)"},
		{"cpu seconds", "cpu_seconds < 3", "scenario checkout: cpu_seconds = 3.5s, want < 3s (16.7% over)"},
		{"gc pause", "gc_pause_max <= 1ms", "scenario checkout: gc_pause_max = 5ms, want <= 1ms (400% over)"},
		{"tiny margin", "requests > 2001", "scenario checkout: requests = 2000, want > 2001 (0.05% under)"},
		{"stage by name", `p99{stage="peak"} < 200ms`, "scenario checkout, stage peak: p99 = 300ms, want < 200ms (50% over)"},
		{"stage by index", `p99{stage=2} < 200ms`, "scenario checkout, stage 2 (peak): p99 = 300ms, want < 200ms (50% over)"},
		{"stage share of its plan", `throughput{stage="peak"} >= 90%`,
			"scenario checkout, stage peak: throughput = 248/s, want >= 90% of the planned 300/s = 270/s (8.15% under)"},
		{"name", `error_rate{name="checkout"} < 1%`, "scenario checkout, name checkout: error_rate = 1.6%, want < 1% (60% over)"},
		{"same selector on every term", `p99{stage=1} - service.p99{stage=1} < 10ms`,
			"scenario checkout, stage 1 (ramp): p99 - service.p99 = 20ms, want < 10ms (100% over)"},
		{"different selectors", `p99{stage="peak"} - p99{stage="warm"} < 200ms`,
			`scenario checkout: p99{stage="peak"} - p99{stage="warm"} = 280ms, want < 200ms (40% over)`},
	}
	res := slaResult(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outs, err := assert.Check(res, tt.give)
			if err != nil {
				t.Fatal(err)
			}
			if got := outs[0].Message; got != tt.want {
				t.Errorf("%s:\n got %s\nwant %s", tt.give, got, tt.want)
			}
		})
	}
}

func TestSLA(t *testing.T) {
	res := slaResult(t)
	tests := []struct {
		name  string
		give  []string
		want  []string // what t.Errorf received, in order
		wantF bool     // SLA's result
	}{
		{"all pass", []string{"p99 < 1s", "error_rate < 1%", `p99{stage="ramp"} < 100ms`}, nil, true},
		{"no expressions", nil, nil, true},
		{"every failure reported", []string{"p99 < 200ms", "error_rate < 1%", "goroutine_growth <= 3"}, []string{
			"scenario checkout: p99 = 231ms, want < 200ms (15.5% over)",
			"scenario checkout: goroutine_growth = 4, want <= 3 (33.3% over)",
		}, false},
		{"malformed", []string{"p99 < 5%", "p99 < 1s"}, []string{
			`assert.SLA: "p99 < 5%": column 7: a latency needs a duration such as 200ms`,
		}, false},
		{"cannot evaluate", []string{`p99{stage="x"} < 1s`}, []string{
			"assert.SLA: scenario checkout: `p99{stage=\"x\"} < 1s`: no stage \"x\"; the stages are 0 \"warm\", 1 \"ramp\", 2 \"peak\"",
		}, false},
		{"pre-launch", assert.PreLaunch, []string{
			"scenario checkout: p99 = 231ms, want <= 200ms (15.5% over)",
			"scenario checkout: error_rate = 0.5%, want < 0.1% (400% over)",
			"scenario checkout: dropped = 3, want == 0 (3 over)",
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := &recordT{}
			got := assert.SLA(rt, res, tt.give...)
			if got != tt.wantF {
				t.Errorf("SLA = %v, want %v", got, tt.wantF)
			}
			if strings.Join(rt.errors, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("reported:\n%s\nwant:\n%s", strings.Join(rt.errors, "\n"), strings.Join(tt.want, "\n"))
			}
			if rt.helpers == 0 {
				t.Error("SLA did not call Helper")
			}
		})
	}
}

// TestPreLaunchBoundsDropped guards issue 12: error_rate leaves dropped
// arrivals out, so a run that dropped arrivals and failed no request must
// still miss the pre-launch bar.
func TestPreLaunchBoundsDropped(t *testing.T) {
	res := slaResult(t)
	res.Latency.P99NS = 150 * ms
	res.Errors, res.ErrorRate, res.Dropped = 0, 0, 500
	rt := &recordT{}
	if assert.SLA(rt, res, assert.PreLaunch...) {
		t.Error("SLA(PreLaunch) = true for a run that dropped 500 arrivals")
	}
	want := "scenario checkout: dropped = 500, want == 0 (500 over)"
	if len(rt.errors) != 1 || rt.errors[0] != want {
		t.Errorf("reported %q, want one %q", rt.errors, want)
	}
}

func TestSLANilResult(t *testing.T) {
	rt := &recordT{}
	if assert.SLA(rt, nil, "p99 < 1s", "errors == 0") {
		t.Error("SLA(nil) = true")
	}
	want := "assert.SLA: no result (did loadtest.Run fail?)"
	if len(rt.errors) != 1 || rt.errors[0] != want {
		t.Errorf("reported %q, want one %q", rt.errors, want)
	}
}

// TestSLAWithTestingT runs SLA on a real *testing.T: what users call.
func TestSLAWithTestingT(t *testing.T) {
	if !assert.SLA(t, slaResult(t), "p99 < 1s", "goroutines_peak < 10000") {
		t.Error("SLA = false, want true")
	}
}

func TestCheck(t *testing.T) {
	res := slaResult(t)
	outs, err := assert.Check(res, "p99<200ms", "error_rate < 1%", "tls.p99 < 1s")
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 3 {
		t.Fatalf("%d outcomes, want 3", len(outs))
	}
	want := assert.Outcome{
		Expr: "p99 < 200ms", Scenario: "checkout", Metric: "p99", Op: "<",
		Actual: float64(231 * time.Millisecond), Limit: float64(200 * time.Millisecond), Unit: assert.UnitDuration,
		Pass: false, Message: "scenario checkout: p99 = 231ms, want < 200ms (15.5% over)",
	}
	if outs[0] != want {
		t.Errorf("outcome 0:\n got %+v\nwant %+v", outs[0], want)
	}
	if !outs[1].Pass || outs[1].Err != nil {
		t.Errorf("outcome 1 = %+v, want a pass", outs[1])
	}
	if outs[2].Pass || outs[2].Err == nil || outs[2].Message != outs[2].Err.Error() {
		t.Errorf("outcome 2 = %+v, want an evaluation error", outs[2])
	}

	t.Run("malformed", func(t *testing.T) {
		outs, err := assert.Check(res, "p99 < 5%", "p99 < 1s", "errors < 1ms")
		want := `"p99 < 5%": column 7: a latency needs a duration such as 200ms` + "\n" +
			`"errors < 1ms": column 10: a count needs a bare number such as 10`
		if outs != nil || err == nil || err.Error() != want {
			t.Errorf("Check = %v, %v; want no outcomes and\n%s", outs, err, want)
		}
	})
	t.Run("nil result", func(t *testing.T) {
		if _, err := assert.Check(nil, "p99 < 1s"); err == nil {
			t.Error("Check(nil) did not fail")
		}
	})
}

func TestHelpers(t *testing.T) {
	res := slaResult(t)
	tests := []struct {
		name     string
		call     func(assert.TestingT) bool
		wantExpr string // the expression the helper stands for
	}{
		{"LatencyAtMost", func(t assert.TestingT) bool { return assert.LatencyAtMost(t, res, 0.99, 200*time.Millisecond) }, "p99 <= 200ms"},
		{"LatencyAtMost p999", func(t assert.TestingT) bool { return assert.LatencyAtMost(t, res, 0.999, time.Second) }, "p999 <= 1s"},
		{"LatencyAtMost p(99.5)", func(t assert.TestingT) bool { return assert.LatencyAtMost(t, res, 0.995, time.Second) }, "p(99.5) <= 1s"},
		{"LatencyAtMost max", func(t assert.TestingT) bool { return assert.LatencyAtMost(t, res, 1, 100*time.Millisecond) }, "max <= 100ms"},
		{"ErrorRateAtMost", func(t assert.TestingT) bool { return assert.ErrorRateAtMost(t, res, 0.001) }, "error_rate <= 0.1%"},
		{"ErrorRateAtMost passing", func(t assert.TestingT) bool { return assert.ErrorRateAtMost(t, res, 0.01) }, "error_rate <= 1%"},
		{"ThroughputAtLeast", func(t assert.TestingT) bool { return assert.ThroughputAtLeast(t, res, 0.95) }, "throughput >= 95%"},
		{"DroppedAtMost", func(t assert.TestingT) bool { return assert.DroppedAtMost(t, res, 0) }, "dropped <= 0"},
		{"GoroutineGrowthAtMost", func(t assert.TestingT) bool { return assert.GoroutineGrowthAtMost(t, res, 3) }, "goroutine_growth <= 3"},
		{"PeakGoroutinesAtMost", func(t assert.TestingT) bool { return assert.PeakGoroutinesAtMost(t, res, 100) }, "goroutines_peak <= 100"},
		{"GCPauseAtMost p99", func(t assert.TestingT) bool { return assert.GCPauseAtMost(t, res, 0.99, time.Millisecond) }, "gc_pause_p99 <= 1ms"},
		{"GCPauseAtMost max", func(t assert.TestingT) bool { return assert.GCPauseAtMost(t, res, 1, 10*time.Millisecond) }, "gc_pause_max <= 10ms"},
		{"PeakHeapAtMost", func(t assert.TestingT) bool { return assert.PeakHeapAtMost(t, res, 256<<20) }, "heap_peak <= 256MiB"},
		{"PeakHeapAtMost odd bytes", func(t assert.TestingT) bool { return assert.PeakHeapAtMost(t, res, 300e6) }, "heap_peak <= 300000000B"},
		{"StatusShareAtMost class", func(t assert.TestingT) bool { return assert.StatusShareAtMost(t, res, "5xx", 0.001) }, "status(5xx) <= 0.1%"},
		{"StatusShareAtMost code", func(t assert.TestingT) bool { return assert.StatusShareAtMost(t, res, "503", 0.01) }, "status(503) <= 1%"},
		{"StatusShareAtMost gRPC code", func(t assert.TestingT) bool { return assert.StatusShareAtMost(t, res, "unavailable", 0.01) }, "status(UNAVAILABLE) <= 1%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, want := &recordT{}, &recordT{}
			gotOK := tt.call(got)
			wantOK := assert.SLA(want, res, tt.wantExpr)
			if gotOK != wantOK || strings.Join(got.errors, "\n") != strings.Join(want.errors, "\n") {
				t.Errorf("helper: %v %q\nSLA(%q): %v %q", gotOK, got.errors, tt.wantExpr, wantOK, want.errors)
			}
			if got.helpers == 0 {
				t.Error("the helper did not call Helper")
			}
		})
	}
}

func TestHelperArguments(t *testing.T) {
	res := slaResult(t)
	tests := []struct {
		name string
		call func(assert.TestingT) bool
		want string
	}{
		{"quantile out of range", func(t assert.TestingT) bool { return assert.LatencyAtMost(t, res, 99, time.Second) },
			"assert.LatencyAtMost: quantile 99 out of range [0, 1]"},
		{"error rate as a percentage", func(t assert.TestingT) bool { return assert.ErrorRateAtMost(t, res, 5) },
			"assert.ErrorRateAtMost: max 5 out of range [0, 1] (0.01 is 1%)"},
		{"negative share", func(t assert.TestingT) bool { return assert.ThroughputAtLeast(t, res, -1) },
			"assert.ThroughputAtLeast: share -1 must not be negative (0.95 is 95%)"},
		{"unrecorded gc quantile", func(t assert.TestingT) bool { return assert.GCPauseAtMost(t, res, 0.5, time.Second) },
			"assert.GCPauseAtMost: quantile 0.5 not recorded: want 0.99 or 1"},
		{"bad status", func(t assert.TestingT) bool { return assert.StatusShareAtMost(t, res, "5xx) + p99 < 1s + (", 0.01) },
			`assert.StatusShareAtMost: "5xx) + p99 < 1s + (" is not a status code such as 503, a class such as 5xx or a gRPC code such as UNAVAILABLE`},
		{"status share out of range", func(t assert.TestingT) bool { return assert.StatusShareAtMost(t, res, "503", 2) },
			"assert.StatusShareAtMost: share 2 out of range [0, 1] (0.01 is 1%)"},
		{"nil result", func(t assert.TestingT) bool { return assert.DroppedAtMost(t, nil, 0) },
			"assert.DroppedAtMost: no result (did loadtest.Run fail?)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := &recordT{}
			if tt.call(rt) {
				t.Error("helper = true, want false")
			}
			if len(rt.errors) != 1 || rt.errors[0] != tt.want {
				t.Errorf("reported %q, want %q", rt.errors, tt.want)
			}
		})
	}
}

// TestSLAGeneratorBound checks issue 21's rule for SLAs: a limit still
// holds in a generator-bound run, but a failed limit on a metric the
// generator distorts (a latency, throughput, attainment) says the run was
// generator-bound, so that the reader knows whose latency broke it; a
// failed limit on anything else, and a limit that held, say nothing more.
func TestSLAGeneratorBound(t *testing.T) {
	res := slaResult(t)
	res.Generator = &loadtest.Generator{CPUs: 2, CPUShare: 0.97, Bound: true, Reasons: []string{"the process used 97% of its 2 CPUs and its goroutines waited up to 1.57ms for one at p99 (limits 90% and 1ms)"}}
	const bound = "; generator-bound: the process used 97% of its 2 CPUs and its goroutines waited up to 1.57ms for one at p99 (limits 90% and 1ms): the latencies are the load generator's as much as the service's; a comparison judges latencies and throughput without this run, or leaves them inconclusive"
	tests := []struct {
		give, want string
	}{
		{"p99 < 200ms", "scenario checkout: p99 = 231ms, want < 200ms (15.5% over)" + bound},
		{"service.p99 < 1ms", "scenario checkout: service.p99 = "},
		{"throughput >= 95%", "scenario checkout: throughput = 199/s, want >= 95% of the planned 220/s = 209/s (4.78% under)" + bound},
		{"p99 < 1s", "scenario checkout: p99 = 231ms, want < 1s (76.9% under)"},
		{"error_rate < 0.1%", "scenario checkout: error_rate = 0.5%, want < 0.1% (400% over)"},
		{"goroutine_growth <= 3", "scenario checkout: goroutine_growth = 4, want <= 3 (33.3% over)"},
	}
	for _, tt := range tests {
		outs, err := assert.Check(res, tt.give)
		if err != nil {
			t.Fatal(err)
		}
		got := outs[0].Message
		wantBound := !outs[0].Pass && (strings.HasPrefix(tt.give, "p99") || strings.HasPrefix(tt.give, "service") || strings.HasPrefix(tt.give, "throughput"))
		if !strings.HasPrefix(got, tt.want) || strings.HasSuffix(got, bound) != wantBound {
			t.Errorf("%s:\n got %s\nwant %s (generator-bound said: %v)", tt.give, got, tt.want, wantBound)
		}
	}
	rt := &recordT{}
	assert.SLA(rt, res, "p99 < 200ms")
	if len(rt.errors) != 1 || !strings.HasSuffix(rt.errors[0], bound) {
		t.Errorf("the test's failure %q does not say generator-bound", rt.errors)
	}
}

// TestHeapWrittenAlike: the heap peak reads the same in the run's summary
// as in a failed heap_peak limit and a comparison's cell (it was "6.7 MiB"
// in the one and "6.71MiB" in the others).
func TestHeapWrittenAlike(t *testing.T) {
	res := &loadtest.Result{Scenario: "checkout"}
	res.Runtime.HeapPeakBytes = 7034880
	want := assert.UnitBytes.Format(float64(res.Runtime.HeapPeakBytes))
	if !strings.Contains(loadtest.Summary(res), "heap peak "+want+",") {
		t.Errorf("the summary does not write the heap peak as %s:\n%s", want, loadtest.Summary(res))
	}
	outs, err := assert.Check(res, "heap_peak < 1MiB")
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 1 || !strings.Contains(outs[0].Message, "heap_peak = "+want+",") {
		t.Errorf("the failure does not write the heap peak as %s: %+v", want, outs)
	}
}
