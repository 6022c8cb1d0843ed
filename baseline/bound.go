package baseline

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/loadtest"
)

// A run whose load generator was the bottleneck (loadtest.Generator.Bound)
// measured the generator as much as the service: its latencies and
// throughput are no evidence about the code. A comparison leaves such runs
// out of those metrics and judges them on the other runs, as long as
// enough are left for the rank test to confirm a change at the
// comparison's alpha. The metric is inconclusive ([Row.GeneratorBound]),
// never a pass or a failure, when too few are left, and when it fails
// with the bound runs but not without them: the test process holds the
// harness and often the service too, so a regression that costs CPU can
// itself push head runs over the generator's limits, and leaving exactly
// those runs out must not clear it. Metrics a generator short of CPU does
// not distort (the error rate, leaks, memory) are judged on every run. So
// one run of ten that shared its CPU with something else neither hides a
// clear regression nor fails a pull request. One case is judged on every
// run: when the base's runs were made in turn with the head's (inTurn:
// loadgate run -base, the Action's base-ref), from the second look's runs
// on over half of the head's runs were bound and none of the base's, and
// the metric fails on every run. A machine short of CPU would have met
// both sides; the change itself takes the CPU, and its failure stands.

// The notes of a row that generator-bound runs left unjudged, after
// loadtest.BoundWord and a colon: why it was not judged.
const (
	boundTooFew    = "too few other runs"
	boundWorseOnly = "fails only with them"
)

// headBoundNote is the note of a row failed on every run because only the
// head's runs were generator-bound (see judgeUnbound).
func headBoundNote(bound, runs int) string {
	return fmt.Sprintf("%s in %d of %d head runs and in no base run, made in turn with them: the change takes the CPU", loadtest.BoundWord, bound, runs)
}

// unboundValues returns the values of metric m in the runs of s that
// were not generator-bound, and how many runs that have m were.
func (s Sample) unboundValues(m Metric) (vals []float64, bound int) {
	vals = make([]float64, 0, len(s.Runs))
	if m.row.Read == nil {
		return vals, 0
	}
	for i := range s.Runs {
		v, ok := s.Runs[i].value(m.row)
		switch {
		case !ok:
		case len(s.Runs[i].GeneratorBound) > 0:
			bound++
		default:
			vals = append(vals, v)
		}
	}
	return vals, bound
}

// judgeUnbound judges metric m, one a generator short of CPU distorts, on
// the runs of either side that were not generator-bound. With none bound it
// is judge. When too few are left for the rank test, or the metric fails
// on every run but not on those, the row holds every run's values and is
// inconclusive, unless the base was paired with the head and only the
// head's runs were bound, over half of at least secondLook: then the row
// is judged on every run and its failure stands (see the top of this
// file).
func judgeUnbound(m Metric, rule Rule, base, head Sample, alpha float64, failUnconfirmed, paired bool) Row {
	bv, bb := base.unboundValues(m)
	hv, hb := head.unboundValues(m)
	if bb+hb == 0 {
		return judge(m, rule, bv, hv, alpha, failUnconfirmed)
	}
	all := judge(m, rule, base.Values(m), head.Values(m), alpha, failUnconfirmed)
	if headRuns := len(hv) + hb; paired && bb == 0 && headRuns >= secondLook() && 2*hb > headRuns && all.Verdict == Fail && !rule.WarnOnly {
		all.BoundByChange = true
		all.addNote(headBoundNote(hb, headRuns))
		return all
	}
	all.Base.LeftOut, all.Head.LeftOut, all.everyRun = bb, hb, true
	if len(bv) == 0 || len(hv) == 0 || minP(len(bv), len(hv)) > alpha {
		all.leaveUnjudged(boundTooFew)
		return all
	}
	row := judge(m, rule, bv, hv, alpha, failUnconfirmed)
	if all.Verdict == Fail && row.Verdict != Fail && !rule.WarnOnly {
		all.leaveUnjudged(boundWorseOnly)
		return all
	}
	row.Base.LeftOut, row.Head.LeftOut = bb, hb
	row.noteLeftOut()
	return row
}

// leaveUnjudged makes r inconclusive because of its generator-bound runs,
// saying why.
func (r *Row) leaveUnjudged(why string) {
	r.Verdict, r.GeneratorBound = Inconclusive, true
	r.Note = loadtest.BoundWord + ": " + why
}

// noteLeftOut adds to the row's note how many generator-bound runs it was
// judged without, if any.
func (r *Row) noteLeftOut() {
	n := r.LeftOut()
	if n == 0 || r.GeneratorBound {
		return
	}
	r.addNote("without " + cell.Plural(n, loadtest.BoundWord+" run"))
}

