package baseline

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/texttable"
)

// WriteText renders c as an aligned plain-text table, as benchstat does:
// the median of each side with its confidence interval, the change, or ~
// when the rank test found none, the test's p and n, and the verdict.
func (c *Comparison) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "scenario %s\n", c.Scenario)
	fmt.Fprintf(&b, "base: %s\n", c.Base.describe())
	fmt.Fprintf(&b, "head: %s\n", c.Head.describe())
	b.WriteByte('\n')
	t := texttable.Table{Align: "lrrrll"}
	t.Add("", c.Base.Label, c.Head.Label, cell.ChangeHeading, "", "")
	for _, r := range c.Rows {
		t.Add(r.Metric, r.Base.text(r), r.Head.text(r), cell.ChangeOrSame(r.Change, r.Tested, r.Significant), "("+cell.Test(r.Tested, r.P, r.Base.N, r.Head.N)+")", r.verdictText())
	}
	b.WriteString(t.String())
	b.WriteString(c.Legend() + "\n")
	if len(c.Names) > 0 {
		b.WriteString("\nby request name (these only warn: the totals above decide), the worst first:\n")
		t := texttable.Table{Align: "lrrrll"}
		for _, r := range c.Names {
			t.Add(r.Metric, r.Base.text(r), r.Head.text(r), cell.ChangeOrSame(r.Change, r.Tested, r.Significant), "("+cell.Test(r.Tested, r.P, r.Base.N, r.Head.N)+")", r.verdictText())
		}
		b.WriteString(t.String())
	}
	if len(c.SLA) > 0 {
		fmt.Fprintf(&b, "\nSLA: %s\n", c.slaSummary())
		for _, br := range SLABreaches(c.SLA) {
			fmt.Fprintf(&b, "  %s\n", br)
		}
	}
	if c.Score != nil {
		fmt.Fprintf(&b, "\nscore %s%.0f/100:", c.Score.prefix(), c.Score.Total)
		for _, d := range c.Score.Dimensions {
			if d.Metrics > 0 {
				fmt.Fprintf(&b, " %s %.0f (×%g)", d.Name, d.Score, d.Weight)
			}
		}
		if len(c.Score.Unjudged) > 0 {
			fmt.Fprintf(&b, "; %s unjudged, scored as passes", strings.Join(c.Score.Unjudged, ", "))
		}
		if len(c.Score.Vetoed) > 0 {
			fmt.Fprintf(&b, "; vetoed by %s", strings.Join(c.Score.Vetoed, ", "))
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "\nverdict: %s\n", strings.ToUpper(c.Verdict.String()))
	for _, r := range c.Reasons {
		fmt.Fprintf(&b, "  - %s\n", r)
	}
	for _, w := range c.Warnings {
		fmt.Fprintf(&b, "  note: %v\n", w)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// String returns the text rendering of c.
func (c *Comparison) String() string {
	var b strings.Builder
	c.WriteText(&b)
	return b.String()
}

func (s Side) describe() string {
	parts := []string{s.Label, cell.Plural(s.Runs, "run")}
	if s.Commit != "" {
		parts = append(parts, "commit "+cell.Commit(s.Commit))
	}
	if e := s.Env.String(); e != "" {
		parts = append(parts, e)
	}
	return strings.Join(parts, ", ")
}

// text is "1.02ms ± 8%", or the value alone for a single run.
func (s Stat) text(r Row) string {
	return cell.Median(r.Unit.Format(s.Median), s.N, s.Median, s.Lo, s.Hi)
}

func (r Row) verdictText() string {
	var v string
	switch r.Verdict {
	case Fail:
		v = "FAIL"
	case Warn:
		v = "warn"
	case Inconclusive:
		v = "inconclusive"
	}
	switch {
	case v == "":
		return r.Note
	case r.Note == "":
		return v
	}
	return v + ": " + r.Note
}

func (c *Comparison) slaSummary() string {
	breached, runs := 0, 0
	for _, o := range c.SLA {
		if !o.Pass {
			breached++
		}
		runs = max(runs, o.Run)
	}
	limits := len(c.SLA) / max(runs, 1)
	if breached == 0 {
		return fmt.Sprintf("%s held in %s", cell.Plural(limits, "limit"), cell.Plural(runs, "run"))
	}
	return fmt.Sprintf("%d of %d checks breached (%s, %s)", breached, len(c.SLA), cell.Plural(limits, "limit"), cell.Plural(runs, "run"))
}

// finite returns a pointer to f, or nil for ±Inf and NaN, which JSON
// cannot hold.
func finite(f float64) *float64 {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil
	}
	return &f
}

// Legend explains the ± and ~ of c's table in the words every rendering
// uses ([cell.Legend]): loadgate compare's text and Markdown, loadgate
// run's summary, the HTML report and the Action's comment.
func (c *Comparison) Legend() string {
	return cell.Legend(CILevel, c.Alpha, min(c.Base.Runs, c.Head.Runs))
}
