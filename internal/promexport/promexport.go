// Package promexport writes loadgate results in the Prometheus text
// exposition format, for loadgate export -format prometheus and its push
// to a Pushgateway. It lives apart from baseline, beside which it belongs,
// because it needs prometheus/client_model (and so protobuf), which the
// test binaries of baseline's users should not link; and it is internal
// because its API hands out client_model's types, which loadgate should not
// promise to keep.
package promexport

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/loadgate/loadgate/loadtest"
)

// The quantiles of the latency summaries, the ones a result keeps.
var summaryQuantiles = []struct {
	q  float64
	ns func(loadtest.Latency) int64
}{
	{0.5, func(l loadtest.Latency) int64 { return l.P50NS }},
	{0.9, func(l loadtest.Latency) int64 { return l.P90NS }},
	{0.95, func(l loadtest.Latency) int64 { return l.P95NS }},
	{0.99, func(l loadtest.Latency) int64 { return l.P99NS }},
	{0.999, func(l loadtest.Latency) int64 { return l.P999NS }},
}

// family is a metric family being built.
type family struct {
	mf *dto.MetricFamily
}

func ptr[T any](v T) *T { return &v }

func newFamily(name, help string, typ dto.MetricType) *family {
	return &family{&dto.MetricFamily{Name: ptr(name), Help: ptr(help), Type: typ.Enum()}}
}

// labels are label pairs in the order they are written.
type labels [][2]string

func (l labels) with(name, value string) labels {
	return append(l[:len(l):len(l)], [2]string{name, value})
}

func (l labels) pairs() []*dto.LabelPair {
	out := make([]*dto.LabelPair, len(l))
	for i, p := range l {
		out[i] = &dto.LabelPair{Name: ptr(p[0]), Value: ptr(p[1])}
	}
	return out
}

func (f *family) add(l labels, v float64) {
	m := &dto.Metric{Label: l.pairs()}
	switch f.mf.GetType() {
	case dto.MetricType_COUNTER:
		m.Counter = &dto.Counter{Value: ptr(v)}
	default:
		m.Gauge = &dto.Gauge{Value: ptr(v)}
	}
	f.mf.Metric = append(f.mf.Metric, m)
}

// addLatency adds a latency distribution in seconds as a summary: its
// quantiles, count and sum (the mean times the count: a result keeps the
// mean, not the sum).
func (f *family) addLatency(l labels, lat loadtest.Latency) {
	if lat.Count == 0 {
		return
	}
	s := &dto.Summary{
		SampleCount: ptr(uint64(lat.Count)),
		SampleSum:   ptr(float64(lat.MeanNS) * float64(lat.Count) / 1e9),
	}
	for _, q := range summaryQuantiles {
		s.Quantile = append(s.Quantile, &dto.Quantile{Quantile: ptr(q.q), Value: ptr(float64(q.ns(lat)) / 1e9)})
	}
	f.mf.Metric = append(f.mf.Metric, &dto.Metric{Label: l.pairs(), Summary: s})
}

