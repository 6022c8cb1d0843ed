package loadtest

import (
	"context"
	"fmt"
	"iter"
	"math"
	"slices"
	"sync"
	"testing"
	"time"
)

// pacerOffsets drains a pacer for stage st and returns every arrival offset.
func pacerOffsets(t *testing.T, st Stage) []time.Duration {
	t.Helper()
	p := newPacer(st, st.Duration)
	var out []time.Duration
	for {
		off, ok := p.next()
		if !ok {
			return out
		}
		out = append(out, off)
		if len(out) > 10_000_000 {
			t.Fatalf("pacer for %s did not end after %d arrivals", st.label(), len(out))
		}
	}
}

// checkOffsets fails t unless the offsets are finite, in [0, d) and in
// order: the scheduler sleeps until each one in turn.
func checkOffsets(t *testing.T, offs []time.Duration, d time.Duration) {
	t.Helper()
	for i, off := range offs {
		if off < 0 || off >= d {
			t.Fatalf("arrival %d at %v, want in [0, %v)", i, off, d)
		}
		if i > 0 && off < offs[i-1] {
			t.Fatalf("arrival %d at %v is before arrival %d at %v", i, off, i-1, offs[i-1])
		}
	}
}

// expectedArrivals is Λ over [a, b): the integral of the stage's linear rate.
func expectedArrivals(st Stage, a, b time.Duration) float64 {
	D := st.Duration.Seconds()
	rate := func(x float64) float64 { return st.From + (st.To-st.From)*x/D }
	x0, x1 := a.Seconds(), b.Seconds()
	return (rate(x0) + rate(x1)) / 2 * (x1 - x0)
}

// TestPoissonArrivals checks that exponential arrivals form a Poisson
// process: inter-arrival times with mean 1/rate and a coefficient of
// variation of 1, and an exponential distribution (Kolmogorov-Smirnov).
// The seed is fixed, so the test is deterministic; the tolerances are the
// claim's (5%), far wider than the sampling error over 100k arrivals (0.3%).
func TestPoissonArrivals(t *testing.T) {
	tests := []struct {
		name string
		give Stage
	}{
		{name: "1000/s for 100s", give: Poisson(1000).For(100 * time.Second)},
		{name: "50/s for 2000s seed 2", give: Poisson(50).For(2000 * time.Second).Seeded(2)},
		{name: "20000/s for 5s seed 3", give: Poisson(20000).For(5 * time.Second).Seeded(3)},
		{name: "1000/s for 100s seed 42", give: Poisson(1000).For(100 * time.Second).Seeded(42)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			offs := pacerOffsets(t, tt.give)
			checkOffsets(t, offs, tt.give.Duration)
			want := expectedArrivals(tt.give, 0, tt.give.Duration)
			n := float64(len(offs))
			if sigma := math.Sqrt(want); math.Abs(n-want) > 5*sigma {
				t.Errorf("%d arrivals, want %.0f ± %.0f (5σ)", len(offs), want, 5*sigma)
			}

			gaps := make([]float64, len(offs))
			prev := time.Duration(0)
			for i, off := range offs {
				gaps[i] = (off - prev).Seconds()
				prev = off
			}
			mean, sd := meanSD(gaps)
			wantMean := 1 / tt.give.From
			cv := sd / mean
			t.Logf("%d arrivals: mean gap %.4g s (want %.4g, %+.2f%%), CV %.4f", len(offs), mean, wantMean, 100*(mean/wantMean-1), cv)
			if math.Abs(mean/wantMean-1) > 0.05 {
				t.Errorf("mean inter-arrival %.4g s, want %.4g s ± 5%%", mean, wantMean)
			}
			if math.Abs(cv-1) > 0.05 {
				t.Errorf("coefficient of variation %.4f, want 1 ± 5%%", cv)
			}

			// Kolmogorov-Smirnov against Exp(rate); 1.63/√n is the
			// critical value at α = 0.01.
			slices.Sort(gaps)
			var dmax float64
			for i, g := range gaps {
				cdf := 1 - math.Exp(-g*tt.give.From)
				dmax = max(dmax, math.Abs(cdf-float64(i)/n), math.Abs(cdf-float64(i+1)/n))
			}
			if crit := 1.63 / math.Sqrt(n); dmax > crit {
				t.Errorf("Kolmogorov-Smirnov distance to Exp(%g) = %.4f, want < %.4f", tt.give.From, dmax, crit)
			}
		})
	}
}

