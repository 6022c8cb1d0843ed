package assert

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/loadgate/loadgate/internal/catalogue"
	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/loadtest"
)

// metric is one metric of an expression, with its selector.
type metric struct {
	name        string // canonical, without the selector
	unit        Unit
	where       catalogue.Scope
	noun        string // names the metric's kind in type errors: "a latency"
	bareSeconds bool   // a bare number compared with it counts seconds
	signed      bool   // it may be negative (catalogue.Metric.Signed)
	generator   bool   // a generator short of CPU distorts it (catalogue.Metric.Generator)
	perProcess  bool   // a statistic of the test process's runtime (catalogue.Metric.PerProcess)
	get         func(v *view) (float64, error)
	sel         selector
	col         int
	// dist and stat are those of a latency statistic (p99, service.p99),
	// which a window may follow; stat is nil for other metrics.
	dist string
	stat *stat
}

// String writes the metric in canonical form.
func (m *metric) String() string { return m.name + m.sel.String() }

// selector scopes a metric to one stage or one request name.
type selector struct {
	label   string // "", "stage" or "name"
	value   string // the stage or request name
	index   int    // the stage's 0-based index, when byIndex
	byIndex bool
	col     int
}

func (s selector) String() string {
	switch {
	case s.label == "":
		return ""
	case s.byIndex:
		return "{stage=" + strconv.Itoa(s.index) + "}"
	default:
		return "{" + s.label + "=" + strconv.Quote(s.value) + "}"
	}
}

func (s selector) same(o selector) bool {
	return s.label == o.label && s.value == o.value && s.index == o.index && s.byIndex == o.byIndex
}

// distributionNames lists the distributions for messages: "latency,
// service, dns, connect, tls, ttfb or total".
var distributionNames = func() string {
	var names []string
	for _, d := range catalogue.Distributions() {
		names = append(names, d.Name)
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}()

// stat is a statistic of a latency distribution: the mean, or a percentile
// pct in [0, 100] (0 is the minimum, 100 the maximum).
type stat struct {
	mean bool
	pct  float64
}

// String writes the statistic in canonical form: min, max, mean, p99,
// p999, and p(Q) for the percentiles whose short form is hard to read
// (p(99.5) rather than p995).
func (s stat) String() string {
	switch {
	case s.mean:
		return "mean"
	case s.pct == 0:
		return "min"
	case s.pct == 100:
		return "max"
	case s.pct >= 10 && s.pct == math.Trunc(s.pct) || nines(s.pct):
		return "p" + strings.Replace(fnum(s.pct), ".", "", 1)
	default:
		return "p(" + fnum(s.pct) + ")"
	}
}

// nines reports whether pct is 99.9, 99.99, 99.999…
func nines(pct float64) bool {
	t := fnum(pct)
	return strings.HasPrefix(t, "99.9") && strings.Trim(t[3:], "9") == ""
}

// parseStat parses a statistic written as one word. ok is false for a word
// that is not one; msg explains a malformed one (p5, p100).
func parseStat(name string) (s stat, ok bool, msg string) {
	switch name {
	case "min":
		return stat{pct: 0}, true, ""
	case "max":
		return stat{pct: 100}, true, ""
	case "mean":
		return stat{mean: true}, true, ""
	case "med":
		return stat{pct: 50}, true, ""
	}
	digits, isP := strings.CutPrefix(name, "p")
	if !isP || digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return stat{}, false, ""
	}
	// p50, p999, p9999: the digits are those of the quantile after "0.".
	// p5, p05 and p100 would read as 0.5, 0.05 and 0.1: ask for p(Q). So
	// would p101 and p125 (p(10.1), p(12.5)): three digits or more are
	// written for high percentiles (p995, p999), and p101 is a typo.
	if len(digits) < 2 || digits[0] == '0' || len(digits) > 2 && (digits[len(digits)-1] == '0' || digits[0] < '5') {
		return stat{}, false, fmt.Sprintf("%s is ambiguous: write p(Q) with a percentile Q in [0, 100], such as p(5) or p(99.9)", name)
	}
	pct, err := strconv.ParseFloat(digits[:2]+"."+digits[2:], 64)
	if err != nil {
		return stat{}, false, fmt.Sprintf("malformed percentile %s", name)
	}
	return stat{pct: pct}, true, ""
}

