package assert_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/loadtest"
)

func TestEvalMetrics(t *testing.T) {
	_, latH := hdr(t, time.Millisecond, time.Second, time.Millisecond)
	_, svcH := hdr(t, time.Millisecond, 500*time.Millisecond, time.Millisecond)
	_, nameH := hdr(t, 2*time.Millisecond, 600*time.Millisecond, 2*time.Millisecond)
	d := func(v time.Duration) float64 { return float64(v) }
	tests := []struct {
		name     string
		give     string
		want     float64 // Outcome.Actual
		wantUnit assert.Unit
		wantPass bool
	}{
		{"p50", "p50 < 1s", d(15 * time.Millisecond), assert.UnitDuration, true},
		{"p90", "p90 < 1s", d(40 * time.Millisecond), assert.UnitDuration, true},
		{"p95", "p95 < 1s", d(60 * time.Millisecond), assert.UnitDuration, true},
		{"p99", "p99 < 200ms", d(231 * time.Millisecond), assert.UnitDuration, false},
		{"p999", "p999 < 1s", d(400 * time.Millisecond), assert.UnitDuration, true},
		{"p(99.9)", "p(99.9) < 1s", d(400 * time.Millisecond), assert.UnitDuration, true},
		{"p(99.5) from the histogram", "p(99.5) < 1s", float64(latH.ValueAtQuantile(99.5)), assert.UnitDuration, true},
		{"p75 from the histogram", "p75 < 1s", float64(latH.ValueAtQuantile(75)), assert.UnitDuration, true},
		{"min", "min >= 1ms", d(time.Millisecond), assert.UnitDuration, true},
		{"max", "max < 1s", d(500 * time.Millisecond), assert.UnitDuration, true},
		{"mean", "mean < 1s", d(20 * time.Millisecond), assert.UnitDuration, true},
		{"med", "med < 1s", d(15 * time.Millisecond), assert.UnitDuration, true},
		{"latency.p99", "latency.p99 < 1s", d(231 * time.Millisecond), assert.UnitDuration, true},
		{"service.p99", "service.p99 < 1s", d(150 * time.Millisecond), assert.UnitDuration, true},
		{"service.p(99.5)", "service.p(99.5) < 1s", float64(svcH.ValueAtQuantile(99.5)), assert.UnitDuration, true},
		{"dns.p99", "dns.p99 < 1s", d(5 * time.Millisecond), assert.UnitDuration, true},
		{"connect.p95", "connect.p95 < 1s", d(2 * time.Millisecond), assert.UnitDuration, true},
		{"ttfb.p50", "ttfb.p50 < 1s", d(14 * time.Millisecond), assert.UnitDuration, true},
		{"total.max", "total.max < 1s", d(499 * time.Millisecond), assert.UnitDuration, true},
		{"total.mean", "total.mean < 1s", d(19 * time.Millisecond), assert.UnitDuration, true},
		{"error_rate", "error_rate < 1%", 0.005, assert.UnitRatio, true},
		{"error_rate fraction", "error_rate < 0.001", 0.005, assert.UnitRatio, false},
		{"errors", "errors == 10", 10, assert.UnitCount, true},
		{"requests", "requests >= 2000", 2000, assert.UnitCount, true},
		{"dropped", "dropped <= 2", 3, assert.UnitCount, false},
		{"abandoned", "abandoned == 0", 1, assert.UnitCount, false},
		{"throughput", "throughput >= 199/s", 199, assert.UnitRate, true},
		{"throughput share", "throughput >= 95%", 199, assert.UnitRate, false},
		{"rate", "rate > 200", 200.1, assert.UnitRate, true},
		{"rate share", "rate >= 90%", 200.1, assert.UnitRate, true},
		{"goroutines_start", "goroutines_start == 10", 10, assert.UnitCount, true},
		{"goroutines_end", "goroutines_end == 14", 14, assert.UnitCount, true},
		{"goroutines_peak", "goroutines_peak < 10000", 120, assert.UnitCount, true},
		{"goroutine_growth", "goroutine_growth <= 3", 4, assert.UnitCount, false},
		{"end - start", "goroutines_end - goroutines_start <= 5", 4, assert.UnitCount, true},
		{"leading minus", "-goroutines_start + goroutines_end <= 5", 4, assert.UnitCount, true},
		{"gc_pause_p99", "gc_pause_p99 < 50ms", d(2 * time.Millisecond), assert.UnitDuration, true},
		{"gc_pause_max", "gc_pause_max < 1ms", d(5 * time.Millisecond), assert.UnitDuration, false},
		{"num_gc", "num_gc < 100", 42, assert.UnitCount, true},
		{"heap_peak MiB", "heap_peak < 512MiB", 300 << 20, assert.UnitBytes, true},
		{"heap_peak MB", "heap_peak < 300MB", 300 << 20, assert.UnitBytes, false},
		{"heap_peak GB", "heap_peak < 0.3GB", 300 << 20, assert.UnitBytes, false},
		{"heap_peak kB", "heap_peak > 300000kB", 300 << 20, assert.UnitBytes, true},
		{"heap_peak KiB", "heap_peak == 307200KiB", 300 << 20, assert.UnitBytes, true},
		{"heap_peak B", "heap_peak == 314572800B", 300 << 20, assert.UnitBytes, true},
		{"heap_peak TiB", "heap_peak < 1TiB", 300 << 20, assert.UnitBytes, true},
		{"cpu_seconds", "cpu_seconds < 3", 3.5e9, assert.UnitDuration, false},
		{"cpu_seconds duration", "cpu_seconds < 4s", 3.5e9, assert.UnitDuration, true},
		{"status(5xx)", "status(5xx) <= 0.5%", 0.005, assert.UnitRatio, true},
		{"status(503)", "status(503) < 0.1%", 0.003, assert.UnitRatio, false},
		{"status(200)", "status(200) > 99%", 0.995, assert.UnitRatio, true},
		{"status(4xx)", "status(4xx) == 0", 0, assert.UnitRatio, true},
		{"sum with a literal", "p99 + 10ms < 250ms", d(241 * time.Millisecond), assert.UnitDuration, true},
		{"cpu seconds plus a bare number", "cpu_seconds + 1 < 5", 4.5e9, assert.UnitDuration, true},

		// selectors
		{"stage by name", `p99{stage="ramp"} < 50ms`, d(80 * time.Millisecond), assert.UnitDuration, false},
		{"stage by index", `p99{stage=2} < 500ms`, d(300 * time.Millisecond), assert.UnitDuration, true},
		{"stage requests", `requests{stage="warm"} == 200`, 200, assert.UnitCount, true},
		{"stage errors", `errors{stage=2} == 8`, 8, assert.UnitCount, true},
		{"stage dropped", `dropped{stage=1} == 1`, 1, assert.UnitCount, true},
		{"stage error_rate", `error_rate{stage="peak"} < 1%`, 0.008, assert.UnitRatio, true},
		{"stage service", `service.p99{stage="peak"} < 1s`, d(200 * time.Millisecond), assert.UnitDuration, true},
		{"stage throughput share", `throughput{stage="ramp"} >= 95%`, 199.5, assert.UnitRate, true},
		{"stage rate", `rate{stage="peak"} >= 250/s`, 250, assert.UnitRate, true},
		{"stage status", `status(503){stage="peak"} < 1%`, 0.004, assert.UnitRatio, true},
		{"name error_rate", `error_rate{name="checkout"} < 1%`, 0.016, assert.UnitRatio, false},
		{"name p99", `p99{name="browse"} < 100ms`, d(90 * time.Millisecond), assert.UnitDuration, true},
		{"name p(99.5)", `p(99.5){name="checkout"} < 1s`, float64(nameH.ValueAtQuantile(99.5)), assert.UnitDuration, true},
		{"name throughput", `throughput{name="checkout"} > 40`, 49.2, assert.UnitRate, true},
		{"name rate", `rate{name="browse"} == 150/s`, 150, assert.UnitRate, true},
		{"name status", `status(5xx){name="checkout"} < 1%`, 0.016, assert.UnitRatio, false},
		{"gRPC status", `status(UNAVAILABLE){name="/shop.Cart/Add"} < 1%`, 0.007, assert.UnitRatio, true},
		{"gRPC status in lower case", `status(deadline_exceeded){name="/shop.Cart/Add"} == 0.3%`, 0.003, assert.UnitRatio, true},
		{"gRPC OK", `status(OK){name="/shop.Cart/Add"} >= 99%`, 0.99, assert.UnitRatio, true},
		{"gRPC code of an HTTP name", `status(UNAVAILABLE){name="checkout"} == 0`, 0, assert.UnitRatio, true},
		{"gRPC code outside the specification", `status(CODE_42){name="/shop.Cart/Add"} == 0`, 0, assert.UnitRatio, true},
		{"name service", `service.p99{name="/shop.Cart/Add"} < 15ms`, d(20 * time.Millisecond), assert.UnitDuration, false},
		{"name requests", `requests{name="checkout"} == 500`, 500, assert.UnitCount, true},
		{"difference of stages", `p99{stage="peak"} - p99{stage="warm"} < 200ms`, d(280 * time.Millisecond), assert.UnitDuration, false},
		{"stage minus run", `p99{stage="warm"} - p99 < 0`, d(-211 * time.Millisecond), assert.UnitDuration, true},
	}
	res := slaResult(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := assert.Parse(tt.give)
			if err != nil {
				t.Fatal(err)
			}
			o, err := e.Eval(res)
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			if !near(o.Actual, tt.want) || o.Unit != tt.wantUnit || o.Pass != tt.wantPass {
				t.Errorf("%s: got actual %v %s, pass %v; want %v %s, pass %v (%s)",
					tt.give, o.Actual, o.Unit, o.Pass, tt.want, tt.wantUnit, tt.wantPass, o.Message)
			}
		})
	}
}

