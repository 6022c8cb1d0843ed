package catalogue

import (
	"slices"

	"github.com/loadgate/loadgate/loadtest"
)

// Metric is one row of the catalogue.
type Metric struct {
	// Name is the metric as SLA expressions, policies and renderings write
	// it: "p99", "error_rate", "service.p99".
	Name           string
	Unit           Unit
	HigherIsBetter bool // throughput; most metrics are better lower
	Where          Scope
	// Noun names the metric's kind in assert's type errors: "a latency".
	Noun string
	// BareSeconds makes a bare number compared with the metric count
	// seconds, as its name says (cpu_seconds < 30).
	BareSeconds bool
	// PerProcess marks a statistic of the test process's runtime, which a
	// merged result of a sharded run does not have (its Read says so).
	PerProcess bool
	// Signed says the metric may be negative (goroutine_growth: a run may
	// end with fewer goroutines than it began); every other metric is
	// never below 0, and a ratio never above 1. assert refuses limits
	// that these bounds decide, and baseline values that break them.
	Signed bool
	// Generator marks a metric that a load generator short of CPU
	// distorts: every latency statistic, which the generator's clock
	// times with its late sends and late reads in it, and throughput,
	// which a generator that sends late or reads late lowers. A
	// comparison judges it without the runs that were generator-bound
	// (loadtest.Generator.Bound), and leaves it inconclusive when too few
	// others are left (baseline/bound.go). Error rates, counts and the
	// process's resources are judged on every run.
	Generator bool
	// Load marks a metric that counts or rates what the run sent
	// (throughput, dropped arrivals): a merged result that lacks shards
	// (loadgate merge -partial) has that of a share of the load, so a
	// comparison leaves it unjudged when a run of either side lacks shards.
	// Latencies and error rates are judged on the shards there are.
	Load bool
	// Read reads the metric of a whole run, in the unit's base
	// (nanoseconds for a duration); false when the run has no value: no
	// request completed, or the result lacks what the metric reads (a
	// zero service time).
	Read func(*loadtest.Result) (float64, bool)
	// Rule is the default rule of comparisons; nil leaves the metric out
	// of them.
	Rule *Rule
	// BaselineKey is the JSON key of the field of its own that a run of a
	// baseline (baseline.Run, schema v1) keeps a compared metric in:
	// "p99_ns". Only the metrics compared when v1 was fixed have one; ""
	// keeps the metric in the run's metrics map, as every compared metric
	// added since.
	BaselineKey string
	// Dimension is the dimension of baseline.DefaultScorecard the metric
	// is scored in ("latency", "errors", "throughput", "resources"); ""
	// leaves it out of the default score. Veto makes its failure fail
	// that scorecard's verdict whatever the score.
	Dimension string
	Veto      bool
	// Bench is the metric's unit in the Go benchmark format ("p99-ns",
	// "req/s"); "" leaves it out of the bench export. A unit ending in
	// -ns is read by benchstat as nanoseconds, one ending in -B as bytes.
	Bench string
	// Prom is where the Prometheus export writes the metric.
	Prom Series
}

// All returns the rows of the catalogue: first the compared metrics, in
// the order comparisons show them, then the others. The statistics of HTTP
// phases, which a run may or may not have, are not among them: see
// [PhaseMetrics].
func All() []Metric { return slices.Clone(metrics) }

// phaseMetrics are the statistics of every HTTP phase that are metrics,
// each compared with the tolerances of the latency statistic of the same
// name, warning only: a phase breaks a request's latency down, and a
// slower phase shows in p50 or p99 too, which gate; gating on ten more
// statistics a scenario would add ten more chances of a false alarm.
var phaseMetrics = func() []Metric {
	var ms []Metric
	for _, ph := range phases {
		d, _ := DistributionNamed(ph)
		for _, st := range phaseStats {
			same := metrics[slices.IndexFunc(metrics, func(m Metric) bool { return m.Name == st })]
			r := *same.Rule
			r.WarnOnly = true
			ms = append(ms, stat(d, st, Metric{Rule: &r}))
		}
	}
	return ms
}()

// PhaseMetrics returns the statistics of the HTTP phases that are metrics
// ([PhaseStats]), phase by phase in the order of a request: "dns.p50",
// "dns.p99", "connect.p50"...
func PhaseMetrics() []Metric { return slices.Clone(phaseMetrics) }

// Lookup returns the metric called name: a row of [All] or of
// [PhaseMetrics].
func Lookup(name string) (Metric, bool) {
	for _, ms := range [][]Metric{metrics, phaseMetrics} {
		if i := slices.IndexFunc(ms, func(m Metric) bool { return m.Name == name }); i >= 0 {
			return ms[i], true
		}
	}
	return Metric{}, false
}
