package report

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/loadtest"
)

// sloRow is one objective of the SLO view, per side.
type sloRow struct {
	Objective  string
	Base, Head string
	// BaseBudget and HeadBudget are the error budget consumed.
	BaseBudget, HeadBudget string
	// Met is pass or fail for the head, "" when there is no goal.
	Met string
}

// windowFigure is the worst window of a side.
type windowFigure struct {
	Start, End int64
	Value      string
	ns         time.Duration
	run        int
	whole      bool // the run was no longer than the window (slo.Window.Whole)
}

// sloFrom fills the zero fields of o from the SLA outcomes: the first plain
// latency percentile limit or attainment, error_rate limit and window.
func sloFrom(o SLO, outs []slaOutcome) SLO {
	for _, x := range outs {
		if strings.ContainsAny(x.Metric, "{+- ") || x.Op != "<" && x.Op != "<=" && x.Op != ">" && x.Op != ">=" {
			continue
		}
		m := x.Metric
		switch {
		case o.Objective == 0 && strings.HasPrefix(m, "attainment(") && (x.Op == ">" || x.Op == ">="):
			d, err := time.ParseDuration(strings.TrimSuffix(strings.TrimPrefix(m, "attainment("), ")"))
			if err == nil {
				o.Objective, o.Goal = d, x.Limit
			}
		case o.Objective == 0 && x.Unit == assert.UnitDuration && !strings.Contains(m, "[") && (x.Op == "<" || x.Op == "<="):
			if p, ok := percentOf(m); ok {
				o.Objective, o.Goal = time.Duration(x.Limit), p/100
			}
		case o.SuccessGoal == 0 && m == "error_rate" && (x.Op == "<" || x.Op == "<="):
			o.SuccessGoal = 1 - x.Limit
		}
		if o.Window == 0 && strings.Contains(m, "[") && strings.HasSuffix(m, "]") {
			if d, err := time.ParseDuration(m[strings.IndexByte(m, '[')+1 : len(m)-1]); err == nil {
				o.Window = d
			}
		}
	}
	if o.Window == 0 {
		o.Window = 10 * time.Second
	}
	if o.Objective > 0 && o.Goal == 0 {
		o.Goal = 0.99
	}
	return o
}

// sloView computes the SLO figures of both sides with package
// internal/slo: attainment from the runs' merged HDR histograms, success
// from their summed counts, and the worst window of any run.
func sloView(s Scenario, o SLO) ([]sloRow, *windowFigure, string) {
	var rows []sloRow
	hasBase := len(s.Base) > 0 || s.Stored != nil
	pctOfWindow := windowPercent(o)
	if o.Objective > 0 {
		row := sloRow{Objective: fmt.Sprintf("latency ≤ %v for %s of requests", o.Objective, pct(o.Goal))}
		head, hok := attainment(latencies(loadtest.Timed(s.Head)), o.Objective)
		row.Head, row.HeadBudget = shareAndBudget(head, hok, o.Goal)
		if hok {
			row.Met = met(head >= o.Goal)
		}
		if hasBase {
			ls := latencies(loadtest.Timed(s.Base))
			if len(ls) == 0 && s.Stored != nil {
				ls = []loadtest.Latency{s.Stored.Latency}
			}
			base, bok := attainment(ls, o.Objective)
			row.Base, row.BaseBudget = shareAndBudget(base, bok, o.Goal)
		}
		rows = append(rows, row)
	}
	succ := sloRow{Objective: "successful requests"}
	if o.SuccessGoal > 0 {
		succ.Objective = fmt.Sprintf("successful requests ≥ %s", pct(o.SuccessGoal))
	}
	head, hok := success(s.Head)
	succ.Head, succ.HeadBudget = shareAndBudget(head, hok, o.SuccessGoal)
	if hok && o.SuccessGoal > 0 {
		succ.Met = met(head >= o.SuccessGoal)
	}
	if len(s.Base) > 0 {
		base, bok := success(s.Base)
		succ.Base, succ.BaseBudget = shareAndBudget(base, bok, o.SuccessGoal)
	}
	rows = append(rows, succ)

	stat := fmt.Sprintf("p(%g)", pctOfWindow)
	if p := fmt.Sprintf("p%g", pctOfWindow); pctOfWindow == 99 || pctOfWindow == 90 || pctOfWindow == 50 {
		stat = p
	}
	win := sloRow{Objective: fmt.Sprintf("worst %v %s", o.Window, stat)}
	hw, herr := worstOf(s.Head, o.Window, pctOfWindow)
	note := ""
	switch {
	case herr != nil:
		win.Head = "—"
		note = "The worst window needs per-second histograms: " + herr.Error() + "."
	default:
		win.Head = hw.describe(len(s.Head))
		if o.Objective > 0 {
			win.Met = met(hw.ns <= o.Objective)
		}
	}
	if len(s.Base) > 0 {
		if bw, err := worstOf(s.Base, o.Window, pctOfWindow); err == nil {
			win.Base = bw.describe(len(s.Base))
		} else {
			win.Base = "—"
		}
	}
	rows = append(rows, win)
	if left := boundLeftOut(s.Base, s.Head); left != "" {
		note = strings.TrimSpace(note + " The latency rows leave out " + left + ", as the charts and the comparison do.")
	}
	if o.Objective == 0 {
		note = strings.TrimSpace("No latency objective: give one with -objective, or an SLA such as p99 < 300ms. " + note)
	}
	return rows, hw, note
}

