package loadtest

import (
	"math"
	"runtime"
	"runtime/metrics"
	"time"
)

// RuntimeStats describes the test process while the load ran: the harness,
// the target, and any service running in the same process.
type RuntimeStats struct {
	GoroutinesStart int   `json:"goroutines_start"`
	GoroutinesPeak  int   `json:"goroutines_peak"`
	GoroutinesEnd   int   `json:"goroutines_end"`
	HeapPeakBytes   int64 `json:"heap_peak_bytes"`
	// GCPauseP99NS and GCPauseMaxNS come from the runtime's stop-the-world
	// pause histogram, so they are bucket bounds, not exact values.
	GCPauseP99NS int64   `json:"gc_pause_p99_ns"`
	GCPauseMaxNS int64   `json:"gc_pause_max_ns"`
	NumGC        int64   `json:"num_gc"`
	CPUSeconds   float64 `json:"cpu_seconds"`
}

const (
	metricHeap     = "/memory/classes/heap/objects:bytes"
	metricGCPauses = "/sched/pauses/total/gc:seconds"
	metricGCCycles = "/gc/cycles/total:gc-cycles"
)

// runtimeSampler tracks RuntimeStats between start and finish. sample is
// called periodically from one goroutine.
type runtimeSampler struct {
	stats      RuntimeStats
	heap       []metrics.Sample
	startGC    []metrics.Sample
	startCPU   time.Duration
	haveCPU    bool
	startPause *metrics.Float64Histogram
}

func startRuntimeSampler() *runtimeSampler {
	s := &runtimeSampler{
		heap:    []metrics.Sample{{Name: metricHeap}},
		startGC: []metrics.Sample{{Name: metricGCPauses}, {Name: metricGCCycles}},
	}
	metrics.Read(s.startGC)
	if s.startGC[0].Value.Kind() == metrics.KindFloat64Histogram {
		s.startPause = copyHistogram(s.startGC[0].Value.Float64Histogram())
	}
	s.startCPU, s.haveCPU = processCPU()
	n := runtime.NumGoroutine()
	s.stats.GoroutinesStart, s.stats.GoroutinesPeak = n, n
	s.sample()
	return s
}

func (s *runtimeSampler) sample() {
	if n := runtime.NumGoroutine(); n > s.stats.GoroutinesPeak {
		s.stats.GoroutinesPeak = n
	}
	metrics.Read(s.heap)
	if s.heap[0].Value.Kind() == metrics.KindUint64 {
		if v := int64(s.heap[0].Value.Uint64()); v > s.stats.HeapPeakBytes {
			s.stats.HeapPeakBytes = v
		}
	}
}

// finish takes the last sample and returns the statistics. goroutinesEnd is
// counted by the caller after the harness's own goroutines have stopped.
func (s *runtimeSampler) finish(goroutinesEnd int) RuntimeStats {
	s.sample()
	s.stats.GoroutinesEnd = goroutinesEnd
	end := []metrics.Sample{{Name: metricGCPauses}, {Name: metricGCCycles}}
	metrics.Read(end)
	if end[1].Value.Kind() == metrics.KindUint64 && s.startGC[1].Value.Kind() == metrics.KindUint64 {
		s.stats.NumGC = int64(end[1].Value.Uint64() - s.startGC[1].Value.Uint64())
	}
	if s.startPause != nil && end[0].Value.Kind() == metrics.KindFloat64Histogram {
		s.stats.GCPauseP99NS, s.stats.GCPauseMaxNS = pauseStats(s.startPause, end[0].Value.Float64Histogram())
	}
	if cpu, ok := processCPU(); ok && s.haveCPU {
		s.stats.CPUSeconds = (cpu - s.startCPU).Seconds()
	}
	return s.stats
}

func copyHistogram(h *metrics.Float64Histogram) *metrics.Float64Histogram {
	return &metrics.Float64Histogram{
		Counts:  append([]uint64(nil), h.Counts...),
		Buckets: append([]float64(nil), h.Buckets...),
	}
}

// pauseStats returns the p99 and the maximum of the pauses recorded between
// two readings of the runtime's pause histogram, as nanoseconds. Each is the
// upper bound of its bucket (the lower bound for the open-ended last one).
func pauseStats(before, after *metrics.Float64Histogram) (p99, max int64) {
	if len(before.Counts) != len(after.Counts) {
		return 0, 0
	}
	delta := make([]uint64, len(after.Counts))
	var total uint64
	for i := range after.Counts {
		delta[i] = after.Counts[i] - before.Counts[i]
		total += delta[i]
	}
	if total == 0 {
		return 0, 0
	}
	bound := func(i int) int64 {
		hi := after.Buckets[i+1]
		if math.IsInf(hi, 1) {
			hi = after.Buckets[i]
		}
		return int64(hi * 1e9)
	}
	rank := uint64(math.Ceil(0.99 * float64(total)))
	var cum uint64
	p99 = -1
	for i, c := range delta {
		if c == 0 {
			continue
		}
		cum += c
		if p99 < 0 && cum >= rank {
			p99 = bound(i)
		}
		max = bound(i)
	}
	return p99, max
}
