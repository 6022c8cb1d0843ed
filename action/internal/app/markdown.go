package app

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/slowest"
	"github.com/loadgate/loadgate/internal/verdict"
	"github.com/loadgate/loadgate/loadtest"
)

// Markdown renders the report at level l, starting with its marker.
func (r *Report) Markdown(l Level) string { return r.markdown(l, -1) }

// markdown renders the report at level l with the tables of at most
// tables scenarios (all of them when negative); the others are counted in
// a line that says where they are.
func (r *Report) markdown(l Level, tables int) string {
	var b strings.Builder
	if r.Marker != "" {
		b.WriteString(r.Marker + "\n")
	}
	name := "loadgate"
	if r.Key != "" {
		// The comment-key input, often a matrix value: as text, not
		// markup or a mention.
		name += " (" + cell.Markdown(r.Key) + ")"
	}
	fmt.Fprintf(&b, "## %s %s: %s\n\n", cell.Icon(r.Run.Shown()), name, r.title())
	if c := r.context(); c != "" {
		b.WriteString(c + "\n\n")
	}
	// Worst first: the failing scenarios, the packages that failed
	// without a scenario to blame (a build error), then the others, so
	// that a headline cut to fit (Fit) loses passing lines first.
	for _, s := range r.Scenarios {
		if s.Verdict == baseline.Fail {
			fmt.Fprintf(&b, "- %s %s\n", cell.Icon(s.Shown()), s.gist())
		}
	}
	for _, f := range r.Failures {
		if len(f.Scenarios) == 0 {
			fmt.Fprintf(&b, "- ❌ %s\n", r.failureText(f))
		}
	}
	for _, s := range r.Scenarios {
		if s.Verdict != baseline.Fail {
			fmt.Fprintf(&b, "- %s %s\n", cell.Icon(s.Shown()), s.gist())
		}
	}
	b.WriteString("\n")
	if l > Full {
		b.WriteString(r.shortenedNote() + "\n\n")
	}
	if l == HeadlineOnly {
		return r.footer(&b)
	}
	shown, left := 0, 0
	for _, s := range r.Scenarios {
		if l >= FailingOnly && s.Verdict == baseline.Pass {
			continue
		}
		if tables >= 0 && shown == tables {
			left++
			continue
		}
		shown++
		r.writeScenario(&b, s, l)
	}
	if left > 0 {
		fmt.Fprintf(&b, "✂️ The tables of %s are left out to fit: the headline above lists them.\n\n", cell.Plural(left, "more scenario"))
	}
	if l == Full {
		r.writeDetails(&b)
	} else {
		r.writeShortDetails(&b)
	}
	return r.footer(&b)
}

func (r *Report) footer(b *strings.Builder) string {
	if r.HTMLReport != "" {
		name := "`" + filepath.Base(r.HTMLReport) + "`"
		if r.ArtifactsURL != "" {
			fmt.Fprintf(b, "📊 Charts, SLO and the verdict per metric: the HTML report %s, in the results directory the workflow uploads ([this run's artifacts](%s#artifacts)).\n\n", name, r.ArtifactsURL)
		} else {
			fmt.Fprintf(b, "📊 Charts, SLO and the verdict per metric: the HTML report %s.\n\n", cell.Code(r.HTMLReport))
		}
	}
	if r.SummaryURL != "" {
		fmt.Fprintf(b, "<sub>[loadgate](https://github.com/loadgate/loadgate) · [job summary and logs](%s)</sub>\n", r.SummaryURL)
	} else {
		b.WriteString("<sub>[loadgate](https://github.com/loadgate/loadgate)</sub>\n")
	}
	return b.String()
}

