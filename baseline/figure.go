package baseline

import (
	"slices"

	"golang.org/x/perf/benchmath"

	"github.com/loadgate/loadgate/assert"
)

// Figure is one metric of one side alone: its median over the runs with
// its confidence interval, as a comparison's [Stat] of that side would
// be. It is what a scenario with nothing to compare with shows, so that
// its figures read as those of a compared one.
type Figure struct {
	Metric string
	Unit   assert.Unit
	Stat
}

// FigureMetrics are the metrics a scenario with nothing to compare with
// shows: the figures loadgate run's table and the HTML report give first.
var FigureMetrics = []string{P50, P99, ErrorRate, Throughput}

// Figures returns the figures of the named metrics (compared metrics of
// the catalogue, such as [FigureMetrics]) over the runs of s, in the
// order named; a metric no run has is left out.
func (s Sample) Figures(names ...string) []Figure {
	th := &benchmath.Thresholds{CompareAlpha: 0.05}
	var out []Figure
	for _, name := range names {
		i := slices.IndexFunc(fixedMetrics, func(m Metric) bool { return m.Name == name })
		if i < 0 {
			continue
		}
		m := fixedMetrics[i]
		v := s.Values(m)
		if len(v) == 0 {
			continue
		}
		out = append(out, Figure{Metric: m.Name, Unit: m.Unit, Stat: stat(benchmath.NewSample(v, th))})
	}
	return out
}
