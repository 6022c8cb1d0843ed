package report

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/internal/histo"
	"github.com/loadgate/loadgate/loadtest"
	"github.com/loadgate/loadgate/loadtest/watch"
)

// chartRef is a chart of a scenario: its place on the page and its data.
type chartRef struct {
	ID, Title, Note string
	spec            *chartSpec
}

// sides are the runs a scenario's charts show: the head's representative
// run, and the base's when there is one.
type sides struct {
	head, base       *loadtest.Result
	headRun, baseRun int
}

// stageMarkers are the boundaries between the stages of r, in seconds of
// the load, named after the stage that starts there.
func stageMarkers(r *loadtest.Result) []marker {
	var out []marker
	var at int64
	for i, s := range r.Stages {
		if i > 0 {
			out = append(out, marker{At: num(float64(at) / 1e9), Label: s.Name})
		}
		at += s.ElapsedNS
	}
	return out
}

// latencyLimits are the SLA limits of latency percentiles (p99 < 300ms,
// p99[10s] < 300ms) that a chart of dist ("latency" or "service") draws,
// in ms, each once.
func latencyLimits(outs []slaOutcome, dist string) []marker {
	var out []marker
	seen := map[string]bool{}
	for _, o := range outs {
		if o.Unit != assert.UnitDuration || seen[o.Expr] || strings.ContainsAny(o.Metric, "{+-") {
			continue
		}
		m := o.Metric
		if dist == "service" {
			var ok bool
			if m, ok = strings.CutPrefix(m, "service."); !ok {
				continue
			}
		}
		if _, ok := percentOf(m); !ok {
			continue
		}
		seen[o.Expr] = true
		out = append(out, marker{At: num(o.Limit / 1e6), Label: o.Expr})
	}
	return out
}