// title says what the verdict rests on: every kind of failure there is
// (a headline of "1 regression" hid an SLA breach and a test that failed
// beside it, which fail-on sla fails on), else the most important thing.
func (r *Report) title() string {
	var fails []string
	if r.Regressions > 0 {
		fails = append(fails, cell.Plural(r.Regressions, "regression"))
	}
	if r.Breaches > 0 {
		fails = append(fails, "SLA breached")
	}
	if len(r.Failures) > 0 {
		fails = append(fails, "load tests failed")
	}
	switch {
	case len(fails) > 0:
		return strings.Join(fails, ", ")
	case r.Verdict == baseline.Fail:
		return "failed"
	case r.Verdict == baseline.Inconclusive && slices.ContainsFunc(r.Scenarios, func(s *Scenario) bool {
		return s.Verdict == baseline.Inconclusive && s.Comparison == nil && s.BaseFailed != ""
	}):
		return "inconclusive: the base failed"
	case r.Verdict == baseline.Inconclusive && slices.ContainsFunc(r.Scenarios, func(s *Scenario) bool {
		return s.Verdict == baseline.Inconclusive && s.PartialUnjudged()
	}):
		return "inconclusive: partial"
	case r.Verdict == baseline.Inconclusive && slices.ContainsFunc(r.Scenarios, func(s *Scenario) bool { return s.Verdict == baseline.Inconclusive && s.Bound() }):
		return "inconclusive: " + loadtest.BoundWord
	case r.Verdict == baseline.Inconclusive:
		return "inconclusive: too noisy to judge"
	case r.Verdict == baseline.Warn:
		return "warning"
	case !r.Run.Judged():
		// Nothing compared, no SLA limit checked: the icon is ⚪, and
		// the words say why rather than claim a pass.
		return verdict.NotJudgedWhy
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
		switch {
		case m.BaseFrom != "" && m.BaseSHA != "":
			// As text: a fork's job wrote the manifest a workflow_run job
			// comments from.
			base = cell.Code(cell.Commit(m.BaseSHA)) + ", " + cell.Markdown(m.BaseFrom)
		case m.BaseSHA != "":
			base = "merge base " + cell.Code(cell.Commit(m.BaseSHA))
		}
		return fmt.Sprintf("%s against %s, %s, interleaved on one runner.", capitalize(head), base, runs)
	default:
		if sh := m.Shard; sh != nil && sh.Index == 0 {
			split := fmt.Sprintf("one load split over %d generator jobs and merged", sh.Count)
			if len(sh.Missing) > 0 {
				split += fmt.Sprintf(" (%s missing: partial)", loadtest.ShardList(sh.Missing))
			}
			return fmt.Sprintf("%s, %s, against the baselines stored in the repository, %s.", capitalize(head), split, cell.Plural(m.Count, "run"))
		}
		return fmt.Sprintf("%s against the baselines stored in the repository, %s.", capitalize(head), cell.Plural(m.Count, "run"))
	}
}

func (r *Report) writeScenario(b *strings.Builder, s *Scenario, l Level) {
	fmt.Fprintf(b, "### %s %s\n\n", cell.Icon(s.Shown()), cell.CodeText(s.Name))
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
	switch {
	case s.Comparison == nil && s.BaseFailed != "":
		fmt.Fprintf(b, "❔ not compared: %s\n\n", cell.Markdown(s.BaseFailed))
	case s.NoBase != "":
		fmt.Fprintf(b, "ℹ️ %s\n\n", cell.Markdown(s.NoBase))
	}
	writeBound(b, s)
	if c := s.Comparison; c != nil {
		if len(c.EnvMismatch) > 0 {
			fmt.Fprintf(b, "⚠️ The machines differ (%s): absolute values are not comparable. Compare with `compare: base-ref` (the default on pull requests) to run both sides on one runner, or record the baselines on this runner class.\n\n",
				cell.Markdown(strings.Join(c.EnvMismatch, ", ")))
		}
		writeRows(b, "metric", c.Base.Label, c.Rows, l >= FailingOnly, "more metric", func(m string) string { return m })
		// What ± and ~ mean, in loadgate compare's words.
		b.WriteString("\n" + c.Legend() + "\n\n")
		// Where a change of the totals comes from: the rows of each
		// request name (they only warn), when a side has any to show.
		if slices.ContainsFunc(c.Names, func(r baseline.Row) bool { return l < FailingOnly || r.Verdict != baseline.Pass }) {
			b.WriteString("By request name (these only warn: the totals above decide), the worst first:\n\n")
			writeRows(b, "request", c.Base.Label, c.Names, l >= FailingOnly, "more row", cell.Code)
			b.WriteString("\n")
		}
	} else if len(s.Figures) > 0 {
		writeFigures(b, s.Figures)
	}
	if len(s.SLA) > 0 {
		b.WriteString("**SLA:** " + slaLine(s.SLA) + "\n\n")
	}
	b.WriteString("**Leaks:** " + leakLine(s) + "\n\n")
	if len(s.Errors) > 0 {
		b.WriteString("**Errors:** " + errorLine(s) + "\n\n")
	}
	writeShards(b, s, r.Manifest.Shard)
	if s.Cause != nil {
		s.Cause.WriteMarkdown(b)
	}
	if l < NoCharts {
		if chart := p99Chart(s); chart != "" {
			b.WriteString(chart + "\n")
		}
		writeSlowest(b, s)
	}
}

