package slo_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/loadgate/loadgate/internal/histo"
	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/loadtest"
)

// run is a synthetic run whose every latency is known: 60 seconds of 500
// requests, log-normal around 20ms, with a 5 s stall (seconds 30-34) of
// 400-900ms.
type run struct {
	all      []int64   // every latency, ns
	bySecond [][]int64 // latencies by second
	latency  loadtest.Latency
	timeline []loadtest.Second
}

func newRun() *run {
	rng := rand.New(rand.NewPCG(17, 17))
	r := &run{}
	whole := histo.New()
	for sec := range 60 {
		perSec := hdrhistogram.New(histo.Lowest, histo.Highest, 2) // as loadtest's timeline
		var vals []int64
		for range 500 {
			v := int64(20e6 * math.Exp(0.6*rng.NormFloat64()))
			if sec >= 30 && sec < 35 {
				v = int64(400e6 + 500e6*rng.Float64())
			}
			vals = append(vals, v)
			_ = whole.RecordValue(v)
			_ = perSec.RecordValue(v)
		}
		enc, err := perSec.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
		if err != nil {
			panic(err)
		}
		r.bySecond = append(r.bySecond, vals)
		r.all = append(r.all, vals...)
		r.timeline = append(r.timeline, loadtest.Second{Second: int64(sec), Requests: int64(len(vals)), HDR: string(enc)})
	}
	r.latency = loadtest.Latency(histo.Summarize(whole, true))
	return r
}

// nearestRank is the pct-th percentile of vals by the nearest-rank method
// (the rank HdrHistogram rounds to), computed by sorting.
func nearestRank(vals []int64, pct float64) int64 {
	s := slices.Clone(vals)
	slices.Sort(s)
	rank := int(math.Floor(pct/100*float64(len(s)) + 0.5))
	return s[max(rank, 1)-1]
}

// TestAttainmentAgreesWithSamples checks attainment against the share of
// the raw latencies within the objective, counted one by one: they may
// differ only by the latencies within the histogram's resolution (0.1%)
// of the objective, which share a bucket with it.
func TestAttainmentAgreesWithSamples(t *testing.T) {
	r := newRun()
	for _, obj := range []time.Duration{5 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond, time.Second} {
		var within, near int
		for _, v := range r.all {
			if v <= int64(obj) {
				within++
			}
			if math.Abs(float64(v)-float64(obj)) <= 0.001*float64(obj) {
				near++
			}
		}
		n := float64(len(r.all))
		got, err := slo.Attainment(r.latency, obj)
		if err != nil {
			t.Fatal(err)
		}
		if want := float64(within) / n; math.Abs(got-want) > float64(near)/n+1e-12 {
			t.Errorf("attainment(%v) = %.6f, counted %.6f (%d samples near the objective)", obj, got, want, near)
		}
	}
}

// TestAttainmentAgreesWithPercentiles checks that attainment at a
// percentile's latency reaches that percentile, and one bucket lower does
// not: "attainment(T) >= q" and "pQ <= T" say the same.
func TestAttainmentAgreesWithPercentiles(t *testing.T) {
	r := newRun()
	n := float64(r.latency.Count)
	for _, q := range []float64{0.5, 0.9, 0.95, 0.99, 0.999} {
		p, err := r.latency.Quantile(q)
		if err != nil {
			t.Fatal(err)
		}
		at, _ := slo.Attainment(r.latency, p)
		below, _ := slo.Attainment(r.latency, time.Duration(float64(p)*0.998))
		if at < q-0.5/n || below >= q {
			t.Errorf("q=%g p=%v: attainment at p = %.5f, just below p = %.5f", q, p, at, below)
		}
	}
}

// TestWorstWindowAgreesWithSamples checks the worst 10 s p99 against the
// p99 of each window's raw latencies, sorted: equal to the histogram's 2
// significant digits, and a window over the stall.
func TestWorstWindowAgreesWithSamples(t *testing.T) {
	r := newRun()
	for _, size := range []int{1, 2, 10, 60, 100} {
		var want int64
		for start := 0; start+min(size, 60) <= 60; start++ {
			var vals []int64
			for _, s := range r.bySecond[start:min(start+size, 60)] {
				vals = append(vals, s...)
			}
			want = max(want, nearestRank(vals, 99))
		}
		got, err := slo.Worst(r.timeline, time.Duration(size)*time.Second, 99)
		if err != nil {
			t.Fatal(err)
		}
		if d := math.Abs(float64(got.Value)-float64(want)) / float64(want); d > 0.01 {
			t.Errorf("window %ds: worst p99 = %v, sorted samples say %v (%.2f%% apart)", size, got.Value, time.Duration(want), 100*d)
		}
		if whole := size >= 60; got.Whole != whole {
			t.Errorf("window %ds of a 60 s run: Whole = %v, want %v", size, got.Whole, whole)
		}
		if got.End <= 30 || got.Start >= 35 {
			t.Errorf("window %ds: worst window [%d, %d) misses the stall [30, 35)", size, got.Start, got.End)
		}
	}
}

func TestWorstErrors(t *testing.T) {
	if _, err := slo.Worst(nil, 1500*time.Millisecond, 99); err == nil {
		t.Error("a window of 1.5s: no error")
	}
	if _, err := slo.Worst([]loadtest.Second{{Second: 0, Requests: 3, P99NS: 5}}, time.Second, 99); err == nil {
		t.Error("a second without its histogram: no error")
	}
	if _, err := slo.Worst([]loadtest.Second{{Second: 0}}, time.Second, 99); err != slo.ErrNoRequests {
		t.Errorf("no requests: %v, want ErrNoRequests", err)
	}
}

func TestBudget(t *testing.T) {
	tests := []struct {
		name                string
		giveShare, giveGoal float64
		want                float64
	}{
		{"half the budget", 0.995, 0.99, 0.5},
		{"no miss", 1, 0.99, 0},
		{"twice over", 0.98, 0.99, 2},
		{"goal allows none", 0.999, 1, math.Inf(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := slo.Budget(tt.giveShare, tt.giveGoal); math.Abs(got-tt.want) > 1e-9 && got != tt.want {
				t.Errorf("Budget(%g, %g) = %g, want %g", tt.giveShare, tt.giveGoal, got, tt.want)
			}
		})
	}
}
