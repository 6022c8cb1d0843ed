package loadtest_test

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

// liveHeap collects garbage twice (the second cycle frees what was
// allocated during the first) and returns the bytes of live heap objects.
func liveHeap() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

const mib = 1 << 20

// countedRun runs a closed-model load of 4 users against a no-op target
// until n requests have completed (by canceling the run's context), and
// calls at(k) for each k in marks when the k-th request completes, while
// every other user is held: nothing allocates while at runs.
func countedRun(t *testing.T, name string, n int64, marks map[int64]func()) *loadtest.Result {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var (
		count atomic.Int64
		hold  sync.RWMutex
	)
	res := loadtest.Run(&fakeTB{TB: t, ctx: ctx}, loadtest.Scenario{
		Name: name,
		Target: loadtest.Func(func(context.Context) error {
			k := count.Add(1)
			if at := marks[k]; at != nil {
				hold.Lock()
				at()
				hold.Unlock()
			}
			if k == n {
				cancel()
			}
			hold.RLock()
			hold.RUnlock()
			return nil
		}),
		Load: loadtest.Users(4).For(60 * time.Second),
	})
	if res != nil && count.Load() < n {
		t.Fatalf("%s: only %d of %d requests in %v", name, count.Load(), n, res.Duration())
	}
	return res
}

// TestMemoryConstant checks that the harness's memory does not grow with the
// number of requests (HDR histograms and fixed per-second rings, no kept
// samples): N requests through a no-op target must not take 5 MiB more
// than 10,000 do. It measures the live heap after a forced GC in two ways:
//
//   - within one run, when 10,000 requests have completed and when N have,
//     so that anything a run keeps per request shows up;
//   - after a run of 10,000 requests and after a run of N, holding both
//     results, so that anything a result keeps per request shows up.
//
// The closed model with 4 users pushes 1M requests through in about a
// second; the run is ended by canceling its context once N have completed.
func TestMemoryConstant(t *testing.T) {
	tests := []struct {
		name     string
		requests int64
		long     bool // skipped under -short
	}{
		{name: "100k_requests", requests: 100_000},
		{name: "1M_requests", requests: 1_000_000, long: true},
	}
	const (
		small  = 10_000
		budget = 5 * mib
	)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.long && testing.Short() {
				t.Skip("1M requests: skipped under -short")
			}
			heapAt := map[int64]int64{}
			res := countedRun(t, "memory", tt.requests, map[int64]func(){
				small:       func() { heapAt[small] = liveHeap() },
				tt.requests: func() { heapAt[tt.requests] = liveHeap() },
			})
			if res == nil {
				return
			}
			within := heapAt[tt.requests] - heapAt[small]

			base := liveHeap()
			resSmall := countedRun(t, "memory small", small, nil)
			afterSmall := liveHeap()
			resBig := countedRun(t, "memory big", tt.requests, nil)
			afterBig := liveHeap()
			if resSmall == nil || resBig == nil {
				return
			}
			runtime.KeepAlive(resSmall)
			runtime.KeepAlive(resBig)
			across := afterBig - afterSmall

			t.Logf("%s: live heap during one run: %.2f MiB at %d requests, %.2f MiB at %d, growth %+.3f MiB (%d requests, %.0f req/s); "+
				"after a run of %d requests %+.3f MiB over the baseline of %.2f MiB, after one of %d %+.3f MiB, growth %+.3f MiB; "+
				"Runtime.HeapPeakBytes (sampled every 100 ms, garbage included) %.2f MiB vs %.2f MiB",
				tt.name, float64(heapAt[small])/mib, small, float64(heapAt[tt.requests])/mib, tt.requests, float64(within)/mib,
				res.Requests, res.Rate,
				resSmall.Requests, float64(afterSmall-base)/mib, float64(base)/mib, resBig.Requests, float64(afterBig-base)/mib, float64(across)/mib,
				float64(resSmall.Runtime.HeapPeakBytes)/mib, float64(resBig.Runtime.HeapPeakBytes)/mib)
			if within > budget {
				t.Errorf("live heap grew %.2f MiB between %d and %d requests of one run, want < %d MiB",
					float64(within)/mib, small, tt.requests, budget/mib)
			}
			if across > budget {
				t.Errorf("a run of %d requests leaves %.2f MiB more live heap than one of %d, want < %d MiB",
					resBig.Requests, float64(across)/mib, resSmall.Requests, budget/mib)
			}
		})
	}
}
