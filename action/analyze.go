package action

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/loadtest"
)

// ErrNoResults means the load tests produced no result at all: nothing
// matched the run input, or every test failed before measuring.
var ErrNoResults = errors.New("no load test results")

// Report is what a run of the action found, ready to render.
type Report struct {
	Verdict baseline.Verdict
	// Regressions counts the metrics that regressed (failed) over all
	// scenarios.
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
	Marker                            string
	// Key, the comment-key input, names the matrix entry in the heading.
	Key string

	inSummary bool // rendering for the job summary
}

// Scenario is one scenario's judgement.
type Scenario struct {
	Name    string
	Package string
	Test    string // the top-level test function
	// Comparison is nil when there was nothing to compare with (NoBase).
	Comparison *baseline.Comparison
	NoBase     string
	// SLA holds the outcomes of the SLA file's expressions on every head
	// run (Run is 1-based), whether or not there is a comparison.
	SLA      []baseline.SLAOutcome
	BaseRuns int
	HeadRuns int
	// LeakRuns counts head runs that leaked goroutines; Leaks groups what
	// they leaked, largest first.
	LeakRuns int
	Leaks    []loadtest.Leak
	// BaseP99 and HeadP99 are the p99 latency per second of the load
	// (nanoseconds), the median over the runs of each side.
	BaseP99, HeadP99 []float64
	// TestFailed says that the scenario's test function failed in at
	// least one head run.
	TestFailed bool
	Verdict    baseline.Verdict
	// Why lists the reasons of a verdict other than pass, worst first.
	Why []string
}

// Failure is a test function that failed in some runs.
type Failure struct {
	Package  string
	Test     string // "" for a package that failed without a test (a build error)
	Position Position
	Runs     int // runs in which it failed
	Of       int // runs it took part in
	Output   string
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
			groups[k] = &Scenario{Name: h.Scenario, Package: h.Package, Test: topTest(h.Test)}
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

	failures, baseFailures := failuresOf(m)
	for _, k := range order {
		s := groups[k]
		head := headOf[k]
		if err := s.judge(m.Compare, head, baseOf[side{s.Package, s.Name}], res.Baselines, j); err != nil {
			return nil, err // it names the scenario
		}
		for i := range failures {
			f := &failures[i]
			if f.Package == s.Package && f.Test == s.Test {
				s.TestFailed = true
				f.Scenarios = append(f.Scenarios, s)
			}
		}
		s.decide()
		r.Scenarios = append(r.Scenarios, s)
		r.Verdict = max(r.Verdict, s.Verdict)
		if s.Comparison != nil {
			for _, row := range s.Comparison.Rows {
				if row.Verdict == baseline.Fail {
					r.Regressions++
				}
			}
		}
		r.Breaches += len(baseline.SLABreaches(s.SLA))
	}
	// The verdict first: failing scenarios lead, the worst first.
	slices.SortStableFunc(r.Scenarios, func(a, b *Scenario) int {
		return cmp.Or(cmp.Compare(b.Verdict, a.Verdict), cmp.Compare(b.severity(), a.severity()))
	})
	if len(failures) > 0 {
		r.Verdict = baseline.Fail
	}
	r.Failures = failures
	r.BaseFailures = baseFailures
	sortFailures(r.Failures)

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
			r.Notes = append(r.Notes, fmt.Sprintf("scenario %s ran on the base only (removed, renamed, or its test failed before measuring)", code(name)))
		}
	}
	r.Notes = append(r.Notes, m.Notes...)
	if len(r.Scenarios) == 0 && len(r.Failures) == 0 {
		return r, fmt.Errorf("%w: no test matching -run %q in %s wrote one (does it call loadtest.Run?)",
			ErrNoResults, m.Run, strings.Join(m.Packages, " "))
	}
	return r, nil
}

