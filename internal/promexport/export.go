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

// kinds are the client_model types of the catalogue's kinds of family.
var kinds = map[catalogue.Kind]dto.MetricType{
	catalogue.Counter: dto.MetricType_COUNTER,
	catalogue.Gauge:   dto.MetricType_GAUGE,
	catalogue.Summary: dto.MetricType_SUMMARY,
}

// Families turns results into Prometheus metric families, in the order of
// their names (as a Prometheus registry gathers them). scenarios holds the
// results of each scenario in the order its runs started. Every series
// has the labels scenario, package and run (the run's number among its
// scenario's results, from 1); a family that splits a result (by error
// kind, status code, HTTP phase, request name, moment) adds one more.
// Families without a series are left out.
//
// The metrics of the catalogue go into their families (see
// catalogue.Series), and its distributions into summaries. The families
// made here describe a run or break it down by error kind, status code or
// request name: no SLA or comparison reads them.
func Families(scenarios ...[]*loadtest.Result) []*dto.MetricFamily {
	const (
		counter = dto.MetricType_COUNTER
		gauge   = dto.MetricType_GAUGE
		summary = dto.MetricType_SUMMARY
	)
	var (
		info     = newFamily("loadgate_run_info", "A run of a scenario: its id, test and machine; the value is always 1.", gauge)
		start    = newFamily("loadgate_run_start_time_seconds", "When the measured load started, in seconds since the Unix epoch.", gauge)
		duration = newFamily("loadgate_run_duration_seconds", "How long the measured load ran, without warm-up and drain.", gauge)
		planned  = newFamily("loadgate_planned_duration_seconds", "How long the load was planned to run.", gauge)
		byKind   = newFamily("loadgate_errors_by_kind_total", "Requests that failed, by kind of error (timeout, refused, http_5xx, ...).", counter)
		codes    = newFamily("loadgate_responses_total", "Responses by HTTP status code.", counter)
		nameReqs = newFamily("loadgate_name_requests_total", "Requests completed, by request name.", counter)
		nameErrs = newFamily("loadgate_name_errors_total", "Requests that failed, by request name.", counter)
		nameLat  = newFamily("loadgate_name_latency_seconds", "Latency by request name.", summary)
		lag      = newFamily("loadgate_pacer_lag_max_seconds", "The furthest the load generator fell behind its schedule.", gauge)
		leaked   = newFamily("loadgate_leaked_goroutines", "Goroutines started during the run and still alive after it.", gauge)
		stopped  = newFamily("loadgate_stopped_early", "1 when the run stopped before its last stage ended (a gate, an abort).", gauge)
		families = map[string]*family{}
		metrics  = catalogueFamilies(families)
	)
	for _, f := range []*family{info, start, duration, planned, byKind, codes, nameReqs, nameErrs, nameLat, lag, leaked, stopped} {
		families[f.mf.GetName()] = f
	}
	for _, results := range scenarios {
		for i, r := range results {
			l := labels{{"scenario", r.Scenario}, {"package", r.Package}, {"run", strconv.Itoa(i + 1)}}
			info.add(l.with("run_id", r.RunID).with("test", r.Test).with("go", r.Env.Go).with("goos", r.Env.GOOS).
				with("goarch", r.Env.GOARCH).with("cpus", strconv.Itoa(r.Env.CPUs)).with("cpu_model", r.Env.CPUModel), 1)
			start.add(l, float64(r.Started.UnixNano())/1e9)
			duration.add(l, float64(r.DurationNS)/1e9)
			planned.add(l, float64(r.Load.DurationNS)/1e9)
			for _, kind := range slices.Sorted(maps.Keys(r.ErrorKinds)) {
				byKind.add(l.with("kind", kind), float64(r.ErrorKinds[kind]))
			}
			for _, code := range slices.Sorted(maps.Keys(r.StatusCodes)) {
				codes.add(l.with("code", code), float64(r.StatusCodes[code]))
			}
			metrics.add(l, r)
			for _, name := range slices.Sorted(maps.Keys(r.ByName)) {
				n := r.ByName[name]
				nameReqs.add(l.with("name", name), float64(n.Requests))
				nameErrs.add(l.with("name", name), float64(n.Errors))
				nameLat.addLatency(l.with("name", name), n.Latency)
			}
			lag.add(l, float64(r.PacerLagMaxNS)/1e9)
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
	for _, name := range slices.Sorted(maps.Keys(families)) {
		if f := families[name]; len(f.mf.Metric) > 0 {
			out = append(out, f.mf)
		}
	}
	return out
}

// catalogueFamilies holds, by name, the families of the catalogue's
// metrics and distributions, each made when its first series comes.
type catalogueFamilies map[string]*family

func (fs catalogueFamilies) family(f *catalogue.Family) *family {
	if fs[f.Name] == nil {
		fs[f.Name] = newFamily(f.Name, f.Help, kinds[f.Kind])
	}
	return fs[f.Name]
}

// add adds the series of result r, labelled l.
func (fs catalogueFamilies) add(l labels, r *loadtest.Result) {
	for _, m := range catalogue.All() {
		s := m.Prom
		if s.Family == nil || s.Family.Kind == catalogue.Summary {
			continue // not exported, or a quantile of a distribution's summary
		}
		if v, ok := m.Read(r); ok {
			fs.family(s.Family).add(l.withPair(s.Label), m.Unit.PromValue(v))
		}
	}
	for _, d := range catalogue.Distributions() {
		if lat, ok := d.Of(r); ok {
			fs.family(d.Prom.Family).addLatency(l.withPair(d.Prom.Label), lat)
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
