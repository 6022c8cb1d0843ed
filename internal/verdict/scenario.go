package verdict

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/gotest"
	"github.com/loadgate/loadgate/loadtest"
)

// Input is what a scenario is judged on. At most one of Base, Stored and
// StoredErr is set; with none, NoBase says why there is nothing to compare
// with.
type Input struct {
	Name, Package string
	// Test is the top-level test function that ran the scenario.
	Test string
	// Head are the runs under judgement, in the order they started.
	Head []*loadtest.Result
	// Base are the runs of the base (a pull request's merge base), and
	// BaseCommit the commit they ran, when known (the comparison's base
	// side names it).
	Base       []*loadtest.Result
	BaseCommit string
	// Stored is the stored baseline to compare with, read from
	// StoredPath; StoredErr says why it could not be read.
	Stored     *baseline.Baseline
	StoredPath string
	StoredErr  error
	NoBase     string
	// BaseFailed says why the base's runs, which were due (base and head
	// in turn), are missing: its test or its package failed on the base
	// ("package example.com/shop failed on the base 1a2b3c4d5e6f: …").
	// With nothing else to compare with, the scenario is inconclusive:
	// not a pass, since the comparison promised was not made.
	BaseFailed string
	// TestFailed says that the scenario's test failed in some head run;
	// TestFailure is why, the line gotest.Reason picks from the output of
	// its failed runs ("" when it has none).
	TestFailed  bool
	TestFailure string
	// Look is the look of a sequential comparison this judgement is
	// (baseline.Look); the zero Look is a comparison of all the runs there
	// will be.
	Look baseline.Look
}

// Scenario is one scenario's judgement.
type Scenario struct {
	Name, Package, Test string
	// Comparison is nil when there was nothing to compare with (NoBase) or
	// the comparison could not be made (Err).
	Comparison *baseline.Comparison
	NoBase     string
	// BaseFailed says why the base's runs that were due are missing
	// (Input.BaseFailed): with no comparison, the scenario is
	// inconclusive.
	BaseFailed string
	// StoredPath is the stored baseline compared with, if any.
	StoredPath string
	// Err is bad input: a stored baseline that could not be read or
	// compared with. The verdict cannot be trusted, so it fails, and a
	// command exits 2 rather than 1.
	Err error
	// SLA holds the outcomes of the SLA expressions on every head run
	// (Run is 1-based), whether or not there is a comparison.
	SLA                []baseline.SLAOutcome
	BaseRuns, HeadRuns int
	// LeakRuns counts head runs that leaked goroutines; Leaks groups what
	// they leaked, largest first. ReportedLeakRuns are those whose scenario
	// asked for leaks to be reported only (loadtest.LeakCheck.ReportOnly):
	// they warn; any other leak fails.
	LeakRuns, ReportedLeakRuns int
	Leaks                      []loadtest.Leak
	TestFailed                 bool
	TestFailure                string // Input.TestFailure
	// GeneratorBound lists the head runs that were generator-bound, with
	// why: "run 2: one send in ten left more than 2ms late (p90 3.4ms)". With
	// a comparison, latencies and throughput are judged without them, or
	// left inconclusive when too few others are left
	// (baseline.Comparison.GeneratorBound lists both sides' bound runs);
	// without one, it warns.
	GeneratorBound []string
	// Partial lists the runs of either side that hold a share of the
	// load (loadtest.Result.PartialNote): merged results lacking shards
	// (loadgate merge -partial, the Action's partial: true), runs Ctrl-C
	// or SIGTERM interrupted, with why: "head run 1: 2 of 3 shards
	// merged, shard 2 missing". Their counts and rates are those of a share of the load:
	// a comparison leaves those metrics unjudged (baseline.Row.Partial);
	// without one, it warns. Every output says it from here, in
	// baseline.PartialWords.
	Partial []string
	// Spread says every run of Partial holds its whole load, its shards
	// begun out of step (baseline.Comparison.Spread).
	Spread bool
	// Figures are the head runs' medians of baseline.FigureMetrics (p50,
	// p99, error rate, throughput) with their intervals, when there is no
	// comparison, whose rows hold them otherwise: a scenario without a
	// baseline shows what it measured as a compared one does.
	Figures []baseline.Figure
	Verdict baseline.Verdict
	// Why lists the reasons of a verdict other than pass, worst first.
	Why []string
}