// judge compares the scenario's head runs with its base runs or its
// stored baseline and checks the SLA.
func (s *Scenario) judge(mode CompareMode, head, base []*loadtest.Result, stored []*baseline.Baseline, j *baseline.Judge) error {
	s.HeadRuns = len(head)
	switch mode {
	case CompareBaseRef:
		s.BaseRuns = len(base)
		if len(base) == 0 {
			s.NoBase = "no base run: the scenario is new in this pull request, or its test failed on the base"
			break
		}
		bs, err := baseline.SampleOf(base...)
		if err != nil {
			return fmt.Errorf("scenario %s: base: %w", s.Name, err)
		}
		hs, err := baseline.SampleOf(head...)
		if err != nil {
			return fmt.Errorf("scenario %s: head: %w", s.Name, err)
		}
		bs.Label, hs.Label = "base", "head"
		c, err := j.Compare(bs, hs)
		if err != nil {
			return err
		}
		s.Comparison = c
		s.BaseP99 = p99PerSecond(base)
	default:
		b := findBaseline(stored, s.Package, s.Name)
		if b == nil {
			s.NoBase = "no stored baseline: record one with LOADGATE_UPDATE=1 go test -run '^" + s.Test + "$' -count=5"
			break
		}
		s.BaseRuns = len(b.Runs)
		hs, err := baseline.SampleOf(head...)
		if err != nil {
			return fmt.Errorf("scenario %s: head: %w", s.Name, err)
		}
		hs.Label = "head"
		bs := b.Sample()
		bs.Label = "baseline"
		c, err := j.Compare(bs, hs)
		if err != nil {
			return err
		}
		s.Comparison = c
	}
	s.HeadP99 = p99PerSecond(head)
	if s.Comparison != nil {
		s.SLA = s.Comparison.SLA
	} else if outs, err := j.CheckSLA(s.Name, head); err != nil {
		return err
	} else {
		s.SLA = outs
	}
	leaks := map[string]*loadtest.Leak{}
	for _, h := range head {
		if len(h.Leaks) > 0 {
			s.LeakRuns++
		}
		for _, l := range h.Leaks {
			k := l.Function + "\x00" + l.CreatedAt
			if leaks[k] == nil {
				c := l
				c.Count = 0
				leaks[k] = &c
			}
			leaks[k].Count += l.Count
		}
	}
	for _, l := range leaks {
		s.Leaks = append(s.Leaks, *l)
	}
	slices.SortFunc(s.Leaks, func(a, b loadtest.Leak) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Function, b.Function))
	})
	return nil
}

// decide sets the scenario's verdict and its reasons.
func (s *Scenario) decide() {
	s.Verdict = baseline.Pass
	if s.Comparison != nil {
		s.Verdict = s.Comparison.Verdict
		s.Why = append(s.Why, s.Comparison.Reasons...)
	} else {
		for _, b := range baseline.SLABreaches(s.SLA) {
			s.Verdict = baseline.Fail
			s.Why = append(s.Why, "SLA breached: "+b.First.Message)
		}
	}
	if s.LeakRuns > 0 {
		s.Verdict = baseline.Fail
		s.Why = append(s.Why, fmt.Sprintf("goroutines leaked in %d of %d runs", s.LeakRuns, s.HeadRuns))
	}
	if s.TestFailed {
		s.Verdict = baseline.Fail
		s.Why = append(s.Why, "test "+s.Test+" failed")
	}
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

// topTest returns the top-level test of a test name: "TestLoad" of
// "TestLoad/checkout".
func topTest(name string) string {
	top, _, _ := strings.Cut(name, "/")
	return top
}

// p99PerSecond returns, for each second of the load, the median over the
// runs of the p99 latency of the requests completed in that second.
// Seconds without requests in a run are left out of that second's median.
func p99PerSecond(runs []*loadtest.Result) []float64 {
	n := 0
	for _, r := range runs {
		for _, s := range r.Timeline {
			n = max(n, int(s.Second)+1)
		}
	}
	if n == 0 {
		return nil
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
	return out
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
			f := Failure{Package: t.Package, Test: t.Test, Output: t.Output}
			if t.Test != "" {
				f.Position = m.Positions[t.Package+"."+t.Test]
			}
			*list = append(*list, f)
		}
		(*list)[i].Runs++
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
		w = max(w, s.severity())
	}
	return w
}

// severity orders scenarios of the same verdict: how much worse the
// worst failing metric got; breaches and leaks come first.
func (s *Scenario) severity() float64 {
	if len(baseline.SLABreaches(s.SLA)) > 0 || s.LeakRuns > 0 {
		return math.Inf(1)
	}
	w := 0.0
	if s.Comparison != nil {
		for _, r := range s.Comparison.Rows {
			if r.Verdict < s.Verdict {
				continue
			}
			w = max(w, worsening(r))
		}
	}
	return w
}

// worsening is a row's change oriented so that positive is worse.
func worsening(r baseline.Row) float64 {
	if r.Better == baseline.HigherIsBetter {
		return -r.Change
	}
	return r.Change
}

// Changed says whether anything is not "~": a verdict other than pass, a
// significant or untested change, a breach, a leak or a failed test. The
// on-change comment mode creates a comment only then.
func (r *Report) Changed() bool {
	if r.Verdict != baseline.Pass || len(r.Failures) > 0 {
		return true
	}
	for _, s := range r.Scenarios {
		if s.LeakRuns > 0 || len(baseline.SLABreaches(s.SLA)) > 0 {
			return true
		}
		if s.Comparison == nil {
			continue
		}
		for _, row := range s.Comparison.Rows {
			if row.Change != 0 && (row.Significant || !row.Tested) {
				return true
			}
		}
	}
	return false
}