// latencyMetric is the statistic s of the distribution called dist
// ("latency" for the latency itself, whose statistics are written without
// a prefix); the caller has checked that there is one.
func latencyMetric(dist string, s stat) *metric {
	d, _ := catalogue.DistributionNamed(dist)
	name := s.String()
	if dist != "latency" {
		name = dist + "." + name
	}
	return &metric{
		name: name, unit: UnitDuration, where: d.Where, noun: "a latency", generator: true,
		get:  func(v *view) (float64, error) { return v.latencyStat(d, s, name) },
		dist: dist, stat: &s,
	}
}

// windowMetric is the worst value of the latency's statistic s over any
// window of the run's timeline that long (whole seconds): p99[10s] is the
// p99 of the worst 10 seconds, where the whole run's p99 averages a stall
// away. It reads the timeline's per-second histograms (internal/slo).
func windowMetric(s stat, window time.Duration) *metric {
	name := s.String() + "[" + window.String() + "]"
	return &metric{
		name: name, unit: UnitDuration, where: catalogue.InRun, noun: "a latency", generator: true,
		get: func(v *view) (float64, error) {
			if v.res == nil {
				return 0, fmt.Errorf("%s reads the run's timeline, which a gate does not see", name)
			}
			w, err := slo.Worst(v.res.Timeline, window, s.pct)
			switch {
			case errors.Is(err, slo.ErrNoRequests) && len(v.res.Timeline) == 0 && v.res.Requests > 0:
				// A result made by hand, or written before timelines: the
				// requests are there, their seconds are not.
				return 0, fmt.Errorf("%s reads the run's per-second timeline, which this result does not have", name)
			case errors.Is(err, slo.ErrNoRequests):
				return 0, fmt.Errorf("no requests completed, so %s is undefined", name)
			}
			if err != nil {
				return 0, fmt.Errorf("%s: %w", name, err)
			}
			return float64(w.Value), nil
		},
	}
}

// attainmentMetric is the share of the requests whose latency was at most
// objective, read from the HDR histogram (internal/slo): the SLO view of
// a latency limit, as in "attainment(200ms) >= 99%".
func attainmentMetric(objective time.Duration) *metric {
	name := "attainment(" + objective.String() + ")"
	return &metric{
		name: name, unit: UnitRatio, where: catalogue.InRun | catalogue.InName, noun: "an attainment", generator: true,
		get: func(v *view) (float64, error) {
			l := v.part.Latency
			if l.Count == 0 {
				return 0, fmt.Errorf("no requests completed, so %s is undefined", name)
			}
			if l.HDR == "" {
				return 0, fmt.Errorf("%s needs the full latency histogram, which %s does not carry", name, v.noHDR)
			}
			return slo.Attainment(l, objective)
		},
	}
}

// statusMetric is the share of responses with status code (503), class
// (5xx) or gRPC code (UNAVAILABLE) among those that reported a status.
func statusMetric(code string) *metric {
	return &metric{
		name: "status(" + code + ")", unit: UnitRatio, where: catalogue.Everywhere, noun: "a status share",
		get: func(v *view) (float64, error) {
			var total, match int64
			for k, n := range v.part.StatusCodes {
				total += n
				if k == code || strings.HasSuffix(code, "xx") && len(k) == 3 && k[0] == code[0] {
					match += n
				}
			}
			if total == 0 {
				return 0, errors.New("no response reported a status code (HTTP and gRPC targets do)")
			}
			return float64(match) / float64(total), nil
		},
	}
}

// simpleMetric returns the metric of the catalogue with the given name, or
// nil. The statistics of distributions (p99, service.p99) are parsed as
// such and never reach it.
func simpleMetric(name string) *metric {
	row, ok := catalogue.Lookup(name)
	if !ok {
		return nil
	}
	return &metric{
		name: name, unit: Unit(row.Unit), where: row.Where, noun: row.Noun, bareSeconds: row.BareSeconds, signed: row.Signed,
		generator: row.Generator, perProcess: row.PerProcess,
		get: func(v *view) (float64, error) {
			x, ok := row.Read(v.part)
			if !ok {
				return 0, fmt.Errorf("no requests completed, so %s is undefined", name)
			}
			return x, nil
		},
	}
}