func near(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

func TestEvalLimits(t *testing.T) {
	tests := []struct {
		name string
		give string
		want float64 // Outcome.Limit
	}{
		{"duration", "p99 < 1.5ms", 1.5e6},
		{"microseconds", "p99 < 250us", 250e3},
		{"minutes", "p99 < 1m30s", 90e9},
		{"percent", "error_rate < 0.1%", 0.001},
		{"fraction", "error_rate < 0.25", 0.25},
		{"negative", "goroutine_growth > -3", -3},
		{"MB", "heap_peak < 512MB", 512e6},
		{"GiB", "heap_peak < 1.5GiB", 1.5 * (1 << 30)},
		{"kB", "heap_peak < 300kB", 300e3},
		{"rate", "rate < 1000/s", 1000},
		{"bare rate", "rate < 1000", 1000},
		{"cpu seconds", "cpu_seconds < 30", 30e9},
		{"share of the planned rate", "throughput >= 95%", 0.95 * 220},
		{"share of a ramp stage", `rate{stage=1} >= 100%`, 200},
		{"share of a hold stage", `rate{stage="peak"} >= 50%`, 150},
	}
	res := slaResult(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outs, err := assert.Check(res, tt.give)
			if err != nil {
				t.Fatal(err)
			}
			if o := outs[0]; o.Err != nil || !near(o.Limit, tt.want) {
				t.Errorf("%s: limit %v (err %v), want %v", tt.give, o.Limit, o.Err, tt.want)
			}
		})
	}
}