// Judge judges a scenario with j.
func Judge(j *baseline.Judge, in Input) *Scenario {
	s := newScenario(in)
	s.Err = s.compare(j, in)
	if s.Comparison == nil {
		// Without a comparison the head's figures come from its own
		// sample, and, judged by its SLA alone, a run given twice is
		// refused as a comparison refuses it (its breaches and leaks
		// would count twice).
		h, err := baseline.SampleOf(in.Head...)
		if err == nil {
			s.Figures = h.Figures(baseline.FigureMetrics...)
		}
		switch {
		case s.Err != nil:
		case errors.Is(err, baseline.ErrDuplicateRun):
			s.Err = fmt.Errorf("scenario %s: head: %w", s.Name, err)
		default:
			s.SLA, s.Err = j.CheckSLA(s.Name, in.Head)
		}
	}
	s.finish(in)
	return s
}

// Compared judges a scenario whose comparison c was made elsewhere (by
// loadgate compare, whose sides may be results or baselines): its
// verdict, with the leaks and failed test of in, as [Judge] would give.
func Compared(in Input, c *baseline.Comparison) *Scenario {
	s := newScenario(in)
	s.Comparison, s.BaseRuns, s.HeadRuns, s.NoBase = c, c.Base.Runs, c.Head.Runs, ""
	s.finish(in)
	return s
}

func newScenario(in Input) *Scenario {
	return &Scenario{Name: in.Name, Package: in.Package, Test: in.Test, HeadRuns: len(in.Head),
		NoBase: in.NoBase, BaseFailed: in.BaseFailed, StoredPath: in.StoredPath,
		TestFailed: in.TestFailed, TestFailure: in.TestFailure}
}

// finish adds the comparison's SLA outcomes and the head's leaks, and
// decides. ([Judge] sets the figures of a scenario without a comparison.)
func (s *Scenario) finish(in Input) {
	// A comparison names the runs of both sides that lacked shards;
	// without one only the head's can.
	if c := s.Comparison; c != nil {
		s.SLA, s.Partial, s.Spread = c.SLA, c.Partial, c.Spread
	}
	s.Leaks, s.LeakRuns = leaksOf(in.Head)
	for i, r := range in.Head {
		if note := r.PartialNote(); note != "" && s.Comparison == nil {
			s.Spread = (len(s.Partial) == 0 || s.Spread) && r.Spread()
			s.Partial = append(s.Partial, fmt.Sprintf("head run %d: %s", i+1, note))
		}
		if len(r.Leaks) > 0 && r.LeaksReportOnly {
			s.ReportedLeakRuns++
		}
		if g := r.Generator; g.IsBound() {
			s.GeneratorBound = append(s.GeneratorBound, fmt.Sprintf("run %d: %s", i+1, strings.Join(g.Reasons, "; ")))
		}
		if st := r.Stopped; st != nil && st.Cause == loadtest.StopInterrupted && !s.TestFailed {
			// loadtest fails the test of an interrupted run: a verdict
			// read from its result alone (loadgate report, compare)
			// says so as loadgate run, which saw the test fail, does.
			s.TestFailed, s.TestFailure = true, st.Reason
		}
	}
	s.decide()
}

// compare compares the head runs with the base's runs or the stored
// baseline, if there are any.
func (s *Scenario) compare(j *baseline.Judge, in Input) error {
	var base baseline.Sample
	switch {
	case in.StoredErr != nil:
		return in.StoredErr
	case in.Stored != nil:
		if in.Stored.Scenario != in.Name {
			return fmt.Errorf("%s: %w: it is the baseline of %q, not %q", in.StoredPath, baseline.ErrScenarioMismatch, in.Stored.Scenario, in.Name)
		}
		base = in.Stored.Sample()
		base.Label = "baseline"
	case len(in.Base) > 0:
		b, err := baseline.SampleOf(in.Base...)
		if err != nil {
			return fmt.Errorf("scenario %s: base: %w", in.Name, err)
		}
		base = b
		base.Label = "base"
		base.Commit = cmp.Or(base.Commit, in.BaseCommit)
	default:
		return nil
	}
	s.BaseRuns = len(base.Runs)
	s.NoBase = ""
	if len(in.Head) == 0 {
		return nil // nothing ran on the head: nothing to judge
	}
	head, err := baseline.SampleOf(in.Head...)
	if err != nil {
		return fmt.Errorf("scenario %s: head: %w", in.Name, err)
	}
	head.Label = "head"
	c, err := j.CompareLook(base, head, in.Look)
	if err != nil {
		return err
	}
	s.Comparison = c
	return nil
}

