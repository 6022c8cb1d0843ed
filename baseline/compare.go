package baseline

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"golang.org/x/perf/benchmath"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/internal/catalogue"
	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/loadtest"
)

// Verdict is the outcome of a comparison or of one metric in it.
type Verdict int

const (
	// Pass: nothing to warn about or fail.
	Pass Verdict = iota
	// Warn: something worth a look that does not fail, such as a change
	// beyond the tolerance the rank test did not confirm, a significant
	// one within it, a metric that only warns, or machines that differ.
	Warn
	// Inconclusive says the runs were too noisy to tell a change of the
	// rule's tolerance from none: not a pass (see [Comparison.Conclude]).
	Inconclusive
	// Fail: a regression, such as a significant change beyond a gating
	// metric's tolerance, or a breached SLA.
	Fail
)

// String returns the verdict in lower case: "pass", "warn",
// "inconclusive" or "fail".
func (v Verdict) String() string {
	switch v {
	case Pass:
		return "pass"
	case Warn:
		return "warn"
	case Inconclusive:
		return "inconclusive"
	case Fail:
		return "fail"
	}
	return fmt.Sprintf("Verdict(%d)", int(v))
}

// MarshalText writes "pass", "warn", "inconclusive" or "fail".
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText reads "pass", "warn", "inconclusive" or "fail".
func (v *Verdict) UnmarshalText(b []byte) error {
	for _, x := range []Verdict{Pass, Warn, Inconclusive, Fail} {
		if string(b) == x.String() {
			*v = x
			return nil
		}
	}
	return fmt.Errorf("verdict %q: want pass, warn, inconclusive or fail", b)
}

// CILevel is the confidence level of the intervals shown around medians
// (the ± of every rendering of a comparison).
// benchstat uses 0.95, which needs 6 runs for a finite interval; at 0.90
// the 5 runs loadgate suggests give one (their range, at 93.75%).
const CILevel = 0.90

// Comparison is what [Compare] found: a row per metric, the SLA outcomes,
// an overall verdict and the reasons for it. Render it with
// [Comparison.WriteText], [Comparison.WriteMarkdown] or
// [Comparison.WriteJSON].
type Comparison struct {
	Scenario string
	Base     Side
	Head     Side
	Alpha    float64
	Rows     []Row
	// Names compares the p99 and the error rate of each request name, when
	// both sides' runs have more than one name (a stored baseline's too,
	// [Run.Names]): where a change of the totals comes from. They only
	// warn, and do not decide the verdict. At most [MaxComparedNames]
	// names are compared, the worst changes first.
	Names []Row
	// EnvMismatch lists how the machines of the two samples differ
	// ("cpus: 2 vs 4"); empty when they do not.
	EnvMismatch []string
	SLA         []SLAOutcome
	Score       *Score // nil without a scorecard
	Verdict     Verdict
	// Reasons explain a verdict other than pass, worst first; under a
	// failing verdict the ones that only warn start with "warning: ".
	Reasons []string
	// Warnings are findings that do not change the verdict: too few runs
	// for the rank test, different Go versions, runs that stopped early.
	Warnings []error
	// GeneratorBound lists the runs of either side that were
	// generator-bound, with why: "head run 2: the process used 97% of its
	// 2 CPUs (limit 90%)". Their latencies and throughput are the load
	// generator's as much as the service's, so the rows of those metrics
	// leave them out ([Stat.LeftOut]), or are inconclusive when too few
	// runs are left ([Row.GeneratorBound]).
	GeneratorBound []string
	// NewErrorKinds names the kinds of error the head's runs had and no
	// base run did ("timeout", "http_503"), most requests first; a
	// warning says them with their counts. They do not decide the
	// verdict: the error rate does. Empty when there are none, or when
	// the base's runs do not say all their kinds (a baseline recorded
	// before runs kept them, or a run that kept only its
	// MaxStoredErrorKinds most frequent).
	NewErrorKinds []string
	// Partial lists the runs of either side that are merged results
	// lacking shards (loadgate merge -partial), with which: "head run 1: 2
	// of 3 shards merged, shard 2 missing". Their counts and rates are
	// those of a share of the load, so the rows of those metrics are left
	// unjudged ([Row.Partial]); latencies and error rates are judged.
	// Merged results whose shards began out of step are listed too.
	Partial []string
	// Spread says every run of Partial holds its whole load, spread over a
	// longer window than planned ([Run.Spread]): only the throughput is
	// left unjudged; the dropped arrivals, counted against each shard's
	// own schedule, are judged. False when Partial is empty.
	Spread bool

	policy Policy // what decided it, to decide again (Demote, Conclude)
	paired bool   // the base's runs were made in turn with the head's (inTurn)
}

