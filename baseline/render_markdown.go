package baseline

import (
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown renders c as GitHub-flavoured Markdown, for a pull-request
// comment or a job summary: a headline with the verdict, the reasons, the
// table and the details.
func (c *Comparison) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	icon := map[Verdict]string{Pass: "✅", Warn: "⚠️", Fail: "❌"}[c.Verdict]
	word := map[Verdict]string{Pass: "no regression", Warn: "warning", Fail: "regression"}[c.Verdict]
	fmt.Fprintf(&b, "### %s loadgate: `%s` — %s\n\n", icon, mdCode(c.Scenario), word)
	for _, r := range c.Reasons {
		fmt.Fprintf(&b, "- %s\n", mdEscape(r))
	}
	if len(c.Reasons) > 0 {
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "| metric | %s | %s | vs base | test | verdict |\n", mdEscape(c.Base.Label), mdEscape(c.Head.Label))
	b.WriteString("|:--|--:|--:|--:|:--|:--|\n")
	for _, r := range c.Rows {
		change := r.changeText()
		if r.Verdict == Fail {
			change = "**" + change + "**"
		}
		verdict := r.Note
		switch r.Verdict {
		case Fail:
			verdict = "❌ " + verdict
		case Warn:
			verdict = "⚠️ " + verdict
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", r.Metric, mdEscape(r.Base.text(r)), mdEscape(r.Head.text(r)),
			change, r.testString(), mdEscape(strings.TrimSpace(verdict)))
	}
	fmt.Fprintf(&b, "\n± is a %.0f%% confidence interval of the median; ~ is no significant change (Mann-Whitney U, α = %g).\n",
		100*ciLevel, c.Alpha)
	if len(c.SLA) > 0 {
		fmt.Fprintf(&b, "\n**SLA:** %s\n", c.slaSummary())
		for _, br := range SLABreaches(c.SLA) {
			fmt.Fprintf(&b, "- ❌ %s\n", mdEscape(br.String()))
		}
	}
	if c.Score != nil {
		fmt.Fprintf(&b, "\n**Score:** %.0f/100", c.Score.Total)
		for _, d := range c.Score.Dimensions {
			if d.Metrics > 0 {
				fmt.Fprintf(&b, " · %s %.0f (×%g)", d.Name, d.Score, d.Weight)
			}
		}
		if len(c.Score.Vetoed) > 0 {
			fmt.Fprintf(&b, " · vetoed by %s", strings.Join(c.Score.Vetoed, ", "))
		}
		b.WriteByte('\n')
	}
	b.WriteString("\n<details><summary>Environment and notes</summary>\n\n")
	fmt.Fprintf(&b, "- base: %s\n", mdEscape(c.Base.describe()))
	fmt.Fprintf(&b, "- head: %s\n", mdEscape(c.Head.describe()))
	for _, w := range c.Warnings {
		fmt.Fprintf(&b, "- note: %s\n", mdEscape(w.Error()))
	}
	b.WriteString("\n</details>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// mdEscape keeps text from breaking a table or turning into markup.
var mdReplacer = strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`, "`", "\\`", "\n", " ")

func mdEscape(s string) string { return mdReplacer.Replace(s) }

// mdCode makes s safe inside a single-backtick code span.
func mdCode(s string) string { return strings.ReplaceAll(s, "`", "'") }