// TestPlannedRate checks the target of "rate >= 100%": planned arrivals
// over planned time, for ramps, runs stopped early and aborted stages.
func TestPlannedRate(t *testing.T) {
	sec := int64(time.Second)
	open := func(name string, from, to float64, d int64) loadtest.StagePlan {
		return loadtest.StagePlan{Name: name, Model: loadtest.Open, From: from, To: to, DurationNS: d}
	}
	ran := func(i int, elapsed int64) loadtest.StageResult {
		return loadtest.StageResult{Index: i, ElapsedNS: elapsed}
	}
	tests := []struct {
		name   string
		plan   []loadtest.StagePlan
		stages []loadtest.StageResult
		want   float64
	}{
		{"hold", []loadtest.StagePlan{open("a", 200, 200, sec)}, nil, 200},
		{"ramp averages its ends", []loadtest.StagePlan{open("a", 100, 300, 4*sec)}, nil, 200},
		{"stages weigh by duration", []loadtest.StagePlan{open("a", 100, 100, sec), open("b", 400, 400, 3*sec)}, nil, 325},
		{"ramp then hold", []loadtest.StagePlan{open("a", 0, 200, 2*sec), open("b", 200, 200, 2*sec)}, nil, 150},
		{"stages that ran", []loadtest.StagePlan{open("a", 100, 100, sec), open("b", 400, 400, 3*sec)},
			[]loadtest.StageResult{ran(0, sec+1e6)}, 100},
		{"ramp aborted half way", []loadtest.StagePlan{open("a", 100, 100, 2*sec), open("b", 100, 300, 4*sec)},
			[]loadtest.StageResult{ran(0, 2*sec), ran(1, 2*sec)}, 125},
		{"closed stage that never ran", []loadtest.StagePlan{open("a", 100, 100, sec),
			{Name: "10 users", Model: loadtest.Closed, Users: 10, DurationNS: sec}},
			[]loadtest.StageResult{ran(0, sec)}, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := &loadtest.Result{Scenario: "s", Rate: 1, Load: loadtest.LoadInfo{Model: loadtest.Open, Stages: tt.plan}, Stages: tt.stages}
			outs, err := assert.Check(res, "rate >= 100%")
			if err != nil {
				t.Fatal(err)
			}
			if o := outs[0]; o.Err != nil || !near(o.Limit, tt.want) {
				t.Errorf("planned rate %v (err %v), want %v", o.Limit, o.Err, tt.want)
			}
		})
	}
}