// Side describes one sample of a comparison.
type Side struct {
	Label  string
	Runs   int
	Env    loadtest.Env
	Commit string
}

// Stat summarises one metric on one side: the median of the runs and a
// confidence interval around it (±Inf when the runs are too few for one).
type Stat struct {
	Median float64
	Lo, Hi float64
	N      int // the runs the Stat is of (see LeftOut)
	// LeftOut counts the side's runs that were generator-bound, which a
	// metric a load generator short of CPU distorts is judged without
	// (not counted in N), or, when too few were left, which left the
	// metric unjudged (Row.GeneratorBound; counted in N when the row's
	// Stats hold every run).
	LeftOut int
}

// Row is the comparison of one metric.
type Row struct {
	Metric string
	Unit   assert.Unit
	Better Direction
	Rule   Rule
	Base   Stat
	Head   Stat
	// Change is the head median relative to the base median, minus one
	// (+0.20 is 20% higher); ±Inf when the base median is 0 and the head's
	// is not.
	Change float64
	// ChangeLo and ChangeHi bound Change at the comparison's confidence
	// level (the Hodges-Lehmann interval of the shift, relative to the base
	// median, that goes with the rank test); ±Inf with too few runs, and,
	// as Change, where the base median is 0 and the bound is not.
	ChangeLo, ChangeHi float64
	// Tested says whether there were enough runs on both sides for the
	// rank test to confirm a change at all; P is its p-value (1 when not
	// tested).
	Tested      bool
	P           float64
	Significant bool
	Verdict     Verdict
	// Note says why the verdict is what it is, when that needs saying.
	Note string
	// Demoted is why a correction over several comparisons turned the
	// row's failure into a warning ("not significant over 12 scenarios",
	// [Comparison.Demote]); "" when none did. The row is still
	// Significant on its own.
	Demoted string
	// GeneratorBound says the metric is one a load generator short of CPU
	// distorts (a latency, throughput), and so many runs of either side
	// were generator-bound that too few were left to judge it without
	// them: the verdict is inconclusive, whatever the values, and
	// Comparison.GeneratorBound says which runs. The Stats hold every run
	// of each side, or the runs judged when Demote left the row so.
	GeneratorBound bool
	// BoundByChange says the metric was judged on every run although
	// some were generator-bound, and failed: the base's runs were made in
	// turn with the head's and none of them was bound, over half of the
	// head's were (from the second look's runs on). A machine short of CPU
	// would have met both sides: the change itself takes the CPU.
	BoundByChange bool
	// Partial says the metric counts or rates what the runs sent
	// (throughput, dropped arrivals) and a run of either side lacked
	// shards (Comparison.Partial): its values are those of a share of the
	// load, so the row is inconclusive, whatever they are (a warning
	// where the metric only warns). A missing shard is the generators'
	// failure, not a regression of the service.
	Partial bool

	// shiftLo and shiftHi are ChangeLo and ChangeHi in the metric's unit,
	// which a floor is in: a base median of 0 makes the relative ones
	// infinite.
	shiftLo, shiftHi float64

	// everyRun says the Stats hold every run, the LeftOut ones among them
	// in N: judgeUnbound left the row unjudged. Otherwise N counts the
	// runs judged, LeftOut the bound ones besides (Demote can leave such a
	// row unjudged too).
	everyRun bool
}

// LeftOut counts the generator-bound runs of both sides that the row was
// judged without, or that left it unjudged (GeneratorBound).
func (r Row) LeftOut() int { return r.Base.LeftOut + r.Head.LeftOut }

// SLAOutcome is the outcome of one SLA expression on one head result.
type SLAOutcome struct {
	Run int // 1-based index of the result in the head sample
	assert.Outcome
	// Where is the SLA file's line that holds the expression's rule
	// ("loadgate.sla:7"), "" for an expression of the policy alone. A
	// breach's Message ends with it too, for readers of the sentence.
	Where string
}

// CompareRuns compares the results of two versions of the code, for
// example base and head of a pull request, each run several times.
func CompareRuns(base, head []*loadtest.Result, p Policy) (*Comparison, error) {
	b, err := SampleOf(base...)
	if err != nil {
		return nil, fmt.Errorf("base: %w", err)
	}
	h, err := SampleOf(head...)
	if err != nil {
		return nil, fmt.Errorf("head: %w", err)
	}
	b.Label = "base"
	return Compare(b, h, p)
}

