package baseline

import (
	"math"
	"testing"
)

// TestSettledFromZero: a metric whose base median is 0 is settled only
// when its worst plausible change is under its floor, in the metric's unit.
// Before, the floor was compared with the interval times the base median,
// 0, so a head that dropped 40 to 60 arrivals in most runs against a base
// that dropped none was "shown within its tolerance" at the first look and
// got no more runs; and under a floor of 0 the interval in arrivals was
// compared with a tolerance in percent.
func TestSettledFromZero(t *testing.T) {
	sample := func(label string, dropped ...int64) Sample {
		s := sampleP99(label, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10)
		s.Runs = s.Runs[:len(dropped)]
		for i, d := range dropped {
			s.Runs[i].Dropped = d
		}
		return s
	}
	floor0 := Policy{Rules: map[string]Rule{Dropped: {Tolerance: 0.25, Warn: 0.10}}}
	tests := []struct {
		name        string
		base, head  []int64
		policy      Policy
		wantSettled bool
	}{
		{name: "none dropped", base: []int64{0, 0, 0, 0, 0}, head: []int64{0, 0, 0, 0, 0}, wantSettled: true},
		{name: "a few dropped, under the floor", base: []int64{0, 0, 0, 0, 0}, head: []int64{0, 2, 3, 0, 1}, wantSettled: true},
		{name: "fewer dropped", base: []int64{20, 20, 20, 20, 20}, head: []int64{0, 0, 0, 0, 0}, wantSettled: true},
		{name: "40 to 60 dropped in most runs", base: []int64{0, 0, 0, 0, 0}, head: []int64{0, 0, 40, 50, 60}},
		{name: "floor 0: 2 dropped in most runs", base: []int64{0, 0, 0, 0, 0}, head: []int64{0, 0, 2, 2, 2}, policy: floor0},
		{name: "floor 0: none dropped", base: []int64{0, 0, 0, 0, 0}, head: []int64{0, 0, 0, 0, 0}, policy: floor0, wantSettled: true},
		{name: "from 100, 20 more: within 25%", base: []int64{100, 100, 100, 100, 100}, head: []int64{120, 120, 120, 120, 120}, wantSettled: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := compare(sample("base", tt.base...), sample("head", tt.head...), Policy{Alpha: 0.05 / 3, Rules: tt.policy.Rules})
			if err != nil {
				t.Fatal(err)
			}
			r := rowOf(t, c, Dropped)
			if got := r.settled(c.Alpha, c.paired); got != tt.wantSettled {
				t.Errorf("dropped settled %v, want %v (change %v, interval [%v, %v], verdict %v)",
					got, tt.wantSettled, r.Change, r.ChangeLo, r.ChangeHi, r.Verdict)
			}
			if r.Base.Median == 0 && (r.ChangeHi != 0 && !math.IsInf(r.ChangeHi, 0) || r.ChangeLo != 0 && !math.IsInf(r.ChangeLo, 0)) {
				t.Errorf("base median 0: interval of the change [%v, %v], want ±Inf or 0, as the change %v", r.ChangeLo, r.ChangeHi, r.Change)
			}
		})
	}
}
