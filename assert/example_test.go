package assert_test

import (
	"fmt"
	"time"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/loadtest"
)

// printT prints what a test would report; in a real test, pass its t.
type printT struct{}

func (printT) Errorf(format string, args ...any) { fmt.Printf(format+"\n", args...) }

// exampleResult stands for what loadtest.Run returns, made by hand so that
// the examples' output does not depend on the machine.
func exampleResult() *loadtest.Result {
	ms := int64(time.Millisecond)
	return &loadtest.Result{
		Scenario:   "checkout",
		DurationNS: int64(20 * time.Second),
		Load: loadtest.LoadInfo{Model: loadtest.Open, Stages: []loadtest.StagePlan{
			{Name: "ramp", Model: loadtest.Open, From: 50, To: 250, DurationNS: int64(10 * time.Second)},
			{Name: "peak", Model: loadtest.Open, From: 250, To: 250, DurationNS: int64(10 * time.Second)},
		}},
		Requests: 3980, Errors: 12, ErrorRate: 12.0 / 3980, Rate: 199, Throughput: 198.4,
		Latency: loadtest.Latency{Count: 3980, P50NS: 18 * ms, P99NS: 231 * ms, MaxNS: 540 * ms},
		Runtime: loadtest.RuntimeStats{GoroutinesStart: 8, GoroutinesPeak: 260, GoroutinesEnd: 9, GCPauseP99NS: ms},
		Stages: []loadtest.StageResult{
			{Index: 0, Name: "ramp", ElapsedNS: int64(10 * time.Second), Requests: 1490, Rate: 149, Throughput: 149,
				Latency: loadtest.Latency{Count: 1490, P50NS: 12 * ms, P99NS: 40 * ms}},
			{Index: 1, Name: "peak", ElapsedNS: int64(10 * time.Second), Requests: 2490, Errors: 12, Rate: 249, Throughput: 247.8,
				Latency: loadtest.Latency{Count: 2490, P50NS: 25 * ms, P99NS: 260 * ms}},
		},
	}
}

// A load test runs its scenario, then checks the result against its SLA.
// Each expression that does not hold fails the test with the measured
// value, the limit and the margin.
func Example() {
	t := printT{} // in a real test: func TestLoadCheckout(t *testing.T)

	// 1. Run the scenario:
	//
	//	res := loadtest.Run(t, loadtest.Scenario{
	//		Name:   "checkout",
	//		Target: target,
	//		Load: loadtest.Ramp(
	//			loadtest.Rate(50).RampTo(250).For(10*time.Second).Named("ramp").
	//				Gated(assert.Gate("p99 < 100ms", "error_rate < 1%")),
	//			loadtest.Rate(250).For(10*time.Second).Named("peak"),
	//		),
	//	})
	res := exampleResult()

	// 2. Check it.
	ok := assert.SLA(t, res,
		"p99 <= 200ms",
		"error_rate < 0.1%",
		`p99{stage="ramp"} < 50ms`,
		"throughput >= 95%",
		"goroutine_growth <= 5",
	)
	fmt.Println("passed:", ok)

	// Or with the usual pre-launch bar.
	assert.SLA(t, res, assert.PreLaunch...)
	// Output:
	// scenario checkout: p99 = 231ms, want <= 200ms (15.5% over)
	// scenario checkout: error_rate = 0.302%, want < 0.1% (202% over)
	// passed: false
	// scenario checkout: p99 = 231ms, want <= 200ms (15.5% over)
	// scenario checkout: error_rate = 0.302%, want < 0.1% (202% over)
}

func ExampleParse() {
	e, err := assert.Parse(`p(99.9){stage="ramp"}<=1.5ms`)
	fmt.Println(e, err)

	e, err = assert.Parse("goroutines_end-goroutines_start <= 5")
	fmt.Println(e, err)

	_, err = assert.Parse("p99 < 5%")
	fmt.Println(err)
	// Output:
	// p999{stage="ramp"} <= 1.5ms <nil>
	// goroutines_end - goroutines_start <= 5 <nil>
	// "p99 < 5%": column 7: a latency needs a duration such as 200ms
}

// A gate built from SLA expressions stops a ramp after the first stage
// that misses them.
func ExampleGate() {
	gate := assert.Gate("p99 < 100ms", "error_rate < 1%")
	load := loadtest.Ramp(
		loadtest.Rate(50).RampTo(250).For(10*time.Second).Gated(gate),
		loadtest.Rate(250).For(10*time.Second).Gated(gate),
	)
	_ = load // in a real test: loadtest.Run(t, loadtest.Scenario{Target: target, Load: load})

	// What the gate says about each stage when it ends:
	for _, s := range exampleResult().Stages {
		fmt.Printf("%s: %v\n", s.Name, gate(&s))
	}

	// A malformed expression makes a gate that fails every stage.
	fmt.Println(assert.Gate("p99 < 1%")(nil))
	// Output:
	// ramp: <nil>
	// peak: p99 = 260ms, want < 100ms (160% over)
	// assert.Gate: "p99 < 1%": column 7: a latency needs a duration such as 200ms
}

// Check evaluates expressions without a test, for tools that report on
// results.
func ExampleCheck() {
	outs, err := assert.Check(exampleResult(), "p99 < 200ms", "p50 < 20ms", "throughput >= 95%")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range outs {
		fmt.Printf("%-5v %-17s actual %-7s limit %s\n", o.Pass, o.Expr, o.Unit.Format(o.Actual), o.Unit.Format(o.Limit))
	}
	// Output:
	// false p99 < 200ms       actual 231ms   limit 200ms
	// true  p50 < 20ms        actual 18ms    limit 20ms
	// true  throughput >= 95% actual 198/s   limit 190/s
}

// An SLA file gives each scenario its expressions.
func ExampleParseFile() {
	f, err := assert.ParseFile("testdata/sla.txt")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, scenario := range []string{"checkout", "TestLoad/search"} {
		fmt.Printf("%s: %q\n", scenario, f.For(scenario))
	}
	// Output:
	// checkout: ["error_rate < 1%" "goroutine_growth <= 5" "p99 < 200ms" "status(5xx) < 1%"]
	// TestLoad/search: ["error_rate < 1%" "goroutine_growth <= 5" "throughput >= 95%"]
}
