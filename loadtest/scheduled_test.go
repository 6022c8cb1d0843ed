package loadtest

import (
	"context"
	"math"
	"testing"
	"time"
)

// TestScheduledArrivalsOfARun: a Poisson stage's scheduled arrivals are
// what its run sent, not its rate's integral: 200/s for 200 ms drew 37
// with the default seed, and "throughput >= 95%" read a healthy run as
// 7.5% under its rate. Evenly spaced stages hold the integral.
func TestScheduledArrivalsOfARun(t *testing.T) {
	for _, tt := range []struct {
		name string
		load Stage
	}{
		{"poisson", Poisson(200).For(200 * time.Millisecond)},
		{"poisson ramp, seeded", Poisson(100).RampTo(300).Seeded(9).For(300 * time.Millisecond)},
		{"even", Rate(200).For(200 * time.Millisecond)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Execute(t.Context(), Scenario{
				Target: Func(func(context.Context) error { return nil }),
				Load:   tt.load,
			})
			if err != nil {
				t.Fatal(err)
			}
			st := res.Stages[0]
			got, secs := res.ScheduledArrivals(0, time.Duration(st.ElapsedNS))
			if sent := float64(st.Requests + st.Dropped); math.Abs(got-sent) > 1 {
				t.Errorf("scheduled %v arrivals, the run sent or dropped %v", got, sent)
			}
			if secs <= 0 || secs > tt.load.Duration.Seconds() {
				t.Errorf("over %vs, want the stage's part that ran", secs)
			}
		})
	}
}

// TestScheduledArrivalsOfShards: a merged result of a sharded Poisson
// stage holds the shards' independent streams, which add up to another
// count than the whole stage's own schedule. A run of one shard
// (LOADGATE_SHARD=1/1, as docs/SHARDS.md suggests for a single generator)
// draws its stream from the shard's seed too: its merged result was
// measured against the whole stage's schedule.
func TestScheduledArrivalsOfShards(t *testing.T) {
	const d = 2 * time.Second
	st := Poisson(400).Seeded(7).For(d)
	whole := len(schedule(st, d))
	for _, n := range []int{1, 4} {
		want := 0
		for i := 1; i <= n; i++ {
			load, err := splitLoad(st, i, n)
			if err != nil {
				t.Fatal(err)
			}
			want += len(schedule(load[0], d))
		}
		if want == whole {
			t.Fatalf("%d shards drew the whole stage's %d arrivals: pick a seed whose counts differ", n, want)
		}
		r := &Result{Load: LoadInfo{Stages: []StagePlan{stagePlanOf(st)}}, Shard: &Shard{Count: n}}
		if got, _ := r.ScheduledArrivals(0, d); got != float64(want) {
			t.Errorf("merged from %d shards: %v scheduled, want the shards' %d", n, got, want)
		}
	}
	r := &Result{Load: LoadInfo{Stages: []StagePlan{stagePlanOf(st)}}}
	if got, _ := r.ScheduledArrivals(0, d); got != float64(whole) {
		t.Errorf("whole: %v scheduled, want the stage's own %d", got, whole)
	}
	// Closed, custom: no rate.
	for _, p := range []StagePlan{stagePlanOf(Users(2).For(d)), stagePlanOf(Paced(burst).For(d))} {
		if _, secs := p.ScheduledArrivals(d); secs != 0 {
			t.Errorf("%s: %vs, want none", p.Name, secs)
		}
	}
}