func meanSD(xs []float64) (mean, sd float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(xs)-1))
}

// TestPoissonSeeds checks that a seed reproduces its arrivals exactly, that
// seed 0 means seed 1 (as Stage.Seed documents), and that other seeds give
// other arrivals.
func TestPoissonSeeds(t *testing.T) {
	stage := Poisson(500).For(10 * time.Second)
	tests := []struct {
		name     string
		a, b     int64
		wantSame bool
	}{
		{name: "same seed", a: 7, b: 7, wantSame: true},
		{name: "zero means one", a: 0, b: 1, wantSame: true},
		{name: "seeds 1 and 2", a: 1, b: 2, wantSame: false},
		{name: "seeds 7 and 8", a: 7, b: 8, wantSame: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := pacerOffsets(t, stage.Seeded(tt.a))
			b := pacerOffsets(t, stage.Seeded(tt.b))
			if same := slices.Equal(a, b); same != tt.wantSame {
				t.Errorf("seeds %d and %d: same arrivals = %v, want %v (%d and %d arrivals)", tt.a, tt.b, same, tt.wantSame, len(a), len(b))
			}
			if !tt.wantSame {
				// Not just shifted: most arrivals differ.
				equal := 0
				for i := range min(len(a), len(b)) {
					if a[i] == b[i] {
						equal++
					}
				}
				if equal > len(a)/100 {
					t.Errorf("seeds %d and %d share %d of %d arrival times", tt.a, tt.b, equal, len(a))
				}
			}
		})
	}
}

// TestPacerArrivalCounts checks holds and linear ramps, rising and falling:
// evenly spaced arrivals number the integral of the rate within one, both
// over the whole stage and in every second of it, and Poisson arrivals
// number it within 5σ.
func TestPacerArrivalCounts(t *testing.T) {
	tests := []struct {
		name string
		give Stage
	}{
		{name: "hold 2000/s 3s", give: Rate(2000).For(3 * time.Second)},
		{name: "ramp 50 to 500 in 20s", give: Rate(50).RampTo(500).For(20 * time.Second)},
		{name: "falling 500 to 50 in 20s", give: Rate(500).RampTo(50).For(20 * time.Second)},
		{name: "ramp 0 to 100 in 10s", give: Rate(0).RampTo(100).For(10 * time.Second)},
		{name: "falling 100 to 0 in 10s", give: Rate(100).RampTo(0).For(10 * time.Second)},
		{name: "falling 1000 to 1 in 7.5s", give: Rate(1000).RampTo(1).For(7500 * time.Millisecond)},
		{name: "fractional 0.5/s 3s", give: Rate(0.5).For(3 * time.Second)},
		{name: "zero rate", give: Rate(0).For(time.Second)},
		{name: "odd ramp 3 to 7 in 1.3s", give: Rate(3).RampTo(7).For(1300 * time.Millisecond)},
		{name: "poisson hold 1000/s 10s", give: Poisson(1000).For(10 * time.Second)},
		{name: "poisson ramp 50 to 500 in 20s", give: Poisson(50).RampTo(500).For(20 * time.Second).Seeded(11)},
		{name: "poisson falling 500 to 0 in 20s", give: Poisson(500).RampTo(0).For(20 * time.Second).Seeded(12)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			offs := pacerOffsets(t, tt.give)
			checkOffsets(t, offs, tt.give.Duration)
			want := expectedArrivals(tt.give, 0, tt.give.Duration)
			got := float64(len(offs))
			t.Logf("%d arrivals, integral %.2f", len(offs), want)
			if tt.give.Arrivals == Exponential {
				if sigma := math.Sqrt(want); math.Abs(got-want) > 5*sigma {
					t.Errorf("%d arrivals, want %.1f ± %.1f (5σ)", len(offs), want, 5*sigma)
				}
				return
			}
			if math.Abs(got-want) > 1 {
				t.Errorf("%d arrivals, want %.2f ± 1", len(offs), want)
			}
			// The shape too: each second gets its share of the integral.
			for sec := time.Duration(0); sec < tt.give.Duration; sec += time.Second {
				end := min(sec+time.Second, tt.give.Duration)
				n := 0
				for _, off := range offs {
					if off >= sec && off < end {
						n++
					}
				}
				if w := expectedArrivals(tt.give, sec, end); math.Abs(float64(n)-w) > 1 {
					t.Errorf("%d arrivals in [%v, %v), want %.2f ± 1", n, sec, end, w)
				}
			}
		})
	}
}