// writeRows writes rows as a table of the comparison, the first column
// headed first and written by metric; failingOnly leaves out the rows
// that passed, counting them as more (a "more metric").
func writeRows(b *strings.Builder, first, baseLabel string, rows []baseline.Row, failingOnly bool, more string, metric func(string) string) {
	b.WriteString("| " + first + " | " + cell.Markdown(baseLabel) + " | head | " + cell.ChangeHeading + " | verdict |\n")
	b.WriteString("|:--|--:|--:|--:|:--|\n")
	shown := 0
	for _, row := range rows {
		if failingOnly && row.Verdict == baseline.Pass {
			continue
		}
		shown++
		change := cell.ChangeOrSame(row.Change, row.Tested, row.Significant)
		if row.Verdict == baseline.Fail {
			change = "**" + change + "**"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", metric(row.Metric), cell.Median(row.Unit.Format(row.Base.Median), row.Base.N, row.Base.Median, row.Base.Lo, row.Base.Hi), cell.Median(row.Unit.Format(row.Head.Median), row.Head.N, row.Head.Median, row.Head.Lo, row.Head.Hi),
			change, verdictCell(row))
	}
	if hidden := len(rows) - shown; hidden > 0 {
		fmt.Fprintf(b, "| *%s passed* | | | | |\n", cell.Plural(hidden, more))
	}
}

// writeFigures writes what a scenario with nothing to compare with
// measured (verdict.Scenario.Figures), its cells as a comparison's head
// column writes them.
func writeFigures(b *strings.Builder, figs []baseline.Figure) {
	b.WriteString("| metric | head |\n|:--|--:|\n")
	for _, f := range figs {
		fmt.Fprintf(b, "| %s | %s |\n", f.Metric, cell.Median(f.Unit.Format(f.Median), f.N, f.Median, f.Lo, f.Hi))
	}
	b.WriteString("\n")
}

// writeBound says which runs were generator-bound (issue 21) and what
// that did to the verdict.
func writeBound(b *strings.Builder, s *Scenario) {
	runs, effect := s.GeneratorBound, ": the latencies are the generator's as much as the service's."
	advice := " Run where the generator has CPU to spare (a larger runner, fewer jobs beside it) or lower the load."
	if c := s.Comparison; c != nil {
		runs = c.GeneratorBound
		it := "it"
		if len(runs) > 1 {
			it = "them"
		}
		var unjudged, byChange []string
		for _, r := range c.Rows {
			switch {
			case r.GeneratorBound:
				unjudged = append(unjudged, cell.Code(r.Metric))
			case r.BoundByChange:
				byChange = append(byChange, cell.Code(r.Metric))
			}
		}
		switch {
		case len(byChange) > 0:
			// Only the head's runs were bound, base and head in turn:
			// no busy machine, the change.
			effect = fmt.Sprintf(", all of them the head's and none of the base's, which ran in turn with them: the change itself takes the CPU, so %s failed on every run.", strings.Join(byChange, ", "))
			advice = " Look at what the change does with the CPU."
		case len(unjudged) > 0:
			effect = fmt.Sprintf(", whose latencies are the generator's as much as the service's; without %s, %s could not be judged (inconclusive: each row says why). The error rate is judged on all runs.",
				it, strings.Join(unjudged, ", "))
		default:
			effect = fmt.Sprintf(", so the comparison judges latencies and throughput without %s, on the other runs; the error rate on all of them.", it)
		}
	}
	if len(runs) == 0 {
		return
	}
	fmt.Fprintf(b, "⚠️ **%s** — the load generator was the bottleneck in %s%s%s\n\n",
		loadtest.BoundWord, cell.Plural(len(runs), "run"), effect, advice)
	for _, r := range runs {
		fmt.Fprintf(b, "- %s\n", cell.Markdown(r))
	}
	b.WriteString("\n")
}

// maxOpenShardRows is the most rows of a scenario's shard table shown
// open; a longer one (several runs of many shards) is collapsed.
const maxOpenShardRows = 8

// writeShards writes how each shard of a merged result fared (issue 16):
// its rate, p99, start skew and generator health, so that one bad runner
// is seen, and whether shards are missing.
func writeShards(b *strings.Builder, s *Scenario, sh *ShardManifest) {
	if len(s.Shards) == 0 {
		return
	}
	for _, p := range s.Partial {
		fmt.Fprintf(b, "⚠️ %s\n\n", cell.Markdown(baseline.PartialWords([]string{p}, s.Spread)))
	}
	multi := s.Shards[len(s.Shards)-1].Run > 1
	// The split's shards, the missing ones too (the last may be one).
	n := 0
	if sh != nil {
		n = sh.Count
	}
	for _, r := range s.Shards {
		n = max(n, r.Index)
	}
	what := fmt.Sprintf("**Shards:** one load split over %d generators and merged; the verdict is the merged result's.", n)
	if len(s.Shards) > maxOpenShardRows {
		fmt.Fprintf(b, "<details><summary>Shards: %d generators, %s</summary>\n\n", n, cell.Plural(s.Shards[len(s.Shards)-1].Run, "run"))
		writeShardTable(b, s.Shards, false, multi)
		b.WriteString("\n</details>\n\n")
		return
	}
	b.WriteString(what + "\n\n")
	writeShardTable(b, s.Shards, false, multi)
	b.WriteString("\n")
}