func TestEvalErrors(t *testing.T) {
	tests := []struct {
		name   string
		give   string
		modify func(*loadtest.Result)
		want   string // the error, without "scenario checkout: " and the quoted expression
	}{
		{"no such stage", `p99{stage="nope"} < 1s`, nil, `no stage "nope"; the stages are 0 "warm", 1 "ramp", 2 "peak"`},
		{"no such stage index", `p99{stage=5} < 1s`, nil, `no stage 5; the stages are 0 "warm", 1 "ramp", 2 "peak"`},
		{"no stages at all", `p99{stage=0} < 1s`, func(r *loadtest.Result) { r.Stages, r.Load.Stages = nil, nil }, `no stage 0: the result has no stages`},
		{"stage that did not run", `p99{stage="peak"} < 1s`, func(r *loadtest.Result) {
			r.Stages = r.Stages[:1]
			r.Stopped = &loadtest.Stop{Cause: "gate", Stage: "warm", Reason: "p99 = 30ms, want < 20ms (50% over)"}
		}, `stage "peak" did not run: the run stopped early (gate) in stage warm: p99 = 30ms, want < 20ms (50% over)`},
		{"stage that did not run, by index", `p99{stage=2} < 1s`, func(r *loadtest.Result) { r.Stages = r.Stages[:1] }, `stage 2 did not run`},
		{"ambiguous stage name", `p99{stage="warm"} < 1s`, func(r *loadtest.Result) { r.Stages[1].Name = "warm" },
			`2 stages are named "warm": select one by its index, such as stage=0`},
		{"no such name", `p99{name="pay"} < 1s`, nil, `no requests named "pay"; the names are "/shop.Cart/Add", "browse", "checkout"`},
		{"no names", `p99{name="pay"} < 1s`, func(r *loadtest.Result) { r.ByName = nil }, `no requests named "pay": the target named none (see loadtest.Sample.Name; a Flow names its steps with Iteration.Do)`},
		{"no tls phase", "tls.p99 < 1s", nil, "tls.p99: no request had a tls phase (phases seen: connect, dns, total, ttfb)"},
		{"no phases", "dns.p99 < 1s", func(r *loadtest.Result) { r.Phases = nil }, "dns.p99: the target reported no request phases (HTTP targets do)"},
		{"quantile of a stage", `p(99.5){stage=1} < 1s`, nil,
			"p(99.5) needs the full latency histogram, which a stage's result does not carry; use p50, p90, p95, p99, p999, min, max or mean"},
		{"quantile of a phase", `dns.p(99.5) < 1s`, nil,
			"dns.p(99.5) needs the full latency histogram, which HTTP phase timing does not carry; use p50, p90, p95, p99, p999, min, max or mean"},
		{"quantile without histogram", `p(99.5) < 1s`, func(r *loadtest.Result) { r.Latency.HDR = "" },
			"p(99.5) needs the full latency histogram, which this result does not carry; use p50, p90, p95, p99, p999, min, max or mean"},
		{"quantile of a corrupt histogram", `p(99.5) < 1s`, func(r *loadtest.Result) { r.Latency.HDR = "bm90IGFuIGhkcg==" },
			"p(99.5): decoding hdr histogram:"},
		{"no requests", "p99 < 1s", func(r *loadtest.Result) { r.Latency.Count = 0 }, "no requests completed, so p99 is undefined"},
		{"no requests in a stage", `service.max{stage=0} < 1s`, func(r *loadtest.Result) { r.Stages[0].ServiceTime.Count = 0 },
			"no requests completed, so service.max is undefined"},
		{"error rate of nothing", "error_rate < 1%", func(r *loadtest.Result) { r.Requests = 0 }, "no requests completed, so error_rate is undefined"},
		{"window without a timeline", "p99[10s] < 1s", func(r *loadtest.Result) { r.Timeline = nil },
			"p99[10s] reads the run's per-second timeline, which this result does not have"},
		{"no status codes", "status(5xx) < 1%", func(r *loadtest.Result) { r.StatusCodes = nil }, "no response reported a status code (HTTP and gRPC targets do)"},
		{"closed model", "throughput >= 95%", func(r *loadtest.Result) {
			r.Load.Model = loadtest.Closed
			r.Load.Stages = []loadtest.StagePlan{{Name: "10 users", Model: loadtest.Closed, Users: 10, DurationNS: int64(time.Second)}}
			r.Stages = r.Stages[:1]
		}, "the closed model (10 users) has no target rate; compare with a rate such as 500/s"},
		{"mixed model", "throughput >= 95%", func(r *loadtest.Result) {
			r.Load.Model = "mixed"
			r.Load.Stages[2] = loadtest.StagePlan{Name: "peak", Model: loadtest.Closed, Users: 10, DurationNS: int64(time.Second)}
		}, "stage 2 (peak) runs the closed model, which has no target rate; compare with a rate such as 500/s"},
		{"stage of a Pacer of its own", "rate >= 99%", func(r *loadtest.Result) {
			r.Load.Stages[2] = loadtest.StagePlan{Name: "trace", Model: loadtest.Open, Arrivals: loadtest.Custom, DurationNS: int64(time.Second)}
		}, "stage 2 (trace) is planned by a Pacer of its own, whose rate the result does not carry; compare with a rate such as 500/s"},
		{"mixed model, open stage", `throughput{stage=1} >= 95%`, func(r *loadtest.Result) {
			r.Load.Model = "mixed"
			r.Load.Stages[2] = loadtest.StagePlan{Name: "peak", Model: loadtest.Closed, Users: 10, DurationNS: int64(time.Second)}
		}, ""},
		{"no plan", "throughput >= 95%", func(r *loadtest.Result) { r.Load.Stages = nil },
			"the result has no planned load, so there is no target rate; compare with a rate such as 1000/s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := slaResult(t)
			if tt.modify != nil {
				tt.modify(res)
			}
			e, err := assert.Parse(tt.give)
			if err != nil {
				t.Fatal(err)
			}
			o, err := e.Eval(res)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Eval: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Eval(%s) = %s, want an error", tt.give, o.Message)
			}
			want := "scenario checkout: " + quote(e.String()) + ": " + tt.want
			match := err.Error() == want
			if strings.HasSuffix(tt.want, ":") { // the rest is the hdr library's
				match = strings.HasPrefix(err.Error(), want)
			}
			switch {
			case !match:
				t.Errorf("Eval(%s) error:\n got %v\nwant %s", tt.give, err, want)
			case o.Err != err || o.Message != err.Error() || o.Pass:
				t.Errorf("Outcome = %+v, want Err and Message set and Pass false", o)
			}
		})
	}
}

