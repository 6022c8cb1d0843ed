package baseline

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

// WriteBenchmarks writes the runs of each sample in the Go benchmark
// format, one line per run, so that benchstat, github-action-benchmark and
// bencher can read loadgate results:
//
//	goos: linux
//	goarch: amd64
//	pkg: example.com/shop
//	cpu: AMD EPYC 7B13
//	BenchmarkLoad/checkout 1 1412000 p50-ns ... 1020000 p99-ns ... 198.5 req/s ...
//
// Each line counts one iteration: a run is one measurement, not an
// average. Unit lines tell which way each unit improves (better=higher
// for req/s). Configuration lines are written when they change from one
// sample to the next; the commit is not one of them, because benchstat
// would then refuse to compare the two sides. A "generator-bound: yes"
// configuration line precedes a run that was generator-bound, "no" the
// others (always written, so that files exported apart agree), so that
// benchstat tables bound runs apart.
func WriteBenchmarks(w io.Writer, samples ...Sample) error {
	bw := bufio.NewWriter(w)
	units := map[string]bool{}
	config := map[string]string{}
	setConfig := func(key, value string) {
		if value == "" || config[key] == value {
			return
		}
		config[key] = value
		fmt.Fprintf(bw, "%s: %s\n", key, value)
	}
	for _, s := range samples {
		setConfig("goos", s.Env.GOOS)
		setConfig("goarch", s.Env.GOARCH)
		setConfig("pkg", s.Package)
		setConfig("cpu", s.Env.CPUModel)
		if s.Env.Scale != 0 && s.Env.Scale != 1 {
			setConfig("scale", strconv.FormatFloat(s.Env.Scale, 'g', -1, 64))
		}
		if s.Env.RateScale != 0 && s.Env.RateScale != 1 {
			setConfig("rate-scale", strconv.FormatFloat(s.Env.RateScale, 'g', -1, 64))
		}
		setConfig("target", s.Env.Target)
		ms := metricsOf(s, s)
		for _, m := range ms {
			if u := m.row.Bench; !units[u] {
				units[u] = true
				fmt.Fprintf(bw, "Unit %s better=%s\n", u, m.Better)
			}
		}
		name := "BenchmarkLoad/" + benchName(s.Scenario)
		for i := range s.Runs {
			setConfig("generator-bound", map[bool]string{true: "yes", false: "no"}[len(s.Runs[i].GeneratorBound) > 0])
			fmt.Fprintf(bw, "%s 1", name)
			for _, m := range ms {
				v, ok := s.Runs[i].value(m.row)
				if !ok {
					continue
				}
				fmt.Fprintf(bw, " %s %s", strconv.FormatFloat(v, 'f', -1, 64), m.row.Bench)
			}
			bw.WriteByte('\n')
		}
	}
	return bw.Flush()
}

// benchName makes a scenario name a sub-benchmark name as go test would:
// spaces become underscores, other unprintable runes are escaped.
func benchName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			b.WriteByte('_')
		case !unicode.IsPrint(r):
			s := strconv.QuoteRune(r)
			b.WriteString(s[1 : len(s)-1])
		default:
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "scenario"
	}
	return b.String()
}
