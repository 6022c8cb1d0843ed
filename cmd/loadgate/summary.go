package main

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/errorkinds"
	"github.com/loadgate/loadgate/internal/gotest"
	"github.com/loadgate/loadgate/internal/slowest"
	"github.com/loadgate/loadgate/internal/texttable"
	"github.com/loadgate/loadgate/internal/verdict"
	"github.com/loadgate/loadgate/loadtest"
)

// writeSummary writes what a run of load tests found, in the order a
// reader needs it: every scenario, its slowest requests, the comparison
// with baselines (or the baselines recorded), where the time went when the
// runs took profiles, leaks, the failed tests with their output, and a last
// line with the verdict.
func writeSummary(w io.Writer, o *runOutcome) {
	writeScenarios(w, o)
	writeErrors(w, o)
	writeSlowest(w, o)
	if o.Config.Update {
		writeWritten(w, o)
	} else {
		writeChecks(w, o)
	}
	writeWhereTimeWent(w, o)
	writeLeaks(w, o)
	writeFailures(w, o)
	fmt.Fprintf(w, "\n%s\n", verdictLine(o))
}

// writeScenarios writes a table per package: one row per scenario, with
// the median of its runs.
func writeScenarios(w io.Writer, o *runOutcome) {
	keys := o.Results.keys()
	if len(keys) == 0 {
		switch {
		case o.Interrupted:
			fmt.Fprintf(w, "\nno scenario finished before the interrupt\n")
		case len(o.Session.Order) == 0 && o.earlyFailure() != "":
			// go test failed before it ran a test: that, not -run, is why.
			fmt.Fprintf(w, "\nno scenario ran: %s\n", o.earlyFailure())
		case len(o.Session.Order) == 0:
			fmt.Fprintf(w, "\nno scenario ran: -run %q matched no test\n", o.Config.Run)
		default:
			fmt.Fprintf(w, "\nno scenario ran: the tests that ran wrote no result (loadtest.Run writes one per scenario)\n")
		}
		return
	}
	var notes []string
	// A test that starts its own server and never calls
	// loadtest.TargetURL ignores -target: its result names no target.
	// Without a note the run passed as if the service at -target had
	// been loaded.
	target := cmp.Or(o.Config.Target, os.Getenv(loadtest.EnvTarget))
	var untargeted []string
	multi := false
	pkg := "\x00"
	var t *texttable.Table
	for _, k := range keys {
		rs := o.Results.Results[k]
		if len(rs) == 0 {
			continue
		}
		if k.Package != pkg {
			if t != nil {
				io.WriteString(w, t.String())
			}
			pkg = k.Package
			fmt.Fprintf(w, "\n== scenarios of %s\n", orUnknown(pkg))
			t = &texttable.Table{Align: "llrrrrrrr"}
			t.Add("scenario", "test", "runs", "requests", "errors", "rate", "p50", "p99", "max")
		}
		multi = multi || len(rs) > 1
		// The rate and latencies of a generator-bound run measured the
		// generator: as the comparison and the HTML report do, the
		// median is of the other runs, when there are any.
		all := resultsOf(rs)
		timed := loadtest.Timed(all)
		if left := len(all) - len(timed); left > 0 {
			notes = append(notes, fmt.Sprintf("%s: rate, p50, p99 and max leave out the %d of these %d runs that %s %s, as the comparison leaves out the bound runs of either side",
				k.Scenario, left, len(all), map[bool]string{true: "was", false: "were"}[left == 1], loadtest.BoundWord))
		}
		t.Add(k.Scenario, o.testOutcome(k.Package, rs[0].Test), fmt.Sprint(len(rs)),
			fmt.Sprintf("%.0f", median(all, func(r *loadtest.Result) float64 { return float64(r.Requests) })),
			assert.UnitRatio.Format(median(all, func(r *loadtest.Result) float64 { return r.ErrorRate })),
			assert.UnitRate.Format(median(timed, func(r *loadtest.Result) float64 { return r.Rate })),
			duration(median(timed, func(r *loadtest.Result) float64 { return float64(r.Latency.P50NS) })),
			duration(median(timed, func(r *loadtest.Result) float64 { return float64(r.Latency.P99NS) })),
			duration(median(timed, func(r *loadtest.Result) float64 { return float64(r.Latency.MaxNS) })))
		if target != "" && slices.ContainsFunc(rs, func(r resultFile) bool { return r.Env.Target == "" }) {
			untargeted = append(untargeted, k.Scenario)
		}
		for i, r := range rs {
			run := ""
			if len(rs) > 1 {
				run = fmt.Sprintf(" run %d", i+1)
			}
			if st := r.Stopped; st != nil {
				where := ""
				if st.Stage != "" {
					where = " in stage " + st.Stage
				}
				notes = append(notes, fmt.Sprintf("%s%s stopped early (%s)%s: %s", k.Scenario, run, st.Cause, where, st.Reason))
			}
		}
	}
	io.WriteString(w, t.String())
	for _, k := range keys {
		notes = append(notes, runWarnings(k.Scenario, o.Results.Results[k])...)
	}
	if multi {
		fmt.Fprintln(w, "(with more than one run: the median of the runs)")
	}
	if len(untargeted) > 0 {
		notes = append(notes, fmt.Sprintf("-target %s was not loaded by %s (their tests loaded a server of their own): a test sends its load to -target (%s) only when it takes its base URL from loadtest.TargetURL",
			target, strings.Join(untargeted, ", "), loadtest.EnvTarget))
	}
	for _, n := range notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}

