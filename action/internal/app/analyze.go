package app

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/errorkinds"
	"github.com/loadgate/loadgate/internal/gotest"
	"github.com/loadgate/loadgate/internal/rootcause"
	"github.com/loadgate/loadgate/internal/slowest"
	"github.com/loadgate/loadgate/internal/verdict"
	"github.com/loadgate/loadgate/loadtest"
)

// ErrNoResults means the load tests produced no result at all: nothing
// matched the run input, or every test failed before measuring.
var ErrNoResults = errors.New("no load test results")

// Report is what a run of the action found, ready to render.
type Report struct {
	// Run is the one verdict of the run (internal/verdict): Verdict and
	// Regressions are derived from it, as loadgate run derives its word
	// and exit status.
	Run         *verdict.Run
	Verdict     baseline.Verdict
	Regressions int
	// Breaches counts the SLA expressions breached in at least one run.
	Breaches int
	Compare  CompareMode
	Manifest Manifest
	// Scenarios are worst first: by verdict, then by how much worse the
	// worst failing metric got, then by package, test and name.
	Scenarios []*Scenario
	// Failures are the head's tests that failed, one per test function,
	// worst first; Position is empty when unknown.
	Failures []Failure
	// BaseFailures are the base's failed tests: shown, never failing.
	BaseFailures []Failure
	// Notes are remarks for the details: runs missing on one side,
	// scenarios that only the base has.
	Notes []string

	// Links, when set, make file references and the pointer to the job
	// summary clickable.
	ServerURL, Repository, SummaryURL string
	// HTMLReport is the HTML report's path on the runner, "" when none was
	// written; ArtifactsURL the run's page, whose artifacts hold it once
	// the workflow uploaded the results directory.
	HTMLReport, ArtifactsURL string
	Marker                   string
	// Key, the comment-key input, names the matrix entry in the heading.
	Key string

	inSummary bool // rendering for the job summary
	// SummaryShortened says that the job summary does not hold the full
	// report (it was shortened, or could not be written): the comment
	// then points to the report file for what it leaves out, not to the
	// summary.
	SummaryShortened bool
	// ScriptFromPR says that Manifest.Reproduce was written by a run of
	// code the pull request's author controls (a workflow_run job
	// commenting from a fork's results): the report presents it as that
	// run's, to be read before it is run, not as the action's command.
	ScriptFromPR bool
}

// Scenario is one scenario's judgement (see [verdict.Scenario]), with the
// p99 per second of each side for the chart.
type Scenario struct {
	*verdict.Scenario
	// BaseP99 and HeadP99 are the p99 latency per second of the load
	// (nanoseconds), the median over the runs of each side that were not
	// generator-bound (all runs when every one was); BaseCharted and
	// HeadCharted count the runs each median is of. BaseAllBound and
	// HeadAllBound say that every run of the side was generator-bound,
	// so that its chart is of their latencies after all.
	BaseP99, HeadP99           []float64
	BaseCharted, HeadCharted   int
	BaseAllBound, HeadAllBound bool
	// Cause says where the time went, from the profiles the runs took
	// (LOADGATE_PROFILE); nil when the head's runs took none.
	Cause *rootcause.Report
	// Slowest are the slowest requests over the head's runs
	// (internal/slowest), Flights the head runs' flight recordings.
	Slowest []slowest.Row
	Flights []Flight
	// Errors are the head runs' errors by kind (internal/errorkinds).
	Errors []errorkinds.Kind
	// Shards are the shards of the head's merged results (a sharded run,
	// issue 16), run by run; verdict.Scenario.Partial says which lack
	// shards.
	Shards []shardRow
}

// Flight is the flight recording of one head run, a file of the results
// directory.
type Flight struct {
	Run int // 1-based, in the order the runs started
	*loadtest.FlightRecording
}

// Failure is a test function that failed in some runs.
type Failure struct {
	Package  string
	Test     string // "" for a package that failed without a test (a build error)
	Position Position
	Runs     int // runs in which it failed
	Of       int // runs it took part in
	// Shards are the shards it failed in, in a sharded run.
	Shards []int
	Output string // the end of its output
	// Reason is the line of its output that says why it failed.
	Reason string
	// Scenarios are the scenarios this test ran, with their verdicts
	// folded into the annotation.
	Scenarios []*Scenario
}