// windowPercent is the percentile the worst window is read at: the
// objective's goal, else 99.
func windowPercent(o SLO) float64 {
	if o.Objective > 0 {
		return 100 * o.Goal
	}
	return 99
}

func met(ok bool) string {
	if ok {
		return "pass"
	}
	return "fail"
}

func latencies(rs []*loadtest.Result) []loadtest.Latency {
	var out []loadtest.Latency
	for _, r := range rs {
		out = append(out, r.Latency)
	}
	return out
}

// attainment is the share within objective of the latencies merged.
func attainment(ls []loadtest.Latency, objective time.Duration) (float64, bool) {
	h := mergedHDR(ls)
	if h == nil || h.TotalCount() == 0 {
		return 0, false
	}
	return slo.Share(h, objective), true
}

// success is the share of the runs' requests that succeeded.
func success(rs []*loadtest.Result) (float64, bool) {
	var req, errs int64
	for _, r := range rs {
		req += r.Requests
		errs += r.Errors
	}
	if req == 0 {
		return 0, false
	}
	return 1 - float64(errs)/float64(req), true
}

func shareAndBudget(share float64, ok bool, goal float64) (string, string) {
	if !ok {
		return "—", ""
	}
	if goal <= 0 {
		return pct(share), ""
	}
	b := slo.Budget(share, goal)
	return pct(share), fmt.Sprintf("%.0f%%", 100*b)
}

// boundLeftOut says which runs loadtest.Timed left out of the sides: "the head's
// 1 generator-bound run"; "" when it left none out.
func boundLeftOut(base, head []*loadtest.Result) string {
	var parts []string
	for _, side := range []struct {
		name string
		runs []*loadtest.Result
	}{{"base", base}, {"head", head}} {
		if n := len(side.runs) - len(loadtest.Timed(side.runs)); n > 0 {
			parts = append(parts, fmt.Sprintf("the %s's %s", side.name, cell.Plural(n, loadtest.BoundWord+" run")))
		}
	}
	return strings.Join(parts, " and ")
}

// worstOf is the worst window of any of the runs that loadtest.Timed
// keeps, each named by its place among all of rs.
func worstOf(rs []*loadtest.Result, window time.Duration, p float64) (*windowFigure, error) {
	var worst *windowFigure
	var firstErr error
	skipBound := unbound(rs) > 0
	for i, r := range rs {
		if skipBound && r.Generator.IsBound() {
			continue
		}
		w, err := slo.Worst(r.Timeline, window, p)
		if err != nil {
			if firstErr == nil && !errors.Is(err, slo.ErrNoRequests) {
				firstErr = err
			}
			continue
		}
		if worst == nil || w.Value > worst.ns {
			worst = &windowFigure{Start: w.Start, End: w.End, ns: w.Value, run: i + 1, whole: w.Whole,
				Value: assert.UnitDuration.Format(float64(w.Value))}
		}
	}
	if worst == nil {
		if firstErr == nil {
			firstErr = slo.ErrNoRequests
		}
		return nil, firstErr
	}
	return worst, nil
}

func (w *windowFigure) describe(runs int) string {
	s := fmt.Sprintf("%s (seconds %d–%d", w.Value, w.Start, w.End)
	if w.whole {
		s = w.Value + " (the whole run, no longer than the window"
	}
	if runs > 1 {
		s += fmt.Sprintf(", run %d", w.run)
	}
	return s + ")"
}