// Compare judges head against base under policy p. Each metric's per-run
// values on the two sides go through a Mann-Whitney U test (the
// golang.org/x/perf/benchmath implementation benchstat uses): a metric
// fails when it is significantly worse and beyond its rule's tolerance;
// it warns when it is significantly worse beyond the rule's warn level, or
// beyond tolerance without significance (unless the interval of the change
// reaches as large an improvement too: runs that noisy do not even hint at
// a change); it passes otherwise. Compare returns an error, and no
// comparison, when the samples cannot be compared: another
// scenario ([ErrScenarioMismatch]), no runs ([ErrNoRuns]), runs sent to
// another target ([ErrTargetMismatch]) or at another LOADGATE_SCALE or
// LOADGATE_RATE_SCALE ([ErrScaleMismatch]), an invalid policy or a
// malformed SLA expression.
func Compare(base, head Sample, p Policy) (*Comparison, error) {
	c, err := compare(base, head, p)
	if err != nil {
		return nil, err
	}
	c.Conclude()
	return c, nil
}

// compare is Compare without the conclusion: more runs may come.
func compare(base, head Sample, p Policy) (*Comparison, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if base.Scenario != head.Scenario {
		return nil, fmt.Errorf("%w: comparing scenario %q with a baseline of %q", ErrScenarioMismatch, head.Scenario, base.Scenario)
	}
	if len(base.Runs) == 0 {
		return nil, fmt.Errorf("%s: %w", label(base, "base"), ErrNoRuns)
	}
	if len(head.Runs) == 0 {
		return nil, fmt.Errorf("%s: %w", label(head, "head"), ErrNoRuns)
	}
	if err := sameLoad(label(base, "base"), base.Env, label(head, "head"), head.Env); err != nil {
		return nil, err
	}
	alpha := p.alpha()
	paired := inTurn(base, head)
	c := &Comparison{
		Scenario: base.Scenario,
		Base:     Side{Label: label(base, "base"), Runs: len(base.Runs), Env: base.Env, Commit: base.Commit},
		Head:     Side{Label: label(head, "head"), Runs: len(head.Runs), Env: head.Env, Commit: head.Commit},
		Alpha:    alpha,
		paired:   paired,
	}
	c.EnvMismatch = envMismatch(base.Env, head.Env)
	if base.Env.Go != head.Env.Go && base.Env.Go != "" && head.Env.Go != "" {
		c.Warnings = append(c.Warnings, fmt.Errorf("Go versions differ: %s vs %s", base.Env.Go, head.Env.Go))
	}
	if base.Env.Loadgate != head.Env.Loadgate && base.Env.Loadgate != "" && head.Env.Loadgate != "" {
		// The instrument changed: a new loadgate may send, pace or time
		// otherwise, and the change of figures may be its own.
		c.Warnings = append(c.Warnings, fmt.Errorf("loadgate versions differ: %s vs %s (a change may be the instrument's; record the baseline again with the new version)", base.Env.Loadgate, head.Env.Loadgate))
	}
	if d := plannedDiffers(base, head); d != "" {
		c.Warnings = append(c.Warnings, fmt.Errorf("the planned load differs (%s): the latencies answer different loads", d))
	}
	// Spread only when some run is partial and every partial run is
	// spread: a comparison of whole runs is not "out of step".
	spread := true
	for _, s := range []Sample{base, head} {
		for i, r := range s.Runs {
			if r.Stopped != "" {
				c.Warnings = append(c.Warnings, fmt.Errorf("%s run %d stopped early (%s): its values cover less load", label(s, "?"), i+1, r.Stopped))
			}
			if len(r.GeneratorBound) > 0 {
				c.GeneratorBound = append(c.GeneratorBound, fmt.Sprintf("%s run %d: %s", label(s, "?"), i+1, strings.Join(r.GeneratorBound, "; ")))
			}
			if r.Partial != "" {
				c.Partial = append(c.Partial, fmt.Sprintf("%s run %d: %s", label(s, "?"), i+1, r.Partial))
				spread = spread && r.Spread
			}
		}
	}
	c.Spread = spread && len(c.Partial) > 0

	untested := false
	for _, m := range metricsOf(base, head) {
		rule := p.RuleFor(m.Name)
		if rule.Ignore {
			continue
		}
		bv, hv := base.Values(m), head.Values(m)
		if len(bv) == 0 || len(hv) == 0 {
			continue
		}
		var row Row
		if m.row.Generator {
			row = judgeUnbound(m, rule, base, head, alpha, p.FailUnconfirmed, paired)
		} else {
			row = judge(m, rule, bv, hv, alpha, p.FailUnconfirmed)
		}
		if rule.WarnOnly && row.Verdict == Fail {
			row.Verdict = Warn
			row.Note += " (warn only)"
		}
		if len(c.EnvMismatch) > 0 && p.EnvMismatchWarns && row.Verdict == Fail {
			row.Verdict = Warn
			row.Note += "; machines differ"
		}
		row.BoundByChange = row.BoundByChange && row.Verdict == Fail // it failed, or it says nothing
		if row.GeneratorBound && (rule.WarnOnly || len(c.EnvMismatch) > 0 && p.EnvMismatchWarns) {
			// It could not fail the comparison: what the bound runs
			// left unjudged warns, as a failure of it would.
			row.Verdict = Warn
		}
		if m.row.Load && len(c.Partial) > 0 && !(c.Spread && m.row.Unit != catalogue.Rate) {
			row.leavePartial(rule.WarnOnly || len(c.EnvMismatch) > 0 && p.EnvMismatchWarns, c.Spread)
		}
		untested = untested || !row.Tested
		c.Rows = append(c.Rows, row)
	}
	c.Names = nameRows(base, head, p, alpha)
	if _, without := c.boundReasons(); without != nil {
		c.Warnings = append(c.Warnings, without)
	}
	if len(c.Partial) > 0 && c.partialReason() == "" {
		// No row of a count or rate to leave unjudged (the policy
		// ignores them): the reader must still know whose load it was.
		c.Warnings = append(c.Warnings, errors.New(PartialWords(c.Partial, c.Spread)))
	}
	if kinds, warning := newErrorKinds(base, head); kinds != nil {
		c.NewErrorKinds = kinds
		c.Warnings = append(c.Warnings, warning)
	}
	if untested {
		c.Warnings = append(c.Warnings, fmt.Errorf(
			"n=%d+%d: too few runs for the rank test to confirm a change at alpha %.3g; record and compare 5 runs a side (go test -count=5, loadgate run -count 5)",
			len(base.Runs), len(head.Runs), alpha))
	}

	if len(p.SLA) > 0 {
		if len(head.Results) == 0 {
			c.Warnings = append(c.Warnings, errors.New("SLA not checked: the head sample has no results"))
		}
		outs, err := checkSLA(p.SLA, head.Results, p.slaWhere)
		if err != nil {
			return nil, err
		}
		c.SLA = outs
	}
	c.policy = p
	c.decide(p)
	return c, nil
}