// TestPoissonCountsAcrossSeeds checks that the number of arrivals in a
// Poisson stage is itself Poisson-distributed across seeds: its mean is the
// integral of the rate (no bias from where the first arrival falls) and its
// variance equals its mean.
func TestPoissonCountsAcrossSeeds(t *testing.T) {
	tests := []struct {
		name string
		give Stage
	}{
		{name: "hold 1000/s 1s", give: Poisson(1000).For(time.Second)},
		{name: "ramp 0 to 400 in 2s", give: Poisson(0).RampTo(400).For(2 * time.Second)},
		{name: "hold 5/s 2s", give: Poisson(5).For(2 * time.Second)},
	}
	const seeds = 400
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			counts := make([]float64, seeds)
			for i := range counts {
				counts[i] = float64(len(pacerOffsets(t, tt.give.Seeded(int64(i+1)))))
			}
			mean, sd := meanSD(counts)
			want := expectedArrivals(tt.give, 0, tt.give.Duration)
			t.Logf("%d seeds: mean %.2f arrivals (want %.2f), variance %.2f", seeds, mean, want, sd*sd)
			if se := math.Sqrt(want / seeds); math.Abs(mean-want) > 5*se {
				t.Errorf("mean count %.2f over %d seeds, want %.2f ± %.2f (5 standard errors)", mean, seeds, want, 5*se)
			}
			if ratio := sd * sd / want; math.Abs(ratio-1) > 0.25 {
				t.Errorf("variance/mean of the count = %.2f, want 1 ± 0.25", ratio)
			}
		})
	}
}

// TestPacerEvenSpacing checks that a hold's arrivals are exactly 1/rate
// apart, starting at the stage's start.
func TestPacerEvenSpacing(t *testing.T) {
	tests := []struct {
		name string
		rate float64
	}{
		{name: "2000/s", rate: 2000},
		{name: "3/s", rate: 3},
		{name: "100000/s", rate: 100000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			offs := pacerOffsets(t, Rate(tt.rate).For(2*time.Second))
			gap := time.Duration(float64(time.Second) / tt.rate)
			for i, off := range offs {
				if want := time.Duration(float64(i) * float64(time.Second) / tt.rate); absDuration(off-want) > time.Nanosecond {
					t.Fatalf("arrival %d at %v, want %v (gap %v)", i, off, want, gap)
				}
			}
		})
	}
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// TestPacerFallingToZeroStaysFinite guards the end of a ramp down to zero,
// where Λ(t) = x has a double root and rounding could take the square root
// of a negative number: every arrival of many seeds must be a finite offset
// inside the stage.
func TestPacerFallingToZeroStaysFinite(t *testing.T) {
	for seed := int64(1); seed <= 300; seed++ {
		for _, st := range []Stage{
			Poisson(1000).RampTo(0).For(3 * time.Second).Seeded(seed),
			Poisson(7).RampTo(0).For(1700 * time.Millisecond).Seeded(seed),
			Poisson(0).RampTo(1000).For(3 * time.Second).Seeded(seed),
		} {
			offs := pacerOffsets(t, st)
			checkOffsets(t, offs, st.Duration)
		}
	}
}

