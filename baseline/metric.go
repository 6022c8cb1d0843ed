package baseline

import (
	"fmt"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/internal/catalogue"
	"github.com/loadgate/loadgate/loadtest"
)

// Direction tells which way a metric improves.
type Direction int

const (
	LowerIsBetter  Direction = iota // latencies, errors, resources
	HigherIsBetter                  // throughput
)

// String returns "lower" or "higher": which way the metric improves.
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

// Metric is one quantity a comparison looks at: a metric of the catalogue
// that has a default rule. Names are those of the assert package's
// expressions (p99, error_rate, heap_peak), so that a policy and an SLA
// speak the same language. The metrics come from [Metrics] and
// [PhaseMetric]; a Metric made otherwise reads no value.
type Metric struct {
	Name   string
	Unit   assert.Unit
	Better Direction
	row    catalogue.Metric // where the metric is kept and how it reads
}

// The names of the metrics a v1 baseline keeps in fields of their own
// (see [Run]); every run has them.
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

// metricOf makes the Metric of a row of the catalogue.
func metricOf(c catalogue.Metric) Metric {
	better := LowerIsBetter
	if c.HigherIsBetter {
		better = HigherIsBetter
	}
	return Metric{Name: c.Name, Unit: assert.Unit(c.Unit), Better: better, row: c}
}

// fixedMetrics are the compared metrics of the catalogue, in its order.
var fixedMetrics = func() []Metric {
	var ms []Metric
	for _, c := range catalogue.All() {
		if c.Rule != nil {
			ms = append(ms, metricOf(c))
		}
	}
	return ms
}()

// Metrics returns the metrics comparisons look at, in the order
// renderings show them. A comparison leaves out a metric that the runs of
// one side lack, such as one added to loadgate after a baseline was
// recorded. Runs that timed HTTP phases have two more per phase, named
// after it: "ttfb.p50" and "ttfb.p99" (see [PhaseMetric]).
func Metrics() []Metric { return slices.Clone(fixedMetrics) }

// PhaseMetric returns the metric of statistic stat (p50 or p99) of an
// HTTP phase (dns, connect, tls, ttfb, total).
func PhaseMetric(phase, stat string) Metric {
	c, ok := catalogue.Lookup(phase + "." + stat)
	if !ok {
		return Metric{Name: phase + "." + stat, Unit: assert.UnitDuration, Better: LowerIsBetter}
	}
	return metricOf(c)
}

// value reads metric c from r: from the field a v1 baseline keeps it in
// (c.BaselineKey), from Phases for a statistic of an HTTP phase, or from
// Metrics, where the metrics that joined the catalogue later are kept.
func (r *Run) value(c catalogue.Metric) (float64, bool) {
	if c.PerProcess && r.Shards > 0 {
		return 0, false // a merged run keeps its processes' statistics per shard
	}
	if f, ok := r.field(c.BaselineKey); ok {
		return number(f)
	}
	if phase, _, ok := strings.Cut(c.Name, "."); ok {
		if p, ok := r.Phases[phase]; ok {
			return c.Read(&loadtest.Result{Phases: map[string]loadtest.Latency{phase: p.latency()}})
		}
	}
	v, ok := r.Metrics[c.Name]
	return v, ok
}

// metricsOf lists the metrics to compare for two samples, those that at
// least one run on each side has: the fixed ones, then the statistics of
// each HTTP phase, in the order of a request.
func metricsOf(a, b Sample) []Metric {
	ms := Metrics()
	for _, c := range catalogue.PhaseMetrics() {
		ms = append(ms, metricOf(c))
	}
	has := func(s Sample, m Metric) bool {
		return slices.ContainsFunc(s.Runs, func(r Run) bool { _, ok := r.value(m.row); return ok })
	}
	return slices.DeleteFunc(ms, func(m Metric) bool { return !has(a, m) || !has(b, m) })
}

// checkMetric checks a metric name as written in a policy: a compared
// metric of the catalogue, or "<phase>.p50" / "<phase>.p99".
func checkMetric(name string) error {
	if c, ok := catalogue.Lookup(name); ok && c.Rule != nil {
		return nil
	}
	names := make([]string, len(fixedMetrics))
	for i, m := range fixedMetrics {
		names[i] = m.Name
	}
	return fmt.Errorf("unknown metric %q (want one of %s, or <phase>.%s with a phase %s)",
		name, strings.Join(names, ", "), strings.Join(catalogue.PhaseStats(), " or <phase>."),
		strings.Join(catalogue.Phases(), ", "))
}
