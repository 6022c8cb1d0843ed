package baseline

import (
	"math"
	"testing"
)

func TestUCDF(t *testing.T) {
	cdf := uCDF(5, 5)
	if got, want := cdf[0], 1.0/252; math.Abs(got-want) > 1e-12 {
		t.Errorf("P(U <= 0) for 5+5 = %g, want %g", got, want)
	}
	if got := cdf[len(cdf)-1]; math.Abs(got-1) > 1e-12 {
		t.Errorf("P(U <= 25) = %g, want 1", got)
	}
	// Symmetric: P(U <= u) = P(U >= n1*n2-u).
	for u := range 25 {
		if a, b := cdf[u], 1-cdf[24-u]; math.Abs(a-b) > 1e-12 {
			t.Errorf("P(U <= %d) = %g, P(U >= %d) = %g", u, a, 25-u, b)
		}
	}
}

// TestShiftCI: the interval holds the true shift, and it is infinite when
// there are too few runs for the level.
func TestShiftCI(t *testing.T) {
	base := []float64{100, 101, 99, 100.5, 99.5}
	head := []float64{130.2, 129.8, 130.6, 129.4, 130.1}
	lo, est, hi := shiftCI(base, head, 0.90)
	if !(lo < 30 && 30 < hi) || math.Abs(est-30) > 1 || hi-lo > 5 {
		t.Errorf("shift of +30: [%.3f, %.3f, %.3f], want about 30 inside a tight interval", lo, est, hi)
	}
	if lo, _, hi := shiftCI([]float64{1, 2}, []float64{3}, 0.90); !math.IsInf(lo, -1) || !math.IsInf(hi, 1) {
		t.Errorf("2 runs against 1: [%g, %g], want no interval", lo, hi)
	}
}
