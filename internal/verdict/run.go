package verdict

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/loadtest"
)

// Exit statuses of the loadgate command, derived from a [Run].
const (
	ExitPass     = 0
	ExitFail     = 1 // a regression, a breach, a leak, a failed test
	ExitBadInput = 2 // bad usage, or input the verdict cannot rest on
	// ExitInconclusive: the runs were too noisy to tell a change of a
	// rule's tolerance from none, or generator-bound runs left a metric
	// unjudged; not a pass, not a failure.
	ExitInconclusive = 3
	// ExitTrouble: loadgate could not finish what it was asked, for a
	// reason that says nothing of the code under test: an output it
	// could not write, a Pushgateway it could not reach, go test that
	// would not start.
	ExitTrouble     = 4
	ExitInterrupted = 130
)

// Run is the verdict of a whole run: every scenario's judgement, and
// what failed outside any of them.
type Run struct {
	// Scenarios are worst first: by verdict, then by severity, then by
	// package, test and name (see [Run.Sort]).
	Scenarios []*Scenario
	// Failures are failures that belong to no scenario: a test or package
	// that failed without writing a result, go test failing to run, result
	// files that cannot be read, no test run at all. Each fails the run.
	Failures []string
	// BadInput are problems of the input the verdict would rest on (go
	// test refusing its arguments); with a scenario's Err, they make the
	// exit status 2.
	BadInput []string
	// Interrupted says the run was stopped before its end.
	Interrupted bool
	// Recorded counts the baselines the run recorded (loadgate run
	// -update, baseline update): a run that nothing else judged did what
	// it was asked, and its word is RECORDED, not NOT JUDGED.
	Recorded int
}

// Verdict is the run's verdict: the worst of its scenarios', and fail
// when anything failed outside them.
func (r *Run) Verdict() baseline.Verdict {
	v := baseline.Pass
	if len(r.Failures) > 0 || len(r.BadInput) > 0 {
		v = baseline.Fail
	}
	for _, s := range r.Scenarios {
		v = max(v, s.Verdict)
	}
	return v
}

// Judged says whether anything of the run was judged: a scenario compared
// with a base, checked against SLA limits, or found wanting (a failed test,
// a leak, bad input, a generator-bound run). A run that was not judged
// passes, and every output says "not judged" rather than showing a pass.
func (r *Run) Judged() bool {
	return len(r.Failures) > 0 || len(r.BadInput) > 0 || slices.ContainsFunc(r.Scenarios, (*Scenario).Judged)
}

// Shown is the verdict every output shows by its icon and colour: the
// verdict's word, or "" when nothing was judged ([Run.Judged]), which
// shows no pass ([cell.Icon] of "" is the not-judged icon).
func (r *Run) Shown() string {
	if !r.Judged() {
		return ""
	}
	return r.Verdict().String()
}

// Regressions counts the metrics that regressed (failed their comparison),
// over all scenarios: the Action's regressions output and loadgate run's
// count.
func (r *Run) Regressions() int {
	n := 0
	for _, s := range r.Scenarios {
		n += s.Regressions()
	}
	return n
}

// Regressed counts the scenarios with a metric that regressed.
func (r *Run) Regressed() int {
	n := 0
	for _, s := range r.Scenarios {
		if s.Regressions() > 0 {
			n++
		}
	}
	return n
}

// badInput tells whether the verdict rests on input that could not be
// read or used.
func (r *Run) badInput() bool {
	if len(r.BadInput) > 0 {
		return true
	}
	for _, s := range r.Scenarios {
		if s.Err != nil {
			return true
		}
	}
	return false
}

// Word is the verdict as the command prints it: PASS, WARN, INCONCLUSIVE,
// FAIL, INTERRUPTED, or when nothing was judged ([Run.Judged]) RECORDED
// if it recorded baselines ([Run.Recorded]), else NOT JUDGED.
func (r *Run) Word() string {
	switch {
	case r.Interrupted:
		return "INTERRUPTED"
	case !r.Judged() && r.Recorded > 0:
		return RecordedWord
	case !r.Judged():
		return NotJudgedWord
	}
	return strings.ToUpper(r.Verdict().String())
}