// quote quotes an expression as messages do.
func quote(s string) string {
	if strings.Contains(s, `"`) {
		return "`" + s + "`"
	}
	return `"` + s + `"`
}

func TestEvalNilResult(t *testing.T) {
	e, err := assert.Parse("p99 < 1s")
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Eval(nil)
	if want := `"p99 < 1s": no result (did loadtest.Run fail?)`; err == nil || err.Error() != want {
		t.Errorf("Eval(nil) = %v, want %s", err, want)
	}
}

func TestUnitFormat(t *testing.T) {
	tests := []struct {
		name string
		unit assert.Unit
		give float64
		want string
	}{
		{"duration ms", assert.UnitDuration, 231.4e6, "231ms"},
		{"duration µs", assert.UnitDuration, 1234.5e3, "1.23ms"},
		{"duration small", assert.UnitDuration, 1234, "1.23µs"},
		{"duration ns", assert.UnitDuration, 7, "7ns"},
		{"duration s", assert.UnitDuration, 1.5e9, "1.5s"},
		{"duration minutes", assert.UnitDuration, 90e9, "1m30s"},
		{"duration negative", assert.UnitDuration, -211e6, "-211ms"},
		{"duration zero", assert.UnitDuration, 0, "0s"},
		{"ratio", assert.UnitRatio, 0.012345, "1.23%"},
		{"ratio small", assert.UnitRatio, 0.00001, "0.001%"},
		{"ratio zero", assert.UnitRatio, 0, "0%"},
		{"ratio whole", assert.UnitRatio, 1, "100%"},
		{"count", assert.UnitCount, 12345, "12345"},
		{"count fraction", assert.UnitCount, 2.5, "2.5"},
		{"bytes MiB", assert.UnitBytes, 300 << 20, "300MiB"},
		{"bytes GiB", assert.UnitBytes, 1.5 * (1 << 30), "1.5GiB"},
		{"bytes small", assert.UnitBytes, 512, "512B"},
		{"rate", assert.UnitRate, 181.44, "181/s"},
		{"rate large", assert.UnitRate, 12345.6, "12346/s"},
		{"rate small", assert.UnitRate, 9.996, "10/s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.unit.Format(tt.give); got != tt.want {
				t.Errorf("%s.Format(%v) = %q, want %q", tt.unit, tt.give, got, tt.want)
			}
		})
	}
}

