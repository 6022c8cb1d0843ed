package catalogue

import "github.com/loadgate/loadgate/loadtest"

// goroutinesFamily is the Prometheus family of the goroutine counts at the
// moments of the load (see goroutines).
var goroutinesFamily = &Family{"loadgate_goroutines", "Goroutines of the test process at the start and end of the load, and at its peak.", Gauge}

// metrics are the rows. Compared metrics come first, in the order
// comparisons show them; baseline.DefaultPolicy's doc comment says why
// each has its rule.
var metrics = []Metric{
	stat(latency, "p50", Metric{BaselineKey: "p50_ns", Rule: &Rule{Tolerance: 0.15, Warn: 0.05, Floor: 50e3}, Dimension: "latency"}),
	stat(latency, "p90", Metric{BaselineKey: "p90_ns", Rule: &Rule{Tolerance: 0.15, Warn: 0.05, Floor: 50e3, WarnOnly: true}, Dimension: "latency"}),
	stat(latency, "p99", Metric{BaselineKey: "p99_ns", Rule: &Rule{Tolerance: 0.15, Warn: 0.05, Floor: 50e3}, Dimension: "latency", Veto: true}),
	stat(latency, "p999", Metric{BaselineKey: "p999_ns", Rule: &Rule{Tolerance: 0.25, Warn: 0.10, Floor: 100e3, WarnOnly: true}, Dimension: "latency"}),
	stat(service, "p99", Metric{Rule: &Rule{Tolerance: 0.15, Warn: 0.05, Floor: 50e3, WarnOnly: true}, Dimension: "latency"}),
	{
		Name: "error_rate", Unit: Ratio, Where: Everywhere, Noun: "an error rate",
		Read: func(r *loadtest.Result) (float64, bool) { return r.ErrorRate, r.Requests > 0 },
		Rule: &Rule{Tolerance: 0.25, Warn: 0.10, Floor: 0.001}, Dimension: "errors", Veto: true,
		BaselineKey: "error_rate", Bench: "errors/req",
		Prom: Series{Family: &Family{"loadgate_error_ratio", "Failed requests as a fraction of completed requests.", Gauge}},
	},
	{
		Name: "throughput", Unit: Rate, HigherIsBetter: true, Where: Everywhere, Noun: "throughput", Generator: true, Load: true,
		Read: func(r *loadtest.Result) (float64, bool) { return r.Throughput, true },
		Rule: &Rule{Tolerance: 0.10, Warn: 0.05, Floor: 1}, Dimension: "throughput",
		BaselineKey: "throughput", Bench: "req/s",
		Prom: Series{Family: &Family{"loadgate_throughput_requests_per_second", "Successful requests per second until the last request ended.", Gauge}},
	},
	{
		Name: "dropped", Unit: Count, Where: InRun | InStage, Noun: "a count", Load: true,
		Read: func(r *loadtest.Result) (float64, bool) { return float64(r.Dropped), true },
		Rule: &Rule{Tolerance: 0.25, Warn: 0.10, Floor: 10}, Dimension: "errors",
		BaselineKey: "dropped", Bench: "dropped",
		Prom: Series{Family: &Family{"loadgate_dropped_total", "Open-model arrivals not sent because the in-flight limit was reached.", Counter}},
	},
	{
		Name: "goroutine_growth", Unit: Count, Where: InRun, Noun: "a goroutine count", Signed: true,
		Read: func(r *loadtest.Result) (float64, bool) {
			return float64(r.Runtime.GoroutinesEnd) - float64(r.Runtime.GoroutinesStart), true
		},
		PerProcess: true,
		Rule:       &Rule{Tolerance: 0.50, Warn: 0.25, Floor: 10, WarnOnly: true}, Dimension: "resources",
		BaselineKey: "goroutine_growth", Bench: "goroutine-growth",
	},
	{
		Name: "heap_peak", Unit: Bytes, Where: InRun, Noun: "a heap size",
		Read: func(r *loadtest.Result) (float64, bool) { return float64(r.Runtime.HeapPeakBytes), true }, PerProcess: true,
		Rule: &Rule{Tolerance: 0.25, Warn: 0.10, Floor: 4 << 20}, Dimension: "resources",
		BaselineKey: "heap_peak_bytes", Bench: "heap-peak-B",
		Prom: Series{Family: &Family{"loadgate_heap_peak_bytes", "Peak heap of the test process during the load.", Gauge}},
	},
	{
		Name: "gc_pause_p99", Unit: Duration, Where: InRun, Noun: "a GC pause",
		Read: func(r *loadtest.Result) (float64, bool) { return float64(r.Runtime.GCPauseP99NS), true }, PerProcess: true,
		Rule: &Rule{Tolerance: 1.00, Warn: 0.50, Floor: 500e3, WarnOnly: true}, Dimension: "resources",
		BaselineKey: "gc_pause_p99_ns", Bench: "gc-pause-p99-ns",
		Prom: Series{Family: &Family{"loadgate_gc_pause_p99_seconds", "99th percentile of the test process's GC pauses during the load.", Gauge}},
	},

	// Not compared.
	count("requests", Everywhere, func(r *loadtest.Result) int64 { return r.Requests },
		&Family{"loadgate_requests_total", "Requests completed, successful or not.", Counter}),
	count("errors", Everywhere, func(r *loadtest.Result) int64 { return r.Errors },
		&Family{"loadgate_errors_total", "Requests that failed.", Counter}),
	count("abandoned", InRun, func(r *loadtest.Result) int64 { return r.Abandoned },
		&Family{"loadgate_abandoned_total", "Requests still running when the drain after the load gave up.", Counter}),
	{
		Name: "rate", Unit: Rate, HigherIsBetter: true, Where: Everywhere, Noun: "a rate",
		Read: func(r *loadtest.Result) (float64, bool) { return r.Rate, true },
		Prom: Series{Family: &Family{"loadgate_send_rate_requests_per_second", "Requests sent per second over the load.", Gauge}},
	},
	goroutines("start", func(s loadtest.RuntimeStats) int { return s.GoroutinesStart }),
	goroutines("peak", func(s loadtest.RuntimeStats) int { return s.GoroutinesPeak }),
	goroutines("end", func(s loadtest.RuntimeStats) int { return s.GoroutinesEnd }),
	{
		Name: "gc_pause_max", Unit: Duration, Where: InRun, Noun: "a GC pause",
		Read: func(r *loadtest.Result) (float64, bool) { return float64(r.Runtime.GCPauseMaxNS), true }, PerProcess: true,
	},
	{
		Name: "num_gc", Unit: Count, Where: InRun, Noun: "a count",
		Read: func(r *loadtest.Result) (float64, bool) { return float64(r.Runtime.NumGC), true }, PerProcess: true,
		Prom: Series{Family: &Family{"loadgate_gc_cycles_total", "GC cycles of the test process during the load.", Counter}},
	},
	{
		Name: "cpu_seconds", Unit: Duration, Where: InRun, Noun: "CPU time", BareSeconds: true,
		Read: func(r *loadtest.Result) (float64, bool) { return r.Runtime.CPUSeconds * 1e9, true }, PerProcess: true,
		Prom: Series{Family: &Family{"loadgate_cpu_seconds_total", "CPU time of the test process during the load.", Counter}},
	},
}

