package slo

import (
	"errors"
	"fmt"
	"math"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/loadgate/loadgate/internal/histo"
	"github.com/loadgate/loadgate/loadtest"
)

// ErrNoRequests means there is nothing to compute a share or a window of.
var ErrNoRequests = errors.New("no requests completed")

// Attainment returns the share of l's requests whose latency is at most
// objective, read from l's HDR histogram. A bucket of the histogram counts
// as within the objective when its highest value is, the value a
// percentile of that bucket reads: so "attainment(200ms) >= 99%" agrees
// with "p99 <= 200ms" on the same histogram, but for the rounding of the
// percentile's rank to a whole request.
func Attainment(l loadtest.Latency, objective time.Duration) (float64, error) {
	if l.Count == 0 {
		return 0, ErrNoRequests
	}
	h, err := histo.Decode(l.HDR)
	if err != nil {
		return 0, err
	}
	return Share(h, objective), nil
}

// Share returns the share of h's values at most objective (see
// [Attainment]); 0 for an empty histogram.
func Share(h *hdrhistogram.Histogram, objective time.Duration) float64 {
	total := h.TotalCount()
	if total == 0 {
		return 0
	}
	var within int64
	for _, b := range h.Distribution() {
		if b.Count > 0 && b.To <= int64(objective) {
			within += b.Count
		}
	}
	return float64(within) / float64(total)
}

// Budget returns the share of the error budget a run consumed: the share
// of requests that missed (1 - share) over the share the goal allows to
// miss (1 - goal). 1 is the whole budget; more is over it. A goal of 1
// allows no miss: any miss is +Inf, none is 0.
func Budget(share, goal float64) float64 {
	miss, allowed := 1-share, 1-goal
	switch {
	case miss <= 0:
		return 0
	case allowed <= 0:
		return math.Inf(1)
	}
	return miss / allowed
}

// Window is a span of whole seconds of the timeline and the percentile of
// the latencies that completed in it.
type Window struct {
	// Start is the first second of the window, End the second after its
	// last (Result.Timeline's Second numbers).
	Start, End int64
	Requests   int64
	// Value is the percentile's latency over the window.
	Value time.Duration
	// Whole says the run's seconds with requests spanned no more than the
	// window, so the window is the whole run.
	Whole bool
}

// Worst returns the window of the given length, in whole seconds (at least
// one), whose pct-th percentile (in [0, 100]) of the latency is highest,
// with the seconds' histograms merged: the p99 of a window is not any mean
// of its seconds' p99s. Windows slide one second at a time; a timeline
// shorter than the window is one window. Seconds with no requests count
// as empty. It fails when a second that had requests lacks its histogram
// (results written before the timeline carried one).
func Worst(timeline []loadtest.Second, window time.Duration, pct float64) (Window, error) {
	n := int64(window / time.Second)
	if n < 1 || window%time.Second != 0 {
		return Window{}, fmt.Errorf("a window is a whole number of seconds, not %v", window)
	}
	if pct < 0 || pct > 100 {
		return Window{}, fmt.Errorf("percentile %g out of range [0, 100]", pct)
	}
	hists := map[int64]*hdrhistogram.Histogram{}
	var first, last int64 = math.MaxInt64, math.MinInt64
	for _, s := range timeline {
		if s.Requests == 0 {
			continue
		}
		if s.HDR == "" {
			return Window{}, fmt.Errorf("second %d has no latency histogram (the result predates per-second histograms), so windows cannot be read", s.Second)
		}
		h, err := hdrhistogram.Decode([]byte(s.HDR))
		if err != nil {
			return Window{}, fmt.Errorf("second %d: decoding hdr histogram: %w", s.Second, err)
		}
		hists[s.Second] = h
		first, last = min(first, s.Second), max(last, s.Second)
	}
	if len(hists) == 0 {
		return Window{}, ErrNoRequests
	}
	lastStart := max(first, last-n+1)
	// Slide the window a second at a time, adding the second that enters
	// and taking away the one that leaves, on the histograms' counts:
	// every second of a timeline has the same layout. (Merging the
	// window's seconds anew for each window costs n times more.)
	snaps := map[int64]*hdrhistogram.Snapshot{}
	var layout *hdrhistogram.Snapshot
	for sec, h := range hists {
		sn := h.Export()
		if layout == nil {
			layout = sn
		}
		if sn.LowestTrackableValue != layout.LowestTrackableValue || sn.HighestTrackableValue != layout.HighestTrackableValue ||
			sn.SignificantFigures != layout.SignificantFigures || len(sn.Counts) != len(layout.Counts) {
			return Window{}, fmt.Errorf("second %d: its histogram's layout differs from the other seconds'", sec)
		}
		snaps[sec] = sn
	}
	counts := make([]int64, len(layout.Counts))
	add := func(sec int64, sign int64) {
		if sn := snaps[sec]; sn != nil {
			for i, c := range sn.Counts {
				counts[i] += sign * c
			}
		}
	}
	for sec := first; sec < first+n-1; sec++ {
		add(sec, 1)
	}
	var worst Window
	found := false
	span := *layout
	for start := first; start <= lastStart; start++ {
		add(start+n-1, 1)
		if start > first {
			add(start-1, -1)
		}
		span.Counts = counts
		merged := hdrhistogram.Import(&span) // copies counts
		if merged.TotalCount() == 0 {
			continue
		}
		w := Window{Start: start, End: start + n, Requests: merged.TotalCount(), Value: time.Duration(merged.ValueAtQuantile(pct)),
			Whole: last-first+1 <= n}
		if !found || w.Value > worst.Value {
			worst, found = w, true
		}
	}
	return worst, nil
}
