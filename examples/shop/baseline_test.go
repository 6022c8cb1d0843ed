package shop_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/examples/shop"
	"github.com/loadgate/loadgate/loadtest"
)

// Environment variables of TestBaselineCheckout, for scripts/noise-experiment.sh.
const (
	// envSlowdown injects a regression: shop.Options.Slowdown. The checkout's
	// signing is most, not all, of an order's latency: 0.4 raises the
	// scenario's p99 by about 25% on the project's machine, 0.25 by 13-15%.
	envSlowdown = "LOADGATE_SHOP_SLOWDOWN"
	// envBenchOut names a file that receives each run in the Go benchmark
	// format, for benchstat.
	envBenchOut = "LOADGATE_BENCH_OUT"
)

// TestBaselineCheckout places orders (an item into a cart, then checkout)
// at a steady 150 per second and compares what it measured with the
// scenario's stored baseline: it fails when the shop got significantly and
// materially slower. Record the baseline with
//
//	LOADGATE_UPDATE=1 go test -run '^TestBaselineCheckout$' -count=5 .
//
// and compare with the same command without LOADGATE_UPDATE. Without a
// baseline the test logs how to record one and passes.
func TestBaselineCheckout(t *testing.T) {
	var opts shop.Options
	if v := os.Getenv(envSlowdown); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 {
			t.Fatalf("%s=%q: want a fraction such as 0.25", envSlowdown, v)
		}
		opts.Slowdown = f
	}
	_, url, c := startShop(t, opts)
	var n atomic.Int64
	res := loadtest.Run(t, loadtest.Scenario{
		Name: "checkout at 150 per second",
		Target: withClient{client: c, Func: func(ctx context.Context) error {
			k := n.Add(1)
			user := fmt.Sprintf("buyer-%d", k)
			item := fmt.Sprintf(`{"product": %d, "qty": 1}`, k%50+1)
			if err := send(ctx, c, "POST", url+"/cart/"+user+"/items", item); err != nil {
				return err
			}
			return send(ctx, c, "POST", url+"/checkout/"+user, "")
		}},
		Load:        loadtest.Rate(150).For(2 * time.Second),
		Warmup:      500 * time.Millisecond,
		Timeout:     timeout,
		MaxInFlight: maxConns,
	})
	if res == nil {
		return
	}
	checkClean(t, res)
	if path := os.Getenv(envBenchOut); path != "" {
		exportBench(t, path, res)
	}
	// LOADGATE_BASELINE_DIR (baseline.EnvDir) keeps the baseline
	// elsewhere than testdata/loadgate.
	baseline.Check(t, res, baseline.WithSLA("error_rate < 1%"))
}

// exportBench appends res to path in the Go benchmark format.
func exportBench(t *testing.T, path string, res *loadtest.Result) {
	t.Helper()
	s, err := baseline.SampleOf(res)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := baseline.WriteBenchmarks(f, s); err != nil {
		t.Fatal(err)
	}
}