// percentOf reads the percentile of a latency statistic as assert writes
// it: p99 is 99, p999 99.9, p(99.5) 99.5, with or without a window
// (p99[10s]).
func percentOf(stat string) (float64, bool) {
	if i := strings.IndexByte(stat, '['); i >= 0 {
		stat = stat[:i]
	}
	var pct float64
	switch {
	case strings.HasPrefix(stat, "p(") && strings.HasSuffix(stat, ")"):
		if _, err := fmt.Sscanf(stat[2:len(stat)-1], "%g", &pct); err != nil {
			return 0, false
		}
	case len(stat) >= 3 && stat[0] == 'p' && strings.Trim(stat[1:], "0123456789") == "":
		d := stat[1:]
		if _, err := fmt.Sscanf(d[:2]+"."+d[2:]+"0", "%g", &pct); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	return pct, pct > 0 && pct < 100
}

// percentileCharts draws p50, p90 and p99 per second of the latency and of
// the service time, the base dashed under the head.
func percentileCharts(id string, sd sides, ax timeAxis, outs []slaOutcome, worst *band) []chartRef {
	type stat struct {
		name  string
		color string
		lat   func(loadtest.Second) int64
		svc   func(loadtest.Second) int64
	}
	stats := []stat{
		{"p50", colP50, func(s loadtest.Second) int64 { return s.P50NS }, func(s loadtest.Second) int64 { return s.ServiceP50NS }},
		{"p90", colP90, func(s loadtest.Second) int64 { return s.P90NS }, func(s loadtest.Second) int64 { return s.ServiceP90NS }},
		{"p99", colP99, func(s loadtest.Second) int64 { return s.P99NS }, func(s loadtest.Second) int64 { return s.ServiceP99NS }},
	}
	var out []chartRef
	for _, dist := range []string{"latency", "service"} {
		c := &chartSpec{Unit: "ms", XUnit: "s", X: ax.x(), VLines: stageMarkers(sd.head), HLines: latencyLimits(outs, dist)}
		title, what := "Latency per second", "from when each request should have started (the open model's schedule)"
		if dist == "service" {
			title, what = "Service time per second", "from when each request was actually sent; the gap to the latency is queueing"
		}
		found := false
		for _, side := range []struct {
			r    *loadtest.Result
			name string
			dash bool
		}{{sd.base, "base", true}, {sd.head, "head", false}} {
			if side.r == nil {
				continue
			}
			for _, st := range stats {
				get := st.lat
				if dist == "service" {
					get = st.svc
				}
				y := ax.series(side.r.Timeline, aggMax, func(s loadtest.Second) (float64, bool) { return ms(get(s)) })
				if !hasData(y) {
					continue
				}
				found = true
				c.Series = append(c.Series, series{Label: side.name + " " + st.name, Color: st.color, Dash: side.dash, Y: y})
			}
		}
		if !found {
			continue
		}
		if dist == "latency" {
			c.Band = worst
		}
		note := what + "."
		if ax.Step > 1 {
			note += fmt.Sprintf(" Each point is the worst second of %d.", ax.Step)
		}
		out = append(out, chartRef{ID: id + "-" + dist, Title: title, Note: note, spec: withTitle(c, title)})
	}
	return out
}

func withTitle(c *chartSpec, title string) *chartSpec { c.Title = title; return c }

func hasData(y []num) bool {
	for _, v := range y {
		if !math.IsNaN(float64(v)) {
			return true
		}
	}
	return false
}

// plannedRate is what r's plan asked for in each second of the timeline:
// the arrivals each open stage's rate, ramped, plans in the part of the
// second the stage ran, so that a second the load only partly covers (the
// last of a 1.5 s stage, the one second of a load LOADGATE_SCALE shortened
// to 0.3 s) plans what it can hold, as "sent" counts what it held; gaps
// for seconds of closed-model stages and custom pacers.
func plannedRate(r *loadtest.Result, ax timeAxis) []num {
	planned := map[int64]float64{}
	unknown := map[int64]bool{}
	var at float64
	for _, s := range r.Stages {
		if s.Index < 0 || s.Index >= len(r.Load.Stages) {
			continue
		}
		p := r.Load.Stages[s.Index]
		dur := float64(s.ElapsedNS) / 1e9
		full := float64(p.DurationNS) / 1e9
		open := p.Model == loadtest.Open && p.Arrivals != loadtest.Custom && full > 0
		end := at + dur
		if open {
			end = at + min(dur, full) // the time past its plan drained requests
		}
		for sec := math.Floor(at); sec < end; sec++ {
			lo, hi := max(sec, at), min(sec+1, end)
			if hi <= lo {
				continue
			}
			if !open {
				unknown[int64(sec)] = true
				continue
			}
			// The rate is linear in the stage: its mean over [lo, hi) is
			// its value in the middle.
			planned[int64(sec)] += (hi - lo) * (p.From + (p.To-p.From)*((lo+hi)/2-at)/full)
		}
		at += dur
	}
	var tl []loadtest.Second
	for sec, n := range planned {
		if !unknown[sec] {
			tl = append(tl, loadtest.Second{Second: sec, Sent: int64(math.Round(n * 1e6))})
		}
	}
	return ax.series(tl, aggMean, func(s loadtest.Second) (float64, bool) {
		return float64(s.Sent) / 1e6, s.Sent > 0
	})
}

// rateChart draws the planned rate against the rate sent and the
// successful requests per second.
func rateChart(id string, sd sides, ax timeAxis, outs []slaOutcome) chartRef {
	c := &chartSpec{Unit: "req/s", XUnit: "s", X: ax.x(), VLines: stageMarkers(sd.head)}
	if p := plannedRate(sd.head, ax); hasData(p) {
		c.Series = append(c.Series, series{Label: "planned", Color: colPlanned, Dash: true, Y: p})
	}
	sent := func(s loadtest.Second) (float64, bool) { return float64(s.Sent), true }
	ok := func(s loadtest.Second) (float64, bool) { return float64(s.Requests - s.Errors), true }
	if sd.base != nil {
		// The head's hue, dashed: grey is the plan's.
		c.Series = append(c.Series, series{Label: "base sent", Color: colSent, Dash: true, Y: ax.series(sd.base.Timeline, aggMean, sent)})
	}
	c.Series = append(c.Series,
		series{Label: "head sent", Color: colSent, Y: ax.series(sd.head.Timeline, aggMean, sent)},
		series{Label: "head ok", Color: colOK, Y: ax.series(sd.head.Timeline, aggMean, ok)})
	if users := ax.series(sd.head.Timeline, aggMax, func(s loadtest.Second) (float64, bool) { return float64(s.Users), s.Users > 0 }); hasData(users) {
		c.Series = append(c.Series, series{Label: "head users (closed model)", Color: "#7048e8", Y: users})
	}
	for _, o := range outs {
		if o.Unit == assert.UnitRate && !strings.ContainsAny(o.Metric, "{+-") && o.Run <= 1 {
			c.HLines = append(c.HLines, marker{At: num(o.Limit), Label: o.Expr})
		}
	}
	return chartRef{ID: id + "-rate", Title: "Requests per second: planned and achieved",
		Note: "Sent counts requests started in each second, ok those that completed in it without error.", spec: withTitle(c, "Requests per second")}
}

// errorChart draws errors per second by kind; ok is false when neither
// side had an error.
func errorChart(id string, sd sides, ax timeAxis) (chartRef, bool) {
	totals := map[string]int64{}
	var found bool
	for _, s := range sd.head.Timeline {
		for k, n := range s.ErrorKinds {
			totals[k] += n
		}
		found = found || s.Errors > 0
	}
	if sd.base != nil {
		for _, s := range sd.base.Timeline {
			found = found || s.Errors > 0
		}
	}
	if !found {
		return chartRef{}, false
	}
	c := &chartSpec{Unit: "errors/s", XUnit: "s", X: ax.x(), VLines: stageMarkers(sd.head)}
	if sd.base != nil {
		c.Series = append(c.Series, series{Label: "base errors", Color: colBase, Dash: true,
			Y: ax.series(sd.base.Timeline, aggMean, func(s loadtest.Second) (float64, bool) { return float64(s.Errors), true })})
	}
	kinds := slices.SortedFunc(maps.Keys(totals), func(a, b string) int {
		if totals[a] != totals[b] {
			return int(min(max(totals[b]-totals[a], -1), 1))
		}
		return strings.Compare(a, b)
	})
	if len(kinds) == 0 {
		// Results written before the timeline counted kinds.
		c.Series = append(c.Series, series{Label: "head errors", Color: kindColors[0],
			Y: ax.series(sd.head.Timeline, aggMean, func(s loadtest.Second) (float64, bool) { return float64(s.Errors), true })})
	}
	for i, k := range kinds {
		c.Series = append(c.Series, series{Label: "head " + k, Color: kindColors[min(i, len(kindColors)-1)],
			Y: ax.series(sd.head.Timeline, aggMean, func(s loadtest.Second) (float64, bool) { return float64(s.ErrorKinds[k]), true })})
	}
	return chartRef{ID: id + "-errors", Title: "Errors per second by kind",
		Note: "Errors of the requests that completed in each second.", spec: withTitle(c, "Errors per second")}, true
}

// ninesMax is the furthest the percentile curve goes: 99.999%.
const ninesMax = 5

// curve reads a histogram at percentiles spaced evenly in nines: x is
// -log10(1-q), so 1 is 90%, 2 is 99%, 3 is 99.9%. It stops where the
// histogram has too few values to tell the next nine.
func curve(h *hdrhistogram.Histogram, xs []num) []num {
	out := make([]num, len(xs))
	limit := math.Log10(float64(h.TotalCount()))
	for i, x := range xs {
		if float64(x) > limit {
			out[i] = gap
			continue
		}
		q := 1 - math.Pow(10, -float64(x))
		out[i] = num(float64(h.ValueAtQuantile(100*q)) / 1e6)
	}
	return out
}

// mergedHDR merges the latencies l of several runs; nil when none has a
// histogram.
func mergedHDR(ls []loadtest.Latency) *hdrhistogram.Histogram {
	var ss []histo.Summary
	for _, l := range ls {
		if l.Count > 0 && l.HDR != "" {
			ss = append(ss, histo.Summary(l))
		}
	}
	if len(ss) == 0 {
		return nil
	}
	m, err := histo.Merge(ss...)
	if err != nil {
		return nil
	}
	h, err := histo.Decode(m.HDR)
	if err != nil {
		return nil
	}
	return h
}

// distributionChart draws the percentile curve of all runs of each side
// merged, on a nines axis, latency and service time.
func distributionChart(id string, s Scenario, objective *marker) (chartRef, bool) {
	var xs []num
	for i := 0; i <= ninesMax*25; i++ {
		xs = append(xs, num(float64(i)/25))
	}
	c := &chartSpec{Unit: "ms", XUnit: "nines", LogY: true, X: xs}
	if objective != nil {
		c.HLines = []marker{*objective}
	}
	add := func(label, color string, dash bool, ls []loadtest.Latency) {
		if h := mergedHDR(ls); h != nil {
			c.Series = append(c.Series, series{Label: label, Color: color, Dash: dash, Y: curve(h, xs)})
		}
	}
	lat := func(rs []*loadtest.Result, f func(*loadtest.Result) loadtest.Latency) []loadtest.Latency {
		var out []loadtest.Latency
		for _, r := range rs {
			out = append(out, f(r))
		}
		return out
	}
	latency := func(r *loadtest.Result) loadtest.Latency { return r.Latency }
	service := func(r *loadtest.Result) loadtest.Latency { return r.ServiceTime }
	switch {
	case len(s.Base) > 0:
		// The head's hues, dashed: two greys could not be told apart.
		add("base latency", colP99, true, lat(s.Base, latency))
		add("base service time", colSent, true, lat(s.Base, service))
	case s.Stored != nil:
		add("baseline latency", colBase, true, []loadtest.Latency{s.Stored.Latency})
	}
	add("head latency", colP99, false, lat(s.Head, latency))
	add("head service time", colSent, false, lat(s.Head, service))
	if len(c.Series) == 0 {
		return chartRef{}, false
	}
	return chartRef{ID: id + "-curve", Title: "Latency distribution (all runs of each side merged)",
		Note: "Read from the HDR histograms; the x axis is in nines (90%, 99%, 99.9%…), the y axis logarithmic.",
		spec: withTitle(c, "Percentile distribution")}, true
}

// serverCharts draws what a Watcher saw of the service: goroutines, open
// files and heap in use over time, the base dashed.
func serverCharts(id string, sd sides) []chartRef {
	type metric struct {
		name, title, unit string
		scale             float64
	}
	metrics := []metric{
		{watch.Goroutines, "Service goroutines", "count", 1},
		{watch.OpenFDs, "Service open files", "count", 1},
		{watch.HeapInuseBytes, "Service heap in use", "MiB", 1 << 20},
	}
	var out []chartRef
	for _, m := range metrics {
		points := func(r *loadtest.Result) []loadtest.Point {
			if r == nil || r.Server == nil {
				return nil
			}
			return r.Server.Series[m.name]
		}
		hp, bp := points(sd.head), points(sd.base)
		if len(hp) == 0 && len(bp) == 0 {
			continue
		}
		// One x axis for both sides: the union of their sample times.
		var xs []int64
		for _, p := range append(slices.Clone(hp), bp...) {
			xs = append(xs, p.TNS)
		}
		slices.Sort(xs)
		xs = slices.Compact(xs)
		at := map[int64]int{}
		x := make([]num, len(xs))
		for i, t := range xs {
			at[t] = i
			x[i] = num(float64(t) / 1e9)
		}
		c := &chartSpec{Unit: m.unit, XUnit: "s", X: x, VLines: stageMarkers(sd.head)}
		for _, side := range []struct {
			name  string
			pts   []loadtest.Point
			color string
			dash  bool
		}{{"base", bp, colBase, true}, {"head", hp, colSent, false}} {
			if len(side.pts) == 0 {
				continue
			}
			y := make([]num, len(xs))
			for i := range y {
				y[i] = gap
			}
			for _, p := range side.pts {
				y[at[p.TNS]] = num(p.Value / m.scale)
			}
			c.Series = append(c.Series, series{Label: side.name, Color: side.color, Dash: side.dash, Y: y})
		}
		out = append(out, chartRef{ID: id + "-server-" + m.name, Title: m.title,
			Note: "Sampled from the service's metrics; time 0 is the start of the load.", spec: withTitle(c, m.title)})
	}
	return out
}

// worstBand shades a worst window on the latency chart; shown says which
// run the chart draws (" of run 3"), or is empty for the only one.
func worstBand(w *windowFigure, shown string) *band {
	if w == nil {
		return nil
	}
	return &band{From: num(w.Start), To: num(w.End), Label: fmt.Sprintf("worst %v%s: %s", time.Duration(w.End-w.Start)*time.Second, shown, w.Value)}
}