// Analyze judges every scenario of a results directory. sla may be nil.
// It fails with [ErrNoResults] when the head has no result and no failed
// test to report.
func Analyze(res *Results, j *baseline.Judge) (*Report, error) {
	if j == nil {
		j = &baseline.Judge{}
	}
	m := res.Manifest
	r := &Report{Compare: m.Compare, Manifest: m}
	type key struct{ pkg, test, name string }
	groups := map[key]*Scenario{}
	var order []key
	headOf := map[key][]*loadtest.Result{}
	for _, h := range res.Head {
		k := key{h.Package, topTest(h.Test), h.Scenario}
		if groups[k] == nil {
			groups[k] = &Scenario{}
			order = append(order, k)
		}
		headOf[k] = append(headOf[k], h)
	}
	type side struct{ pkg, name string }
	baseOf := map[side][]*loadtest.Result{}
	for _, b := range res.Base {
		k := side{b.Package, b.Scenario}
		baseOf[k] = append(baseOf[k], b)
	}
	slices.SortFunc(order, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.pkg, b.pkg), cmp.Compare(a.test, b.test), cmp.Compare(a.name, b.name))
	})

	look := res.Look
	if look == (baseline.Look{}) && m.Looks > 0 {
		look = baseline.Look{K: m.Looks, Of: m.Looks}
	}
	failures, baseFailures := failuresOf(m)
	r.Run = &verdict.Run{}
	for _, k := range order {
		s := groups[k]
		head := headOf[k]
		in := verdict.Input{Name: k.name, Package: k.pkg, Test: k.test, Head: head, Look: look}
		var base []*loadtest.Result
		in.Stored = findBaseline(res.Baselines, k.pkg, k.name)
		// The package too: go test without one runs the working
		// directory's, where the test may not be.
		in.NoBase = "no stored baseline: record one with LOADGATE_UPDATE=1 go test -run '^" + k.test + "$' -count=5 " + cmp.Or(k.pkg, "./...")
		switch {
		case m.Compare == CompareBaseRef:
			// The base's runs; as loadgate run chooses (verdict.UseBase).
			b := verdict.BaseRuns{Commit: m.BaseSHA, Runs: baseOf[side{k.pkg, k.name}], NoRuns: "no base run: the scenario is new in this pull request",
				StoredOnly: m.BaseFrom == BaseFromBaselines}
			for _, f := range baseFailures {
				if len(b.Runs) == 0 && f.Package == k.pkg && (f.Test == k.test || f.Test == "") {
					b.Failed, b.NoRuns = verdict.BaseFailure(m.BaseSHA, f.Package, f.Test, f.Output), "no base run"
				}
			}
			if note := in.UseBase(b); note != "" {
				r.Notes = append(r.Notes, note)
			}
			base = in.Base
		case m.Shard != nil:
			// A single machine's baseline is not the load of N.
			in.NoBase = "no stored baseline of this sharded load: one recorded from merged results of the same split is compared with (docs/SHARDS.md); meanwhile the SLA judges it"
		}
		var mine []*Failure
		for i := range failures {
			if f := &failures[i]; f.Package == k.pkg && f.Test == k.test {
				in.TestFailed = true
				in.TestFailure = cmp.Or(in.TestFailure, f.Reason)
				mine = append(mine, f)
			}
		}
		s.Scenario = verdict.Judge(j, in)
		for i, l := range s.Leaks {
			s.Leaks[i].CreatedAt = fromRoot(m.Root, l.CreatedAt)
		}
		s.HeadP99, s.HeadCharted = p99PerSecond(head)
		s.BaseP99, s.BaseCharted = p99PerSecond(base)
		s.HeadAllBound, s.BaseAllBound = allBound(head), allBound(base)
		s.Cause = rootcause.Explain(k.name, profiledRuns(res.Dir, BaseDir, base), profiledRuns(res.Dir, HeadDir, head))
		s.Slowest = slowest.Of(head, slowest.Shown)
		s.Errors = errorkinds.Of(head, s.Scenario.NewErrorKinds())
		for i, h := range head {
			if fr := h.FlightRecording; fr != nil && fr.File != "" {
				s.Flights = append(s.Flights, Flight{Run: i + 1, FlightRecording: fr})
			}
			for _, sr := range h.Shards {
				s.Shards = append(s.Shards, shardRow{Scenario: h.Scenario, Run: i + 1, ShardRun: sr})
			}
		}
		for _, f := range mine {
			f.Scenarios = append(f.Scenarios, s)
		}
		r.Scenarios = append(r.Scenarios, s)
		r.Run.Scenarios = append(r.Run.Scenarios, s.Scenario)
		r.Breaches += len(baseline.SLABreaches(s.SLA))
	}
	r.Run.Correct()
	// The verdict first: failing scenarios lead, the worst first.
	r.Run.Sort()
	slices.SortStableFunc(r.Scenarios, func(a, b *Scenario) int {
		return cmp.Compare(slices.Index(r.Run.Scenarios, a.Scenario), slices.Index(r.Run.Scenarios, b.Scenario))
	})
	r.Failures = failures
	r.BaseFailures = baseFailures
	sortFailures(r.Failures)
	for _, f := range r.Failures {
		if len(f.Scenarios) == 0 {
			r.Run.Failures = append(r.Run.Failures, r.failureText(f))
		}
	}
	r.Verdict, r.Regressions = r.Run.Verdict(), r.Run.Regressions()

	if m.Compare == CompareBaseRef {
		seen := map[side]bool{}
		for _, s := range r.Scenarios {
			seen[side{s.Package, s.Name}] = true
		}
		var gone []string
		for k := range baseOf {
			if !seen[k] {
				gone = append(gone, k.name)
			}
		}
		slices.Sort(gone)
		for _, name := range gone {
			r.Notes = append(r.Notes, fmt.Sprintf("scenario %s ran on the base only (removed, renamed, or its test failed before measuring)", cell.CodeText(name)))
		}
	}
	r.Notes = append(r.Notes, m.Notes...)
	if len(r.Scenarios) == 0 && len(r.Failures) == 0 {
		return r, fmt.Errorf("%w: no test matching -run %q in %s wrote one (does it call loadtest.Run?)",
			ErrNoResults, m.Run, strings.Join(m.Packages, " "))
	}
	return r, nil
}