// leaksOf groups what the runs leaked, largest first, and counts the runs
// that leaked.
func leaksOf(runs []*loadtest.Result) ([]loadtest.Leak, int) {
	n := 0
	byKey := map[string]*loadtest.Leak{}
	for _, r := range runs {
		if len(r.Leaks) > 0 {
			n++
		}
		for _, l := range r.Leaks {
			k := l.Function + "\x00" + l.CreatedAt
			if byKey[k] == nil {
				c := l
				c.Count = 0
				byKey[k] = &c
			}
			byKey[k].Count += l.Count
		}
	}
	var out []loadtest.Leak
	for _, l := range byKey {
		out = append(out, *l)
	}
	slices.SortFunc(out, func(a, b loadtest.Leak) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Function, b.Function))
	})
	return out, n
}

// decide sets the scenario's verdict and its reasons.
func (s *Scenario) decide() {
	s.Verdict, s.Why = baseline.Pass, nil
	if s.Err != nil {
		s.Verdict = baseline.Fail
		s.Why = append(s.Why, "not judged: "+s.Err.Error())
	}
	if s.Comparison != nil {
		s.Verdict = max(s.Verdict, s.Comparison.Verdict)
		s.Why = append(s.Why, s.Comparison.Reasons...)
	} else {
		for _, b := range baseline.SLABreaches(s.SLA) {
			s.Verdict = baseline.Fail
			s.Why = append(s.Why, "SLA breached: "+b.First.Message)
		}
		if s.BaseFailed != "" {
			s.Verdict = max(s.Verdict, baseline.Inconclusive)
			s.Why = append(s.Why, "not compared: "+s.BaseFailed)
		}
		if len(s.Partial) > 0 {
			// Nothing to leave unjudged, but a pass would read as the
			// whole load's.
			s.Verdict = max(s.Verdict, baseline.Warn)
			s.Why = append(s.Why, baseline.PartialWords(s.Partial, s.Spread))
		}
		if n := len(s.GeneratorBound); n > 0 {
			// Nothing to leave inconclusive, but the reader must know
			// whose latencies these are.
			s.Verdict = max(s.Verdict, baseline.Warn)
			s.Why = append(s.Why, fmt.Sprintf("%s in %d of %d runs (%s): the latencies are the load generator's as much as the service's",
				loadtest.BoundWord, n, s.HeadRuns, strings.Join(s.GeneratorBound, "; ")))
		}
	}
	switch {
	case s.LeakRuns > s.ReportedLeakRuns:
		s.Verdict = baseline.Fail
		s.Why = append(s.Why, fmt.Sprintf("goroutines leaked in %d of %d runs", s.LeakRuns, s.HeadRuns))
	case s.LeakRuns > 0:
		s.Verdict = max(s.Verdict, baseline.Warn)
		s.Why = append(s.Why, fmt.Sprintf("goroutines leaked in %d of %d runs (reported only, as the scenario asks)", s.LeakRuns, s.HeadRuns))
	}
	if s.TestFailed {
		s.Verdict = baseline.Fail
		why := "test " + s.Test + " failed"
		if s.TestFailure != "" {
			why += ": " + s.TestFailure
		}
		s.Why = append(s.Why, why)
	}
}

// Judged says whether the scenario was judged: compared with a base,
// checked against SLA limits, or given a verdict other than pass by what
// it found (a failed test, a leak, a generator-bound run). Its Verdict is
// Pass when it was not, which the outputs show as "not judged".
func (s *Scenario) Judged() bool {
	return s.Comparison != nil || len(s.SLA) > 0 || s.Verdict != baseline.Pass
}

// Shown is the scenario's verdict as its icon and colour show it: its
// word, or "" when it was not judged (see [Run.Shown]).
func (s *Scenario) Shown() string {
	if !s.Judged() {
		return ""
	}
	return s.Verdict.String()
}

// NewErrorKinds names the kinds of error its head had and no base run did
// (baseline.Comparison.NewErrorKinds), for every list of its errors to
// mark; nil without a comparison.
func (s *Scenario) NewErrorKinds() []string {
	if s == nil || s.Comparison == nil {
		return nil
	}
	return s.Comparison.NewErrorKinds
}

// Word is the scenario's verdict as the text outputs print it: PASS,
// WARN, INCONCLUSIVE, FAIL, or NOT JUDGED when it was not ([Scenario.Judged]).
func (s *Scenario) Word() string {
	if !s.Judged() {
		return NotJudgedWord
	}
	return strings.ToUpper(s.Verdict.String())
}

// Regressions counts the metrics whose comparison failed.
func (s *Scenario) Regressions() int {
	n := 0
	if s.Comparison != nil {
		for _, row := range s.Comparison.Rows {
			if row.Verdict == baseline.Fail {
				n++
			}
		}
	}
	return n
}

// Breached tells whether an SLA expression did not hold in some run.
func (s *Scenario) Breached() bool { return len(baseline.SLABreaches(s.SLA)) > 0 }