// runWarnings writes the warnings of a scenario's runs in their own words
// (Result.Warnings: arrivals dropped, requests abandoned, a generator-bound
// run, a Flow that sent no step, request names over the limit, idle
// connections left open), which only go test -v showed: "mix run 2: …".
// A warning that says the same of several runs, their figures apart, is
// written once, for the first, naming the others: "(runs 3, 5 alike)".
func runWarnings(scenario string, rs []resultFile) []string {
	type group struct {
		text string
		runs []int // 1-based
	}
	var groups []*group
	byShape := map[string]*group{}
	for i, r := range rs {
		// Two warnings of one run alike in shape are two lines: the
		// stages "10 users" and "50 users" both cut short by their bound
		// were one line, "(run 1 alike)", the second's stage lost.
		nth := map[string]int{}
		for _, w := range r.Warnings {
			shape := warningShape(w)
			key := shape + "\x00" + strconv.Itoa(nth[shape])
			nth[shape]++
			g := byShape[key]
			if g == nil {
				g = &group{text: w}
				byShape[key] = g
				groups = append(groups, g)
			}
			g.runs = append(g.runs, i+1)
		}
	}
	var out []string
	for _, g := range groups {
		line := scenario
		if len(rs) > 1 {
			line += fmt.Sprintf(" run %d", g.runs[0])
		}
		line += ": " + g.text
		if others := g.runs[1:]; len(others) > 0 {
			s := make([]string, len(others))
			for i, n := range others {
				s[i] = strconv.Itoa(n)
			}
			word := "run"
			if len(others) > 1 {
				word = "runs"
			}
			line += fmt.Sprintf(" (%s %s alike)", word, strings.Join(s, ", "))
		}
		out = append(out, line)
	}
	return out
}

// warningShape is a warning with its figures, which runs alike differ in,
// written as "#": the number that names a stage or a shard is kept, for
// the warnings of stage 1 in one run and of stage 2 in another are not
// alike.
func warningShape(w string) string {
	return warningNumbers.ReplaceAllStringFunc(w, func(m string) string {
		if strings.Contains(m, " ") {
			return m // "stage 2"
		}
		return "#"
	})
}

// warningNumbers matches the numbers of a warning, with the word that makes one
// a name rather than a figure.
var warningNumbers = regexp.MustCompile(`(\b(?:stage|shard) )?[0-9]+(\.[0-9]+)?`)

// judged are the scenarios the verdict judged; none when there is no
// verdict yet.
func (o *runOutcome) judged() []*verdict.Scenario {
	if o.Verdict == nil {
		return nil
	}
	return o.Verdict.Scenarios
}

