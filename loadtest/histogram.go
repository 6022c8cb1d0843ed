package loadtest

import (
	"fmt"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram bounds: latencies are recorded in nanoseconds from 1 ns to one
// hour with 3 significant digits (0.1% relative error), so p99.9 is exact
// enough and memory does not depend on the number of requests.
const (
	histLowest    = 1
	histHighest   = int64(time.Hour)
	histDigits    = 3
	coarseDigits  = 2 // per-second timeline histograms: 1% is plenty there
	maxSamplesLen = 300
)

func newHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(histLowest, histHighest, histDigits)
}

func newCoarseHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(histLowest, histHighest, coarseDigits)
}

// recordDuration records d, clamped into the histogram's range, without
// allocating.
func recordDuration(h *hdrhistogram.Histogram, d time.Duration) {
	v := int64(d)
	if v < histLowest {
		v = histLowest
	} else if v > histHighest {
		v = histHighest
	}
	_ = h.RecordValue(v) // cannot fail: v is in range
}

// Latency summarises a latency distribution. Durations are integer
// nanoseconds. HDR holds the whole distribution in HdrHistogram's compressed
// V2 encoding (base64), so results can be merged and any quantile read back
// with [Latency.Quantile].
type Latency struct {
	Count  int64  `json:"count"`
	MinNS  int64  `json:"min_ns"`
	MeanNS int64  `json:"mean_ns"`
	P50NS  int64  `json:"p50_ns"`
	P90NS  int64  `json:"p90_ns"`
	P95NS  int64  `json:"p95_ns"`
	P99NS  int64  `json:"p99_ns"`
	P999NS int64  `json:"p999_ns"`
	MaxNS  int64  `json:"max_ns"`
	HDR    string `json:"hdr,omitempty"`
}

// summarize builds a Latency from a histogram; withHDR adds the encoded
// distribution.
func summarize(h *hdrhistogram.Histogram, withHDR bool) Latency {
	l := Latency{Count: h.TotalCount()}
	if l.Count == 0 {
		return l
	}
	l.MinNS = h.Min()
	l.MeanNS = int64(h.Mean())
	l.P50NS = h.ValueAtQuantile(50)
	l.P90NS = h.ValueAtQuantile(90)
	l.P95NS = h.ValueAtQuantile(95)
	l.P99NS = h.ValueAtQuantile(99)
	l.P999NS = h.ValueAtQuantile(99.9)
	l.MaxNS = h.Max()
	if withHDR {
		if b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase); err == nil {
			l.HDR = string(b)
		}
	}
	return l
}

// Histogram decodes the full distribution from HDR. Each call decodes
// anew, so a Latency is safe to read from several goroutines.
func (l *Latency) Histogram() (*hdrhistogram.Histogram, error) {
	if l.HDR == "" {
		return nil, fmt.Errorf("latency has no hdr histogram")
	}
	h, err := hdrhistogram.Decode([]byte(l.HDR))
	if err != nil {
		return nil, fmt.Errorf("decoding hdr histogram: %w", err)
	}
	return h, nil
}

// Quantile returns the latency at quantile q in [0, 1] (0.99 for p99). It
// uses the stored percentiles when q is one of them and the HDR histogram
// otherwise.
func (l *Latency) Quantile(q float64) (time.Duration, error) {
	if q < 0 || q > 1 {
		return 0, fmt.Errorf("quantile %g out of range [0, 1]", q)
	}
	if l.Count == 0 {
		return 0, nil
	}
	switch q {
	case 0:
		return time.Duration(l.MinNS), nil
	case 0.5:
		return time.Duration(l.P50NS), nil
	case 0.9:
		return time.Duration(l.P90NS), nil
	case 0.95:
		return time.Duration(l.P95NS), nil
	case 0.99:
		return time.Duration(l.P99NS), nil
	case 0.999:
		return time.Duration(l.P999NS), nil
	case 1:
		return time.Duration(l.MaxNS), nil
	}
	h, err := l.Histogram()
	if err != nil {
		return 0, err
	}
	return time.Duration(h.ValueAtQuantile(q * 100)), nil
}

// SummarizeHistogram returns the summary of a latency histogram recorded in
// nanoseconds, with its HDR encoding.
func SummarizeHistogram(h *hdrhistogram.Histogram) Latency { return summarize(h, true) }

// MergeLatencies returns the summary of the distributions of ls together,
// such as several runs of one scenario. Latencies with no requests are
// skipped; every other one must carry its HDR histogram.
func MergeLatencies(ls ...Latency) (Latency, error) {
	merged := newHistogram()
	for i := range ls {
		if ls[i].Count == 0 {
			continue
		}
		h, err := ls[i].Histogram()
		if err != nil {
			return Latency{}, err
		}
		if dropped := merged.Merge(h); dropped > 0 {
			return Latency{}, fmt.Errorf("merging latencies: %d values out of range", dropped)
		}
	}
	return summarize(merged, true), nil
}
