package loadtest

import (
	"fmt"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/loadgate/loadgate/internal/histo"
)

const (
	coarseDigits  = 2 // per-second timeline histograms: 1% is plenty there
	maxSamplesLen = 300
)

func newCoarseHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(histo.Lowest, histo.Highest, coarseDigits)
}

// recordDuration records d, clamped into the histogram's range, without
// allocating.
func recordDuration(h *hdrhistogram.Histogram, d time.Duration) {
	_ = h.RecordValue(min(max(int64(d), histo.Lowest), histo.Highest)) // cannot fail: in range
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
	return Latency(histo.Summarize(h, withHDR))
}

// Histogram decodes the full distribution from HDR. Each call decodes
// anew, so a Latency is safe to read from several goroutines.
func (l *Latency) Histogram() (*hdrhistogram.Histogram, error) {
	return histo.Decode(l.HDR)
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
