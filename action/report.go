package action

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/verdict"
	"github.com/loadgate/loadgate/loadtest"
)

// Size limits of what GitHub shows.
const (
	// MaxCommentChars is the longest comment body GitHub accepts: longer
	// ones fail with 422 "Body is too long (maximum is 65536 characters)".
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
	// passing rows of the others.
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
	}
	md := r.Markdown(HeadlineOnly)
	note := "\n\n" + r.shortenedNote() + "\n"
	budget := limit - size(note)
	lines := strings.SplitAfter(md, "\n")
	var b strings.Builder
	for _, line := range lines {
		if size(b.String()+line) > budget {
			break
		}
		b.WriteString(line)
	}
	return strings.TrimRight(b.String(), "\n") + note, HeadlineOnly
}

// Chars is the size of a comment body as GitHub counts it: characters.
func Chars(s string) int { return utf8.RuneCountInString(s) }

// Bytes is the size of a job summary: bytes.
func Bytes(s string) int { return len(s) }

func (r *Report) shortenedNote() string {
	if r.inSummary {
		return "✂️ Shortened to stay under the job summary's 1 MiB: the full report is the file of the action's report output."
	}
	where := "the job summary"
	if r.SummaryURL != "" {
		where = "the [job summary](" + r.SummaryURL + ")"
	}
	return "✂️ Shortened to fit GitHub's size limit: the full report is in " + where + "."
}

// Markdown renders the report at level l, starting with its marker.
func (r *Report) Markdown(l Level) string {
	var b strings.Builder
	if r.Marker != "" {
		b.WriteString(r.Marker + "\n")
	}
	name := "loadgate"
	if r.Key != "" {
		name += " (" + r.Key + ")"
	}
	fmt.Fprintf(&b, "## %s %s: %s\n\n", cell.Icon(r.Verdict.String()), name, r.title())
	if c := r.context(); c != "" {
		b.WriteString(c + "\n\n")
	}
	for _, s := range r.Scenarios {
		fmt.Fprintf(&b, "- %s %s\n", cell.Icon(s.Verdict.String()), s.gist())
	}
	for _, f := range r.Failures {
		if len(f.Scenarios) == 0 {
			fmt.Fprintf(&b, "- ❌ %s\n", r.failureText(f))
		}
	}
	b.WriteString("\n")
	if l > Full {
		b.WriteString(r.shortenedNote() + "\n\n")
	}
	if l == HeadlineOnly {
		return r.footer(&b)
	}
	for _, s := range r.Scenarios {
		if l >= FailingOnly && s.Verdict == baseline.Pass {
			continue
		}
		r.writeScenario(&b, s, l)
	}
	if l == Full {
		r.writeDetails(&b)
	} else {
		r.writeShortDetails(&b)
	}
	return r.footer(&b)
}

func (r *Report) footer(b *strings.Builder) string {
	if r.SummaryURL != "" {
		fmt.Fprintf(b, "<sub>[loadgate](https://github.com/loadgate/loadgate) · [job summary and logs](%s)</sub>\n", r.SummaryURL)
	} else {
		b.WriteString("<sub>[loadgate](https://github.com/loadgate/loadgate)</sub>\n")
	}
	return b.String()
}

// title says the most important thing the verdict rests on.
func (r *Report) title() string {
	switch {
	case r.Regressions > 0:
		return cell.Plural(r.Regressions, "regression")
	case r.Breaches > 0:
		return "SLA breached"
	case len(r.Failures) > 0:
		return "load tests failed"
	case r.Verdict == baseline.Fail:
		return "failed"
	case r.Verdict == baseline.Warn:
		return "warning"
	}
	return "no regression"
}