// Families turns results into Prometheus metric families. scenarios holds
// the results of each scenario in the order its runs started. Every series
// has the labels scenario, package and run (the run's number among its
// scenario's results, from 1); a family that splits a result (by error
// kind, status code, HTTP phase, request name) adds one more. Families
// without a series are left out.
func Families(scenarios ...[]*loadtest.Result) []*dto.MetricFamily {
	const (
		counter = dto.MetricType_COUNTER
		gauge   = dto.MetricType_GAUGE
		summary = dto.MetricType_SUMMARY
	)
	var (
		info       = newFamily("loadgate_run_info", "A run of a scenario: its id, test and machine; the value is always 1.", gauge)
		start      = newFamily("loadgate_run_start_time_seconds", "When the measured load started, in seconds since the Unix epoch.", gauge)
		duration   = newFamily("loadgate_run_duration_seconds", "How long the measured load ran, without warm-up and drain.", gauge)
		planned    = newFamily("loadgate_planned_duration_seconds", "How long the load was planned to run.", gauge)
		requests   = newFamily("loadgate_requests_total", "Requests completed, successful or not.", counter)
		errs       = newFamily("loadgate_errors_total", "Requests that failed.", counter)
		byKind     = newFamily("loadgate_errors_by_kind_total", "Requests that failed, by kind of error (timeout, refused, http_5xx, ...).", counter)
		codes      = newFamily("loadgate_responses_total", "Responses by HTTP status code.", counter)
		dropped    = newFamily("loadgate_dropped_total", "Open-model arrivals not sent because the in-flight limit was reached.", counter)
		abandoned  = newFamily("loadgate_abandoned_total", "Requests still running when the drain after the load gave up.", counter)
		errRatio   = newFamily("loadgate_error_ratio", "Failed requests as a fraction of completed requests.", gauge)
		rate       = newFamily("loadgate_send_rate_requests_per_second", "Requests sent per second over the load.", gauge)
		throughput = newFamily("loadgate_throughput_requests_per_second", "Successful requests per second until the last request ended.", gauge)
		latency    = newFamily("loadgate_latency_seconds", "Latency from when each request should have started (no coordinated omission).", summary)
		service    = newFamily("loadgate_service_time_seconds", "Latency from when each request actually started.", summary)
		phases     = newFamily("loadgate_phase_seconds", "Time of each HTTP phase of the requests (dns, connect, tls, ttfb, total).", summary)
		nameReqs   = newFamily("loadgate_name_requests_total", "Requests completed, by request name.", counter)
		nameErrs   = newFamily("loadgate_name_errors_total", "Requests that failed, by request name.", counter)
		nameLat    = newFamily("loadgate_name_latency_seconds", "Latency by request name.", summary)
		lag        = newFamily("loadgate_pacer_lag_max_seconds", "The furthest the load generator fell behind its schedule.", gauge)
		goroutines = newFamily("loadgate_goroutines", "Goroutines of the test process at the start and end of the load, and at its peak.", gauge)
		heap       = newFamily("loadgate_heap_peak_bytes", "Peak heap of the test process during the load.", gauge)
		gcPause    = newFamily("loadgate_gc_pause_p99_seconds", "99th percentile of the test process's GC pauses during the load.", gauge)
		gcCycles   = newFamily("loadgate_gc_cycles_total", "GC cycles of the test process during the load.", counter)
		cpu        = newFamily("loadgate_cpu_seconds_total", "CPU time of the test process during the load.", counter)
		leaked     = newFamily("loadgate_leaked_goroutines", "Goroutines started during the run and still alive after it.", gauge)
		stopped    = newFamily("loadgate_stopped_early", "1 when the run stopped before its last stage ended (a gate, an abort).", gauge)
	)
	for _, results := range scenarios {
		for i, r := range results {
			l := labels{{"scenario", r.Scenario}, {"package", r.Package}, {"run", strconv.Itoa(i + 1)}}
			info.add(l.with("run_id", r.RunID).with("test", r.Test).with("go", r.Env.Go).with("goos", r.Env.GOOS).
				with("goarch", r.Env.GOARCH).with("cpus", strconv.Itoa(r.Env.CPUs)).with("cpu_model", r.Env.CPUModel), 1)
			start.add(l, float64(r.Started.UnixNano())/1e9)
			duration.add(l, float64(r.DurationNS)/1e9)
			planned.add(l, float64(r.Load.DurationNS)/1e9)
			requests.add(l, float64(r.Requests))
			errs.add(l, float64(r.Errors))
			for _, kind := range slices.Sorted(maps.Keys(r.ErrorKinds)) {
				byKind.add(l.with("kind", kind), float64(r.ErrorKinds[kind]))
			}
			for _, code := range slices.Sorted(maps.Keys(r.StatusCodes)) {
				codes.add(l.with("code", code), float64(r.StatusCodes[code]))
			}
			dropped.add(l, float64(r.Dropped))
			abandoned.add(l, float64(r.Abandoned))
			errRatio.add(l, r.ErrorRate)
			rate.add(l, r.Rate)
			throughput.add(l, r.Throughput)
			latency.addLatency(l, r.Latency)
			service.addLatency(l, r.ServiceTime)
			for _, ph := range slices.Sorted(maps.Keys(r.Phases)) {
				phases.addLatency(l.with("phase", ph), r.Phases[ph])
			}
			for _, name := range slices.Sorted(maps.Keys(r.ByName)) {
				n := r.ByName[name]
				nameReqs.add(l.with("name", name), float64(n.Requests))
				nameErrs.add(l.with("name", name), float64(n.Errors))
				nameLat.addLatency(l.with("name", name), n.Latency)
			}
			lag.add(l, float64(r.PacerLagMaxNS)/1e9)
			rt := r.Runtime
			goroutines.add(l.with("when", "start"), float64(rt.GoroutinesStart))
			goroutines.add(l.with("when", "peak"), float64(rt.GoroutinesPeak))
			goroutines.add(l.with("when", "end"), float64(rt.GoroutinesEnd))
			heap.add(l, float64(rt.HeapPeakBytes))
			gcPause.add(l, float64(rt.GCPauseP99NS)/1e9)
			gcCycles.add(l, float64(rt.NumGC))
			cpu.add(l, rt.CPUSeconds)
			n := 0
			for _, lk := range r.Leaks {
				n += lk.Count
			}
			leaked.add(l, float64(n))
			stop := 0.0
			if r.Stopped != nil {
				stop = 1
			}
			stopped.add(l, stop)
		}
	}
	var out []*dto.MetricFamily
	for _, f := range []*family{info, start, duration, planned, requests, errs, byKind, codes, dropped, abandoned,
		errRatio, rate, throughput, latency, service, phases, nameReqs, nameErrs, nameLat, lag, goroutines,
		heap, gcPause, gcCycles, cpu, leaked, stopped} {
		if len(f.mf.Metric) > 0 {
			out = append(out, f.mf)
		}
	}
	return out
}

// Write writes metric families in the Prometheus text exposition format
// (version 0.0.4).
func Write(w io.Writer, families []*dto.MetricFamily) error {
	enc := expfmt.NewEncoder(w, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range families {
		if err := enc.Encode(mf); err != nil {
			return fmt.Errorf("encoding %s: %w", mf.GetName(), err)
		}
	}
	return nil
}
