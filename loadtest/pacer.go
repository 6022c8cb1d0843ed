package loadtest

import (
	"math"
	"math/rand/v2"
	"time"
)

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
// even and Poisson, all share this one formula.
type pacer struct {
	from     float64 // requests per second at the start
	slope    float64 // (To−From)/(2D), per second squared
	duration float64 // seconds
	total    float64 // Λ(D): expected arrivals in the stage
	x        float64 // Λ at the next arrival
	rng      *rand.Rand
}

func newPacer(s Stage, d time.Duration) *pacer {
	secs := d.Seconds()
	p := &pacer{from: s.From, slope: (s.To - s.From) / (2 * secs), duration: secs}
	p.total = p.from*secs + p.slope*secs*secs
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
		p.x++
	}
	if t >= p.duration {
		return 0, false
	}
	return time.Duration(t * float64(time.Second)), true
}

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
