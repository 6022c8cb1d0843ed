package baseline

import (
	"slices"
	"testing"
)

// TestScoreInconclusive: a scorecard scores a metric too noisy to judge as
// it scores one generator-bound runs left unjudged, as a pass, and the
// verdict is inconclusive unless the score fails whatever it was. Before,
// it scored 0, as a failure: two samples of the same code whose p50 and
// p99 moved ±20% failed ("score 0 is under 60") under a scorecard of p99
// alone, and only warned ("score 80 is under 90") under one of six
// metrics, where without a scorecard they were inconclusive.
func TestScoreInconclusive(t *testing.T) {
	base := []float64{8, 12, 9, 11, 10}
	same := []float64{12, 8.5, 11.5, 9.5, 10.5} // p99 moved ±20%: inconclusive
	tests := []struct {
		name   string
		card   Scorecard
		errors float64 // error rate of every head run
		want   Verdict
	}{
		{"p99 alone", Scorecard{Dimensions: []Dimension{{Name: "latency", Weight: 1, Metrics: []string{P99}}}}, 0, Inconclusive},
		{"six metrics", Scorecard{Dimensions: []Dimension{
			{Name: "latency", Weight: 0.4, Metrics: []string{P50, P90, P99, P999}},
			{Name: "errors", Weight: 0.3, Metrics: []string{ErrorRate}},
			{Name: "throughput", Weight: 0.3, Metrics: []string{Throughput}},
		}}, 0, Inconclusive},
		{"fails whatever p99 was", Scorecard{Dimensions: []Dimension{
			{Name: "latency", Weight: 0.3, Metrics: []string{P99}},
			{Name: "errors", Weight: 0.7, Metrics: []string{ErrorRate}},
		}}, 0.05, Fail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, h := sampleP99("baseline", base...), sampleP99("head", same...)
			for i := range h.Runs {
				h.Runs[i].ErrorRate = tt.errors
			}
			plain, err := Compare(b, h, Policy{})
			if err != nil {
				t.Fatal(err)
			}
			if r := rowOf(t, plain, P99); r.Verdict != Inconclusive {
				t.Fatalf("without a scorecard: p99 %v, want inconclusive\n%s", r.Verdict, plain)
			}
			c, err := Compare(b, h, Policy{Scorecard: &tt.card})
			if err != nil {
				t.Fatal(err)
			}
			if c.Verdict != tt.want || c.Score == nil || !slices.Contains(c.Score.Unjudged, P99) {
				t.Errorf("verdict %v, score %+v; want %v with p99 unjudged\n%s", c.Verdict, c.Score, tt.want, c)
			}
		})
	}
}
