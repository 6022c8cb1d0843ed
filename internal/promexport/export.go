package promexport

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/loadgate/loadgate/internal/catalogue"
	"github.com/loadgate/loadgate/loadtest"
)

// The families that describe a run or break it down by error kind, status
// code or request name: no SLA or comparison reads them, so they are not
// rows of the catalogue.
var (
	infoFamily     = &catalogue.Family{Name: "loadgate_run_info", Help: "A run of a scenario: its id, test and machine; the value is always 1.", Kind: catalogue.Gauge}
	startFamily    = &catalogue.Family{Name: "loadgate_run_start_time_seconds", Help: "When the measured load started, in seconds since the Unix epoch.", Kind: catalogue.Gauge}
	durationFamily = &catalogue.Family{Name: "loadgate_run_duration_seconds", Help: "How long the measured load ran, without warm-up and drain.", Kind: catalogue.Gauge}
	plannedFamily  = &catalogue.Family{Name: "loadgate_planned_duration_seconds", Help: "How long the load was planned to run.", Kind: catalogue.Gauge}
	byKindFamily   = &catalogue.Family{Name: "loadgate_errors_by_kind_total", Help: "Requests that failed, by kind of error (timeout, refused, http_5xx, ...).", Kind: catalogue.Counter}
	codesFamily    = &catalogue.Family{Name: "loadgate_responses_total", Help: "Responses by status code: an HTTP status, or a gRPC code's name.", Kind: catalogue.Counter}
	nameReqsFamily = &catalogue.Family{Name: "loadgate_name_requests_total", Help: "Requests completed, by request name.", Kind: catalogue.Counter}
	nameErrsFamily = &catalogue.Family{Name: "loadgate_name_errors_total", Help: "Requests that failed, by request name.", Kind: catalogue.Counter}
	nameLatFamily  = &catalogue.Family{Name: "loadgate_name_latency_seconds", Help: "Latency by request name.", Kind: catalogue.Summary}
	lagFamily      = &catalogue.Family{Name: "loadgate_pacer_lag_max_seconds", Help: "The furthest the load generator fell behind its schedule.", Kind: catalogue.Gauge}
	leakedFamily   = &catalogue.Family{Name: "loadgate_leaked_goroutines", Help: "Goroutines started during the run and still alive after it.", Kind: catalogue.Gauge}
	stoppedFamily  = &catalogue.Family{Name: "loadgate_stopped_early", Help: "1 when the run stopped before its last stage ended (a gate, an abort).", Kind: catalogue.Gauge}
	boundFamily    = &catalogue.Family{Name: "loadgate_generator_bound", Help: "1 when the load generator was the bottleneck of the run: its latencies and throughput are the generator's as much as the service's.", Kind: catalogue.Gauge}
)

// Families turns results into Prometheus metric families, in the order of
// their names (as a Prometheus registry gathers them). scenarios holds the
// results of each scenario in the order its runs started. Every series
// has the labels scenario, package and run (the run's number among its
// scenario's results, from 1); a family that splits a result (by error
// kind, status code, HTTP phase, request name, moment) adds one more.
// Families without a series are left out.
//
// The metrics of the catalogue go into their families (see
// catalogue.Series), and its distributions into summaries.
func Families(scenarios ...[]*loadtest.Result) []*dto.MetricFamily {
	fs := families{}
	for _, results := range scenarios {
		for i, r := range results {
			l := labels{{"scenario", r.Scenario}, {"package", r.Package}, {"run", strconv.Itoa(i + 1)}}
			fs.add(infoFamily, l.with("run_id", r.RunID).with("test", r.Test).with("go", r.Env.Go).with("goos", r.Env.GOOS).
				with("goarch", r.Env.GOARCH).with("cpus", strconv.Itoa(r.Env.CPUs)).with("cpu_model", r.Env.CPUModel), 1)
			fs.add(startFamily, l, float64(r.Started.UnixNano())/1e9)
			fs.add(durationFamily, l, float64(r.DurationNS)/1e9)
			fs.add(plannedFamily, l, float64(r.Load.DurationNS)/1e9)
			for _, kind := range slices.Sorted(maps.Keys(r.ErrorKinds)) {
				fs.add(byKindFamily, l.with("kind", kind), float64(r.ErrorKinds[kind]))
			}
			for _, code := range slices.Sorted(maps.Keys(r.StatusCodes)) {
				fs.add(codesFamily, l.with("code", code), float64(r.StatusCodes[code]))
			}
			fs.addCatalogue(l, r)
			for _, name := range slices.Sorted(maps.Keys(r.ByName)) {
				n := r.ByName[name]
				fs.add(nameReqsFamily, l.with("name", name), float64(n.Requests))
				fs.add(nameErrsFamily, l.with("name", name), float64(n.Errors))
				fs.addLatency(nameLatFamily, l.with("name", name), n.Latency)
			}
			fs.add(lagFamily, l, float64(r.PacerLagMaxNS)/1e9)
			n := 0
			for _, lk := range r.Leaks {
				n += lk.Count
			}
			fs.add(leakedFamily, l, float64(n))
			stop := 0.0
			if r.Stopped != nil {
				stop = 1
			}
			fs.add(stoppedFamily, l, stop)
			if g := r.Generator; g != nil {
				bound := 0.0
				if g.Bound {
					bound = 1
				}
				fs.add(boundFamily, l, bound)
			}
		}
	}
	var out []*dto.MetricFamily
	for _, name := range slices.Sorted(maps.Keys(fs)) {
		if mf := fs[name]; len(mf.Metric) > 0 {
			out = append(out, mf)
		}
	}
	return out
}

// addCatalogue adds the series of result r, labelled l, of the catalogue's
// metrics and distributions.
func (fs families) addCatalogue(l labels, r *loadtest.Result) {
	for _, m := range catalogue.All() {
		s := m.Prom
		if s.Family == nil || s.Family.Kind == catalogue.Summary {
			continue // not exported, or a quantile of a distribution's summary
		}
		if v, ok := m.Read(r); ok {
			fs.add(s.Family, l.withPair(s.Label), m.Unit.PromValue(v))
		}
	}
	for _, d := range catalogue.Distributions() {
		if lat, ok := d.Of(r); ok {
			fs.addLatency(d.Prom.Family, l.withPair(d.Prom.Label), lat)
		}
	}
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
