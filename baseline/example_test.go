package baseline_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/loadtest"
)

// checkout stands for a result of loadtest.Run of a checkout scenario.
func checkout(p99 time.Duration) *loadtest.Result {
	return &loadtest.Result{
		Schema: loadtest.SchemaVersion, Scenario: "checkout", DurationNS: int64(10 * time.Second),
		Env:      loadtest.Env{Go: "go1.26.8", GOOS: "linux", GOARCH: "amd64", CPUs: 2, CPUModel: "Example CPU"},
		Requests: 2000, Rate: 200, Throughput: 200,
		Latency: loadtest.Latency{Count: 2000, P50NS: int64(p99 / 4), P90NS: int64(p99 / 2),
			P95NS: int64(p99 * 3 / 4), P99NS: int64(p99), P999NS: int64(p99 * 2), MaxNS: int64(p99 * 3)},
		Runtime: loadtest.RuntimeStats{HeapPeakBytes: 16 << 20},
	}
}

// The whole flow: five runs on the main branch become the baseline, five
// runs of a change that made checkout 25% slower are compared with it.
func Example() {
	dir, _ := os.MkdirTemp("", "baseline-example")
	defer os.RemoveAll(dir)
	path := baseline.Path(dir, "checkout")

	// 1. Record: what LOADGATE_UPDATE=1 go test -count=5 does.
	for _, ms := range []float64{40, 44, 38, 41, 43} {
		res := checkout(time.Duration(ms * float64(time.Millisecond)))
		if _, err := baseline.Record(path, "main", res); err != nil {
			fmt.Println(err)
			return
		}
	}
	b, err := baseline.Load(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("baseline of %s: %d runs\n", b.Scenario, len(b.Runs))

	// 2. Compare five runs of the change; p99 < 60ms is a hard limit.
	var head []*loadtest.Result
	for _, ms := range []float64{51, 54, 49, 53, 52} {
		head = append(head, checkout(time.Duration(ms*float64(time.Millisecond))))
	}
	hs, _ := baseline.SampleOf(head...)
	c, err := baseline.Compare(b.Sample(), hs, baseline.Policy{SLA: []string{"p99 < 60ms"}})
	if err != nil {
		fmt.Println(err)
		return
	}

	// 3. The verdict and why.
	fmt.Println("verdict:", c.Verdict)
	for _, r := range c.Reasons {
		fmt.Println(r)
	}
	// Output:
	// baseline of checkout: 5 runs
	// verdict: fail
	// p50 +26.83% (p=0.008 n=5): over 15% tolerance
	// p99 +26.83% (p=0.008 n=5): over 15% tolerance
	// warning: p90 +26.83% (p=0.008 n=5): over 15% tolerance (warn only)
	// warning: p999 +26.83% (p=0.008 n=5): over 25% tolerance (warn only)
}

// A comparison renders as a table like benchstat's. Here the same code ran
// again: every change is within the noise.
func ExampleComparison_WriteText() {
	var base, head []*loadtest.Result
	for _, ms := range []float64{40, 44, 38, 41, 43} {
		base = append(base, checkout(time.Duration(ms*float64(time.Millisecond))))
	}
	for _, ms := range []float64{42, 39, 45, 40, 41} {
		head = append(head, checkout(time.Duration(ms*float64(time.Millisecond))))
	}
	c, _ := baseline.CompareRuns(base, head, baseline.Policy{
		Rules: map[string]baseline.Rule{baseline.HeapPeak: {Ignore: true}},
	})
	c.WriteText(os.Stdout)
	// Output:
	// scenario checkout
	// base: base, 5 runs, linux/amd64, 2 CPUs Example CPU, go1.26.8
	// head: head, 5 runs, linux/amd64, 2 CPUs Example CPU, go1.26.8
	//
	//                          base          head  vs base
	// p50               10.3ms ± 7%  10.3ms ± 10%        ~  (p=0.984 n=5)
	// p90               20.5ms ± 7%  20.5ms ± 10%        ~  (p=0.984 n=5)
	// p99                 41ms ± 7%    41ms ± 10%        ~  (p=0.984 n=5)
	// p999                82ms ± 7%    82ms ± 10%        ~  (p=0.984 n=5)
	// error_rate            0% ± 0%       0% ± 0%        ~  (p=1.000 n=5)
	// throughput         200/s ± 0%    200/s ± 0%        ~  (p=1.000 n=5)
	// dropped                0 ± 0%        0 ± 0%        ~  (p=1.000 n=5)
	// goroutine_growth       0 ± 0%        0 ± 0%        ~  (p=1.000 n=5)
	// gc_pause_p99          0s ± 0%       0s ± 0%        ~  (p=1.000 n=5)
	// ± is a 90% confidence interval of the median; ~ is no significant change (Mann-Whitney U, α = 0.05).
	//
	// verdict: PASS
}

// Results export to the Go benchmark format, for benchstat.
func ExampleWriteBenchmarks() {
	s, _ := baseline.SampleOf(checkout(40*time.Millisecond), checkout(44*time.Millisecond))
	baseline.WriteBenchmarks(os.Stdout, s)
	// Output:
	// goos: linux
	// goarch: amd64
	// cpu: Example CPU
	// Unit p50-ns better=lower
	// Unit p90-ns better=lower
	// Unit p99-ns better=lower
	// Unit p999-ns better=lower
	// Unit errors/req better=lower
	// Unit req/s better=higher
	// Unit dropped better=lower
	// Unit goroutine-growth better=lower
	// Unit heap-peak-B better=lower
	// Unit gc-pause-p99-ns better=lower
	// generator-bound: no
	// BenchmarkLoad/checkout 1 10000000 p50-ns 20000000 p90-ns 40000000 p99-ns 80000000 p999-ns 0 errors/req 200 req/s 0 dropped 0 goroutine-growth 16777216 heap-peak-B 0 gc-pause-p99-ns
	// BenchmarkLoad/checkout 1 11000000 p50-ns 22000000 p90-ns 44000000 p99-ns 88000000 p999-ns 0 errors/req 200 req/s 0 dropped 0 goroutine-growth 16777216 heap-peak-B 0 gc-pause-p99-ns
}

// In a load test, Check compares with the stored baseline, or records one
// under LOADGATE_UPDATE=1. Check needs the t of a running test, so this
// example is compiled but not run; Example shows what Check does with the
// runs, without a test.
func ExampleCheck() {
	_ = func(t *testing.T, scenario loadtest.Scenario) {
		res := loadtest.Run(t, scenario)
		baseline.Check(t, res,
			baseline.WithSLA("p99 < 200ms", "error_rate < 0.1%"),
			baseline.WithPolicy(baseline.Policy{EnvMismatchWarns: true}),
		)
	}
}