func label(s Sample, def string) string {
	if s.Label != "" {
		return s.Label
	}
	return def
}

// judge compares one metric's values.
func judge(m Metric, rule Rule, bv, hv []float64, alpha float64, failUnconfirmed bool) Row {
	th := &benchmath.Thresholds{CompareAlpha: alpha}
	bs := benchmath.NewSample(slices.Clone(bv), th)
	hs := benchmath.NewSample(slices.Clone(hv), th)
	row := Row{Metric: m.Name, Unit: m.Unit, Better: m.Better, Rule: rule,
		Base: stat(bs), Head: stat(hs), P: 1}
	b, h := row.Base.Median, row.Head.Median
	row.Change = change(b, h)
	row.shiftLo, _, row.shiftHi = shiftCI(bv, hv, CILevel)
	row.ChangeLo, row.ChangeHi = relative(row.shiftLo, b), relative(row.shiftHi, b)
	worse := row.Change
	if m.Better == HigherIsBetter {
		worse = -worse
	}
	abs := math.Abs(h - b)
	counts := abs > 0 && abs >= rule.Floor
	beyond := counts && worse > rule.Tolerance
	inBand := counts && worse > rule.Warn

	row.Tested = minP(len(bv), len(hv)) <= alpha
	if row.Tested {
		cmp := benchmath.AssumeNothing.Compare(bs, hs)
		row.P = cmp.P
		row.Significant = cmp.P <= alpha
	}
	tol := pct(rule.Tolerance)
	switch {
	case !row.Tested && beyond:
		row.Verdict = Warn
		if failUnconfirmed {
			row.Verdict = Fail
		}
		row.Note = fmt.Sprintf("n=%s: not confirmed, over %s tolerance", cell.Runs(len(bv), len(hv)), tol)
	case row.Significant && beyond:
		row.Verdict = Fail
		row.Note = fmt.Sprintf("over %s tolerance", tol)
	case !row.Significant && beyond && !row.noiseBothWays():
		row.Verdict = Warn
		row.Note = fmt.Sprintf("over %s tolerance, not significant", tol)
	case row.Significant && inBand:
		row.Verdict = Warn
		row.Note = fmt.Sprintf("significant, within %s tolerance", tol)
	case row.Significant && worse > 0 && !counts:
		row.Note = fmt.Sprintf("under the %s floor", m.Unit.Format(rule.Floor))
	case row.Significant && worse < 0:
		row.Note = "better"
	}
	return row
}