// TestEvalGRPCCodeOutsideSpecification: status(CODE_42) reads the count
// that results keep for a code outside the specification, under the name
// grpcload gives it, whatever the case the expression writes.
func TestEvalGRPCCodeOutsideSpecification(t *testing.T) {
	res := &loadtest.Result{Requests: 200, Errors: 10,
		StatusCodes: map[string]int64{"OK": 190, "CODE_42": 10}}
	outs, err := assert.Check(res, "status(code_42) < 1%")
	if err != nil {
		t.Fatal(err)
	}
	if o := outs[0]; o.Pass || o.Actual != 0.05 {
		t.Errorf("status(code_42) = %v (pass %v), want 0.05, failing", o.Actual, o.Pass)
	}
}

// TestPlannedRateOfPoissonStage: the share of the planned rate of a
// Poisson stage is measured against what its seeded schedule drew: 37
// arrivals in 200 ms at 200/s, all served, is 100% and not "3.26% under"
// the rate's 40.
func TestPlannedRateOfPoissonStage(t *testing.T) {
	const d = 200 * time.Millisecond
	res := &loadtest.Result{
		Load:       loadtest.LoadInfo{Model: loadtest.Open, DurationNS: int64(d), Stages: []loadtest.StagePlan{{Name: "poisson 200/s", Model: loadtest.Open, Arrivals: loadtest.Exponential, From: 200, To: 200, DurationNS: int64(d), Seed: 1}}},
		DurationNS: int64(d),
	}
	n, _ := res.ScheduledArrivals(0, d)
	if n == 200*d.Seconds() {
		t.Fatalf("the schedule drew exactly the rate's %v: pick a seed whose count differs", n)
	}
	res.Requests = int64(n)
	res.Rate, res.Throughput = n/d.Seconds(), n/d.Seconds()
	res.Stages = []loadtest.StageResult{{Index: 0, Name: "poisson 200/s", ElapsedNS: int64(d), Requests: int64(n), Rate: res.Rate, Throughput: res.Throughput}}
	outs, err := assert.Check(res, "throughput >= 95%", "rate >= 99%")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outs {
		if !o.Pass {
			t.Errorf("%s: %s; want a pass: every scheduled arrival was served", o.Expr, o.Message)
		}
	}
}