// writeErrors writes what the errors of each scenario that had any were:
// their kinds, the most frequent first, with a message of each
// (internal/errorkinds), over the scenario's runs.
func writeErrors(w io.Writer, o *runOutcome) {
	header := false
	for _, k := range o.Results.keys() {
		rs := o.Results.Results[k]
		// The kinds no base run had are marked new, as the Action's
		// comment and the HTML report mark them.
		var newKinds []string
		for _, s := range o.judged() {
			if s.Package == k.Package && s.Name == k.Scenario {
				newKinds = s.NewErrorKinds()
			}
		}
		kinds := errorkinds.Of(resultsOf(rs), newKinds)
		if len(kinds) == 0 {
			continue
		}
		if !header {
			fmt.Fprintf(w, "\n== errors by kind (a message of each; the result files keep more)\n")
			header = true
		}
		fmt.Fprintf(w, "%s:\n", k.Scenario)
		multi := len(rs) > 1
		t := &texttable.Table{Align: errorkinds.Align(multi)}
		t.Add(errorkinds.Header(multi)...)
		for _, row := range errorkinds.Rows(kinds, len(rs)) {
			t.Add(row...)
		}
		io.WriteString(w, t.String())
		if more := errorkinds.More(kinds); more != "" {
			fmt.Fprintln(w, more)
		}
	}
}

// writeSlowest writes a short table per scenario of its slowest requests
// over its runs (internal/slowest), with the ids to find them by in the
// service's logs and tracing backend, and where each run's flight
// recording is.
func writeSlowest(w io.Writer, o *runOutcome) {
	header := false
	for _, k := range o.Results.keys() {
		rs := o.Results.Results[k]
		rows := slowest.Of(resultsOf(rs), slowest.Shown)
		var flights []string
		for i, r := range rs {
			if fr := r.FlightRecording; fr != nil && fr.File != "" {
				run := ""
				if len(rs) > 1 {
					run = fmt.Sprintf("run %d: ", i+1)
				}
				flights = append(flights, fmt.Sprintf("%sflight recording %s: %s", run, fr, relPath(filepath.Join(filepath.Dir(r.Path), fr.File))))
			}
		}
		if len(rows) == 0 && len(flights) == 0 {
			continue
		}
		if !header {
			fmt.Fprintf(w, "\n== slowest requests (find them by request id in the service's logs, by trace id in its tracing backend)\n")
			header = true
		}
		fmt.Fprintf(w, "%s:\n", k.Scenario)
		if len(rows) > 0 {
			multi := len(rs) > 1
			t := &texttable.Table{Align: slowest.Align(multi)}
			t.Add(slowest.Header(multi)...)
			for _, r := range rows {
				t.Add(r.Cells(multi)...)
			}
			io.WriteString(w, t.String())
		}
		for _, f := range flights {
			fmt.Fprintln(w, f)
		}
	}
}

func orUnknown(pkg string) string {
	if pkg == "" {
		return "an unknown package"
	}
	return pkg
}

// testOutcome is the status of the test that ran a scenario.
func (o *runOutcome) testOutcome(pkg, test string) string {
	t := o.Session.Tests[gotest.Key{Package: pkg, Test: test}]
	if t == nil {
		return "?"
	}
	return strings.ToUpper(t.Outcome())
}