// count is a count of requests that is not compared.
func count(name string, where Scope, n func(*loadtest.Result) int64, f *Family) Metric {
	return Metric{
		Name: name, Unit: Count, Where: where, Noun: "a count",
		Read: func(r *loadtest.Result) (float64, bool) { return float64(n(r)), true },
		Prom: Series{Family: f},
	}
}

// goroutines is the goroutine count of the test process at a moment of
// the load (start, peak, end).
func goroutines(when string, n func(loadtest.RuntimeStats) int) Metric {
	return Metric{
		Name: "goroutines_" + when, Unit: Count, Where: InRun, Noun: "a goroutine count",
		Read: func(r *loadtest.Result) (float64, bool) { return float64(n(r.Runtime)), true }, PerProcess: true,
		Prom: Series{Family: goroutinesFamily, Label: [2]string{"when", when}},
	}
}

// perProcess wraps the reader of a metric of the test process's runtime
// (Metric.PerProcess): a merged result of a sharded run (Result.Shards)
// has none, since the statistics of several processes do not add up; it
// keeps them per shard, and the metric is not available in it.
func perProcess(read func(*loadtest.Result) (float64, bool)) func(*loadtest.Result) (float64, bool) {
	return func(r *loadtest.Result) (float64, bool) {
		if len(r.Shards) > 0 {
			return 0, false
		}
		return read(r)
	}
}

func init() {
	for i := range metrics {
		if metrics[i].PerProcess {
			metrics[i].Read = perProcess(metrics[i].Read)
		}
	}
}
