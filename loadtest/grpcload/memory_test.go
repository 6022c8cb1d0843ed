package grpcload_test

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	testgrpc "google.golang.org/grpc/interop/grpc_testing"

	"github.com/loadgate/loadgate/loadtest"
	"github.com/loadgate/loadgate/loadtest/grpcload"
)

// envLong turns on the long tests, as in package loadtest;
// envMemoryCalls sets the calls of TestMemoryFlat (default 200,000).
const (
	envLong        = "LOADGATE_TEST_LONG"
	envMemoryCalls = "LOADGATE_GRPC_CALLS"
)

// liveHeap collects garbage twice and returns the bytes of live heap
// objects.
func liveHeap() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// TestMemoryFlat checks that what the run keeps does not grow with the
// calls it records: the live heap, measured with the other users held,
// after a tenth of the calls and after all of them, differs by less than
// 1 MiB (issue 18). ghz keeps every latency in memory; loadgate's
// histograms have a fixed size.
func TestMemoryFlat(t *testing.T) {
	if os.Getenv(envLong) == "" {
		t.Skipf("hundreds of thousands of calls: set %s=1 to run it", envLong)
	}
	n := int64(200_000)
	if v := os.Getenv(envMemoryCalls); v != "" {
		var err error
		if n, err = strconv.ParseInt(v, 10, 64); err != nil || n < 1000 {
			t.Fatalf("%s=%q: want a number of calls, at least 1000", envMemoryCalls, v)
		}
	}
	srv := &testServer{}
	conn := dial(t, serve(t, srv), grpcload.WithConnections(2))
	call := unaryCall(testgrpc.NewTestServiceClient(conn))
	var (
		count       atomic.Int64
		hold        sync.RWMutex
		first, last int64
	)
	start := time.Now()
	res := loadtest.Run(t, loadtest.Scenario{
		Target: conn.Target(func(ctx context.Context) error {
			k := count.Add(1)
			if k == n/10 || k == n {
				hold.Lock()
				if k == n/10 {
					first = liveHeap()
				} else {
					last = liveHeap()
				}
				hold.Unlock()
			}
			hold.RLock()
			defer hold.RUnlock()
			return call(ctx)
		}),
		Load: loadtest.Users(4).SharedIterations(int(n)).For(5 * time.Minute),
	})
	if res == nil {
		return
	}
	t.Logf("%d calls in %v: live heap %.2f MiB after %d, %.2f MiB after %d (%+.3f MiB); heap peak %.1f MiB",
		res.Requests, time.Since(start).Round(time.Second), float64(first)/(1<<20), n/10, float64(last)/(1<<20), n,
		float64(last-first)/(1<<20), float64(res.Runtime.HeapPeakBytes)/(1<<20))
	if res.Requests != n || res.ByName[unaryMethod].Requests != n {
		t.Errorf("%d requests, %d calls recorded; want %d", res.Requests, res.ByName[unaryMethod].Requests, n)
	}
	if grew := last - first; grew > 1<<20 {
		t.Errorf("the live heap grew by %.2f MiB from %d to %d calls, want less than 1 MiB", float64(grew)/(1<<20), n/10, n)
	}
}