// evenPacer is a Pacer of one's own: an arrival every gap, without end.
func evenPacer(gap time.Duration) Pacer {
	return PacerFunc(func(time.Duration) iter.Seq[time.Duration] {
		return func(yield func(time.Duration) bool) {
			for at := time.Duration(0); yield(at); at += gap {
			}
		}
	})
}

// TestRatesArePacers: the stages of Rate and Poisson, holds and ramps, are
// paced through the Pacer interface, with the arrivals the pacer's formula
// gives, and ranging over one allocates per run, not per arrival.
func TestRatesArePacers(t *testing.T) {
	for _, st := range []Stage{
		Rate(2000).For(3 * time.Second),
		Rate(50).RampTo(500).For(20 * time.Second),
		Poisson(1000).RampTo(0).For(3 * time.Second).Seeded(5),
	} {
		t.Run(st.label(), func(t *testing.T) {
			want := pacerOffsets(t, st)
			got := slices.Collect(pacerOf(st).Pace(st.Duration))
			if !slices.Equal(got, want) {
				t.Errorf("Pace gave %d arrivals, the formula %d; they differ", len(got), len(want))
			}
			// Ranging stops early when the loop does.
			n := 0
			for range pacerOf(st).Pace(st.Duration) {
				if n++; n == 10 {
					break
				}
			}
		})
	}
	allocs := func(rate float64) float64 {
		st := Poisson(rate).For(time.Second)
		return testing.AllocsPerRun(5, func() {
			for range pacerOf(st).Pace(st.Duration) {
			}
		})
	}
	if few, many := allocs(10), allocs(100_000); few != many {
		t.Errorf("ranging over 10 arrivals allocates %v times, over 100000 %v: want the same, nothing per arrival", few, many)
	}
}

// burstPacer sends n requests at once every gap, and records the lengths
// it was asked to pace.
type burstPacer struct {
	n   int
	gap time.Duration

	mu  sync.Mutex
	got []time.Duration
}

func (b *burstPacer) Pace(d time.Duration) iter.Seq[time.Duration] {
	b.mu.Lock()
	b.got = append(b.got, d)
	b.mu.Unlock()
	return func(yield func(time.Duration) bool) {
		for at := time.Duration(0); ; at += b.gap {
			for range b.n {
				if !yield(at) {
					return
				}
			}
		}
	}
}

func (b *burstPacer) String() string { return fmt.Sprintf("bursts of %d every %v", b.n, b.gap) }

var _ Pacer = (*burstPacer)(nil)

// TestPacedStage runs a stage paced by a Pacer of the test's own (bursts,
// an endless plan cut at the stage's end): every arrival it planned before
// the end is sent, Pace is asked once for the stage's first arrival
// before the load (that it plans one), then once for the warm-up and once
// for the stage, with their lengths, and the plan names the stage after
// the Pacer and says its arrivals were custom.
func TestPacedStage(t *testing.T) {
	p := &burstPacer{n: 5, gap: 100 * time.Millisecond}
	res, err := Execute(t.Context(), Scenario{
		Name:   "paced",
		Target: Func(func(context.Context) error { return nil }),
		Load:   Paced(p).For(550 * time.Millisecond),
		Warmup: 150 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Requests + res.Dropped; got != 30 || res.Errors != 0 {
		t.Errorf("%d requests and %d dropped (%d errors), want the 30 planned arrivals (6 bursts of 5) sent", res.Requests, res.Dropped, res.Errors)
	}
	if res.Warmup == nil || res.Warmup.Requests != 10 {
		t.Errorf("warm-up %+v, want the 10 arrivals (2 bursts) of its 150ms", res.Warmup)
	}
	if want := []time.Duration{550 * time.Millisecond, 150 * time.Millisecond, 550 * time.Millisecond}; !slices.Equal(p.got, want) {
		t.Errorf("Pace was asked for %v, want %v", p.got, want)
	}
	plan := res.Load.Stages[0]
	if plan.Name != "bursts of 5 every 100ms" || plan.Arrivals != Custom || plan.Model != Open || plan.From != 0 || plan.To != 0 {
		t.Errorf("plan %+v, want the Pacer's name and custom arrivals", plan)
	}
}
