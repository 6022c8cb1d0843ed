package report

import (
	"cmp"
	"math"
	"slices"
	"strconv"

	"github.com/loadgate/loadgate/loadtest"
)

// num is a number of a chart's data, written with 4 significant digits
// (the charts cannot show more, and the file stays small); NaN is null, a
// gap in the line.
type num float64

var gap = num(math.NaN())

func (n num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', 4, 64), nil
}

// chartSpec is one chart as report.js draws it: an x axis shared by its
// series, markers for stage boundaries and limits.
type chartSpec struct {
	Title string `json:"title"`
	// Unit names the y axis's unit: ms, req/s, errors/s, count, MiB.
	Unit string `json:"unit"`
	// XUnit is "s" (seconds of the load) or "nines" (the percentile curve).
	XUnit  string   `json:"xunit"`
	LogY   bool     `json:"logY,omitempty"`
	X      []num    `json:"x"`
	Series []series `json:"series"`
	// VLines mark stage boundaries, HLines limits; Band shades the worst
	// window.
	VLines []marker `json:"vlines,omitempty"`
	HLines []marker `json:"hlines,omitempty"`
	Band   *band    `json:"band,omitempty"`
	// Note is said under the chart.
	note string
}

type series struct {
	Label string `json:"label"`
	Color string `json:"color"`
	Dash  bool   `json:"dash,omitempty"`
	Y     []num  `json:"y"`
}

type marker struct {
	At    num    `json:"at"`
	Label string `json:"label"`
}

type band struct {
	From  num    `json:"from"`
	To    num    `json:"to"`
	Label string `json:"label"`
}

// Colors: a hue per statistic; the base has the same hue, dashed.
const (
	colP50     = "#2b8a3e"
	colP90     = "#e67700"
	colP99     = "#c92a2a"
	colPlanned = "#868e96"
	colSent    = "#1971c2"
	colOK      = "#2b8a3e"
	colBase    = "#868e96"
)

// kindColors colours error kinds in order of their counts.
var kindColors = []string{"#c92a2a", "#e67700", "#7048e8", "#1098ad", "#d6336c", "#5c940d", "#495057"}

// timeAxis is the seconds of one or two timelines, downsampled into
// buckets of Step seconds when longer than MaxPoints.
type timeAxis struct {
	Seconds int64 // length of the longer timeline
	Step    int64
}

func newTimeAxis(timelines ...[]loadtest.Second) timeAxis {
	var n int64
	for _, tl := range timelines {
		for _, s := range tl {
			n = max(n, s.Second+1)
		}
	}
	step := int64(1)
	if n > MaxPoints {
		step = (n + MaxPoints - 1) / MaxPoints
	}
	return timeAxis{Seconds: n, Step: step}
}

// points is how many points a series has.
func (a timeAxis) points() int { return int((a.Seconds + a.Step - 1) / a.Step) }

// x is the axis: the start of each bucket, in seconds.
func (a timeAxis) x() []num {
	out := make([]num, a.points())
	for i := range out {
		out[i] = num(int64(i) * a.Step)
	}
	return out
}

// agg says how a bucket of seconds becomes one point.
type agg int

const (
	aggMax  agg = iota // percentiles: the worst second of the bucket
	aggMean            // rates: per second over the bucket
)

// series reads f of each second of tl onto the axis; seconds where f
// says !ok are gaps. A nil timeline gives nil.
func (a timeAxis) series(tl []loadtest.Second, how agg, f func(loadtest.Second) (float64, bool)) []num {
	if tl == nil {
		return nil
	}
	out := make([]num, a.points())
	sums := make([]float64, len(out))
	counts := make([]int, len(out))
	for i := range out {
		out[i] = gap
	}
	for _, s := range tl {
		v, ok := f(s)
		if !ok || s.Second < 0 || s.Second >= a.Seconds {
			continue
		}
		i := s.Second / a.Step
		switch how {
		case aggMax:
			if math.IsNaN(float64(out[i])) || v > float64(out[i]) {
				out[i] = num(v)
			}
		case aggMean:
			sums[i] += v
			counts[i]++
		}
	}
	if how == aggMean {
		for i := range out {
			if counts[i] > 0 {
				// Seconds missing from a bucket sent nothing.
				width := min(a.Step, a.Seconds-int64(i)*a.Step)
				out[i] = num(sums[i] / float64(width))
			}
		}
	}
	return out
}

// ms converts nanoseconds to milliseconds; 0 (nothing completed) is a gap.
func ms(ns int64) (float64, bool) { return float64(ns) / 1e6, ns > 0 }

// representative returns the run whose p99 is the median of the runs (the
// lower of the middle two), the one whose timeline is charted, and its
// 1-based position in runs. Runs that were generator-bound are passed over
// while others are left: their latencies are the generator's as much as
// the service's, and comparisons leave them out too.
func representative(runs []*loadtest.Result) (*loadtest.Result, int) {
	if len(runs) == 0 {
		return nil, 0
	}
	timed := loadtest.Timed(runs)
	byP99 := slices.SortedStableFunc(slices.Values(timed), func(a, b *loadtest.Result) int {
		return cmp.Compare(a.Latency.P99NS, b.Latency.P99NS)
	})
	r := byP99[(len(byP99)-1)/2]
	return r, slices.Index(runs, r) + 1
}
