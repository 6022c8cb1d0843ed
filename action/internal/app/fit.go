package app

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/loadgate/loadgate/internal/cell"
)

// Size limits of what GitHub shows.
const (
	// MaxCommentChars is the longest comment body GitHub accepts: longer
	// ones fail with 422 "Body is too long (maximum is 65536 characters)".
	// It is counted in code points ([Chars]). Measurements on github.com
	// (dead-claudia/github-limits#13, 2025; objectstack-ai/objectstack#18826,
	// 2026) found the comment endpoints refuse a body over 262,144 bytes of
	// UTF-8 instead; 65,536 code points are at most that many bytes, so the
	// message's count is the one kept: safe under either rule, and under a
	// GitHub Enterprise Server that counts as its message says.
	MaxCommentChars = 65536
	// MaxSummaryBytes is the most a step may write to its job summary;
	// past it the upload fails with an error annotation.
	MaxSummaryBytes = 1 << 20
)

// Level is how much of a report a rendering shows. [Report.Fit] steps
// down the levels until the rendering fits its limit.
type Level int

const (
	// Full shows everything.
	Full Level = iota
	// ShortDetails replaces the collapsed details (environments, notes,
	// test output, the command to reproduce) with run counts and a
	// pointer to the job summary.
	ShortDetails
	// NoCharts also leaves the charts out.
	NoCharts
	// FailingOnly also leaves out the tables of passing scenarios and the
	// passing rows of the others; where their tables are still too long,
	// Fit keeps the first that fit, worst first, and counts the rest.
	FailingOnly
	// HeadlineOnly shows the verdict and one line per scenario.
	HeadlineOnly
)

var levelNames = []string{"full", "short details", "no charts", "failing only", "headline only"}

func (l Level) String() string {
	if l >= 0 && int(l) < len(levelNames) {
		return levelNames[l]
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// Fit renders r at the most detailed level whose size is at most limit;
// size measures a rendering (characters for a comment, bytes for a
// summary). When not even the headline fits, it is cut at a line and
// says so.
func (r *Report) Fit(limit int, size func(string) int) (string, Level) {
	for l := Full; l <= HeadlineOnly; l++ {
		md := r.Markdown(l)
		if size(md) <= limit {
			return md, l
		}
		if l == FailingOnly {
			// As many of the scenarios that did not pass as fit, worst
			// first, before only their headline lines: the tables are
			// what says why.
			if md, ok := r.fitTables(limit, size); ok {
				return md, l
			}
		}
	}
	md := r.Markdown(HeadlineOnly)
	lines := strings.SplitAfter(md, "\n")
	// The note counts the headline's lines it leaves out (a reader of
	// the first three failures took them for all); the budget keeps room
	// for the longest count.
	note := func(left int) string {
		return fmt.Sprintf("\n\n%s Left out: %s of the headline.\n", r.shortenedNote(), cell.Plural(left, "more line"))
	}
	budget := limit - size(note(len(lines)))
	var b strings.Builder
	cut, left := false, 0
	for _, line := range lines {
		cut = cut || size(b.String()+line) > budget
		switch {
		case !cut:
			b.WriteString(line)
		case strings.HasPrefix(line, "- "):
			left++
		}
	}
	if left == 0 {
		return strings.TrimRight(b.String(), "\n") + "\n\n" + r.shortenedNote() + "\n", HeadlineOnly
	}
	return strings.TrimRight(b.String(), "\n") + note(left), HeadlineOnly
}

// fitTables renders r at FailingOnly with the most scenario tables that
// fit limit, at least one; ok is false when not even one does.
func (r *Report) fitTables(limit int, size func(string) int) (md string, ok bool) {
	// Sizes grow with the number of tables: search for the largest count.
	lo, hi := 0, len(r.Scenarios) // lo tables are known to fit (0: unknown)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if m := r.markdown(FailingOnly, mid); size(m) <= limit {
			lo, md = mid, m
		} else {
			hi = mid - 1
		}
	}
	return md, lo > 0
}

// Chars is the size of a comment body as GitHub counts it: characters.
func Chars(s string) int { return utf8.RuneCountInString(s) }

// Bytes is the size of a job summary: bytes.
func Bytes(s string) int { return len(s) }

func (r *Report) shortenedNote() string {
	if r.inSummary {
		return "✂️ Shortened to stay under the job summary's 1 MiB: the full report is the file of the action's report output."
	}
	return "✂️ Shortened to fit GitHub's size limit: the full report is " + r.fullReport() + "."
}

// fullReport says where a shortened comment's reader finds what it left
// out: the job summary, or the report file when the summary is shortened
// too (a comment that pointed to it sent the reader to a page that
// lacked it as well).
func (r *Report) fullReport() string {
	switch {
	case r.SummaryShortened && r.ArtifactsURL != "":
		return "in `report.md`, in the results directory the workflow uploads ([this run's artifacts](" + r.ArtifactsURL + "#artifacts))"
	case r.SummaryShortened:
		return "in `report.md`, in the results directory the workflow uploads (the action's report-path output)"
	case r.SummaryURL != "":
		return "in the [job summary](" + r.SummaryURL + ")"
	}
	return "in the job summary"
}
