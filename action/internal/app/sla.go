package app

import (
	"fmt"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/cell"
)

// slaLine renders each expression once: the worst run's value when it
// held, the first breach otherwise.
func slaLine(outs []baseline.SLAOutcome) string {
	bs := baseline.SLABreaches(outs)
	var parts []string
	for _, expr := range slaExprs(outs) {
		if i := slices.IndexFunc(bs, func(b baseline.SLABreach) bool { return b.First.Expr == expr }); i >= 0 {
			b := bs[i]
			text := fmt.Sprintf("❌ %s: %s", cell.CodeText(expr), cell.Markdown(stripScenario(b.First.Message)))
			if b.Of > 1 {
				text += fmt.Sprintf(" (run %d; breached in %d of %d runs)", b.First.Run, b.Runs, b.Of)
			}
			parts = append(parts, text)
			continue
		}
		w, ok := worstOutcome(outs, expr)
		if !ok || w.Err != nil {
			parts = append(parts, "✅ "+cell.CodeText(expr))
			continue
		}
		label := "worst run"
		if countRuns(outs, expr) == 1 {
			label = "measured"
		}
		parts = append(parts, fmt.Sprintf("✅ %s (%s %s)", cell.CodeText(expr), label, w.Unit.Format(w.Actual)))
	}
	return strings.Join(parts, " · ")
}

func countRuns(outs []baseline.SLAOutcome, expr string) int {
	n := 0
	for _, o := range outs {
		if o.Expr == expr {
			n++
		}
	}
	return n
}

// worstOutcome is the run closest to breaking the expression's limit.
func worstOutcome(outs []baseline.SLAOutcome, expr string) (baseline.SLAOutcome, bool) {
	var w baseline.SLAOutcome
	found := false
	for _, o := range outs {
		if o.Expr != expr || o.Err != nil {
			continue
		}
		worse := false
		switch o.Op {
		case "<", "<=":
			worse = o.Actual > w.Actual
		case ">", ">=":
			worse = o.Actual < w.Actual
		}
		if !found || worse {
			w, found = o, true
		}
	}
	return w, found
}

// stripScenario drops the "scenario X: " prefix of an outcome's message:
// the section already names the scenario.
func stripScenario(msg string) string {
	if rest, ok := strings.CutPrefix(msg, "scenario "); ok {
		if _, after, ok := strings.Cut(rest, ": "); ok {
			return after
		}
	}
	return msg
}

func leakLine(s *Scenario) string {
	if s.LeakRuns == 0 {
		return "none"
	}
	var groups []string
	for i, l := range s.Leaks {
		if i == 3 {
			groups = append(groups, fmt.Sprintf("and %d more", len(s.Leaks)-3))
			break
		}
		text := fmt.Sprintf("%d × %s", l.Count, cell.Code(l.Function))
		if l.CreatedAt != "" {
			text += " created at " + cell.Code(l.CreatedAt)
		}
		groups = append(groups, text)
	}
	return fmt.Sprintf("❌ goroutines leaked in %d of %d runs: %s", s.LeakRuns, s.HeadRuns, strings.Join(groups, "; "))
}