func median(rs []*loadtest.Result, f func(*loadtest.Result) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	n := len(v)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

func duration(ns float64) string { return assert.UnitDuration.Format(ns) }

// writeChecks writes the verdict of each comparison with a baseline, and
// the table of those that did not pass; and the SLA breaches of scenarios
// with nothing to compare with, whose limits hold all the same.
func writeChecks(w io.Writer, o *runOutcome) {
	var lines, missing, notRun []string
	var tables []*baseline.Comparison
	for _, s := range o.Verdict.Scenarios {
		switch {
		case s.Err != nil:
			lines = append(lines, fmt.Sprintf("ERROR  %s: %v", s.Name, s.Err))
		case s.Comparison != nil:
			c := s.Comparison
			against := relPath(s.StoredPath)
			if o.Base != nil && s.StoredPath == "" {
				against = "base " + cell.Commit(o.Base.Commit)
			}
			runs := fmt.Sprintf("%d runs", c.Head.Runs)
			if c.Head.Runs == 1 {
				runs = "1 run"
			}
			line := fmt.Sprintf("%-5s  %s: %s against the %d of %s", strings.ToUpper(c.Verdict.String()),
				s.Name, runs, c.Base.Runs, against)
			if why := o.Stops[scenarioKey{s.Package, s.Name}]; why != "" {
				line += " (" + why + ")"
			}
			lines = append(lines, line)
			if c.Verdict != baseline.Pass {
				tables = append(tables, c)
			} else if len(c.GeneratorBound) > 0 {
				// No table to show it: say which runs were left out.
				for _, w := range c.Warnings {
					if strings.Contains(w.Error(), loadtest.BoundWord) {
						lines = append(lines, "       note: "+w.Error())
					}
				}
			}
		case s.BaseFailed != "":
			lines = append(lines, fmt.Sprintf("%-5s  %s: not compared: %s", strings.ToUpper(s.Verdict.String()), s.Name, s.BaseFailed))
			for _, b := range baseline.SLABreaches(s.SLA) {
				lines = append(lines, fmt.Sprintf("FAIL   %s: %s", s.Name, b))
			}
		case strings.HasPrefix(s.NoBase, noBaseShardPrefix):
			// Not a baseline to record: a shard is never compared. Its
			// word is NOT JUDGED unless its SLA limits or leaks judged it.
			lines = append(lines, fmt.Sprintf("%-5s  %s: %s", s.Word(), s.Name, s.NoBase))
			for _, b := range baseline.SLABreaches(s.SLA) {
				lines = append(lines, fmt.Sprintf("FAIL   %s: %s", s.Name, b))
			}
		case o.Base != nil && strings.HasPrefix(s.NoBase, "not run on the base"):
			notRun = append(notRun, s.Name)
			for _, b := range baseline.SLABreaches(s.SLA) {
				lines = append(lines, fmt.Sprintf("FAIL   %s: %s", s.Name, b))
			}
		default:
			missing = append(missing, s.Name)
			for _, b := range baseline.SLABreaches(s.SLA) {
				lines = append(lines, fmt.Sprintf("FAIL   %s: %s", s.Name, b))
			}
		}
	}
	notes := slices.Concat(o.Notes, o.fallbacks, o.SLAUnmatched, o.orphans)
	if o.Base != nil {
		notes = append(notes, o.Base.notes()...)
	}
	if len(lines) == 0 && len(missing) == 0 && len(notRun) == 0 && len(notes) == 0 {
		return
	}
	fmt.Fprintf(w, "\n== baselines\n")
	if o.Base != nil {
		fmt.Fprintf(w, "compared with %s (%s), base and head run in turn on this machine\n", cell.Commit(o.Base.Commit), o.Base.Why)
	}
	for _, n := range notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
	for _, c := range tables {
		fmt.Fprintln(w)
		c.WriteText(w)
	}
	if len(notRun) > 0 {
		fmt.Fprintf(w, "not run on the base %s: %s\n", cell.Commit(o.Base.Commit), strings.Join(notRun, ", "))
	}
	if len(missing) > 0 {
		dir := baseline.DefaultDir + " of its package"
		if o.Config.Baselines != "" {
			dir = relPath(o.Config.Baselines)
		}
		fmt.Fprintf(w, "no baseline in %s for %s\n", dir, strings.Join(missing, ", "))
		fmt.Fprintf(w, "  (tests that call baseline.Check record theirs with: loadgate baseline update)\n")
	}
}

// writeWritten lists the baselines a run recorded.
func writeWritten(w io.Writer, o *runOutcome) {
	fmt.Fprintf(w, "\n== baselines recorded\n")
	if o.BaselineErr != nil {
		fmt.Fprintf(w, "ERROR  %v\n", o.BaselineErr)
	}
	switch {
	case len(o.Written) > 0:
		writeBaselineTable(w, o.Written)
	case len(o.Staged) > 0:
		fmt.Fprintf(w, "none\n")
	case o.checkFailed():
		fmt.Fprintf(w, "none: baseline.Check refused to record (see the failed tests above)\n")
	default:
		fmt.Fprintf(w, "none: no test that ran called baseline.Check (-run %q)\n", o.Config.Run)
	}
	for _, p := range o.Staged {
		fmt.Fprintf(w, "NOT RECORDED  %s: the update stopped after %s; the stored baseline is unchanged (the staged runs were removed from %s)\n",
			p.Baseline.Scenario, cell.Plural(len(p.Baseline.Runs), "run"), p.Path)
	}
	for _, n := range o.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}

// writeLeaks lists goroutines that outlived their scenario: in the test
// process, as the harness found them (they fail the test unless the
// scenario only reports leaks); for a watched server, the groups that grew
// only when the test failed on the server's goroutines. A server's
// goroutines come and go (an accept loop, idle connections): growth within
// what the test allowed (assert.ServerSettled's tolerance), or in a test
// that passed, is no leak.
func writeLeaks(w io.Writer, o *runOutcome) {
	var lines []string
	for _, k := range o.Results.keys() {
		for i, r := range o.Results.Results[k] {
			name := k.Scenario
			if len(o.Results.Results[k]) > 1 {
				name += fmt.Sprintf(" run %d", i+1)
			}
			for _, l := range r.Leaks {
				line := fmt.Sprintf("%s: %s in %s", name, cell.Plural(l.Count, "goroutine"), l.Function)
				if l.CreatedAt != "" {
					// file:line, the file relative to where loadgate
					// runs, as the test's own failure writes it.
					at := l.CreatedAt
					if i := strings.LastIndexByte(at, ':'); i > 0 && filepath.IsAbs(at[:i]) {
						at = relPath(at[:i]) + at[i:]
					}
					line += " (created at " + at + ")"
				}
				if l.Proven {
					line += ", proven blocked forever"
				}
				lines = append(lines, line)
			}
			if r.Server != nil && o.failedOnServerGoroutines(k.Package, r.Test) {
				for _, d := range r.Server.GoroutineGrowth {
					lines = append(lines, fmt.Sprintf("%s: the server's goroutines in %s grew from %d to %d", name, d.Function, d.Before, d.After))
				}
			}
		}
	}
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(w, "\n== leaks\n")
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
}

// failedOnServerGoroutines tells whether a test failed because the
// goroutines of the server it watched did not settle: its failure names
// the server's go_goroutines, as assert.ServerSettled does.
func (o *runOutcome) failedOnServerGoroutines(pkg, test string) bool {
	t := o.Session.Tests[gotest.Key{Package: pkg, Test: test}]
	if t == nil || t.Outcome() != gotest.StatusFail {
		return false
	}
	for _, line := range t.FailedOutput {
		if strings.Contains(line, "server's go_goroutines") {
			return true
		}
	}
	return false
}

// writeFailures writes the output of every failed test, then what failed
// outside tests: packages that did not build or crashed, go test itself.
func writeFailures(w io.Writer, o *runOutcome) {
	s := o.Session
	var failedTests []*gotest.Test
	for _, t := range s.Order {
		// A parent fails when a subtest does; the subtest's output says why.
		if t.Outcome() == gotest.StatusFail && !s.HasFailedChild(t) {
			failedTests = append(failedTests, t)
		}
	}
	pkgs := s.FailedPackages()
	if o.Interrupted {
		pkgs = nil // they failed because they were stopped
	}
	if len(failedTests) == 0 && len(pkgs) == 0 && o.GoTestErr == nil && o.ResultsErr == nil {
		return
	}
	fmt.Fprintf(w, "\n== failures\n")
	for _, t := range failedTests {
		if len(s.Packages) > 1 {
			fmt.Fprintf(w, "%s:\n", t.Package)
		}
		if t.Runs > 1 {
			fails := 0
			for _, line := range t.FailedOutput {
				if strings.HasPrefix(strings.TrimSpace(line), "--- FAIL") {
					fails++
				}
			}
			fmt.Fprintf(w, "(%d of %d runs of %s failed; their output:)\n", fails, t.Runs, t.Test)
		}
		for _, line := range t.FailedOutput {
			io.WriteString(w, ensureNewline(line))
		}
	}
	for _, p := range pkgs {
		what := "failed"
		if p.FailedBuild {
			what = "did not build"
		}
		fmt.Fprintf(w, "package %s %s:\n", p.Path, what)
		for _, line := range p.Output {
			io.WriteString(w, ensureNewline(line))
		}
	}
	if o.GoTestErr != nil {
		fmt.Fprintf(w, "go test failed (%v):\n", o.GoTestErr)
		for _, line := range s.Raw {
			io.WriteString(w, ensureNewline(line))
		}
		if o.Stderr != "" {
			io.WriteString(w, ensureNewline(o.Stderr))
		}
	}
	if o.ResultsErr != nil {
		fmt.Fprintf(w, "reading the results: %v\n", o.ResultsErr)
	}
}

func ensureNewline(s string) string {
	if strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}

// verdictLine is the last line: the verdict word (verdict.Run.Word), why,
// and where the results are.
func verdictLine(o *runOutcome) string {
	n := o.Session.Counts()
	total := 0
	for _, c := range n {
		total += c
	}
	var parts []string
	switch {
	case total == 0 && !o.Interrupted && o.earlyFailure() != "":
		parts = append(parts, o.earlyFailure())
	case total == 0 && !o.Interrupted:
		parts = append(parts, fmt.Sprintf("no test matched -run %q in %s", o.Config.Run, strings.Join(o.Config.Packages, " ")))
	case o.Interrupted:
		parts = append(parts, fmt.Sprintf("go test was stopped; %d of %s finished", total-n[gotest.StatusInterrupted], cell.Plural(total, "test")))
		var names []string
		for _, t := range o.Session.Order {
			if t.Status == gotest.StatusInterrupted && !o.Session.IsParent(t) {
				names = append(names, t.Test)
			}
		}
		if len(names) > 0 {
			parts = append(parts, "cut short: "+strings.Join(names, ", "))
		}
		if n[gotest.StatusFail] > 0 {
			parts = append(parts, fmt.Sprintf("%d failed", n[gotest.StatusFail]))
		}
	case n[gotest.StatusFail] > 0:
		parts = append(parts, fmt.Sprintf("%d of %s failed", n[gotest.StatusFail], cell.Plural(total, "test")))
	default:
		parts = append(parts, fmt.Sprintf("%s passed", cell.Plural(n[gotest.StatusPass], "test")))
		if n[gotest.StatusSkip] > 0 {
			parts = append(parts, fmt.Sprintf("%d skipped", n[gotest.StatusSkip]))
		}
	}
	goTestFailed := !o.Interrupted && len(o.Session.FailedPackages()) > 0 || o.GoTestErr != nil || o.ResultsErr != nil
	if goTestFailed && n[gotest.StatusFail] == 0 && !o.Interrupted && (total > 0 || o.earlyFailure() == "") {
		parts[0] = "go test failed"
	}
	if !o.Interrupted {
		var compared, badBase, breached int
		for _, s := range o.Verdict.Scenarios {
			switch {
			case s.Err != nil:
				badBase++
			case s.Comparison != nil:
				compared++
			case s.Breached():
				breached++
			}
		}
		if badBase > 0 {
			// Not a regression: the baseline is at fault, not the code.
			parts = append(parts, fmt.Sprintf("%s could not be read or compared (see baselines above)", cell.Plural(badBase, "baseline")))
		}
		// An inconclusive scenario was summed up as "no regression", which
		// reads as a pass (above exit status 3 when nothing failed): the
		// line says what compare's headline says, which scenarios could
		// not be judged and what settles them ("" when none).
		unsure := verdict.Unsure(o.Verdict.Scenarios)
		switch r := o.Verdict.Regressions(); {
		case r > 0:
			parts = append(parts, cell.Plural(r, "regression")+" against baselines")
		case compared > 0 && unsure != "":
			parts = append(parts, fmt.Sprintf("no regression confirmed (%s compared with baselines)", cell.Plural(compared, "scenario")))
		case compared > 0:
			parts = append(parts, fmt.Sprintf("no regression (%s compared with baselines)", cell.Plural(compared, "scenario")))
		}
		if unsure != "" {
			parts = append(parts, unsure)
		}
		if breached > 0 {
			parts = append(parts, fmt.Sprintf("SLA breached by %s without a baseline", cell.Plural(breached, "scenario")))
		}
		if n := len(slices.DeleteFunc(slices.Clone(o.Verdict.Scenarios), func(s *verdict.Scenario) bool { return !s.Bound() })); n > 0 && !strings.Contains(unsure, loadtest.BoundWord+":") {
			parts = append(parts, fmt.Sprintf("%s %s (see the notes above)", cell.Plural(n, "scenario"), loadtest.BoundWord))
		}
		// A leak the scenario asked only to report warns: the line says
		// so, or WARN would stand beside "13 tests passed" unexplained.
		if n := len(slices.DeleteFunc(slices.Clone(o.Verdict.Scenarios), func(s *verdict.Scenario) bool {
			return s.ReportedLeakRuns == 0 || s.LeakRuns > s.ReportedLeakRuns
		})); n > 0 {
			parts = append(parts, fmt.Sprintf("goroutines leaked in %s, reported only (see leaks above)", cell.Plural(n, "scenario")))
		}
	}
	if !o.Interrupted && !o.Config.Update && !o.Verdict.Judged() && len(o.Verdict.Scenarios) > 0 {
		// NOT JUDGED heads the line: it says what would judge the run
		// (the tests' own assertions are in "tests passed"). A shard's
		// run refuses -update: its runs are judged once merged.
		if slices.ContainsFunc(o.Verdict.Scenarios, func(s *verdict.Scenario) bool { return !strings.HasPrefix(s.NoBase, noBaseShardPrefix) }) {
			parts = append(parts, "no baseline or SLA file judged the scenarios (-update records baselines, -sla names limits)")
		} else {
			parts = append(parts, "a shard's runs are judged once merged (loadgate merge, then loadgate compare of the merged results)")
		}
	}
	if o.Config.Update {
		parts = append(parts, cell.Plural(len(o.Written), "baseline")+" recorded")
	}
	if !o.noResults() {
		parts = append(parts, "results in "+o.Config.Out)
	}
	// RECORDED when the run recorded baselines and nothing judged it
	// (verdict.Run.Recorded), as the HTML report says too.
	return o.Verdict.Word() + ": " + strings.Join(parts, "; ")
}

// earlyFailure says why go test failed before it ran any test, or returns
// "" if it did not: it refused its arguments, a package did not build, or
// a package failed without a test to show for it.
func (o *runOutcome) earlyFailure() string {
	if o.Interrupted || len(o.Session.Order) > 0 {
		return ""
	}
	if msg := o.usageFailure(); msg != "" {
		return msg
	}
	for _, p := range o.Session.FailedPackages() {
		if p.FailedBuild {
			return fmt.Sprintf("package %s did not build (see failures below)", p.Path)
		}
		return fmt.Sprintf("package %s failed before running a test (see failures below)", p.Path)
	}
	if o.GoTestErr != nil {
		return fmt.Sprintf("go test failed before running a test (%v; see failures below)", o.GoTestErr)
	}
	return ""
}

// usageFailure returns the complaint of go test, or of a test binary,
// about its arguments (a go test flag after -- that neither knows), or ""
// if neither complained (gotest.Refusal, which the Action reads too).
func (o *runOutcome) usageFailure() string {
	if o.Interrupted {
		return ""
	}
	msg, _ := gotest.Refusal(o.Session, o.Stderr, o.GoTestErr)
	return msg
}

// relPath writes path relative to the working directory when it is below
// it.
func relPath(path string) string {
	wd, err := filepath.Abs(".")
	if err != nil {
		return path
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		return path
	}
	return rel
}
