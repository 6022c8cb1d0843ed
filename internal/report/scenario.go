package report

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/loadtest"
)

type slaOutcome = baseline.SLAOutcome

// scenarioView is one scenario's section of the page.
type scenarioView struct {
	ID, Name, Package string
	// NavName names the scenario in the page's list of scenarios: its
	// name, with its package when another package has a scenario of the
	// same name (see navNames).
	NavName string
	Verdict string // pass, warn, inconclusive, fail; "" when not judged, which the page shows with cell.Icon("") and "not judged"
	Why     []string
	NoBase  string
	Runs    []string // which runs the charts show
	Summary []figureRow
	// SummaryBase and SummaryHead head Summary's columns: the side, and
	// which of its runs the figures are of when it has several (the
	// comparison's medians are over all of them).
	SummaryBase, SummaryHead string
	// SLOBase and SLOHead head the SLO view's columns: the side, and
	// "all 3 runs" when it merges several.
	SLOBase, SLOHead string
	Rows             []compRow
	// NameRows compare each request name (Comparison.Names): they only
	// warn, the worst p99 change first.
	NameRows []compRow
	// Legend explains the table's ± and ~ (cell.Legend).
	Legend   string
	SLA      []slaRow
	SLO      []sloRow
	SLONote  string
	Stages   []stageRow
	Charts   []chartRef // over time, then the distribution
	Server   []chartRef
	Growth   []growthRow
	Phases   *barChart
	Names    *barChart
	Leaks    []loadtest.Leak
	Warnings []string
	// Profiles and Slowest are issue 15's "where the time went" and
	// "slowest requests"; see profiles.go.
	Profiles *profilesView
	Slowest  *table
	// Errors are the head runs' errors by kind (internal/errorkinds),
	// Flights their flight recordings; see profiles.go.
	Errors  *table
	Flights []string
	// Shards are the shards of the head's merged results; see shards.go.
	Shards *table
}

// figureRow is one figure of the runs the charts show, per side.
type figureRow struct{ Name, Base, Head string }

// compRow is a row of the comparison, its cells written by package cell
// as every other rendering of a comparison writes them.
type compRow struct {
	Metric, Base, Head, Change, Test, Verdict, Icon string
	Fail                                            bool
}

type slaRow struct {
	Expr, Actual, Message string
	Run                   int
	Pass                  bool
}

type stageRow struct {
	Name, Plan, Requests, Errors, Rate, P50, P99, Gate string
}

type growthRow struct {
	Function      string
	Before, After int
}