// NotJudgedWord is the word of a run that nothing judged ([Run.Judged]):
// it passes (exit status 0, as k6 without thresholds), but no output says
// PASS of what no one asked to check.
const NotJudgedWord = "NOT JUDGED"

// NotJudgedWhy says of a run or scenario why it was not judged, where the
// outputs name it: the headline's "; not judged (no base or SLA limits):
// fresh", the Action's comment title and log line.
const NotJudgedWhy = "not judged (no base or SLA limits)"

// RecordedWord is the word of a run that nothing judged and that recorded
// baselines ([Run.Recorded]): it is judged from the next run on.
const RecordedWord = "RECORDED"

// ExitCode is the verdict as an exit status: interrupted; bad input, which
// wins over a failure since the verdict cannot be trusted; failed; or 0 (a
// warning does not fail).
func (r *Run) ExitCode() int {
	switch {
	case r.Interrupted:
		return ExitInterrupted
	case r.badInput():
		return ExitBadInput
	case r.Verdict() == baseline.Fail:
		return ExitFail
	case r.Verdict() == baseline.Inconclusive:
		return ExitInconclusive
	}
	return ExitPass
}

// Sort puts the worst scenarios first: by verdict, then by severity, then
// by package, test and name.
func (r *Run) Sort() {
	slices.SortStableFunc(r.Scenarios, func(a, b *Scenario) int {
		return cmp.Or(cmp.Compare(b.Verdict, a.Verdict), cmp.Compare(b.Severity(), a.Severity()),
			cmp.Compare(a.Package, b.Package), cmp.Compare(a.Test, b.Test), cmp.Compare(a.Name, b.Name))
	})
}

// Correct controls the chance of a false alarm over all the scenarios of
// a run, whose rank tests were each made at their comparison's level
// alpha: with m scenarios compared, it keeps the failures of the k with
// the smallest p-values, k the largest with its p at most k*alpha/m
// (Benjamini-Hochberg), and turns the failures of the others into
// warnings saying so. When nothing changed, the chance of any false alarm
// over the run stays at alpha, however many scenarios it has; when some
// scenarios did regress, at most a share alpha of the regressions
// reported are expected to be false, and a change that shows in many
// scenarios is not lost to the correction as it would be under
// Bonferroni's or Holm's. Failures of other kinds (SLA, leaks, tests) are
// not tests of chance and stay. Within a scenario the metrics are not
// corrected: a metric fails only beyond its tolerance as well (see
// baseline.Policy).
func (r *Run) Correct() {
	var compared []*Scenario
	for _, s := range r.Scenarios {
		if s.Comparison != nil {
			compared = append(compared, s)
		}
	}
	m := len(compared)
	if m < 2 {
		return
	}
	alpha := compared[0].Comparison.Alpha
	var failing []*Scenario
	for _, s := range compared {
		if s.Comparison.FailP() > 0 {
			failing = append(failing, s)
		}
	}
	slices.SortStableFunc(failing, func(a, b *Scenario) int {
		return cmp.Compare(a.Comparison.FailP(), b.Comparison.FailP())
	})
	keep := 0
	for i, s := range failing {
		if s.Comparison.FailP() <= float64(i+1)*alpha/float64(m) {
			keep = i + 1
		}
	}
	// Every failing row of a scenario not kept has its p over alpha/m
	// (else its scenario would be kept), so demoting at that level when
	// none is kept demotes the same rows as at 0, and says which rows
	// could not reach even the level of the most significant scenario.
	level := max(float64(keep)*alpha/float64(m), alpha/float64(m))
	why := fmt.Sprintf("not significant over %d scenarios", m)
	detail := fmt.Sprintf("p must be at most %.4f; Benjamini-Hochberg", level)
	for _, t := range failing[keep:] {
		t.Comparison.Demote(level, why, detail)
		t.decide()
	}
}