// noiseBothWays tells whether the interval of the row's change reaches an
// improvement as large as its tolerance as well as the worsening its median
// shows: the runs moved so much that the change is not even a hint (the
// A/A comparisons of identical code warned on such rows: p99.9 of 300
// requests, connect.p99 of a dozen connections, gc_pause_p99). A change
// over the tolerance that is not significant warns only without it. As
// large is by ratio: the improvement that undoes a worsening by the
// tolerance t, to 1/(1+t) of the base: −13% for 15%, −50% for 100% (a
// time can double, but not fall by 100%). Policy.Validate keeps t ≥ 0.
func (r Row) noiseBothWays() bool {
	lo, _, _ := r.worse()
	t := r.Rule.Tolerance
	return lo < -t/(1+t)
}

func stat(s *benchmath.Sample) Stat {
	st := Stat{N: len(s.Values)}
	if st.N == 1 {
		st.Median, st.Lo, st.Hi = s.Values[0], s.Values[0], s.Values[0]
		return st
	}
	sum := benchmath.AssumeNothing.Summary(s, CILevel)
	st.Median, st.Lo, st.Hi = sum.Center, sum.Lo, sum.Hi
	return st
}

// change returns h relative to b, minus one.
func change(b, h float64) float64 { return relative(h-b, b) }

// relative returns a shift d of a metric whose base median is b relative
// to b, as [Row.Change] is: ±Inf when b is 0 and d is not, since no change
// from 0 is a fraction of it.
func relative(d, b float64) float64 {
	switch {
	case d == 0:
		return 0
	case b == 0:
		return math.Inf(int(math.Copysign(1, d)))
	}
	return d / math.Abs(b)
}

// minP returns the smallest p-value the two-sided Mann-Whitney U test can
// give for samples of n1 and n2 values: 2/C(n1+n2, n1), when one sample is
// wholly above the other. The test cannot confirm a change when it is
// over alpha (3 runs a side give 0.1; 4 give 0.029; 5 against 1, 0.33).
func minP(n1, n2 int) float64 {
	c := 1.0 // C(n1+n2, n1)
	for i := 1; i <= n1; i++ {
		c = c * float64(n2+i) / float64(i)
	}
	return math.Min(1, 2/c)
}

func pct(f float64) string {
	return assert.UnitRatio.Format(f)
}

// envMismatch lists the differences between two machines that make
// absolute values incomparable. The Go version is not one of them: a
// toolchain upgrade is a change of the code under test.
func envMismatch(a, b loadtest.Env) []string {
	var d []string
	add := func(field string, x, y any) {
		if x != y {
			d = append(d, fmt.Sprintf("%s: %v vs %v", field, x, y))
		}
	}
	add("goos", a.GOOS, b.GOOS)
	add("goarch", a.GOARCH, b.GOARCH)
	add("cpus", a.CPUs, b.CPUs)
	if a.CPUModel != "" && b.CPUModel != "" {
		add("cpu", a.CPUModel, b.CPUModel)
	}
	// Scales and targets are not machines: samples that differ in them
	// are not compared at all (sameLoad).
	return d
}