func findBaseline(stored []*baseline.Baseline, pkg, scenario string) *baseline.Baseline {
	var any *baseline.Baseline
	for _, b := range stored {
		if b.Scenario != scenario {
			continue
		}
		if b.Package == pkg {
			return b
		}
		if b.Package == "" && any == nil {
			any = b
		}
	}
	return any
}

// fromRoot returns the file:line at, of a stack the tests' process took,
// relative to root (the repository's root where the tests ran) when the
// file is in it: the runner's /home/runner/work/… says nothing to a
// reviewer of the pull request.
func fromRoot(root, at string) string {
	i := strings.LastIndexByte(at, ':')
	if root == "" || i <= 0 {
		return at
	}
	if rel, ok := strings.CutPrefix(at[:i], strings.TrimSuffix(root, "/")+"/"); ok && rel != "" {
		return rel + at[i:]
	}
	return at
}

// topTest returns the top-level test of a test name: "TestLoad" of
// "TestLoad/checkout".
func topTest(name string) string {
	top, _, _ := strings.Cut(name, "/")
	return top
}

// p99PerSecond returns, for each second of the load, the median over the
// runs of the p99 latency of the requests completed in that second, and
// the number of runs the medians are of. Seconds without requests in a
// run are left out of that second's median. Generator-bound runs are left
// out while others remain, as the comparison, loadgate run's table and the
// HTML report leave them out: their latencies are the generator's.
func p99PerSecond(runs []*loadtest.Result) ([]float64, int) {
	runs = loadtest.Timed(runs)
	n := 0
	for _, r := range runs {
		for _, s := range r.Timeline {
			n = max(n, int(s.Second)+1)
		}
	}
	if n == 0 {
		return nil, 0
	}
	out := make([]float64, n)
	vals := make([]float64, 0, len(runs))
	for sec := range n {
		vals = vals[:0]
		for _, r := range runs {
			for _, s := range r.Timeline {
				if int(s.Second) == sec && s.Requests > 0 {
					vals = append(vals, float64(s.P99NS))
				}
			}
		}
		out[sec] = median(vals)
	}
	return out, len(runs)
}

