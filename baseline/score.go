package baseline

import (
	"errors"
	"fmt"

	"github.com/loadgate/loadgate/internal/catalogue"
)

// Scorecard weighs the verdicts of the metrics into a score from 0 to 100,
// for teams that would rather trade a little heap for a lot of latency than
// fail on either. Metrics are grouped into dimensions with weights; a metric
// scores 100 when it passes, 50 when it warns and 0 when it fails; a
// dimension scores the mean of its metrics that the comparison has, and the
// total is the weighted mean of the dimensions that have any. A metric
// that is inconclusive, too noisy to judge ([Comparison.Conclude]) or left
// unjudged by generator-bound runs, scores as a pass ([Score.Unjudged]):
// the score then fails only when it would whatever the metric was, and is
// otherwise inconclusive. Noise is not a regression, nor a pass.
//
// With a scorecard, the score decides the verdict, except that a failing
// veto metric fails it whatever the score, an SLA breach fails it, and any
// failing metric makes it at least a warning.
type Scorecard struct {
	Dimensions []Dimension `json:"dimensions"`
	// Vetoes lists metrics whose failure fails the verdict whatever the
	// score.
	Vetoes []string `json:"vetoes,omitempty"`
	// FailBelow is the score under which the verdict fails; zero means 60.
	FailBelow float64 `json:"fail_below,omitempty"`
	// WarnBelow is the score under which the verdict warns; zero means 90.
	WarnBelow float64 `json:"warn_below,omitempty"`
}

// Dimension is a group of metrics with a weight, such as "latency".
type Dimension struct {
	Name    string   `json:"name"`
	Weight  float64  `json:"weight"`
	Metrics []string `json:"metrics"`
}

// DefaultScorecard is a scorecard to start from: latency weighs most,
// errors next. A dimension holds the compared metrics of the metric
// catalogue (internal/catalogue) whose Dimension column names it, and the
// metrics whose Veto column is set veto (p99 and error_rate); the
// statistics of HTTP phases are in no dimension.
var DefaultScorecard = Scorecard{
	Dimensions: []Dimension{
		{Name: "latency", Weight: 0.4, Metrics: inDimension("latency")},
		{Name: "errors", Weight: 0.3, Metrics: inDimension("errors")},
		{Name: "throughput", Weight: 0.15, Metrics: inDimension("throughput")},
		{Name: "resources", Weight: 0.15, Metrics: inDimension("resources")},
	},
	Vetoes:    catalogued(func(m catalogue.Metric) bool { return m.Veto }),
	FailBelow: 60,
	WarnBelow: 90,
}

// inDimension lists the metrics of the catalogue whose Dimension is dim.
func inDimension(dim string) []string {
	return catalogued(func(m catalogue.Metric) bool { return m.Dimension == dim })
}

// catalogued lists the names of the catalogue's metrics that keep keeps,
// in the catalogue's order.
func catalogued(keep func(catalogue.Metric) bool) []string {
	var names []string
	for _, m := range catalogue.All() {
		if keep(m) {
			names = append(names, m.Name)
		}
	}
	return names
}

// Score is what a [Scorecard] made of a comparison.
type Score struct {
	Total      float64          `json:"total"`
	Dimensions []DimensionScore `json:"dimensions"`
	// Vetoed lists the veto metrics that failed.
	Vetoed []string `json:"vetoed,omitempty"`
	// Unjudged lists the metrics that were inconclusive: too noisy to
	// judge, or left unjudged by generator-bound runs (Row.GeneratorBound).
	// They score as passes, so that Total is the most the score could be:
	// under FailBelow, it fails whatever they were.
	Unjudged []string `json:"unjudged,omitempty"`
}

// prefix is "at most " when unjudged metrics scored as passes, for the
// sentences that give the total.
func (s *Score) prefix() string {
	if len(s.Unjudged) > 0 {
		return "at most "
	}
	return ""
}

// DimensionScore is the score of one dimension.
type DimensionScore struct {
	Name    string  `json:"name"`
	Weight  float64 `json:"weight"`
	Score   float64 `json:"score"`
	Metrics int     `json:"metrics"` // how many of its metrics were compared
}

func (s *Scorecard) failBelow() float64 {
	if s.FailBelow == 0 {
		return 60
	}
	return s.FailBelow
}

func (s *Scorecard) warnBelow() float64 {
	if s.WarnBelow == 0 {
		return 90
	}
	return s.WarnBelow
}

// problems lists what is wrong with s, each with the path of its value in
// the scorecard's JSON.
func (s *Scorecard) problems() []problem {
	var probs []problem
	total, negative := 0.0, false
	for i, d := range s.Dimensions {
		if d.Weight < 0 {
			negative = true
			probs = append(probs, problem{[]any{"dimensions", i, "weight"}, fmt.Errorf("scorecard dimension %s: weight %g is negative", d.Name, d.Weight)})
		} else {
			total += d.Weight
		}
		for j, m := range d.Metrics {
			if err := checkMetric(m); err != nil {
				probs = append(probs, problem{[]any{"dimensions", i, "metrics", j}, fmt.Errorf("scorecard dimension %s: %w", d.Name, err)})
			}
		}
	}
	if len(s.Dimensions) > 0 && total <= 0 && !negative { // a negative weight is its own problem
		probs = append(probs, problem{[]any{"dimensions"}, errors.New("scorecard: the weights add up to 0")})
	}
	for i, m := range s.Vetoes {
		if err := checkMetric(m); err != nil {
			probs = append(probs, problem{[]any{"vetoes", i}, fmt.Errorf("scorecard veto: %w", err)})
		}
	}
	if s.failBelow() > s.warnBelow() {
		probs = append(probs, problem{[]any{"fail_below"}, fmt.Errorf("scorecard: fail_below %g is over warn_below %g", s.failBelow(), s.warnBelow())})
	}
	return probs
}

// score rates rows. ok is false when no dimension had a compared metric.
func (s *Scorecard) score(rows []Row) (sc Score, ok bool) {
	byName := map[string]*Row{}
	for i := range rows {
		byName[rows[i].Metric] = &rows[i]
	}
	var sum, weights float64
	for _, d := range s.Dimensions {
		ds := DimensionScore{Name: d.Name, Weight: d.Weight}
		var pts float64
		for _, m := range d.Metrics {
			r, ok := byName[m]
			if !ok {
				continue
			}
			ds.Metrics++
			switch {
			case r.GeneratorBound, r.Verdict == Inconclusive: // unjudged: the best it could have been
				sc.Unjudged = append(sc.Unjudged, m)
				pts += 100
			case r.Verdict == Pass:
				pts += 100
			case r.Verdict == Warn:
				pts += 50
			}
		}
		if ds.Metrics > 0 {
			ds.Score = pts / float64(ds.Metrics)
			sum += d.Weight * ds.Score
			weights += d.Weight
		}
		sc.Dimensions = append(sc.Dimensions, ds)
	}
	for _, m := range s.Vetoes {
		if r, ok := byName[m]; ok && r.Verdict == Fail {
			sc.Vetoed = append(sc.Vetoed, m)
		}
	}
	if weights == 0 {
		return sc, false
	}
	sc.Total = sum / weights
	return sc, true
}
