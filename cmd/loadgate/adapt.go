package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/verdict"
)

// adapt adds runs to the scenarios compared with a stored baseline until
// each one's verdict is clear: it brings them to the runs of each look of
// baseline.DefaultLooks in turn (5, 8, 12), judges them at that look
// (each look at its share of alpha, so that looking again does not raise
// the chance of a false alarm), and stops adding to a scenario once it is
// settled (a gating metric failed, or every one is shown within its
// tolerance). Scenarios without a baseline keep their one run. It leaves
// o judged at the last look, unsettled scenarios concluded
// (inconclusive when their noise is wider than the tolerance), and why
// each stopped in o.Stops.
func (o *runOutcome) adapt(ctx context.Context, j *baseline.Judge, w io.Writer) error {
	looks := baseline.DefaultLooks
	last := baseline.Look{K: len(looks), Of: len(looks)}
	o.judge(j, baseline.Look{K: 1, Of: len(looks)})
	open := map[scenarioKey]*verdict.Scenario{}
	for _, s := range o.Verdict.Scenarios {
		if s.Comparison != nil {
			open[scenarioKey{s.Package, s.Name}] = s
		}
	}
	o.Stops = map[scenarioKey]string{}
	for k, n := range looks {
		look := baseline.Look{K: k + 1, Of: len(looks)}
		// The runs to add, by top-level test: a test runs all its
		// scenarios (subtests) at once.
		add := map[string]int{}
		for key, s := range open {
			add[s.Test] = max(add[s.Test], n-len(o.Results.Results[key]))
		}
		byCount := map[int][]string{}
		for test, c := range add {
			if c > 0 {
				byCount[c] = append(byCount[c], test)
			}
		}
		for _, c := range slices.Sorted(maps.Keys(byCount)) {
			if ctx.Err() != nil || o.Interrupted {
				break
			}
			tests := byCount[c]
			slices.Sort(tests)
			fmt.Fprintf(w, "loadgate: %s for look %d of %d (%d runs a scenario)\n", cell.Plural(c, "more run"), look.K, look.Of, n)
			if err := o.runs(ctx, "^("+strings.Join(tests, "|")+")$", c, w); err != nil {
				return err
			}
		}
		o.judge(j, look)
		for _, s := range o.Verdict.Scenarios {
			key := scenarioKey{s.Package, s.Name}
			if _, ok := open[key]; !ok {
				continue
			}
			switch {
			case s.Comparison == nil:
				delete(open, key)
			case s.Comparison.Settled():
				// Failed (a regression, a breach) or shown within its
				// tolerances: no run can change it.
				o.Stops[key] = fmt.Sprintf("settled at look %d of %d", look.K, look.Of)
				delete(open, key)
			case s.Verdict == baseline.Fail:
				// Failed for what the comparison does not judge (its
				// test, a leak), which no run can undo; the comparison
				// itself is not settled, so say why it stopped. The
				// failure's detail is in the summary's failures.
				why, _, _ := strings.Cut(s.Why[len(s.Why)-1], ": ")
				o.Stops[key] = fmt.Sprintf("stopped at look %d of %d: %s", look.K, look.Of, why)
				delete(open, key)
			case look.Final():
				o.Stops[key] = fmt.Sprintf("not settled after %s, the most loadgate adds", cell.Plural(s.HeadRuns, "run"))
			default:
				open[key] = s
			}
		}
		if len(open) == 0 || o.Interrupted || ctx.Err() != nil {
			if o.Interrupted || ctx.Err() != nil {
				for key := range open {
					o.Stops[key] = "interrupted"
				}
			}
			break
		}
	}
	o.judge(j, last)
	return nil
}
