package baseline

import (
	"fmt"
	"math"

	"github.com/loadgate/loadgate/internal/cell"
)

// A sequential comparison adds runs while its verdict is unclear: a tool
// (loadgate run, the Action) compares at each of a few looks, stops as
// soon as every gating metric is settled ([Comparison.Settled]), and
// otherwise runs more, up to the last look, where it concludes
// ([Comparison.Conclude]). Looking again after a non-significant result
// would raise the chance of a false alarm with every look, so each look
// tests at the policy's alpha divided by the number of looks
// (Bonferroni): over all looks the chance stays at alpha.

// DefaultLooks are the numbers of head runs at which loadgate compares:
// five, as many as a baseline records; eight; then twelve, the most a run
// adds.
var DefaultLooks = []int{5, 8, 12}

// Look is one look of a sequential comparison: the K-th of Of (1-based).
// The zero Look is the only look of a fixed number of runs.
type Look struct{ K, Of int }

// Final tells whether no more runs will come after this look.
func (l Look) Final() bool { return l.K >= l.Of }

// alpha is the significance level of a look: alpha split evenly over the
// looks.
func (l Look) alpha(alpha float64) float64 {
	if l.Of <= 1 {
		return alpha
	}
	return alpha / float64(l.Of)
}

// CompareLook compares head with base at look l: at the look's share of
// the policy's alpha, and concluding only at the final look.
func (j *Judge) CompareLook(base, head Sample, l Look) (*Comparison, error) {
	p := j.PolicyFor(head.Scenario)
	p.Alpha = l.alpha(p.alpha())
	c, err := compare(base, head, p)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", head.Scenario, err)
	}
	if l.Final() {
		c.Conclude()
	}
	return c, nil
}

// gating tells whether the row's verdict can fail the comparison.
func (r Row) gating() bool { return !r.Rule.WarnOnly && !r.Rule.Ignore }

// worse returns the interval of the row's change oriented so that positive
// is worse: relative to the base median (Row.ChangeLo, Row.ChangeHi), and
// in the metric's unit, which the rule's floor is in.
func (r Row) worse() (lo, hi, unitHi float64) {
	if r.Better == HigherIsBetter {
		return -r.ChangeHi, -r.ChangeLo, -r.shiftLo
	}
	return r.ChangeLo, r.ChangeHi, r.shiftHi
}

// settled tells whether more runs cannot change the row's verdict: it
// failed, generator-bound runs left it unjudged and more would be bound
// too, or even its worst plausible change is within its tolerance or
// under its floor.
func (r Row) settled(alpha float64, paired bool) bool {
	if !r.gating() || r.Verdict == Fail || r.Partial {
		return true // more runs of a partial merge would lack shards too
	}
	if r.GeneratorBound {
		return r.boundSettled(alpha, paired)
	}
	// The floor is compared in the metric's unit: relative to a base
	// median of 0 every change is infinite, and 0 → 40 dropped arrivals
	// is not under a floor of 10.
	_, hi, unitHi := r.worse()
	return hi <= r.Rule.Tolerance || unitHi < r.Rule.Floor
}

// Settled reports whether no more runs can change c's verdict, so that a
// tool adding runs look by look may stop: c is settled once it fails (a
// gating metric failed, an SLA was breached: no run can undo either), or
// once every gating metric is shown within its tolerance.
func (c *Comparison) Settled() bool {
	if c.Verdict == Fail {
		return true
	}
	for _, r := range c.Rows {
		if !r.settled(c.Alpha, c.paired) {
			return false
		}
	}
	return true
}

// Conclude marks c inconclusive where, with every run there will be, a
// gating metric is unsettled and the runs' noise is wider than its
// tolerance: a change of the tolerance cannot be told from none, so the
// verdict must not be a pass. [Compare] concludes; a sequential comparison
// concludes at its final look.
func (c *Comparison) Conclude() {
	changed := false
	for i := range c.Rows {
		r := &c.Rows[i]
		if r.settled(c.Alpha, c.paired) || r.Verdict == Fail || r.GeneratorBound {
			continue // a generator-bound row is inconclusive already
		}
		lo, hi, _ := r.worse()
		if math.IsInf(hi-lo, 0) || (hi-lo)/2 <= r.Rule.Tolerance {
			// Too few runs to measure the noise (the rank test's
			// warning says so), a base median of 0, against which no
			// noise is a fraction, or precise enough: the verdict
			// stands.
			continue
		}
		r.Verdict = Inconclusive
		r.Note = fmt.Sprintf("%s moved ±%.0f%% between runs: a %s change cannot be told apart with n=%s",
			r.Metric, 100*(hi-lo)/2, pct(r.Rule.Tolerance), cell.Runs(r.Base.N, r.Head.N))
		r.noteLeftOut()
		changed = true
	}
	if changed {
		c.decide(c.policy)
	}
}

// Demote turns the failures of c whose p-value is over alpha into
// warnings saying why ("not significant over 12 scenarios") and how
// (detail, "p must be at most 0.0042; Benjamini-Hochberg"), in Row.Note,
// and why alone in Row.Demoted: a correction for many comparisons (the
// loadgate command and the Action apply Benjamini-Hochberg's over the
// scenarios of a run) asks for a stricter level than the one c was judged
// at. A failure judged without generator-bound runs on runs too few to
// ever reach alpha becomes inconclusive instead: generator-bound, like a
// row they left too few runs to judge at all.
func (c *Comparison) Demote(alpha float64, why, detail string) {
	note := why + " (" + detail + ")"
	changed := false
	for i := range c.Rows {
		r := &c.Rows[i]
		if r.Verdict == Fail && r.Significant && r.P > alpha {
			if r.LeftOut() > 0 && minP(r.Base.N, r.Head.N) > alpha {
				r.leaveUnjudged(boundTooFew + ", " + note)
			} else {
				r.Verdict, r.BoundByChange, r.Demoted = Warn, false, why
				r.addNote(note)
			}
			changed = true
		}
	}
	if changed {
		c.decide(c.policy)
	}
}

// FailP is the smallest p-value among the metrics of c that failed on the
// rank test, or 0 when none did: the level a correction must allow for c
// to keep failing.
func (c *Comparison) FailP() float64 {
	p := 0.0
	for _, r := range c.Rows {
		if r.Verdict == Fail && r.Significant && (p == 0 || r.P < p) {
			p = r.P
		}
	}
	return p
}
