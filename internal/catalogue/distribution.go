package catalogue

import (
	"slices"
	"strings"

	"github.com/loadgate/loadgate/loadtest"
)

// Distribution is a latency distribution a result records. Its statistics
// are metrics: "p99" of the latency (whose name is written without a
// prefix), "service.p99", "ttfb.p50".
type Distribution struct {
	Name  string // "latency", "service", "ttfb"
	Where Scope
	// Of returns the distribution of a whole run; false when the run has
	// none: no request completed, or the target timed no such phase.
	Of func(*loadtest.Result) (loadtest.Latency, bool)
	// Prom is the summary family that exports it whole (its Quantile is
	// unused: a summary holds every one of [Quantiles]).
	Prom Series
}

// Quantile is one of the quantiles a loadtest.Latency keeps.
type Quantile struct {
	Q    float64 // 0.99
	Stat string  // its statistic in expressions: "p99"
	NS   func(loadtest.Latency) int64
}

var quantiles = []Quantile{
	{0.5, "p50", func(l loadtest.Latency) int64 { return l.P50NS }},
	{0.9, "p90", func(l loadtest.Latency) int64 { return l.P90NS }},
	{0.95, "p95", func(l loadtest.Latency) int64 { return l.P95NS }},
	{0.99, "p99", func(l loadtest.Latency) int64 { return l.P99NS }},
	{0.999, "p999", func(l loadtest.Latency) int64 { return l.P999NS }},
}

// Quantiles returns the quantiles a loadtest.Latency keeps, the ones a
// summary exports, in increasing order.
func Quantiles() []Quantile { return slices.Clone(quantiles) }

// StatNS returns the statistic called stat that l keeps: one of
// [Quantiles] ("p99"), "min", "mean" or "max". false for another
// statistic, which only l's histogram can tell.
func StatNS(l loadtest.Latency, stat string) (int64, bool) {
	switch stat {
	case "min":
		return l.MinNS, true
	case "mean":
		return l.MeanNS, true
	case "max":
		return l.MaxNS, true
	}
	q, ok := quantileNamed(stat)
	if !ok {
		return 0, false
	}
	return q.NS(l), true
}

// quantileNamed returns the quantile whose statistic is stat.
func quantileNamed(stat string) (Quantile, bool) {
	i := slices.IndexFunc(quantiles, func(q Quantile) bool { return q.Stat == stat })
	if i < 0 {
		return Quantile{}, false
	}
	return quantiles[i], true
}

// phases are the HTTP phases a target may time, in the order of a request,
// by their names in results (loadtest.Phase.String).
var phases = func() (names []string) {
	for p := loadtest.PhaseDNS; p <= loadtest.PhaseTotal; p++ {
		names = append(names, p.String())
	}
	return names
}()

// phaseStats are the statistics of each HTTP phase that are metrics of
// their own (compared, exported to benchmarks).
var phaseStats = []string{"p50", "p99"}

// Phases returns the HTTP phases a target may time, in the order of a
// request.
func Phases() []string { return slices.Clone(phases) }

// PhaseStats returns the statistics of each HTTP phase that are metrics:
// "ttfb.p50" and "ttfb.p99".
func PhaseStats() []string { return slices.Clone(phaseStats) }

// counted reports a distribution of no requests as none.
func counted(l loadtest.Latency) (loadtest.Latency, bool) { return l, l.Count > 0 }

var (
	latency = Distribution{"latency", Everywhere,
		func(r *loadtest.Result) (loadtest.Latency, bool) { return counted(r.Latency) },
		Series{Family: &Family{"loadgate_latency_seconds", "Latency from when each request should have started (no coordinated omission).", Summary}}}
	// A result whose service time counts no request (a file from a tool
	// that leaves service_time out) has none: service.p99 is then not
	// compared, rather than compared as 0.
	service = Distribution{"service", Everywhere,
		func(r *loadtest.Result) (loadtest.Latency, bool) { return counted(r.ServiceTime) },
		Series{Family: &Family{"loadgate_service_time_seconds", "Latency from when each request actually started.", Summary}}}
)

var distributions = func() []Distribution {
	ds := []Distribution{latency, service}
	phaseFamily := &Family{"loadgate_phase_seconds", "Time of each HTTP phase of the requests (dns, connect, tls, ttfb, total).", Summary}
	for _, ph := range phases {
		ds = append(ds, Distribution{ph, InRun,
			func(r *loadtest.Result) (loadtest.Latency, bool) { return counted(r.Phases[ph]) },
			Series{Family: phaseFamily, Label: [2]string{"phase", ph}}})
	}
	return ds
}()

// Distributions returns the latency distributions: the latency, the
// service time, then the HTTP phases in the order of a request.
func Distributions() []Distribution { return slices.Clone(distributions) }

// DistributionNamed returns the distribution called name.
func DistributionNamed(name string) (Distribution, bool) {
	i := slices.IndexFunc(distributions, func(d Distribution) bool { return d.Name == name })
	if i < 0 {
		return Distribution{}, false
	}
	return distributions[i], true
}

// stat is the metric of statistic st (one of [Quantiles]) of distribution
// d, with the comparison and score columns of m. Its benchmark unit
// follows the name: p99-ns, ttfb-p99-ns.
func stat(d Distribution, st string, m Metric) Metric {
	q, _ := quantileNamed(st)
	m.Name = st
	if d.Name != "latency" {
		m.Name = d.Name + "." + st
	}
	m.Unit, m.Where, m.Noun, m.Generator = Duration, d.Where, "a latency", true
	m.Read = func(r *loadtest.Result) (float64, bool) {
		l, ok := d.Of(r)
		return float64(q.NS(l)), ok
	}
	m.Bench = strings.ReplaceAll(m.Name, ".", "-") + "-ns"
	m.Prom = Series{Family: d.Prom.Family, Label: d.Prom.Label, Quantile: q.Q}
	return m
}