func buildScenario(id string, s Scenario, slo SLO) (*scenarioView, error) {
	if len(s.Head) == 0 {
		return nil, fmt.Errorf("no results")
	}
	v := &scenarioView{ID: id, Name: s.Name, Package: s.Package}
	var outs []slaOutcome
	if j := s.Judged; j != nil {
		v.Verdict, v.Why, v.NoBase = j.Shown(), j.Why, j.NoBase
		outs = j.SLA
		if j.Err != nil {
			v.Why = append(v.Why, j.Err.Error())
		}
		if c := j.Comparison; c != nil {
			v.Legend = c.Legend()
			v.Rows = comparisonRows(c.Rows)
			v.NameRows = comparisonRows(c.Names)
			for _, w := range c.Warnings {
				v.Warnings = append(v.Warnings, w.Error())
			}
			for _, m := range c.EnvMismatch {
				v.Warnings = append(v.Warnings, "the machines differ: "+m)
			}
		}
	}
	v.Warnings = append(v.Warnings, runWarnings("head", s.Head)...)
	v.Warnings = append(v.Warnings, runWarnings("base", s.Base)...)
	// A comparison notes the runs that stopped early among its warnings;
	// without one, the page says it here, as the summary does: else a
	// run cut short by a gate, the abort rule or its data reads as whole.
	if s.Judged == nil || s.Judged.Comparison == nil {
		for i, r := range s.Head {
			if st := r.Stopped; st != nil {
				where := ""
				if st.Stage != "" {
					where = " in stage " + st.Stage
				}
				v.Warnings = append(v.Warnings, fmt.Sprintf("head run %d stopped early (%s)%s: %s", i+1, st.Cause, where, st.Reason))
			}
		}
	}
	var sd sides
	sd.head, sd.headRun = representative(s.Head)
	sd.base, sd.baseRun = representative(s.Base)
	v.Runs = append(v.Runs, runsNote("head", s.Head, sd.headRun))
	switch {
	case sd.base != nil:
		v.Runs = append(v.Runs, runsNote("base", s.Base, sd.baseRun))
	case s.Stored != nil:
		v.Runs = append(v.Runs, fmt.Sprintf("base: the stored baseline (%s), which keeps no timeline: only the distribution and the comparison show it", cell.Plural(len(s.Stored.Runs), "run")))
	}
	v.Summary = figures(sd)
	v.SummaryBase, v.SummaryHead = sideOfRun("base", len(s.Base), sd.baseRun), sideOfRun("head", len(s.Head), sd.headRun)
	v.SLOBase, v.SLOHead = sideOfRuns("base", s.Base), sideOfRuns("head", s.Head)
	for _, o := range outs {
		r := slaRow{Expr: o.Expr, Run: o.Run, Pass: o.Pass, Message: o.Message}
		if o.Err == nil {
			r.Actual = o.Unit.Format(o.Actual)
		}
		v.SLA = append(v.SLA, r)
	}
	slo = sloFrom(slo, outs)
	var worst *windowFigure
	v.SLO, worst, v.SLONote = sloView(s, slo)

	// The SLO view's worst window is the worst of any run; the chart
	// shades the worst of the run it draws, which may be another.
	if worst != nil && worst.run != sd.headRun {
		worst, _ = worstOf([]*loadtest.Result{sd.head}, slo.Window, windowPercent(slo))
	}
	shown := ""
	if len(s.Head) > 1 {
		shown = fmt.Sprintf(" of run %d", sd.headRun)
	}
	ax := newTimeAxis(sd.head.Timeline, timelineOf(sd.base))
	v.Charts = append(v.Charts, percentileCharts(id, sd, ax, outs, worstBand(worst, shown))...)
	v.Charts = append(v.Charts, rateChart(id, sd, ax, outs))
	if c, ok := errorChart(id, sd, ax); ok {
		v.Charts = append(v.Charts, c)
	}
	var objective *marker
	if slo.Objective > 0 {
		objective = &marker{At: num(float64(slo.Objective) / 1e6), Label: fmt.Sprintf("objective %v for %s", slo.Objective, pct(slo.Goal))}
	}
	if c, ok := distributionChart(id, s, objective); ok {
		v.Charts = append(v.Charts, c)
	}
	v.Server = serverCharts(id, sd)
	if srv := sd.head.Server; srv != nil {
		for _, g := range srv.GoroutineGrowth {
			v.Growth = append(v.Growth, growthRow{g.Function, g.Before, g.After})
		}
	}
	v.Stages = stageRows(sd.head)
	v.Shards = shardsOf(s.Head)
	v.Phases = phaseBars(sd)
	v.Names = nameBars(sd)
	v.Leaks = leakRows(s)
	v.Profiles, v.Slowest = profilesOf(s.Cause), slowestOf(s.Head)
	v.Errors, v.Flights = errorsOf(s.Head, s.Judged.NewErrorKinds()), flightsOf(s.Head)
	return v, nil
}

// runWarnings are the findings each run of a side recorded
// (Result.Warnings: a generator-bound run or one that fell behind its
// schedule, arrivals dropped, request names past loadtest.MaxNames counted
// as "(other names)", a profile not taken), as loadgate run's summary
// lists them: "head run 2: …". A generator-bound run's warning is added
// when its result lacks it (a result written before Warnings held it).
func runWarnings(side string, runs []*loadtest.Result) []string {
	var out []string
	for i, r := range runs {
		ws := r.Warnings
		if why := r.Generator.Warning(); why != "" && !slices.Contains(ws, why) {
			ws = append([]string{why}, ws...)
		}
		for _, w := range ws {
			out = append(out, fmt.Sprintf("%s run %d: %s", side, i+1, w))
		}
	}
	return out
}

func timelineOf(r *loadtest.Result) []loadtest.Second {
	if r == nil {
		return nil
	}
	return r.Timeline
}

func runsNote(side string, runs []*loadtest.Result, shown int) string {
	r := runs[shown-1]
	when := r.Started.UTC().Format("2006-01-02 15:04:05 UTC")
	if len(runs) == 1 {
		return fmt.Sprintf("%s: 1 run, started %s, %v", side, when, r.Duration().Round(time.Millisecond))
	}
	// representative passes over generator-bound runs while others are
	// left: say so, or the median named here disagrees with the median of
	// all runs that loadgate run's summary prints.
	of := ""
	if n := unbound(runs); n > 0 && n < len(runs) {
		of = fmt.Sprintf(" of the %d not generator-bound", n)
	}
	return fmt.Sprintf("%s: %d runs; the charts over time show run %d (started %s), whose p99 is the median%s; the distribution merges all %d",
		side, len(runs), shown, when, of, len(runs))
}

// unbound counts the runs that were not generator-bound.
func unbound(runs []*loadtest.Result) int {
	n := 0
	for _, r := range runs {
		if !r.Generator.IsBound() {
			n++
		}
	}
	return n
}

// sideOfRun names the side of a column of figures of its run shown (from
// 1) of n: "head", or "head, run 3 of 5".
func sideOfRun(side string, n, shown int) string {
	if n <= 1 {
		return side
	}
	return fmt.Sprintf("%s, run %d of %d", side, shown, n)
}