// Headline sums the scenarios' verdicts up in one line, for every output
// that heads a report with one (loadgate compare's last line, after its
// word; the HTML report's heading): "2 of 5 scenarios failed: checkout,
// browse (SLA breached)", "5 scenarios, no regression confirmed; too noisy
// to judge cart (more or longer runs)". A scenario that failed without a
// regression says why, in parentheses: it did not regress. Failures
// that belong to no scenario follow, so that a FAIL is said why: "3
// scenarios, no regression; failed: package example.com/shop failed to
// build".
func (r *Run) Headline() string {
	h := r.scenarioHeadline()
	if len(r.Failures) > 0 {
		h += "; failed: " + strings.Join(r.Failures, "; ")
	}
	return h
}

// scenarioHeadline is Headline's account of the scenarios.
func (r *Run) scenarioHeadline() string {
	var fails, warns []string
	unsure := false
	names := listNames(r.Scenarios)
	for i, s := range r.Scenarios {
		switch s.Verdict {
		case baseline.Fail:
			name := names[i]
			if why := s.failedFor(); why != "" {
				name += " (" + why + ")"
			}
			fails = append(fails, name)
		case baseline.Inconclusive:
			unsure = true
		case baseline.Warn:
			warns = append(warns, names[i])
		}
	}
	n := cell.Plural(len(r.Scenarios), "scenario")
	// Beside judged ones, a scenario neither compared nor checked (new in
	// the head, with no SLA limits) is named, whatever the verdict: "no
	// regression" is not about it, nor is "1 of 3 scenarios failed" (the
	// Action's comment lists it with the not-judged icon).
	var unjudged []string
	for i, s := range r.Scenarios {
		if !s.Judged() {
			unjudged = append(unjudged, names[i])
		}
	}
	also := ""
	if len(unjudged) > 0 && len(unjudged) < len(r.Scenarios) {
		also = "; " + NotJudgedWhy + ": " + strings.Join(unjudged, ", ")
	}
	switch {
	case len(fails) > 0:
		return fmt.Sprintf("%d of %s failed: %s%s", len(fails), n, strings.Join(fails, ", "), also)
	case unsure:
		return fmt.Sprintf("%s, no regression confirmed; %s%s", n, Unsure(r.Scenarios), also)
	case len(warns) > 0:
		return fmt.Sprintf("%s, no regression; warnings for %s%s", n, strings.Join(warns, ", "), also)
	case slices.ContainsFunc(r.Scenarios, func(s *Scenario) bool { return s.Comparison != nil }):
		return n + ", no regression" + also
	case slices.ContainsFunc(r.Scenarios, func(s *Scenario) bool { return len(s.SLA) > 0 }) && len(unjudged) > 0:
		// Not "all passed": the scenarios named after it were not judged.
		return fmt.Sprintf("%s, %d passed%s", n, len(r.Scenarios)-len(unjudged), also)
	case slices.ContainsFunc(r.Scenarios, func(s *Scenario) bool { return len(s.SLA) > 0 }):
		return n + ", all passed"
	}
	// Nothing was compared and no SLA limit checked: "passed" would claim
	// what no one asked. When nothing else failed either, the word says
	// NOT JUDGED already.
	if !r.Judged() && r.Recorded > 0 {
		return fmt.Sprintf("%s: %s recorded, to compare the next runs with (no goroutine leak found)", n, cell.Plural(r.Recorded, "baseline"))
	}
	if !r.Judged() {
		return n + ": no base or matching SLA limit (no goroutine leak found)"
	}
	return n + ", not judged: no base or matching SLA limit (no goroutine leak found)"
}

// failedFor says why a failed scenario failed when none of its metrics
// regressed: "SLA breached", "goroutines leaked in 1 of 5 runs", "test
// TestLoadCart failed", "not judged"; "" when one regressed.
func (s *Scenario) failedFor() string {
	switch {
	case s.Regressions() > 0:
		return ""
	case s.Err != nil:
		return "not judged"
	case s.Breached():
		return "SLA breached"
	case s.LeakRuns > s.ReportedLeakRuns:
		return fmt.Sprintf("goroutines leaked in %d of %d runs", s.LeakRuns, s.HeadRuns)
	case s.TestFailed:
		return "test " + s.Test + " failed"
	}
	return ""
}