// view is the part of a result a metric reads: the whole run, one stage,
// one request name, or the stage a gate sees.
type view struct {
	where string // "" for the whole run or a gate; "stage ramp", "name checkout"
	// part holds the values of the part in the fields of a whole result,
	// so that the catalogue's readers read it; the fields a stage or a
	// name does not record (the metric's scope tells) are zero.
	part  *loadtest.Result
	noHDR string           // what lacks the full histogram, for messages
	res   *loadtest.Result // nil in a gate
	stage int              // index into res.Stages, or -1
	// plan and elapsedNS describe the stage a gate sees (res is nil).
	plan      *loadtest.StagePlan
	elapsedNS int64
}

func runView(res *loadtest.Result) *view {
	return &view{part: res, noHDR: "this result", res: res, stage: -1}
}

func stageView(where string, s *loadtest.StageResult) *view {
	return &view{
		where: where,
		part: &loadtest.Result{
			Latency: s.Latency, ServiceTime: s.ServiceTime,
			Requests: s.Requests, Errors: s.Errors, Dropped: s.Dropped, ErrorRate: s.ErrorRate,
			Rate: s.Rate, Throughput: s.Throughput, StatusCodes: s.StatusCodes,
		},
		noHDR: "a stage's result", stage: -1,
		plan: &s.Plan, elapsedNS: s.ElapsedNS,
	}
}

// resolve returns the view of res that sel selects.
func resolve(res *loadtest.Result, sel selector) (*view, error) {
	switch sel.label {
	case "stage":
		return resolveStage(res, sel)
	case "name":
		nr, ok := res.ByName[sel.value]
		if !ok {
			names := make([]string, 0, len(res.ByName))
			for n := range res.ByName {
				names = append(names, strconv.Quote(n))
			}
			sort.Strings(names)
			if len(names) == 0 {
				return nil, fmt.Errorf("no requests named %q: the target named none (see loadtest.Sample.Name; a Flow names its steps with Iteration.Do)", sel.value)
			}
			return nil, fmt.Errorf("no requests named %q; the names are %s", sel.value, strings.Join(names, ", "))
		}
		part := &loadtest.Result{
			Latency: nr.Latency, ServiceTime: nr.ServiceTime, Requests: nr.Requests, Errors: nr.Errors, ErrorRate: nr.ErrorRate,
			StatusCodes: nr.StatusCodes,
		}
		// Rates per name are over the whole run: requests of every name
		// were sent throughout it.
		if secs := float64(res.DurationNS) / 1e9; secs > 0 {
			part.Rate = float64(nr.Requests) / secs
			part.Throughput = float64(nr.Requests-nr.Errors) / secs
		}
		return &view{where: "name " + sel.value, part: part, noHDR: "this result", res: res, stage: -1}, nil
	}
	return runView(res), nil
}

func resolveStage(res *loadtest.Result, sel selector) (*view, error) {
	desc := strconv.Quote(sel.value)
	if sel.byIndex {
		desc = strconv.Itoa(sel.index)
	}
	var found []int
	for i, s := range res.Stages {
		if sel.byIndex && s.Index == sel.index || !sel.byIndex && s.Name == sel.value {
			found = append(found, i)
		}
	}
	switch len(found) {
	case 1:
		s := &res.Stages[found[0]]
		where := "stage " + s.Name
		if sel.byIndex {
			where = fmt.Sprintf("stage %d (%s)", s.Index, s.Name)
		}
		v := stageView(where, s)
		v.res, v.stage = res, found[0]
		return v, nil
	case 0:
	default:
		return nil, fmt.Errorf("%d stages are named %q: select one by its index, such as stage=%d",
			len(found), sel.value, res.Stages[found[0]].Index)
	}
	for i, p := range res.Load.Stages {
		if sel.byIndex && i == sel.index || !sel.byIndex && p.Name == sel.value {
			if st := res.Stopped; st != nil {
				return nil, fmt.Errorf("stage %s did not run: the run stopped early (%s) in stage %s: %s", desc, st.Cause, st.Stage, st.Reason)
			}
			return nil, fmt.Errorf("stage %s did not run", desc)
		}
	}
	stages := make([]string, len(res.Stages))
	for i, s := range res.Stages {
		stages[i] = fmt.Sprintf("%d %q", s.Index, s.Name)
	}
	if len(stages) == 0 {
		return nil, fmt.Errorf("no stage %s: the result has no stages", desc)
	}
	return nil, fmt.Errorf("no stage %s; the stages are %s", desc, strings.Join(stages, ", "))
}