// context says what was compared with what.
func (r *Report) context() string {
	m := r.Manifest
	head := "head"
	if m.HeadSHA != "" {
		head = "head " + cell.Code(cell.Commit(m.HeadSHA))
	}
	runs := fmt.Sprintf("%s a side", cell.Plural(m.Count, "run"))
	switch r.Compare {
	case CompareBaseRef:
		base := "the merge base"
		if m.BaseSHA != "" {
			base = "merge base " + cell.Code(cell.Commit(m.BaseSHA))
		}
		return fmt.Sprintf("%s against %s, %s, interleaved on one runner.", capitalize(head), base, runs)
	default:
		return fmt.Sprintf("%s against the baselines stored in the repository, %s.", capitalize(head), cell.Plural(m.Count, "run"))
	}
}

// gist is the scenario's one line: its most telling change, its SLA and
// its leaks.
func (s *Scenario) gist() string {
	var parts []string
	name := cell.Code(s.Name)
	sla := s.slaGist()
	breach := len(baseline.SLABreaches(s.SLA)) > 0
	if breach {
		// A breached limit says more than any change.
		parts = append(parts, name+": "+sla)
		sla = ""
	}
	row, telling := s.telling()
	c := s.Comparison
	switch {
	case telling && breach:
		parts = append(parts, fmt.Sprintf("%s %s (%s)", row.Metric, cell.Change(row.Change), qualifier(row)))
	case telling:
		parts = append(parts, fmt.Sprintf("%s of %s %s (%s)", row.Metric, name, cell.Change(row.Change), qualifier(row)))
	case breach: // the breach was the news
	case c != nil && len(c.Rows) > 0 && !c.Rows[0].Tested:
		parts = append(parts, fmt.Sprintf("%s: no notable change (n=%s, too few runs to confirm one)", name, cell.Runs(c.Rows[0].Base.N, c.Rows[0].Head.N)))
	case c != nil:
		parts = append(parts, name+": no significant change")
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
	if s.Comparison != nil && len(s.Comparison.EnvMismatch) > 0 {
		parts = append(parts, "machines differ")
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
	case !r.Tested:
		return fmt.Sprintf("n=%s, too few runs to confirm", cell.Runs(r.Base.N, r.Head.N))
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
		text := fmt.Sprintf("SLA %s breached", cell.Code(b.First.Expr))
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
		quoted[i] = cell.Code(e)
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

func (r *Report) writeScenario(b *strings.Builder, s *Scenario, l Level) {
	fmt.Fprintf(b, "### %s %s\n\n", cell.Icon(s.Verdict.String()), cell.Code(s.Name))
	var meta []string
	if s.Test != "" {
		meta = append(meta, r.testRef(s.Package, s.Test))
	}
	if s.Comparison != nil {
		meta = append(meta, fmt.Sprintf("%s %s, head %s", s.Comparison.Base.Label, cell.Plural(s.BaseRuns, "run"), cell.Plural(s.HeadRuns, "run")))
	} else {
		meta = append(meta, "head "+cell.Plural(s.HeadRuns, "run"))
	}
	b.WriteString(strings.Join(meta, " · ") + "\n\n")
	if s.NoBase != "" {
		fmt.Fprintf(b, "ℹ️ %s\n\n", cell.Markdown(s.NoBase))
	}
	if c := s.Comparison; c != nil {
		if len(c.EnvMismatch) > 0 {
			fmt.Fprintf(b, "⚠️ The machines differ (%s): absolute values are not comparable, so regressions only warn. Compare with `compare: base-ref` to run both sides on one runner.\n\n",
				cell.Markdown(strings.Join(c.EnvMismatch, ", ")))
		}
		b.WriteString("| metric | " + cell.Markdown(c.Base.Label) + " | head | change | verdict |\n")
		b.WriteString("|:--|--:|--:|--:|:--|\n")
		shown := 0
		for _, row := range c.Rows {
			if l >= FailingOnly && row.Verdict == baseline.Pass {
				continue
			}
			shown++
			change := cell.ChangeOrSame(row.Change, row.Tested, row.Significant)
			if row.Verdict == baseline.Fail {
				change = "**" + change + "**"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", row.Metric, cell.Median(row.Unit.Format(row.Base.Median), row.Base.N, row.Base.Median, row.Base.Lo, row.Base.Hi), cell.Median(row.Unit.Format(row.Head.Median), row.Head.N, row.Head.Median, row.Head.Lo, row.Head.Hi),
				change, verdictCell(row))
		}
		if hidden := len(c.Rows) - shown; hidden > 0 {
			fmt.Fprintf(b, "| *%s passed* | | | | |\n", cell.Plural(hidden, "more metric"))
		}
		b.WriteString("\n")
	}
	if len(s.SLA) > 0 {
		b.WriteString("**SLA:** " + slaLine(s.SLA) + "\n\n")
	}
	b.WriteString("**Leaks:** " + leakLine(s) + "\n\n")
	if l < NoCharts {
		if chart := p99Chart(s); chart != "" {
			b.WriteString(chart + "\n")
		}
	}
}

// slaLine renders each expression once: the worst run's value when it
// held, the first breach otherwise.
func slaLine(outs []baseline.SLAOutcome) string {
	bs := baseline.SLABreaches(outs)
	var parts []string
	for _, expr := range slaExprs(outs) {
		if i := slices.IndexFunc(bs, func(b baseline.SLABreach) bool { return b.First.Expr == expr }); i >= 0 {
			b := bs[i]
			text := fmt.Sprintf("❌ %s: %s", cell.Code(expr), cell.Markdown(stripScenario(b.First.Message)))
			if b.Of > 1 {
				text += fmt.Sprintf(" (run %d; breached in %d of %d runs)", b.First.Run, b.Runs, b.Of)
			}
			parts = append(parts, text)
			continue
		}
		w, ok := worstOutcome(outs, expr)
		if !ok || w.Err != nil {
			parts = append(parts, "✅ "+cell.Code(expr))
			continue
		}
		label := "worst run"
		if countRuns(outs, expr) == 1 {
			label = "measured"
		}
		parts = append(parts, fmt.Sprintf("✅ %s (%s %s)", cell.Code(expr), label, w.Unit.Format(w.Actual)))
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

// maxChartPoints bounds a chart's points: longer loads are shown in
// buckets of several seconds, each the worst second of its bucket.
const maxChartPoints = 60

// p99Chart draws the p99 per second of both sides as a Mermaid
// xychart-beta, which GitHub renders.
func p99Chart(s *Scenario) string {
	if len(s.HeadP99) == 0 {
		return ""
	}
	n := max(len(s.HeadP99), len(s.BaseP99))
	step := (n + maxChartPoints - 1) / maxChartPoints
	var xs []string
	bucket := func(v []float64) []string {
		var out []string
		for i := 0; i < n; i += step {
			w := math.NaN()
			for j := i; j < i+step && j < len(v); j++ {
				if !math.IsNaN(v[j]) && (math.IsNaN(w) || v[j] > w) {
					w = v[j]
				}
			}
			if math.IsNaN(w) {
				w = 0 // Mermaid has no gaps; no request completed here
			}
			out = append(out, strconv.FormatFloat(math.Round(w/1e4)/100, 'f', -1, 64))
		}
		return out
	}
	for i := 0; i < n; i += step {
		xs = append(xs, strconv.Itoa(i+1))
	}
	var b strings.Builder
	b.WriteString("```mermaid\n")
	// Base in grey, head in red: xychart-beta draws no legend, so the
	// colours are fixed and named in the caption below.
	b.WriteString(`%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#8c959f, #cf222e"}}}}%%` + "\n")
	b.WriteString("xychart-beta\n")
	fmt.Fprintf(&b, "    title \"p99 latency per second (ms)\"\n")
	fmt.Fprintf(&b, "    x-axis \"second of the load\" [%s]\n", strings.Join(xs, ", "))
	b.WriteString("    y-axis \"p99 (ms)\"\n")
	if len(s.BaseP99) > 0 {
		fmt.Fprintf(&b, "    line [%s]\n", strings.Join(bucket(s.BaseP99), ", "))
	}
	fmt.Fprintf(&b, "    line [%s]\n", strings.Join(bucket(s.HeadP99), ", "))
	b.WriteString("```\n")
	runs := func(n int) string {
		if n == 1 {
			return "1 run"
		}
		return fmt.Sprintf("median of %d runs", n)
	}
	per := ""
	if step > 1 {
		per = fmt.Sprintf("; each point is the worst second of %d", step)
	}
	if len(s.BaseP99) == 0 {
		fmt.Fprintf(&b, "<sub>head: %s%s</sub>\n", runs(s.HeadRuns), per)
	} else {
		fmt.Fprintf(&b, "<sub>grey: base (%s) · red: head (%s)%s</sub>\n", runs(s.BaseRuns), runs(s.HeadRuns), per)
	}
	return b.String()
}

func (r *Report) writeDetails(b *strings.Builder) {
	b.WriteString("<details><summary>Runs, environments and how to reproduce</summary>\n\n")
	r.writeRunCounts(b)
	baseEnvs, headEnvs := r.envs()
	if len(baseEnvs)+len(headEnvs) > 0 {
		b.WriteString("\n| | base | head |\n|:--|:--|:--|\n")
		m := r.Manifest
		if m.BaseSHA != "" || m.HeadSHA != "" {
			fmt.Fprintf(b, "| commit | %s | %s |\n", orDash(codeIf(cell.Commit(m.BaseSHA))), orDash(codeIf(cell.Commit(m.HeadSHA))))
		}
		be, he := strings.Join(baseEnvs, "; "), strings.Join(headEnvs, "; ")
		if he == be {
			he = "same"
		}
		fmt.Fprintf(b, "| machine | %s | %s |\n", orDash(cell.Markdown(be)), orDash(cell.Markdown(he)))
	}
	var notes []string
	for _, s := range r.Scenarios {
		if s.Comparison == nil {
			continue
		}
		for _, w := range s.Comparison.Warnings {
			if n := cell.Markdown(w.Error()); !slices.Contains(notes, n) {
				notes = append(notes, n)
			}
		}
	}
	for _, n := range r.Notes {
		notes = append(notes, cell.Markdown(n))
	}
	for _, f := range r.BaseFailures {
		notes = append(notes, "on the base, "+r.failureText(f))
	}
	if len(notes) > 0 {
		b.WriteString("\n")
		for _, n := range notes {
			fmt.Fprintf(b, "- note: %s\n", n)
		}
	}
	for _, f := range r.Failures {
		if f.Output == "" {
			continue
		}
		name := f.Test
		if name == "" {
			name = f.Package
		}
		fmt.Fprintf(b, "\nOutput of %s (head, last lines):\n\n%s\n", cell.Code(name), fence("text", f.Output))
	}
	if m := r.Manifest; m.Reproduce != "" {
		fmt.Fprintf(b, "\nTo reproduce on your machine, from the repository's root:\n\n%s\n", fence("sh", m.Reproduce))
	}
	b.WriteString("\n</details>\n\n")
}

func (r *Report) writeShortDetails(b *strings.Builder) {
	b.WriteString("<details><summary>Runs</summary>\n\n")
	r.writeRunCounts(b)
	where := "the job summary"
	if r.SummaryURL != "" {
		where = "the [job summary](" + r.SummaryURL + ")"
	}
	fmt.Fprintf(b, "\nEnvironments, notes, test output and the command to reproduce are in %s.\n\n</details>\n\n", where)
}

func (r *Report) writeRunCounts(b *strings.Builder) {
	for _, s := range r.Scenarios {
		if s.Comparison != nil {
			fmt.Fprintf(b, "- %s: %s %s, head %s\n", cell.Code(s.Name), s.Comparison.Base.Label, cell.Plural(s.BaseRuns, "run"), cell.Plural(s.HeadRuns, "run"))
		} else {
			fmt.Fprintf(b, "- %s: head %s, nothing to compare with\n", cell.Code(s.Name), cell.Plural(s.HeadRuns, "run"))
		}
	}
}

// envs lists the distinct machines of each side.
func (r *Report) envs() (base, head []string) {
	add := func(list *[]string, e loadtest.Env) {
		if d := e.String(); d != "" && !slices.Contains(*list, d) {
			*list = append(*list, d)
		}
	}
	for _, s := range r.Scenarios {
		if s.Comparison == nil {
			continue
		}
		add(&base, s.Comparison.Base.Env)
		add(&head, s.Comparison.Head.Env)
	}
	return base, head
}

// failureText is "`TestX` in `pkg` failed in 2 of 5 runs (file:line)".
func (r *Report) failureText(f Failure) string {
	what := cell.Code(f.Package) + " failed to build or run"
	if f.Test != "" {
		what = r.testRef(f.Package, f.Test) + " failed"
	}
	if f.Of > 1 {
		what += fmt.Sprintf(" in %d of %d runs", f.Runs, f.Of)
	}
	if f.Output != "" {
		if line := firstErrorLine(f.Output); line != "" {
			what += ": " + cell.Markdown(line)
		}
	}
	return what
}

// testRef names a test function, linked to its declaration when known.
func (r *Report) testRef(pkg, test string) string {
	text := cell.Code(test)
	p, ok := r.Manifest.Positions[pkg+"."+test]
	if !ok {
		return text + " in " + cell.Code(pkg)
	}
	if link := r.blobURL(p); link != "" {
		return fmt.Sprintf("%s ([%s](%s))", text, p, link)
	}
	return fmt.Sprintf("%s (%s)", text, cell.Code(p.String()))
}

func (r *Report) blobURL(p Position) string {
	sha := r.Manifest.PRHeadSHA
	if sha == "" {
		sha = r.Manifest.HeadSHA
	}
	if r.ServerURL == "" || r.Repository == "" || sha == "" {
		return ""
	}
	return fmt.Sprintf("%s/%s/blob/%s/%s#L%d", strings.TrimSuffix(r.ServerURL, "/"), r.Repository, sha, p.File, p.Line)
}

// firstErrorLine picks the line of a test's output that says what went
// wrong: the first "file.go:NN: …" line, else the first non-blank one.
func firstErrorLine(out string) string {
	var lines []string
	for line := range strings.Lines(out) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "=== ") || strings.HasPrefix(line, "--- ") {
			continue
		}
		lines = append(lines, line)
	}
	pick := ""
	for i, line := range lines {
		if strings.Contains(line, ".go:") && !strings.HasPrefix(line, "panic") {
			pick = line
			// t.Error with a message that starts on the next line.
			if strings.HasSuffix(line, ":") && i+1 < len(lines) {
				pick += " " + lines[i+1]
			}
			break
		}
	}
	if pick == "" && len(lines) > 0 {
		pick = lines[0]
	}
	if utf8.RuneCountInString(pick) > 200 {
		pick = string([]rune(pick)[:200]) + "…"
	}
	return pick
}

func verdictCell(r baseline.Row) string {
	var parts []string
	parts = append(parts, cell.Icon(r.Verdict.String()))
	if r.Note != "" {
		parts = append(parts, cell.Markdown(r.Note))
	}
	if r.Tested && r.P < 1 {
		parts = append(parts, fmt.Sprintf("(p=%.3f)", r.P))
	} else if !r.Tested {
		parts = append(parts, "(n="+cell.Runs(r.Base.N, r.Head.N)+")")
	}
	return strings.Join(parts, " ")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func codeIf(s string) string {
	if s == "" {
		return ""
	}
	return cell.Code(s)
}

// fence puts text in a fenced code block longer than any fence inside it.
func fence(lang, text string) string {
	f := "```"
	for strings.Contains(text, f) {
		f += "`"
	}
	return f + lang + "\n" + strings.TrimRight(text, "\n") + "\n" + f
}