// addNote adds a sentence to the row's note.
func (r *Row) addNote(s string) {
	if r.Note == "" {
		r.Note = s
	} else {
		r.Note += "; " + s
	}
}

// boundSettled tells whether more runs cannot judge a row that
// generator-bound runs left unjudged at a look of alpha: when even the
// most runs a sequential comparison adds (up to the last of DefaultLooks,
// all of them not bound; to the head only, unless the base is paired with
// it and grows too) could not reach alpha; or when, from the second
// look's runs on, over half of a side's runs were bound, so the
// generator, not a busy moment, is short of CPU and more runs would be
// bound too. At the first look a burst of marks gets more runs.
func (r Row) boundSettled(alpha float64, paired bool) bool {
	// The runs of each side not bound, and all of them.
	base, head, baseAll, headAll := r.Base.N, r.Head.N, r.Base.N, r.Head.N
	if r.everyRun {
		base, head = base-r.Base.LeftOut, head-r.Head.LeftOut
	} else {
		baseAll, headAll = baseAll+r.Base.LeftOut, headAll+r.Head.LeftOut
	}
	most := DefaultLooks[len(DefaultLooks)-1]
	if paired {
		base += max(0, most-baseAll)
	}
	if base == 0 || minP(base, head+max(0, most-headAll)) > alpha {
		return true
	}
	return headAll >= secondLook() && (2*r.Base.LeftOut > baseAll || 2*r.Head.LeftOut > headAll)
}

// secondLook is the runs of the second of DefaultLooks: from then on, over
// half of a side's runs generator-bound is the generator short of CPU, not
// a busy moment.
func secondLook() int {
	if len(DefaultLooks) > 1 {
		return DefaultLooks[1]
	}
	return DefaultLooks[len(DefaultLooks)-1]
}

// boundReasons says what the generator-bound runs did to c: which
// metrics they left unjudged and why (unjudged, the reason of an
// inconclusive verdict), or which were judged without them
// (judgedWithout, a warning).
func (c *Comparison) boundReasons() (unjudged string, judgedWithout error) {
	var not, why, without []string
	for _, r := range c.Rows {
		switch {
		case r.GeneratorBound && r.Verdict != Inconclusive:
			// A metric that could not fail (warn only, machines that
			// differ): it warns with a reason of its own.
		case r.GeneratorBound:
			not = append(not, r.Metric)
			if w := strings.TrimPrefix(r.Note, loadtest.BoundWord+": "); !slices.Contains(why, w) {
				why = append(why, w)
			}
		case r.LeftOut() > 0:
			without = append(without, r.Metric)
		}
	}
	runs := strings.Join(c.GeneratorBound, "; ")
	if len(not) > 0 {
		unjudged = fmt.Sprintf("inconclusive: %s: %s not judged: %s (%s)",
			loadtest.BoundWord, joinComma(not), strings.Join(why, "; "), runs)
	}
	if len(without) > 0 {
		judgedWithout = fmt.Errorf("%s judged without the %s runs (%s)", joinComma(without), loadtest.BoundWord, runs)
	}
	return unjudged, judgedWithout
}

// inTurn tells whether the runs of base and head were made in turn, one of
// each alternately and one after the other, as loadgate run -base and the
// Action's compare: base-ref make them on one machine: in the order they
// started, no two runs in a row are of one side, and none started before
// the one before it ended. The base then grows look by look with the head,
// and a machine short of CPU meets both sides alike. A stored baseline,
// recorded before the head ran, was not made in turn with it, nor were
// runs made at the same time on two machines (they overlap).
func inTurn(base, head Sample) bool {
	type span struct {
		start, end time.Time
		head       bool
	}
	var all []span
	for _, side := range []struct {
		s    Sample
		head bool
	}{{base, false}, {head, true}} {
		for _, r := range side.s.Runs {
			if r.Started.IsZero() || r.DurationNS <= 0 {
				return false // a run that does not say when it ran
			}
			all = append(all, span{r.Started, r.Started.Add(time.Duration(r.DurationNS)), side.head})
		}
	}
	if len(base.Runs) == 0 || len(head.Runs) == 0 {
		return false
	}
	slices.SortFunc(all, func(a, b span) int { return a.start.Compare(b.start) })
	for i := 1; i < len(all); i++ {
		if all[i].head == all[i-1].head || all[i].start.Before(all[i-1].end) {
			return false
		}
	}
	return true
}