// sideOfRuns names the side of a column of figures of all its runs
// merged: "head", or "head, all 5 runs"; "head, 5 runs (latencies of 4)"
// when the latency rows leave out generator-bound runs (loadtest.Timed).
func sideOfRuns(side string, runs []*loadtest.Result) string {
	n := len(runs)
	if n <= 1 {
		return side
	}
	if t := len(loadtest.Timed(runs)); t < n {
		return fmt.Sprintf("%s, %d runs (latencies of %d)", side, n, t)
	}
	return fmt.Sprintf("%s, all %d runs", side, n)
}

// figures are the main figures of the runs the charts show.
func figures(sd sides) []figureRow {
	type fig struct {
		name string
		f    func(r *loadtest.Result) string
	}
	dur := func(ns int64) string { return assert.UnitDuration.Format(float64(ns)) }
	figs := []fig{
		{"duration", func(r *loadtest.Result) string { return r.Duration().Round(time.Millisecond).String() }},
		{"requests", func(r *loadtest.Result) string { return fmt.Sprint(r.Requests) }},
		{"errors", func(r *loadtest.Result) string { return fmt.Sprintf("%d (%s)", r.Errors, pct(r.ErrorRate)) }},
		{"dropped", func(r *loadtest.Result) string { return fmt.Sprint(r.Dropped) }},
		{"rate sent", func(r *loadtest.Result) string { return assert.UnitRate.Format(r.Rate) }},
		{"throughput", func(r *loadtest.Result) string { return assert.UnitRate.Format(r.Throughput) }},
		{"latency p50", func(r *loadtest.Result) string { return dur(r.Latency.P50NS) }},
		{"latency p90", func(r *loadtest.Result) string { return dur(r.Latency.P90NS) }},
		{"latency p99", func(r *loadtest.Result) string { return dur(r.Latency.P99NS) }},
		{"latency p99.9", func(r *loadtest.Result) string { return dur(r.Latency.P999NS) }},
		{"latency max", func(r *loadtest.Result) string { return dur(r.Latency.MaxNS) }},
		{"service time p99", func(r *loadtest.Result) string { return dur(r.ServiceTime.P99NS) }},
		{"generator", func(r *loadtest.Result) string {
			if r.Generator == nil {
				return "-"
			}
			return strings.TrimPrefix(r.Generator.Figures(), "generator: ")
		}},
	}
	var out []figureRow
	for _, f := range figs {
		row := figureRow{Name: f.name, Head: f.f(sd.head)}
		if sd.base != nil {
			row.Base = f.f(sd.base)
		}
		out = append(out, row)
	}
	return out
}

func comparisonRows(rows []baseline.Row) []compRow {
	var out []compRow
	for _, r := range rows {
		row := compRow{
			Metric:  r.Metric,
			Base:    cell.Median(r.Unit.Format(r.Base.Median), r.Base.N, r.Base.Median, r.Base.Lo, r.Base.Hi),
			Head:    cell.Median(r.Unit.Format(r.Head.Median), r.Head.N, r.Head.Median, r.Head.Lo, r.Head.Hi),
			Change:  cell.ChangeOrSame(r.Change, r.Tested, r.Significant),
			Test:    cell.Test(r.Tested, r.P, r.Base.N, r.Head.N),
			Verdict: strings.TrimSpace(r.Note),
			Fail:    r.Verdict == baseline.Fail,
		}
		if r.Verdict != baseline.Pass {
			row.Icon = cell.Icon(r.Verdict.String())
		}
		out = append(out, row)
	}
	return out
}

func stageRows(r *loadtest.Result) []stageRow {
	var out []stageRow
	for _, s := range r.Stages {
		row := stageRow{
			Name: s.Name, Requests: fmt.Sprint(s.Requests), Errors: fmt.Sprintf("%d (%s)", s.Errors, pct(s.ErrorRate)),
			Rate: assert.UnitRate.Format(s.Rate),
			P50:  assert.UnitDuration.Format(float64(s.Latency.P50NS)),
			P99:  assert.UnitDuration.Format(float64(s.Latency.P99NS)),
		}
		if s.Index >= 0 && s.Index < len(r.Load.Stages) {
			row.Plan = r.Load.Stages[s.Index].Describe()
		}
		if g := s.Gate; g != nil {
			row.Gate = "passed"
			if !g.Passed {
				row.Gate = "failed: " + g.Reason
			}
		}
		out = append(out, row)
	}
	return out
}

func leakRows(s Scenario) []loadtest.Leak {
	if s.Judged != nil {
		return s.Judged.Leaks
	}
	var out []loadtest.Leak
	for _, r := range s.Head {
		out = append(out, r.Leaks...)
	}
	slices.SortStableFunc(out, func(a, b loadtest.Leak) int { return b.Count - a.Count })
	return out
}

// pct writes a share as a percentage with up to 4 significant digits.
func pct(f float64) string { return assert.UnitRatio.Format(f) }