// writeShardTable writes rows of shards (loadtest.ShardRun.Cells, as
// loadgate merge prints them), with the scenario and run columns when
// asked.
func writeShardTable(b *strings.Builder, rows []shardRow, scenario, run bool) {
	var head, align []string
	if scenario {
		head, align = append(head, "scenario"), append(align, ":--")
	}
	if run {
		head, align = append(head, "run"), append(align, "--:")
	}
	for _, c := range loadtest.ShardRunColumns {
		head = append(head, c)
		if c == "stopped" {
			align = append(align, ":--")
		} else {
			align = append(align, "--:")
		}
	}
	b.WriteString("| " + strings.Join(head, " | ") + " |\n|" + strings.Join(align, "|") + "|\n")
	for _, r := range rows {
		var cells []string
		if scenario {
			cells = append(cells, cell.Code(r.Scenario))
		}
		if run {
			cells = append(cells, fmt.Sprint(r.Run))
		}
		for _, c := range r.Cells() {
			cells = append(cells, cell.Markdown(c))
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
}

// writeSlowest writes the scenario's slowest requests (internal/slowest)
// and the head's flight recordings, collapsed: what an engineer looks up
// in the service's logs, its tracing backend and go tool trace.
func writeSlowest(b *strings.Builder, s *Scenario) {
	if len(s.Slowest) == 0 && len(s.Flights) == 0 {
		return
	}
	multi := s.HeadRuns > 1
	what := "Slowest requests"
	if len(s.Slowest) == 0 {
		what = "Flight recordings"
	} else if multi {
		what = fmt.Sprintf("Slowest requests of head's %d runs", s.HeadRuns)
	}
	fmt.Fprintf(b, "<details><summary>%s</summary>\n\n", what)
	if len(s.Slowest) > 0 {
		header, align := slowest.Header(multi), slowest.Align(multi)
		b.WriteString("| " + strings.Join(header, " | ") + " |\n|")
		for _, a := range align {
			if a == 'r' {
				b.WriteString("--:|")
			} else {
				b.WriteString(":--|")
			}
		}
		b.WriteString("\n")
		for _, row := range s.Slowest {
			cells := row.Cells(multi)
			for i, c := range cells {
				switch {
				case i >= len(cells)-2 && c != "-": // the request id and the trace id
					cells[i] = cell.Code(c)
				default:
					cells[i] = cell.Markdown(c)
				}
			}
			b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
		}
		b.WriteString("\nFind each by its request id in the service's logs and by its trace id in its tracing backend.\n")
	}
	if len(s.Flights) > 0 {
		b.WriteString("\nFlight recordings in the results directory (the `results-dir` output; `go tool trace` opens them):\n\n")
	}
	for _, f := range s.Flights {
		run := ""
		if multi {
			run = fmt.Sprintf("run %d, ", f.Run)
		}
		fmt.Fprintf(b, "- %s%s: %s\n", run, cell.Markdown(f.String()), cell.Code("head/"+f.File))
	}
	b.WriteString("\n</details>\n\n")
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
	switch m := r.Manifest; {
	case m.Reproduce != "" && r.ScriptFromPR:
		fmt.Fprintf(b, "\nThe commands the pull request's run gave to reproduce it (that run's code is the pull request's: read them before you run them):\n\n%s\n", fence("sh", m.Reproduce))
	case m.Reproduce != "":
		fmt.Fprintf(b, "\nTo reproduce on your machine, from the repository's root:\n\n%s\n", fence("sh", m.Reproduce))
	}
	b.WriteString("\n</details>\n\n")
}

func (r *Report) writeShortDetails(b *strings.Builder) {
	b.WriteString("<details><summary>Runs</summary>\n\n")
	r.writeRunCounts(b)
	where := r.fullReport()
	if r.inSummary { // not back to itself
		where = "in the full report, the file of the action's report output"
	}
	fmt.Fprintf(b, "\nEnvironments, notes, test output and the command to reproduce are %s.\n\n</details>\n\n", where)
}

func (r *Report) writeRunCounts(b *strings.Builder) {
	for _, s := range r.Scenarios {
		if s.Comparison != nil {
			fmt.Fprintf(b, "- %s: %s %s, head %s\n", cell.CodeText(s.Name), s.Comparison.Base.Label, cell.Plural(s.BaseRuns, "run"), cell.Plural(s.HeadRuns, "run"))
		} else {
			fmt.Fprintf(b, "- %s: head %s, nothing to compare with\n", cell.CodeText(s.Name), cell.Plural(s.HeadRuns, "run"))
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
