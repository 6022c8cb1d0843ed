// Package cell writes the cells of a comparison — a change, a median with
// its interval, a test's p-value and run counts, a verdict's icon, a short
// commit id, a count with its noun, escaped Markdown — for every place that
// shows one: baseline's text and Markdown tables (loadgate compare, loadgate
// run's summary, baseline.Check's log) and the Action's comment and job
// summary. Written once, they cannot disagree. It takes plain values, not
// baseline's types, so that package baseline can use it.
package cell

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/perf/benchmath"
)

// Change writes a relative change as benchstat does: "+25.85%", "-4.10%",
// "0.00%", "+∞%".
func Change(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+∞%"
	case math.IsInf(f, -1):
		return "-∞%"
	case f == 0:
		return "0.00%"
	}
	return fmt.Sprintf("%+.2f%%", 100*f)
}

// ChangeHeading heads the column of Change and ChangeOrSame cells in every
// comparison table: loadgate compare's text and Markdown, the Action's
// comment and the HTML report.
const ChangeHeading = "vs base"

// ChangeOrSame writes the change, or "~" when the rank test ran and found
// no significant change.
func ChangeOrSame(f float64, tested, significant bool) string {
	if tested && !significant {
		return "~"
	}
	return Change(f)
}

// Legend explains the ± and ~ of a comparison's table, in the one
// wording every table that shows them has (loadgate compare's text and
// Markdown, loadgate run's summary, the HTML report): "± is a 90%
// confidence interval of the median; ~ is no significant change
// (Mann-Whitney U, α = 0.05)." ciLevel and alpha are fractions; fewest is
// the runs of the side that has fewer. When too few for an interval at
// ciLevel, the table shows "± ∞" and the legend says why, as benchstat's
// footnote does.
func Legend(ciLevel, alpha float64, fewest int) string {
	s := fmt.Sprintf("± is a %.0f%% confidence interval of the median; ~ is no significant change (Mann-Whitney U, α = %.3g).",
		100*ciLevel, alpha)
	if need := IntervalRuns(ciLevel); fewest >= 2 && fewest < need {
		s += fmt.Sprintf(" ± ∞: %d runs are too few for an interval (%d or more give one).", fewest, need)
	}
	return s
}

// IntervalRuns is the fewest runs whose median has a finite confidence
// interval at level ciLevel: the order statistics' interval of n runs
// covers the median with probability 1 - 2^(1-n) at most (5 at 90%, 6 at
// 95%).
func IntervalRuns(ciLevel float64) int {
	n := 2
	for 1-math.Pow(2, float64(1-n)) < ciLevel {
		n++
	}
	return n
}

// Median writes a median and its confidence interval, "1.02ms ± 8%"; value
// is the median in its unit. With fewer than 2 runs there is no interval.
func Median(value string, n int, median, lo, hi float64) string {
	if n < 2 {
		return value
	}
	return value + " ± " + benchmath.Summary{Center: median, Lo: lo, Hi: hi}.PctRangeString()
}

// Runs writes the runs of the two sides: "5" when they are equal, else
// "5+1".
func Runs(base, head int) string {
	if base == head {
		return strconv.Itoa(base)
	}
	return fmt.Sprintf("%d+%d", base, head)
}

// Test writes a rank test: "p=0.008 n=5", or "n=5+1" when there were too
// few runs to test.
func Test(tested bool, p float64, base, head int) string {
	if !tested {
		return "n=" + Runs(base, head)
	}
	return fmt.Sprintf("p=%.3f n=%s", p, Runs(base, head))
}

// Icon is the icon of a verdict word: pass, warn, inconclusive or fail,
// or "" for what was not judged (verdict.Run.Shown), which must not look
// like a pass.
func Icon(verdict string) string {
	switch verdict {
	case "":
		return "⚪"
	case "fail":
		return "❌"
	case "warn":
		return "⚠️"
	case "inconclusive":
		return "❔"
	case "pass":
		return "✅"
	}
	return "?"
}

// Commit shortens a commit id to 12 hex digits, enough to stay unique in
// large repositories (GitHub links them in comments).
func Commit(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// Plural writes a count and its noun: "1 run", "5 runs".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

var mdReplacer = strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "\n", " ", "@", "@\u200b")

// issueRef is what GitHub links to an issue or pull request, and shows on
// its timeline as a mention: #123, owner/repo#123, GH-123.
var issueRef = regexp.MustCompile(`(?i)(#|\bGH-)([0-9])`)

// Markdown escapes text for a Markdown table cell or line: it cannot break
// the table, turn into markup, a link, an image or HTML, mention someone
// or reference an issue (a zero-width space follows every @, and the # of #123).
func Markdown(s string) string {
	return issueRef.ReplaceAllString(mdReplacer.Replace(s), "$1\u200b$2")
}

// Clip shortens s to at most n characters (runes, so that text in another
// script is never cut inside one): a longer s keeps its first n-1 and "…".
// n must be at least 1.
func Clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// Code makes s a code span that cannot break a table or the span itself.
// It is for a table's cell: in running text GitHub shows its \| as
// written, backslash and all; use [CodeText] there.
func Code(s string) string {
	s = strings.ReplaceAll(s, "`", "'")
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\n", " ")
	return "`" + s + "`"
}

// CodeText makes s a code span for running text (a line, a list item; not
// a table's cell, where a | must be escaped: use [Code]) that shows s as it
// is, backticks and | included, on one line. The span is fenced by one
// backtick more than the longest run of them in s, as CommonMark allows.
func CodeText(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	if s == "" {
		return ""
	}
	longest, run := 0, 0
	for _, r := range s {
		if r != '`' {
			run = 0
			continue
		}
		run++
		longest = max(longest, run)
	}
	fence := strings.Repeat("`", longest+1)
	// CommonMark strips one space at each end of a span that has one at
	// both: pad a span that starts or ends with a backtick (which would
	// join the fence) or that has spaces of its own at both ends.
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") ||
		(strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") && strings.Trim(s, " ") != "") {
		s = " " + s + " "
	}
	return fence + s + fence
}