// allBound tells whether runs, at least one, were every one
// generator-bound: p99PerSecond then charts them all.
func allBound(runs []*loadtest.Result) bool {
	return len(runs) > 0 && !slices.ContainsFunc(runs, func(r *loadtest.Result) bool { return !r.Generator.IsBound() })
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// failuresOf groups the manifest's failed tests by test function.
func failuresOf(m Manifest) (head, base []Failure) {
	type key struct{ side, pkg, test string }
	idx := map[key]int{}
	runs := map[key]int{}
	sideRuns := map[string]int{} // go test processes of a side
	var lists = map[string]*[]Failure{"head": &head, "base": &base}
	for _, t := range m.Tests {
		k := key{t.Side, t.Package, t.Test}
		runs[k]++
		sideRuns[t.Side] = max(sideRuns[t.Side], t.Run)
		if t.Action != "fail" {
			continue
		}
		list := lists[t.Side]
		if list == nil {
			continue
		}
		i, ok := idx[k]
		if !ok {
			i = len(*list)
			idx[k] = i
			// A reason as gotest.Reason gives it, at most ReasonLimit
			// runes: the manifest may come from a fork's job
			// (from-results), and one line of 10 kB in each of 40
			// failing tests let the comment's headline show 3 of them.
			reason := cell.Clip(cmp.Or(t.Reason, gotest.Reason(t.Output)), gotest.ReasonLimit)
			f := Failure{Package: t.Package, Test: t.Test, Output: t.Output, Reason: reason}
			if t.Test != "" {
				f.Position = m.Positions[t.Package+"."+t.Test]
			}
			*list = append(*list, f)
		}
		(*list)[i].Runs++
		if f := &(*list)[i]; t.Shard > 0 && !slices.Contains(f.Shards, t.Shard) {
			f.Shards = append(f.Shards, t.Shard)
			slices.Sort(f.Shards)
		}
	}
	for k, i := range idx {
		of := runs[k]
		if k.test == "" {
			// A package is only recorded when it fails without a test to
			// blame: it took part in every run of its side.
			of = max(of, sideRuns[k.side])
		}
		(*lists[k.side])[i].Of = of
	}
	return head, base
}

// sortFailures puts the worst first: failed in more runs, then failing
// scenarios with the larger worsening, then by name.
func sortFailures(fs []Failure) {
	slices.SortStableFunc(fs, func(a, b Failure) int {
		return cmp.Or(
			cmp.Compare(b.Runs, a.Runs),
			cmp.Compare(worstChange(b.Scenarios), worstChange(a.Scenarios)),
			cmp.Compare(a.Package, b.Package),
			cmp.Compare(a.Test, b.Test))
	})
}

// worstChange is the largest worsening among the failing rows of the
// scenarios, as a fraction (+0.23 is 23% worse); SLA breaches and leaks
// count as infinitely bad.
func worstChange(ss []*Scenario) float64 {
	w := math.Inf(-1)
	for _, s := range ss {
		w = max(w, s.Severity())
	}
	return w
}

// Changed says whether anything is not "~": a verdict other than pass, a
// significant or untested change, a breach, a leak or a failed test. The
// on-change comment mode creates a comment only then.
func (r *Report) Changed() bool {
	if r.Verdict != baseline.Pass || len(r.Failures) > 0 {
		return true
	}
	return slices.ContainsFunc(r.Scenarios, func(s *Scenario) bool { return s.Changed() })
}

// profiledRuns are the runs of a side of the results directory dir, whose
// profiles are beside their result files in dir/side.
func profiledRuns(dir, side string, results []*loadtest.Result) []rootcause.Run {
	runs := make([]rootcause.Run, len(results))
	for i, r := range results {
		runs[i] = rootcause.Run{Result: r, Dir: filepath.Join(dir, side)}
	}
	return runs
}
