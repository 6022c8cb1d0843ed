package baseline

import (
	"fmt"
	"strings"
)

// A merged result that lacks shards (loadgate merge -partial), or a run
// that Ctrl-C or SIGTERM interrupted, holds the requests of the load that
// ran: its latencies and error rates are those of the service under that
// load, and are judged; its throughput and dropped arrivals
// (catalogue.Metric.Load) are those of a share of the load, about k/N of
// the whole for k of N shards. Judged, a missing shard or the minutes an
// interrupt cut off would read as the service's regression, so those rows
// are left unjudged (inconclusive, never a pass or a failure): the reader
// is told which runs held a share of the load and which metrics were not
// judged, as generator-bound runs leave theirs.
//
// A merged result whose shards began out of step holds the whole load,
// spread over a longer window than planned (Comparison.Spread): only its
// throughput, a rate over that window, is left unjudged.

// leavePartial makes r unjudged because a run held a share of the load
// (or, spread, its whole load over a longer window): inconclusive, or a
// warning when it could not fail anyway (warnOnly).
func (r *Row) leavePartial(warnOnly, spread bool) {
	r.Partial, r.GeneratorBound, r.BoundByChange = true, false, false
	r.Verdict = Inconclusive
	if warnOnly {
		r.Verdict = Warn
	}
	r.Note = "partial: a share of the load, not judged"
	if spread {
		r.Note = "out of step: the load spread over a longer window, not judged"
	}
}

// partialReason says which rows the runs that held a share of the load
// left unjudged, and which runs they were: "partial: throughput, dropped
// not judged: runs that hold a share of the load have the counts and
// rates of that share (head run 1: 2 of 3 shards merged, shard 2
// missing)"; for runs whose shards began out of step, "throughput not
// judged: the shards began out of step, so the load was spread over a
// longer window than planned (head run 1: out of step: shard 3 3.014s
// after shard 1)"; "" when they left none.
func (c *Comparison) partialReason() string {
	var not []string
	for _, r := range c.Rows {
		if r.Partial {
			not = append(not, r.Metric)
		}
	}
	if len(not) == 0 {
		return ""
	}
	if c.Spread {
		return fmt.Sprintf("%s not judged: the shards began out of step, so the load was spread over a longer window than planned (%s)",
			joinComma(not), strings.Join(c.Partial, "; "))
	}
	return fmt.Sprintf("partial: %s not judged: runs that hold a share of the load have the counts and rates of that share (%s)",
		joinComma(not), strings.Join(c.Partial, "; "))
}

// PartialWords says what runs that hold a share of the load measured, in
// the words every rendering uses: the runs' notes, then "the counts and
// rates are those of a share of the planned load", or, spread (shards out
// of step, the whole load over a longer window: [Comparison.Spread]),
// "the throughput is that of the load spread over a longer window than
// planned".
func PartialWords(notes []string, spread bool) string {
	if spread {
		return strings.Join(notes, "; ") + ": the throughput is that of the load spread over a longer window than planned"
	}
	return "partial: " + strings.Join(notes, "; ") + ": the counts and rates are those of a share of the planned load"
}
