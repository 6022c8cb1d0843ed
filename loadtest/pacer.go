package loadtest

import (
	"iter"
	"math"
	"math/rand/v2"
	"time"
)

// Pacer plans the arrivals of an open-model stage: when each request should
// start. The stages of [Rate] and [Poisson], holds and ramps, are paced by
// one; [Paced] builds a stage with a Pacer of your own.
//
// Pace returns the arrivals of one run of a stage lasting d, as offsets
// from the stage's start in non-decreasing order. The run sends each at its
// offset (timing its latency from it, so a late send is charged to the
// target, not hidden) and stops ranging when an offset reaches d or the
// load ends, so the sequence may be endless. An offset earlier than the one
// before it is sent at once, and its delay shows as pacer lag.
//
// Pace is called once for each run of the stage (a warm-up before it is
// one, with d the warm-up's length), possibly from several goroutines at
// once when parallel tests share the stage: the Pacer must keep the state
// of a run in the sequence it returns, not in itself. Before the load,
// [Run] also calls Pace(d) and takes the first offset alone: a stage whose
// Pacer plans no arrival before d is refused, since it would send nothing.
// d is the stage's length after LOADGATE_SCALE. The sequence is called for every arrival, at
// up to [MaxRate] a second: it should not allocate.
type Pacer interface {
	Pace(d time.Duration) iter.Seq[time.Duration]
}

// PacerFunc is a function used as a [Pacer].
type PacerFunc func(d time.Duration) iter.Seq[time.Duration]

// Pace implements [Pacer].
func (f PacerFunc) Pace(d time.Duration) iter.Seq[time.Duration] { return f(d) }

var (
	_ Pacer = PacerFunc(nil)
	_ Pacer = linearPacer{}
)

// linearPacer is the Pacer of [Rate] and [Poisson] stages: arrivals at a
// rate changing linearly from From to To over the stage, evenly spaced or
// as a Poisson process.
type linearPacer struct{ stage Stage }

// Pace implements [Pacer].
func (l linearPacer) Pace(d time.Duration) iter.Seq[time.Duration] {
	return func(yield func(time.Duration) bool) {
		p := newPacer(l.stage, d)
		for {
			off, ok := p.next()
			if !ok || !yield(off) {
				return
			}
		}
	}
}

// pacerOf returns the Pacer of the open-model stage st.
func pacerOf(st Stage) Pacer {
	if st.Pacer != nil && st.shard.split() {
		return stridePacer{st.Pacer, st.shard}
	}
	if st.Pacer != nil {
		return st.Pacer
	}
	return linearPacer{st}
}

// pacer yields the intended start times of an open-model stage as offsets
// from the stage's start.
//
// The rate may change linearly from From to To over the stage, so the
// expected number of arrivals by time t is
//
//	Λ(t) = From·t + (To−From)·t²/(2D).
//
// Arrival k happens when Λ reaches x_k, where x_k = k for even spacing and
// x_k is a sum of k standard exponential draws for a Poisson process (the
// time-rescaling theorem). Inverting Λ gives the time; holds and ramps,
// even and Poisson, all share this one formula. Shard i of N of an evenly
// spaced stage takes x_k = i−1, i−1+N, i−1+2N, …: every N-th arrival of
// the same schedule, so that the shards' arrivals together are exactly
// the whole stage's.
type pacer struct {
	from     float64 // requests per second at the start
	slope    float64 // (To−From)/(2D), per second squared
	duration float64 // seconds
	total    float64 // Λ(D): expected arrivals in the stage
	x        float64 // Λ at the next arrival
	step     float64 // added to x after each evenly spaced arrival
	rng      *rand.Rand
}

func newPacer(s Stage, d time.Duration) *pacer {
	secs := d.Seconds()
	p := &pacer{from: s.From, slope: (s.To - s.From) / (2 * secs), duration: secs, step: 1}
	p.total = p.expected(secs)
	if s.shard.split() {
		p.x, p.step = float64(s.shard.index-1), float64(s.shard.count)
	}
	if s.Arrivals == Exponential {
		p.rng = rand.New(rand.NewPCG(uint64(seedOf(s)), 0x10adc0de))
		p.x = p.rng.ExpFloat64()
	}
	return p
}

// next returns the offset of the next arrival, or false when the stage has
// no more arrivals.
func (p *pacer) next() (time.Duration, bool) {
	if p.x >= p.total {
		return 0, false
	}
	t := p.invert(p.x)
	if p.rng != nil {
		p.x += p.rng.ExpFloat64()
	} else {
		p.x += p.step
	}
	if t >= p.duration {
		return 0, false
	}
	return time.Duration(t * float64(time.Second)), true
}

// expected is Λ(t), the arrivals expected by t seconds into the stage.
func (p *pacer) expected(t float64) float64 { return p.from*t + p.slope*t*t }

// invert solves Λ(t) = x for t. The form 2x/(b+√(b²+4ax)) is the stable root
// of a·t² + b·t − x = 0 for rising, falling and flat rates alike.
func (p *pacer) invert(x float64) float64 {
	if x <= 0 {
		return 0
	}
	den := p.from + math.Sqrt(p.from*p.from+4*p.slope*x)
	if den <= 0 {
		return math.Inf(1)
	}
	return 2 * x / den
}

// plansArrival reports whether p plans an arrival in a stage lasting d: a
// first offset before d. An earlier offset than 0 is sent at once, so it
// counts.
func plansArrival(p Pacer, d time.Duration) bool {
	for off := range p.Pace(d) {
		return off < d
	}
	return false
}
