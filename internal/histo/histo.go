// Package histo holds loadgate's latency histograms: their one set of
// bounds, the summary of a histogram with its encoding, and the merging of
// summaries. Package loadtest records with it and baseline merges the
// latencies of several runs with it, so both read a distribution the same
// way.
package histo

import (
	"fmt"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Latencies are recorded in nanoseconds from 1 ns to one hour with 3
// significant digits (0.1% relative error), so p99.9 is exact enough and
// memory does not depend on the number of requests.
const (
	Lowest  = 1
	Highest = int64(time.Hour)
	Digits  = 3
)

// New returns an empty histogram with loadgate's bounds.
func New() *hdrhistogram.Histogram {
	return hdrhistogram.New(Lowest, Highest, Digits)
}

// Summary is loadtest.Latency without its JSON tags, so that the two
// convert into each other: loadtest.Latency(s) and Summary(l). A field
// added to one and not to the other stops those conversions compiling.
type Summary struct {
	Count  int64
	MinNS  int64
	MeanNS int64
	P50NS  int64
	P90NS  int64
	P95NS  int64
	P99NS  int64
	P999NS int64
	MaxNS  int64
	HDR    string
}

// Summarize returns the percentiles of h; withHDR adds the whole
// distribution in HdrHistogram's compressed V2 encoding (base64).
func Summarize(h *hdrhistogram.Histogram, withHDR bool) Summary {
	s := Summary{Count: h.TotalCount()}
	if s.Count == 0 {
		return s
	}
	s.MinNS = h.Min()
	s.MeanNS = int64(h.Mean())
	s.P50NS = h.ValueAtQuantile(50)
	s.P90NS = h.ValueAtQuantile(90)
	s.P95NS = h.ValueAtQuantile(95)
	s.P99NS = h.ValueAtQuantile(99)
	s.P999NS = h.ValueAtQuantile(99.9)
	s.MaxNS = h.Max()
	if withHDR {
		if b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase); err == nil {
			s.HDR = string(b)
		}
	}
	return s
}

// Decode returns the histogram that hdr, a Summary's HDR, encodes. Each call
// decodes anew, so the caller may change the histogram.
func Decode(hdr string) (*hdrhistogram.Histogram, error) {
	if hdr == "" {
		return nil, fmt.Errorf("latency has no hdr histogram")
	}
	h, err := hdrhistogram.Decode([]byte(hdr))
	if err != nil {
		return nil, fmt.Errorf("decoding hdr histogram: %w", err)
	}
	return h, nil
}

// Merge returns the summary of the distributions of ss together, such as
// several runs of one scenario, with its HDR encoding. Summaries with no
// requests are skipped; every other one must carry its HDR histogram.
func Merge(ss ...Summary) (Summary, error) {
	merged := New()
	for _, s := range ss {
		if s.Count == 0 {
			continue
		}
		h, err := Decode(s.HDR)
		if err != nil {
			return Summary{}, err
		}
		if dropped := merged.Merge(h); dropped > 0 {
			return Summary{}, fmt.Errorf("merging latencies: %d values out of range", dropped)
		}
	}
	return Summarize(merged, true), nil
}