// latencyStat reads statistic s of distribution d, called name in
// messages.
func (v *view) latencyStat(d catalogue.Distribution, s stat, name string) (float64, error) {
	noHDR := v.noHDR
	if slices.Contains(catalogue.Phases(), d.Name) {
		phases := v.part.Phases
		if len(phases) == 0 {
			return 0, fmt.Errorf("%s: the target reported no request phases (HTTP targets do)", name)
		}
		if _, ok := phases[d.Name]; !ok {
			have := slices.Sorted(maps.Keys(phases))
			return 0, fmt.Errorf("%s: no request had a %s phase (phases seen: %s)", name, d.Name, strings.Join(have, ", "))
		}
		noHDR = "HTTP phase timing"
	}
	l, ok := d.Of(v.part)
	if !ok {
		return 0, fmt.Errorf("no requests completed, so %s is undefined", name)
	}
	if ns, ok := catalogue.StatNS(l, s.String()); ok {
		return float64(ns), nil
	}
	if l.HDR == "" {
		return 0, fmt.Errorf("%s needs the full latency histogram, which %s does not carry; use p50, p90, p95, p99, p999, min, max or mean", name, noHDR)
	}
	q, err := l.Quantile(s.pct / 100)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return float64(q), nil
}

// plannedRate is the mean arrival rate the plan asked of the view's stages
// (all of them for the whole run): planned arrivals over planned time. A
// ramp from a to b over d plans (a+b)/2·d arrivals; a stage cut short (an
// abort) counts only the part that ran, and stages that never ran (after a
// failed gate) not at all, as the measured rates do.
func (v *view) plannedRate() (float64, error) {
	if v.res == nil {
		return v.gatePlannedRate()
	}
	res := v.res
	plan := res.Planned() // a shard's share in a shard's result
	if len(plan) == 0 {
		return 0, errors.New("the result has no planned load, so there is no target rate; compare with a rate such as 1000/s")
	}
	var arrivals, secs float64
	for i, p := range plan {
		if v.stage >= 0 && res.Stages[v.stage].Index != i {
			continue
		}
		var elapsedNS int64
		if len(res.Stages) > 0 {
			j := stagePosition(res.Stages, i)
			if j < 0 {
				continue // never ran
			}
			elapsedNS = res.Stages[j].ElapsedNS
		}
		if p.Model != loadtest.Open {
			if res.Load.Model == loadtest.Closed {
				return 0, fmt.Errorf("the closed model (%s) has no target rate; compare with a rate such as 500/s", p.Name)
			}
			return 0, fmt.Errorf("stage %d (%s) runs the closed model, which has no target rate; compare with a rate such as 500/s", i, p.Name)
		}
		if p.Arrivals == loadtest.Custom {
			return 0, fmt.Errorf("stage %d (%s) is planned by a Pacer of its own, whose rate the result does not carry; compare with a rate such as 500/s", i, p.Name)
		}
		a, d := res.ScheduledArrivals(i, time.Duration(elapsedNS))
		arrivals += a
		secs += d
	}
	if secs == 0 || math.IsNaN(arrivals) {
		return 0, errors.New("no planned stage ran, so there is no target rate")
	}
	return arrivals / secs, nil
}

// gatePlannedRate is plannedRate for the stage a gate sees, which carries
// its own plan.
func (v *view) gatePlannedRate() (float64, error) {
	p := v.plan
	if p == nil || p.DurationNS <= 0 {
		return 0, errors.New("the stage carries no planned load, so there is no target rate; compare with a rate such as 1000/s")
	}
	// The stage's plan, not what it measured, rules these out: the gate
	// can never be checked on it (loadtest.Run fails the test).
	if p.Model != loadtest.Open {
		return 0, invalidGate{fmt.Errorf("stage %s runs the closed model, which has no target rate; compare with a rate such as 500/s", p.Name)}
	}
	if p.Arrivals == loadtest.Custom {
		return 0, invalidGate{fmt.Errorf("stage %s is planned by a Pacer of its own, whose rate the result does not carry; compare with a rate such as 500/s", p.Name)}
	}
	a, d := p.ScheduledArrivals(time.Duration(v.elapsedNS))
	if d == 0 || math.IsNaN(a) {
		return 0, errors.New("the stage did not run, so there is no target rate")
	}
	return a / d, nil
}

// stagePosition returns the position in stages of the stage with the given
// plan index, or -1.
func stagePosition(stages []loadtest.StageResult, index int) int {
	for j := range stages {
		if stages[j].Index == index {
			return j
		}
	}
	return -1
}
