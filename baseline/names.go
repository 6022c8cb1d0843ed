package baseline

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/loadtest"
)

// MaxComparedNames bounds the request names a comparison compares one by one
// ([Comparison.Names]): the worst changes first.
const MaxComparedNames = 10

// nameRows compares the p99 and the error rate of each request name (of a
// mix, or a journey's steps) that both samples' runs have, when they have
// more than one: the rows say which request a change of the scenario's
// totals comes from. Runs recorded before baselines kept names
// ([Run.Names]) give none. The rows use the rules of p99 and error_rate,
// but only warn: the scenario's totals decide the verdict, and the names
// multiply the comparisons a false alarm can come from. The names whose
// p99 got worst come first, at most [MaxComparedNames] of them. The
// requests a run counted together as [loadtest.OtherNames] are left out:
// which names they hold depends on the order the names came in, so each
// side's are another mix.
func nameRows(base, head Sample, p Policy, alpha float64) []Row {
	names := map[string]bool{}
	for _, s := range []Sample{base, head} {
		for _, r := range s.Runs {
			for n := range r.Names {
				names[n] = true
			}
		}
	}
	delete(names, loadtest.OtherNames)
	if len(names) < 2 {
		return nil // one name is the scenario itself
	}
	type group struct {
		worse float64
		rows  []Row
	}
	var groups []group
	for _, n := range slices.Sorted(maps.Keys(names)) {
		var g group
		for _, m := range []struct {
			metric string
			unit   assert.Unit
			value  func(NameRun) float64
		}{
			{P99, assert.UnitDuration, func(r NameRun) float64 { return float64(r.P99NS) }},
			{ErrorRate, assert.UnitRatio, func(r NameRun) float64 { return r.ErrorRate }},
		} {
			rule := p.RuleFor(m.metric)
			if rule.Ignore {
				continue
			}
			bv, hv := nameValues(base, n, m.value), nameValues(head, n, m.value)
			if len(bv) == 0 || len(hv) == 0 {
				continue
			}
			metric := Metric{Name: fmt.Sprintf("%s{name=%q}", m.metric, n), Unit: m.unit, Better: LowerIsBetter}
			row := judge(metric, rule, bv, hv, alpha, false)
			if row.Verdict == Fail {
				row.Verdict = Warn
				row.Note += " (per name: warns only)"
			}
			if m.metric == P99 {
				g.worse = row.Change
			}
			g.rows = append(g.rows, row)
		}
		if len(g.rows) > 0 {
			groups = append(groups, g)
		}
	}
	slices.SortStableFunc(groups, func(a, b group) int { return cmp.Compare(b.worse, a.worse) })
	var rows []Row
	for _, g := range groups[:min(len(groups), MaxComparedNames)] {
		rows = append(rows, g.rows...)
	}
	return rows
}

// nameValues are the values of request name n in the runs of s that have
// it, leaving out the runs that were generator-bound (whose latencies are
// the generator's as much as the service's).
func nameValues(s Sample, n string, value func(NameRun) float64) []float64 {
	var out []float64
	for _, r := range s.Runs {
		nr, ok := r.Names[n]
		if !ok || nr.Requests == 0 || len(r.GeneratorBound) > 0 {
			continue
		}
		out = append(out, value(nr))
	}
	return out
}
