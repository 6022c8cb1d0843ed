package baseline

import (
	"math"
	"slices"
)

// shiftCI estimates how far head is shifted from base, in the metric's
// unit, with a confidence interval at level conf: the Hodges-Lehmann
// estimate (the median of every pairwise difference
// h[j]-b[i]) and the interval between two order statistics of those
// differences chosen from the exact null distribution of the Mann-Whitney
// U statistic. It is the interval that goes with the rank test the
// comparison makes, free of any assumption on the shape of the noise. With
// too few runs for the level asked, lo and hi are infinite.
func shiftCI(base, head []float64, conf float64) (lo, est, hi float64) {
	n1, n2 := len(base), len(head)
	if n1 == 0 || n2 == 0 {
		return math.Inf(-1), 0, math.Inf(1)
	}
	d := make([]float64, 0, n1*n2)
	for _, h := range head {
		for _, b := range base {
			d = append(d, h-b)
		}
	}
	slices.Sort(d)
	est = median(d)
	// k is the largest count with P(U < k) <= (1-conf)/2: the interval
	// runs from the k-th smallest difference to the k-th largest.
	cdf := uCDF(n1, n2)
	k := 0
	for k < len(cdf) && cdf[k] <= (1-conf)/2 {
		k++
	}
	if k == 0 {
		return math.Inf(-1), est, math.Inf(1)
	}
	return d[k-1], est, d[len(d)-k]
}

// uCDF returns P(U <= u) for u = 0..n1*n2 under the null hypothesis, for
// samples of n1 and n2 values without ties: the number of arrangements
// with each U, by the usual recurrence, over C(n1+n2, n1).
func uCDF(n1, n2 int) []float64 {
	// f[i][j][u]: arrangements of i and j values with statistic u; kept
	// as one slice per (i, j), filled row by row.
	prev := make([][]float64, n2+1)
	for j := range prev {
		prev[j] = []float64{1} // i = 0: one arrangement, U = 0
	}
	for i := 1; i <= n1; i++ {
		cur := make([][]float64, n2+1)
		cur[0] = []float64{1}
		for j := 1; j <= n2; j++ {
			// The largest value is from the first sample (adds j to U) or
			// from the second.
			a, b := prev[j], cur[j-1]
			f := make([]float64, i*j+1)
			for u, c := range a {
				f[u+j] += c
			}
			for u, c := range b {
				f[u] += c
			}
			cur[j] = f
		}
		prev = cur
	}
	f := prev[n2]
	total := 0.0
	for _, c := range f {
		total += c
	}
	cdf := make([]float64, len(f))
	acc := 0.0
	for u, c := range f {
		acc += c
		cdf[u] = acc / total
	}
	return cdf
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