// Unsure says why scenarios are inconclusive, as every headline says it:
// "not compared, the base failed: cart" for those whose base runs failed
// (Scenario.BaseFailed), "partial: search (…)" for those whose runs
// held a share of the load, lacking shards or interrupted
// (Scenario.PartialUnjudged), "out of step: mix (…)" for those whose
// shards began apart (baseline.Comparison.Spread), "generator-bound: checkout
// (…)" for those a generator-bound run left unjudged (Scenario.Bound),
// "too noisy to judge browse (…)" for the others; "" for none.
func Unsure(scenarios []*Scenario) string {
	var baseFailed, partial, spread, bound, noisy []string
	names := listNames(scenarios)
	for i, s := range scenarios {
		switch {
		case s.Verdict != baseline.Inconclusive:
		case s.Comparison == nil && s.BaseFailed != "":
			baseFailed = append(baseFailed, names[i])
		case s.PartialUnjudged() && s.Comparison.Spread:
			spread = append(spread, names[i])
		case s.PartialUnjudged():
			partial = append(partial, names[i])
		case s.Bound():
			bound = append(bound, names[i])
		default:
			noisy = append(noisy, names[i])
		}
	}
	var parts []string
	if len(baseFailed) > 0 {
		parts = append(parts, fmt.Sprintf("not compared, the base failed: %s", strings.Join(baseFailed, ", ")))
	}
	if len(partial) > 0 {
		// A share of the load: shards missing, or a run (or a shard of
		// one) stopped by a signal; each scenario's reasons say which.
		parts = append(parts, fmt.Sprintf("partial: %s (a share of the load: the counts and rates were not judged)", strings.Join(partial, ", ")))
	}
	if len(spread) > 0 {
		// Every shard ran, but they began apart: the whole load, over
		// a longer window than planned.
		parts = append(parts, fmt.Sprintf("out of step: %s (the shards began apart: the throughput was not judged)", strings.Join(spread, ", ")))
	}
	if len(bound) > 0 {
		parts = append(parts, fmt.Sprintf("%s: %s (the load generator, not only the service, set the latencies: run where it has CPU to spare)",
			loadtest.BoundWord, strings.Join(bound, ", ")))
	}
	if len(noisy) > 0 {
		parts = append(parts, fmt.Sprintf("too noisy to judge %s (more or longer runs)", strings.Join(noisy, ", ")))
	}
	return strings.Join(parts, "; ")
}

// UnmatchedSLA says which sections of j's SLA file matched no scenario
// that was judged, one sentence each ("sla.txt:4: section
// [TestLoadChekout] matches no scenario of this run: its limits were not
// checked"), so that a typo in a header does not pass unseen.
func UnmatchedSLA(j *baseline.Judge, scenarios []*Scenario) []string {
	if j == nil || j.SLA == nil || len(scenarios) == 0 {
		return nil
	}
	var names []string
	for _, s := range scenarios {
		names = append(names, s.Name)
	}
	shown := names
	if len(shown) > 5 {
		shown = append(slices.Clone(shown[:4]), fmt.Sprintf("and %d more", len(names)-4))
	}
	var out []string
	for _, sec := range j.SLA.Unmatched(names) {
		out = append(out, fmt.Sprintf("%s:%d: section [%s] matches no scenario of this run (%s): its limits were not checked",
			j.SLA.Path, sec.Line, sec.Pattern, strings.Join(shown, ", ")))
	}
	return out
}

// listNames names each scenario as a list of them all does
// (cell.ScenarioNames): "TestLoad (cart)" when several packages hold the
// name, which the headline would otherwise write twice alike.
func listNames(scenarios []*Scenario) []string {
	all := make([]cell.Scenario, len(scenarios))
	for i, s := range scenarios {
		all[i] = cell.Scenario{Name: s.Name, Package: s.Package}
	}
	return cell.ScenarioNames(all)
}