// Severity orders scenarios of the same verdict: how much worse the
// worst failing metric got, as a fraction; bad input, SLA breaches and
// leaks come first.
func (s *Scenario) Severity() float64 {
	if s.Err != nil || s.Breached() || s.LeakRuns > 0 {
		return math.Inf(1)
	}
	w := 0.0
	if s.Comparison != nil {
		for _, r := range s.Comparison.Rows {
			if r.Verdict < s.Verdict {
				continue
			}
			w = max(w, Worsening(r))
		}
	}
	return w
}

// Worsening is a row's change oriented so that positive is worse.
func Worsening(r baseline.Row) float64 {
	if r.Better == baseline.HigherIsBetter {
		return -r.Change
	}
	return r.Change
}

// PartialUnjudged tells whether runs that held a share of the load left metrics of
// the comparison unjudged (baseline.Row.Partial): the scenario's counts
// and rates are those of a share of the load.
func (s *Scenario) PartialUnjudged() bool {
	return s.Comparison != nil && slices.ContainsFunc(s.Comparison.Rows, func(r baseline.Row) bool {
		return r.Partial && r.Verdict == baseline.Inconclusive
	})
}

// Changed says whether anything is not "~": a verdict other than pass, a
// significant or untested change, a breach or a leak.
func (s *Scenario) Changed() bool {
	if s.Verdict != baseline.Pass || s.LeakRuns > 0 || s.Breached() {
		return true
	}
	if s.Comparison != nil {
		for _, row := range s.Comparison.Rows {
			if row.Change != 0 && (row.Significant || !row.Tested) {
				return true
			}
		}
	}
	return false
}

// Bound tells whether a generator-bound run weighs on the scenario's
// verdict: one of either side's runs left metrics of the comparison
// unjudged, or, with nothing to compare with, a head run was
// generator-bound.
func (s *Scenario) Bound() bool {
	if s.Comparison != nil {
		for _, r := range s.Comparison.Rows {
			if r.GeneratorBound {
				return true
			}
		}
		return false
	}
	return len(s.GeneratorBound) > 0
}

// BaseRuns is what a base commit, run in turn with the head (loadgate run
// with a base, the Action's compare: base-ref), gave one scenario.
type BaseRuns struct {
	Commit string
	// Runs are the base's runs of the scenario; Failed says why there are
	// none when the base failed ([BaseFailure]), "" when it did not.
	Runs   []*loadtest.Result
	Failed string
	// NoRuns is Input.NoBase when the base has no run and nothing stands
	// in: "not run on the base 1a2b3c4d5e6f".
	NoRuns string
	// StoredOnly says the base was chosen for the stored baselines (the
	// commit they were recorded at, run again): a scenario without one is
	// not compared with the base.
	StoredOnly bool
}

// UseBase sets in's side to compare with from b, in holding the scenario's
// stored baseline if it has one (Stored, StoredPath, or NoBase saying why
// not): the base's runs when it has some; else the stored baseline, which
// stands in (the returned note says so); else nothing, NoBase and
// BaseFailed saying why. Under b.StoredOnly a scenario without a stored
// baseline keeps in as it is. loadgate run and the Action both choose so.
func (in *Input) UseBase(b BaseRuns) (note string) {
	if b.StoredOnly && in.Stored == nil {
		return ""
	}
	if len(b.Runs) > 0 {
		in.Base, in.Stored, in.StoredPath, in.StoredErr, in.NoBase = b.Runs, nil, "", nil, ""
		in.BaseCommit = b.Commit
		return ""
	}
	if in.Stored != nil {
		// The base ran and did not fail, yet has no run of the scenario:
		// its test is not at that commit, typically because the baseline
		// was recorded before its load test was committed.
		return fmt.Sprintf("%s compared with its stored baseline: %s", in.Name, cmp.Or(b.Failed,
			"not run on the base "+cell.Commit(b.Commit)+": no test there ran it (a baseline recorded before its load test was committed names a commit without it)"))
	}
	in.StoredPath, in.StoredErr = "", nil
	in.NoBase, in.BaseFailed = b.NoRuns, b.Failed
	return ""
}

// BaseFailure is Input.BaseFailed of a scenario whose base runs are
// missing because its test failed on the base commit (test set) or its
// package did (test ""): with the line of go's output that says why
// (gotest.Reason), when output has one.
func BaseFailure(commit, pkg, test, output string) string {
	what := "package " + pkg
	if test != "" {
		what = "test " + test
	}
	why := ""
	if r := gotest.Reason(output); r != "" {
		why = ": " + r
	}
	return fmt.Sprintf("%s failed on the base %s%s", what, cell.Commit(commit), why)
}
