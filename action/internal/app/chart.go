package app

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// maxChartPoints bounds a chart's points: longer loads are shown in
// buckets of several seconds, each the worst second of its bucket.
const maxChartPoints = 60

// p99Chart draws the p99 per second of both sides as a Mermaid
// xychart-beta, which GitHub renders.
func p99Chart(s *Scenario) string {
	if len(s.HeadP99) == 0 {
		return ""
	}
	n := max(len(s.HeadP99), len(s.BaseP99))
	step := (n + maxChartPoints - 1) / maxChartPoints
	var xs []string
	bucket := func(v []float64) []string {
		var out []string
		for i := 0; i < n; i += step {
			w := math.NaN()
			for j := i; j < i+step && j < len(v); j++ {
				if !math.IsNaN(v[j]) && (math.IsNaN(w) || v[j] > w) {
					w = v[j]
				}
			}
			if math.IsNaN(w) {
				w = 0 // Mermaid has no gaps; no request completed here
			}
			out = append(out, strconv.FormatFloat(math.Round(w/1e4)/100, 'f', -1, 64))
		}
		return out
	}
	for i := 0; i < n; i += step {
		xs = append(xs, strconv.Itoa(i+1))
	}
	var b strings.Builder
	b.WriteString("```mermaid\n")
	// Base in grey, head in red: xychart-beta draws no legend, so the
	// colours are fixed and named in the caption below.
	b.WriteString(`%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#8c959f, #cf222e"}}}}%%` + "\n")
	b.WriteString("xychart-beta\n")
	fmt.Fprintf(&b, "    title \"p99 latency per second (ms)\"\n")
	fmt.Fprintf(&b, "    x-axis \"second of the load\" [%s]\n", strings.Join(xs, ", "))
	b.WriteString("    y-axis \"p99 (ms)\"\n")
	if len(s.BaseP99) > 0 {
		fmt.Fprintf(&b, "    line [%s]\n", strings.Join(bucket(s.BaseP99), ", "))
	}
	fmt.Fprintf(&b, "    line [%s]\n", strings.Join(bucket(s.HeadP99), ", "))
	b.WriteString("```\n")
	runs := func(charted, all int, allBound bool) string {
		s := "1 run"
		if charted > 1 {
			s = fmt.Sprintf("median of %d runs", charted)
		}
		switch {
		case allBound:
			// Nothing else to chart: the table leaves these latencies
			// unjudged, and the chart must not pass them for the service's.
			if charted > 1 {
				s += ", every one generator-bound"
			} else {
				s += ", generator-bound"
			}
			s += ": the load generator set these latencies too"
		case charted < all:
			s += fmt.Sprintf(", leaving out %d of %d generator-bound", all-charted, all)
		}
		return s
	}
	per := ""
	if step > 1 {
		per = fmt.Sprintf("; each point is the worst second of %d", step)
	}
	if len(s.BaseP99) == 0 {
		fmt.Fprintf(&b, "<sub>head: %s%s</sub>\n", runs(s.HeadCharted, s.HeadRuns, s.HeadAllBound), per)
	} else {
		fmt.Fprintf(&b, "<sub>grey: base (%s) · red: head (%s)%s</sub>\n", runs(s.BaseCharted, s.BaseRuns, s.BaseAllBound), runs(s.HeadCharted, s.HeadRuns, s.HeadAllBound), per)
	}
	return b.String()
}
