package baseline

import (
	"fmt"
	"io"
	"strings"

	"github.com/loadgate/loadgate/internal/cell"
)

// WriteMarkdown renders c as GitHub-flavoured Markdown, for a pull-request
// comment or a job summary: a headline with the verdict, the reasons, the
// table and the details.
func (c *Comparison) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	icon := cell.Icon(c.Verdict.String())
	word := map[Verdict]string{Pass: "no regression", Warn: "warning", Inconclusive: "inconclusive", Fail: "regression"}[c.Verdict]
	if c.Verdict == Fail && c.breachedOnly() {
		word = "SLA breached" // no metric regressed
	}
	fmt.Fprintf(&b, "### %s loadgate: `%s` — %s\n\n", icon, strings.ReplaceAll(c.Scenario, "`", "'"), word)
	for _, r := range c.Reasons {
		fmt.Fprintf(&b, "- %s\n", cell.Markdown(r))
	}
	if len(c.Reasons) > 0 {
		b.WriteByte('\n')
	}
	c.writeMarkdownRows(&b, "metric", c.Rows, false)
	b.WriteString("\n" + c.Legend() + "\n")
	if len(c.Names) > 0 {
		b.WriteString("\n**By request name** (these only warn: the totals above decide), the worst first:\n\n")
		c.writeMarkdownRows(&b, "request", c.Names, true)
	}
	if len(c.SLA) > 0 {
		fmt.Fprintf(&b, "\n**SLA:** %s\n", c.slaSummary())
		for _, br := range SLABreaches(c.SLA) {
			fmt.Fprintf(&b, "- %s %s\n", cell.Icon("fail"), cell.Markdown(br.String()))
		}
	}
	if c.Score != nil {
		fmt.Fprintf(&b, "\n**Score:** %s%.0f/100", c.Score.prefix(), c.Score.Total)
		for _, d := range c.Score.Dimensions {
			if d.Metrics > 0 {
				fmt.Fprintf(&b, " · %s %.0f (×%g)", d.Name, d.Score, d.Weight)
			}
		}
		if len(c.Score.Unjudged) > 0 {
			fmt.Fprintf(&b, " · %s unjudged, scored as passes", strings.Join(c.Score.Unjudged, ", "))
		}
		if len(c.Score.Vetoed) > 0 {
			fmt.Fprintf(&b, " · vetoed by %s", strings.Join(c.Score.Vetoed, ", "))
		}
		b.WriteByte('\n')
	}
	b.WriteString("\n<details><summary>Environment and notes</summary>\n\n")
	fmt.Fprintf(&b, "- base: %s\n", cell.Markdown(c.Base.describe()))
	fmt.Fprintf(&b, "- head: %s\n", cell.Markdown(c.Head.describe()))
	for _, w := range c.Warnings {
		fmt.Fprintf(&b, "- note: %s\n", cell.Markdown(w.Error()))
	}
	b.WriteString("\n</details>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// writeMarkdownRows writes rows as a table whose first column is headed
// first; code makes each metric a code span (a request's name may hold
// any character).
func (c *Comparison) writeMarkdownRows(b *strings.Builder, first string, rows []Row, code bool) {
	fmt.Fprintf(b, "| %s | %s | %s | %s | test | verdict |\n", first, cell.Markdown(c.Base.Label), cell.Markdown(c.Head.Label), cell.ChangeHeading)
	b.WriteString("|:--|--:|--:|--:|:--|:--|\n")
	for _, r := range rows {
		change := cell.ChangeOrSame(r.Change, r.Tested, r.Significant)
		if r.Verdict == Fail {
			change = "**" + change + "**"
		}
		verdict := r.Note
		switch r.Verdict {
		case Fail:
			verdict = cell.Icon("fail") + " " + verdict
		case Warn:
			verdict = cell.Icon("warn") + " " + verdict
		case Inconclusive:
			verdict = cell.Icon("inconclusive") + " " + verdict
		}
		metric := r.Metric
		if code {
			metric = cell.Code(metric)
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", metric, cell.Markdown(r.Base.text(r)), cell.Markdown(r.Head.text(r)),
			change, cell.Test(r.Tested, r.P, r.Base.N, r.Head.N), cell.Markdown(strings.TrimSpace(verdict)))
	}
}