// decide sets the verdict and its reasons.
func (c *Comparison) decide(p Policy) {
	var sla, fails, warns []string
	for _, b := range SLABreaches(c.SLA) {
		sla = append(sla, b.String())
	}
	worst := Pass
	for _, r := range c.Rows {
		worst = max(worst, r.Verdict)
		if r.GeneratorBound && r.Verdict == Inconclusive || r.Partial {
			continue // one reason for all of them, below
		}
		// The change as the row's cell writes it: "~" when the rank
		// test found none, as the table says right beside the reason.
		change := cell.ChangeOrSame(r.Change, r.Tested, r.Significant)
		reason := fmt.Sprintf("%s %s (%s): %s", r.Metric, change, cell.Test(r.Tested, r.P, r.Base.N, r.Head.N), r.Note)
		if !r.Tested {
			reason = fmt.Sprintf("%s %s: %s", r.Metric, change, r.Note)
		}
		switch r.Verdict {
		case Fail:
			fails = append(fails, reason)
		case Warn:
			warns = append(warns, reason)
		case Inconclusive:
			warns = append(warns, "inconclusive: "+reason)
		}
	}
	v := worst
	if p.Scorecard != nil {
		if sc, ok := p.Scorecard.score(c.Rows); ok {
			c.Score = &sc
			byScore := Pass
			switch {
			case sc.Total < p.Scorecard.failBelow():
				byScore = Fail
			case sc.Total < p.Scorecard.warnBelow():
				byScore = Warn
			}
			v = byScore
			switch {
			case len(sc.Vetoed) > 0:
				v = Fail
			case worst == Fail:
				// Failing metrics that are no veto: the score decides,
				// but the failures must still be seen.
				warns = append(fails, warns...)
				fails = nil
				v = max(v, Warn)
			}
			if slices.ContainsFunc(c.Rows, func(r Row) bool { return r.Verdict == Inconclusive }) {
				// Scored as passes: the score is the most it could
				// be, and only a failing one is sure.
				v = max(v, Inconclusive)
			}
			switch byScore {
			case Fail:
				fails = append(fails, fmt.Sprintf("score %s%.0f is under %g", sc.prefix(), sc.Total, p.Scorecard.failBelow()))
			case Warn:
				warns = append(warns, fmt.Sprintf("score %s%.0f is under %g", sc.prefix(), sc.Total, p.Scorecard.warnBelow()))
			}
		}
	}
	if why := c.partialReason(); why != "" {
		// As generator-bound runs' rows: the score counted them as
		// passes.
		if slices.ContainsFunc(c.Rows, func(r Row) bool { return r.Partial && r.Verdict == Inconclusive }) {
			v = max(v, Inconclusive)
			why = "inconclusive: " + why
		}
		warns = append([]string{why}, warns...)
	}
	if unjudged, _ := c.boundReasons(); unjudged != "" {
		// The score counted them as passes: it fails only when it would
		// whatever they were.
		v = max(v, Inconclusive)
		warns = append([]string{unjudged}, warns...)
	}
	if len(c.EnvMismatch) > 0 {
		v = max(v, Warn)
		warns = append(warns, "machines differ ("+joinComma(c.EnvMismatch)+"): absolute values are not comparable")
	}
	if len(sla) > 0 {
		v = Fail
	}
	c.Verdict = v
	if v == Fail {
		// Under a failing verdict, say which reasons did not fail it.
		for i, w := range warns {
			warns[i] = "warning: " + w
		}
	}
	if v != Pass {
		c.Reasons = append(append(sla, fails...), warns...)
	}
}

func joinComma(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}

// SLABreach is one SLA expression that did not hold in some runs.
type SLABreach struct {
	First SLAOutcome // the first run where it did not hold
	Runs  int        // runs where it did not hold
	Of    int        // runs checked
}

// String says what was breached and in how many of the runs.
func (b SLABreach) String() string {
	if b.Of == 1 {
		return "SLA breached: " + b.First.Message
	}
	if b.Runs == 1 {
		return fmt.Sprintf("SLA breached in run %d: %s", b.First.Run, b.First.Message)
	}
	return fmt.Sprintf("SLA breached in %d of %d runs, first in run %d: %s", b.Runs, b.Of, b.First.Run, b.First.Message)
}

// SLABreaches groups the failed outcomes by expression, in the order the
// expressions first failed.
func SLABreaches(outs []SLAOutcome) []SLABreach {
	var out []SLABreach
	index := map[string]int{}
	checked := map[string]int{}
	for _, o := range outs {
		checked[o.Expr]++
		if o.Pass {
			continue
		}
		if i, ok := index[o.Expr]; ok {
			out[i].Runs++
			continue
		}
		index[o.Expr] = len(out)
		out = append(out, SLABreach{First: o, Runs: 1})
	}
	for i := range out {
		out[i].Of = checked[out[i].First.Expr]
	}
	return out
}

// breachedOnly tells whether c fails on its SLA alone: no metric failed
// its comparison, and an SLA expression was breached.
func (c *Comparison) breachedOnly() bool {
	return len(SLABreaches(c.SLA)) > 0 && !slices.ContainsFunc(c.Rows, func(r Row) bool { return r.Verdict == Fail })
}
