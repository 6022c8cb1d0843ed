package baseline

import (
	"fmt"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/assert"
)

// Direction tells which way a metric improves.
type Direction int

const (
	LowerIsBetter  Direction = iota // latencies, errors, resources
	HigherIsBetter                  // throughput
)

func (d Direction) String() string {
	if d == HigherIsBetter {
		return "higher"
	}
	return "lower"
}

// MarshalText writes "lower" or "higher".
func (d Direction) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads "lower" or "higher".
func (d *Direction) UnmarshalText(b []byte) error {
	switch string(b) {
	case "lower":
		*d = LowerIsBetter
	case "higher":
		*d = HigherIsBetter
	default:
		return fmt.Errorf("direction %q: want lower or higher", b)
	}
	return nil
}

// Metric is one quantity a comparison looks at. Names are those of the
// assert package's expressions where it has them (p99, error_rate,
// heap_peak), so that a policy and an SLA speak the same language. The
// metrics come from [Metrics] and [PhaseMetric]; a Metric made otherwise
// reads no value.
type Metric struct {
	Name   string
	Unit   assert.Unit
	Better Direction
	// value reads the metric from a run; false when the run lacks it.
	value func(*Run) (float64, bool)
}

// The names of the metrics every run has.
const (
	P50             = "p50"
	P90             = "p90"
	P99             = "p99"
	P999            = "p999"
	ErrorRate       = "error_rate"
	Throughput      = "throughput"
	Dropped         = "dropped"
	GoroutineGrowth = "goroutine_growth"
	HeapPeak        = "heap_peak"
	GCPauseP99      = "gc_pause_p99"
)

func always(f func(*Run) float64) func(*Run) (float64, bool) {
	return func(r *Run) (float64, bool) { return f(r), true }
}

var fixedMetrics = []Metric{
	{P50, assert.UnitDuration, LowerIsBetter, always(func(r *Run) float64 { return float64(r.P50NS) })},
	{P90, assert.UnitDuration, LowerIsBetter, always(func(r *Run) float64 { return float64(r.P90NS) })},
	{P99, assert.UnitDuration, LowerIsBetter, always(func(r *Run) float64 { return float64(r.P99NS) })},
	{P999, assert.UnitDuration, LowerIsBetter, always(func(r *Run) float64 { return float64(r.P999NS) })},
	{ErrorRate, assert.UnitRatio, LowerIsBetter, always(func(r *Run) float64 { return r.ErrorRate })},
	{Throughput, assert.UnitRate, HigherIsBetter, always(func(r *Run) float64 { return r.Throughput })},
	{Dropped, assert.UnitCount, LowerIsBetter, always(func(r *Run) float64 { return float64(r.Dropped) })},
	{GoroutineGrowth, assert.UnitCount, LowerIsBetter, always(func(r *Run) float64 { return float64(r.GoroutineGrowth) })},
	{HeapPeak, assert.UnitBytes, LowerIsBetter, always(func(r *Run) float64 { return float64(r.HeapPeakBytes) })},
	{GCPauseP99, assert.UnitDuration, LowerIsBetter, always(func(r *Run) float64 { return float64(r.GCPauseP99NS) })},
}

// Metrics returns the metrics every comparison has, in the order
// renderings show them. Runs that timed HTTP phases have two more per
// phase, named after it: "ttfb.p50" and "ttfb.p99" (see [PhaseMetric]).
func Metrics() []Metric { return slices.Clone(fixedMetrics) }

// phaseStats are the statistics compared for each HTTP phase.
var phaseStats = []string{P50, P99}

// PhaseMetric returns the metric of statistic stat (p50 or p99) of an
// HTTP phase (dns, connect, tls, ttfb, total).
func PhaseMetric(phase, stat string) Metric {
	return Metric{
		Name: phase + "." + stat, Unit: assert.UnitDuration, Better: LowerIsBetter,
		value: func(r *Run) (float64, bool) {
			p, ok := r.Phases[phase]
			if !ok || p.Count == 0 {
				return 0, false
			}
			if stat == P50 {
				return float64(p.P50NS), true
			}
			return float64(p.P99NS), true
		},
	}
}

// phaseOrder is the order of the HTTP phases in a request.
var phaseOrder = []string{"dns", "connect", "tls", "ttfb", "total"}

// metricsOf lists the metrics to compare for two samples: the fixed ones,
// then each phase that at least one run on each side timed.
func metricsOf(a, b Sample) []Metric {
	ms := Metrics()
	seen := func(s Sample) map[string]bool {
		m := map[string]bool{}
		for _, r := range s.Runs {
			for name, p := range r.Phases {
				if p.Count > 0 {
					m[name] = true
				}
			}
		}
		return m
	}
	sa, sb := seen(a), seen(b)
	var phases []string
	for name := range sa {
		if sb[name] {
			phases = append(phases, name)
		}
	}
	slices.SortFunc(phases, func(x, y string) int {
		ix, iy := slices.Index(phaseOrder, x), slices.Index(phaseOrder, y)
		switch {
		case ix >= 0 && iy >= 0:
			return ix - iy
		case ix >= 0:
			return -1
		case iy >= 0:
			return 1
		}
		return strings.Compare(x, y)
	})
	for _, p := range phases {
		for _, st := range phaseStats {
			ms = append(ms, PhaseMetric(p, st))
		}
	}
	return ms
}

// lookupMetric resolves a metric name as written in a policy: a fixed
// metric or "<phase>.p50" / "<phase>.p99".
func lookupMetric(name string) (Metric, error) {
	for _, m := range fixedMetrics {
		if m.Name == name {
			return m, nil
		}
	}
	if phase, stat, ok := strings.Cut(name, "."); ok && phase != "" && slices.Contains(phaseStats, stat) {
		return PhaseMetric(phase, stat), nil
	}
	names := make([]string, len(fixedMetrics))
	for i, m := range fixedMetrics {
		names[i] = m.Name
	}
	return Metric{}, fmt.Errorf("unknown metric %q (want one of %s, or <phase>.p50 or <phase>.p99)",
		name, strings.Join(names, ", "))
}
