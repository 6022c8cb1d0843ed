package app

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/verdict"
	"github.com/loadgate/loadgate/loadtest"
)

// gist is the scenario's one line: its most telling change, its SLA and
// its leaks.
func (s *Scenario) gist() string {
	var parts []string
	name := cell.CodeText(s.Name)
	sla := s.slaGist()
	breach := len(baseline.SLABreaches(s.SLA)) > 0
	if breach {
		// A breached limit says more than any change.
		parts = append(parts, name+": "+sla)
		sla = ""
	}
	row, telling := s.telling()
	// The change as the table's cell writes it: "~" when not significant.
	change := cell.ChangeOrSame(row.Change, row.Tested, row.Significant)
	if math.IsInf(row.Change, 0) {
		// From nothing (an error rate of 0%): "+∞%" says less than the
		// two medians.
		change = row.Unit.Format(row.Base.Median) + " → " + row.Unit.Format(row.Head.Median)
	}
	c := s.Comparison
	switch {
	case telling && breach:
		parts = append(parts, fmt.Sprintf("%s %s (%s)", row.Metric, change, qualifier(row)))
	case telling:
		parts = append(parts, fmt.Sprintf("%s of %s %s (%s)", row.Metric, name, change, qualifier(row)))
	case breach: // the breach was the news
	case c != nil && len(c.Rows) > 0 && !c.Rows[0].Tested:
		parts = append(parts, fmt.Sprintf("%s: no notable change (n=%s, too few runs to confirm one)", name, cell.Runs(c.Rows[0].Base.N, c.Rows[0].Head.N)))
	case c != nil:
		parts = append(parts, name+": no significant change")
	case s.BaseFailed != "":
		parts = append(parts, name+": not compared, the base failed")
	default:
		parts = append(parts, name+": nothing to compare with")
	}
	if sla != "" {
		parts = append(parts, sla)
	}
	if s.LeakRuns > 0 {
		parts = append(parts, fmt.Sprintf("goroutines leaked in %d of %d runs", s.LeakRuns, s.HeadRuns))
	} else {
		parts = append(parts, "no leaks")
	}
	if s.TestFailed {
		parts = append(parts, cell.Code(s.Test)+" failed")
	}
	if len(s.Partial) > 0 {
		// Whose load this was: the shards there were.
		p := "partial: " + s.Partial[0]
		if s.Spread { // "head run 1: out of step: …" says it
			p = s.Partial[0]
		}
		if n := len(s.Partial) - 1; n > 0 {
			p += fmt.Sprintf(" (and %d more)", n)
		}
		parts = append(parts, p)
	}
	if s.Comparison != nil && len(s.Comparison.EnvMismatch) > 0 {
		parts = append(parts, "machines differ")
	}
	switch {
	case s.Comparison != nil && s.Bound() && !(telling && row.GeneratorBound):
		parts = append(parts, loadtest.BoundWord+": latencies not judged")
	case s.Comparison != nil && !s.Bound() && slices.ContainsFunc(s.Comparison.Rows, func(r baseline.Row) bool { return r.LeftOut() > 0 }):
		parts = append(parts, cell.Plural(len(s.Comparison.GeneratorBound), loadtest.BoundWord+" run")+" left out")
	case s.Comparison == nil && len(s.GeneratorBound) > 0:
		parts = append(parts, fmt.Sprintf("%s in %d of %d runs", loadtest.BoundWord, len(s.GeneratorBound), s.HeadRuns))
	}
	return strings.Join(parts, ", ")
}

// telling returns the row that says most about the scenario: the worst
// verdict, then the largest worsening, among rows that are not "~".
func (s *Scenario) telling() (baseline.Row, bool) {
	if s.Comparison == nil {
		return baseline.Row{}, false
	}
	var best baseline.Row
	found := false
	for _, r := range s.Comparison.Rows {
		notable := r.Verdict > baseline.Pass ||
			(r.Change != 0 && (r.Significant || !r.Tested) && math.Abs(r.Head.Median-r.Base.Median) >= r.Rule.Floor)
		if !notable {
			continue
		}
		if !found || r.Verdict > best.Verdict || (r.Verdict == best.Verdict && verdict.Worsening(r) > verdict.Worsening(best)) {
			best, found = r, true
		}
	}
	return best, found
}

func qualifier(r baseline.Row) string {
	switch {
	case r.Verdict == baseline.Inconclusive:
		return "inconclusive: " + r.Note
	case !r.Tested:
		return fmt.Sprintf("n=%s, too few runs to confirm", cell.Runs(r.Base.N, r.Head.N))
	case r.Demoted != "":
		// Significant alone, not over the run's scenarios
		// (verdict.Run.Correct), as the row's note says.
		return r.Demoted
	case r.Significant && r.Verdict >= baseline.Warn && r.Note != "":
		// Why it failed or warns, as the row's cell says: "over 15%
		// tolerance"; "significant" alone did not say why p99 failed
		// while p999, as significant, only warned.
		return r.Note
	case r.Significant && verdict.Worsening(r) < 0:
		return "significant, better"
	case r.Significant:
		return "significant"
	}
	return "not significant"
}

// slaGist is "SLA `p99 < 200ms` still met", or the first breach.
func (s *Scenario) slaGist() string {
	exprs := slaExprs(s.SLA)
	if len(exprs) == 0 {
		return ""
	}
	if bs := baseline.SLABreaches(s.SLA); len(bs) > 0 {
		b := bs[0]
		text := fmt.Sprintf("SLA %s breached", cell.CodeText(b.First.Expr))
		if b.Of > 1 {
			text += fmt.Sprintf(" in %d of %d runs", b.Runs, b.Of)
		}
		if measured, _, ok := strings.Cut(stripScenario(b.First.Message), ", want"); ok && b.First.Err == nil {
			text += " (" + measured + ")"
		}
		if len(bs) > 1 {
			text += fmt.Sprintf(" (and %d more)", len(bs)-1)
		}
		return text
	}
	still := "met"
	if row, ok := s.telling(); ok && verdict.Worsening(row) > 0 {
		still = "still met"
	}
	if len(exprs) > 2 {
		return fmt.Sprintf("all %d SLA limits %s", len(exprs), still)
	}
	quoted := make([]string, len(exprs))
	for i, e := range exprs {
		quoted[i] = cell.CodeText(e)
	}
	return fmt.Sprintf("SLA %s %s", strings.Join(quoted, " and "), still)
}

func slaExprs(outs []baseline.SLAOutcome) []string {
	var exprs []string
	for _, o := range outs {
		if !slices.Contains(exprs, o.Expr) {
			exprs = append(exprs, o.Expr)
		}
	}
	return exprs
}
