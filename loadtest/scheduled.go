package loadtest

import (
	"math"
	"time"
)

// maxReplayed is the most arrivals a Poisson stage's schedule is replayed
// for by [StagePlan.ScheduledArrivals]: about 10 ms of draws. Beyond it the
// schedule's count differs from the rate's integral by under 0.1%.
const maxReplayed = 1e6

// ScheduledArrivals returns how many arrivals the schedule of the
// open-model stage p held in the part of it that ran (elapsed; 0 or more
// than planned means all of it), and that part's length in seconds: what a
// share of the planned rate (throughput >= 95%) is measured against.
//
// An evenly spaced stage holds its rate's integral, (a+b)/2·d for a ramp
// from a to b over d. A Poisson stage holds what its seeded schedule drew,
// which differs from the integral by about its square root (37 arrivals
// instead of 40 in 200 ms at 200/s: a healthy service sent all 37 read as
// 7.5% under its rate): its schedule is replayed from its seed, for up to
// a million expected arrivals. secs is 0 for a closed-model stage and one
// planned by a [Pacer] of its own, which hold no rate.
func (p StagePlan) ScheduledArrivals(elapsed time.Duration) (arrivals, secs float64) {
	return p.scheduled(elapsed, 0)
}

// ScheduledArrivals is [StagePlan.ScheduledArrivals] of the stage of index
// i of r.Planned(). A merged result of a sharded run holds each shard's
// independent Poisson stream (docs/SHARDS.md), each drawn from a seed of
// its own even when the run had one shard (LOADGATE_SHARD=1/1): their
// schedules are replayed and added. Those of the shards a partial merge
// lacks are added too: a share of the planned rate is one of the whole
// plan.
func (r *Result) ScheduledArrivals(i int, elapsed time.Duration) (arrivals, secs float64) {
	plan := r.Planned()
	if i < 0 || i >= len(plan) {
		return 0, 0
	}
	shards := 0
	if sh := r.Shard; sh != nil && sh.Index == 0 && sh.Count > 0 {
		shards = sh.Count
	}
	return plan[i].scheduled(elapsed, shards)
}

// scheduled is ScheduledArrivals of a stage run as shards independent
// Poisson streams when it has Poisson arrivals (0: the stage's own, not
// sharded).
func (p StagePlan) scheduled(elapsed time.Duration, shards int) (arrivals, secs float64) {
	if p.Model != Open || p.Arrivals == Custom || p.DurationNS <= 0 {
		return 0, 0
	}
	full := time.Duration(p.DurationNS)
	d := full
	if elapsed > 0 && elapsed < d {
		d = elapsed
	}
	secs = d.Seconds()
	st := Stage{Model: Open, Arrivals: p.Arrivals, From: p.From, To: p.To, Seed: p.Seed, Duration: full}
	integral := newPacer(Stage{From: p.From, To: p.To}, full).expected(secs)
	if p.Arrivals != Exponential || math.IsNaN(integral) || integral > maxReplayed {
		return integral, secs
	}
	streams := Sequence{st}
	n := 0
	for i := 1; i <= max(shards, 1); i++ {
		if shards > 0 {
			// Each shard's own stream, as the shard drew it.
			var err error
			if streams, err = splitLoad(st, i, shards); err != nil {
				return integral, secs // an open stage splits without error
			}
		}
		for off := range pacerOf(streams[0]).Pace(full) {
			if off >= d {
				break
			}
			n++
		}
	}
	return float64(n), secs
}
