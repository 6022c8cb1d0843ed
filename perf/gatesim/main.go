// Command gatesim measures the regression gate's false alarms and
// detections the way loadgate runs it on a pull request: per scenario,
// head runs added look by look (baseline.DefaultLooks) until settled, each
// look at its share of alpha, and Benjamini-Hochberg over the scenarios of
// the PR (verdict.Run.Correct). It simulates many PRs of several scenarios
// and prints one table, with and without the correction.
//
// The runs come from a pool: with -runs, real results of one scenario on
// unchanged code (the A/A directories scripts/gate-experiment.sh keeps with
// KEEP=1), resampled; without, synthetic results whose p50 and p99 vary
// from run to run by -cv (11%, as measured on this project's 2-core
// machine, see FIELD-NOTES). A/B PRs make one scenario's head slower by
// -slowdown (p50 and p99).
//
//	go run ./perf/gatesim -prs 2000
//	go run ./perf/gatesim -runs '/tmp/loadgate-gate.*/AA-*' -prs 2000
package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/filename"
	"github.com/loadgate/loadgate/internal/fixture"
	"github.com/loadgate/loadgate/internal/verdict"
	"github.com/loadgate/loadgate/loadtest"
)

func main() {
	var (
		runs      = flag.String("runs", "", "glob of `dirs` of real results of one scenario on unchanged code; default synthetic runs")
		prs       = flag.Int("prs", 2000, "pull requests to simulate of each kind")
		scenarios = flag.Int("scenarios", 10, "scenarios a pull request")
		baseRuns  = flag.Int("base", 5, "runs of each stored baseline")
		cv        = flag.Float64("cv", 0.11, "synthetic runs: run-to-run variation of p50 and p99")
		slowdown  = flag.Float64("slowdown", 0.25, "A/B: how much slower one scenario's head is")
		seed      = flag.Uint64("seed", 1, "random seed")
	)
	flag.Parse()
	rng := rand.New(rand.NewPCG(*seed, 2))
	pool, err := loadPool(*runs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gatesim:", err)
		os.Exit(2)
	}
	src := "synthetic runs, p50 and p99 varying by " + fmt.Sprint(*cv*100) + "% (lognormal)"
	if pool != nil {
		src = fmt.Sprintf("%d real runs of one scenario on unchanged code, resampled", len(pool))
	}
	fmt.Printf("%d simulated pull requests of each kind, %d scenarios each, %d-run baselines; %s\n\n", *prs, *scenarios, *baseRuns, src)

	sim := &simulator{rng: rng, pool: pool, cv: *cv, base: *baseRuns, scenarios: *scenarios}
	type tally struct{ fail, failUncorrected, inconclusive, runs []int }
	var aa, ab tally
	for range *prs {
		for _, kind := range []struct {
			t    *tally
			slow float64
		}{{&aa, 0}, {&ab, *slowdown}} {
			r := sim.pr(kind.slow)
			kind.t.fail = append(kind.t.fail, b2i(r.failed))
			kind.t.failUncorrected = append(kind.t.failUncorrected, b2i(r.failedUncorrected))
			kind.t.inconclusive = append(kind.t.inconclusive, b2i(r.inconclusive))
			kind.t.runs = append(kind.t.runs, r.runs...)
		}
	}
	fmt.Printf("| | A/A: no change | A/B: one scenario +%.0f%% |\n|---|---|---|\n", *slowdown*100)
	fmt.Printf("| PRs that fail (Benjamini-Hochberg over scenarios) | %s | %s |\n", share(aa.fail), share(ab.fail))
	fmt.Printf("| PRs that fail without the correction | %s | %s |\n", share(aa.failUncorrected), share(ab.failUncorrected))
	fmt.Printf("| PRs with an inconclusive scenario | %s | %s |\n", share(aa.inconclusive), share(ab.inconclusive))
	fmt.Printf("| head runs a scenario: median (max) | %d (%d) | %d (%d) |\n", med(aa.runs), slices.Max(aa.runs), med(ab.runs), slices.Max(ab.runs))
	fmt.Printf("\nIn 20 PRs: %.1f A/A PRs fail on average (%.1f without the correction); %.1f of 20 A/B PRs fail.\n",
		20*mean(aa.fail), 20*mean(aa.failUncorrected), 20*mean(ab.fail))
}

// simulator draws the runs of simulated pull requests.
type simulator struct {
	rng             *rand.Rand
	pool            []*loadtest.Result
	cv              float64
	base, scenarios int
}

// outcome is what a simulated PR ended with.
type outcome struct {
	failed, failedUncorrected, inconclusive bool
	runs                                    []int // head runs of each scenario
}

// pr simulates one pull request whose first scenario is slower by slow.
func (s *simulator) pr(slow float64) outcome {
	looks := baseline.DefaultLooks
	most := looks[len(looks)-1]
	type scen struct {
		base, head []*loadtest.Result
		runs       int
		open       bool
	}
	scens := make([]*scen, s.scenarios)
	for i := range scens {
		draw := s.draw(s.base + most)
		head := draw[s.base:]
		if i == 0 && slow > 0 {
			head = slower(head, slow)
		}
		scens[i] = &scen{base: draw[:s.base], head: head, open: true}
	}
	j := &baseline.Judge{}
	var run, raw *verdict.Run
	for k, n := range looks {
		look := baseline.Look{K: k + 1, Of: len(looks)}
		for _, sc := range scens {
			if sc.open {
				sc.runs = n
			}
		}
		judge := func() *verdict.Run {
			r := &verdict.Run{}
			for i, sc := range scens {
				r.Scenarios = append(r.Scenarios, verdict.Judge(j, verdict.Input{Name: fmt.Sprint("s", i), Test: "TestLoad",
					Base: sc.base, Head: sc.head[:sc.runs], Look: look}))
			}
			return r
		}
		raw, run = judge(), judge()
		run.Correct()
		open := false
		for i, sc := range scens {
			if c := run.Scenarios[i].Comparison; sc.open && (c.Settled() || look.Final()) {
				sc.open = false
			}
			open = open || sc.open
		}
		if !open {
			break
		}
	}
	o := outcome{}
	for i, sc := range scens {
		o.runs = append(o.runs, sc.runs)
		o.failed = o.failed || run.Scenarios[i].Verdict == baseline.Fail
		o.failedUncorrected = o.failedUncorrected || raw.Scenarios[i].Verdict == baseline.Fail
		o.inconclusive = o.inconclusive || run.Scenarios[i].Verdict == baseline.Inconclusive
	}
	return o
}

// draw returns n runs of unchanged code: resampled from the pool without
// replacement (with replacement when it is too small), or synthetic.
func (s *simulator) draw(n int) []*loadtest.Result {
	out := make([]*loadtest.Result, n)
	if s.pool != nil {
		perm := s.rng.Perm(len(s.pool))
		for i := range out {
			if i < len(perm) {
				out[i] = s.pool[perm[i]]
			} else {
				out[i] = s.pool[s.rng.IntN(len(s.pool))]
			}
		}
		return out
	}
	for i := range out {
		noise := func() float64 { return math.Exp(s.cv * s.rng.NormFloat64()) }
		out[i] = fixture.Fake{Scenario: "s", Test: "TestLoad", P50: 10 * noise(), P99: 100 * noise()}.Result(i + 1)
	}
	return out
}

// slower returns copies of runs whose latencies are slower by f.
func slower(runs []*loadtest.Result, f float64) []*loadtest.Result {
	out := make([]*loadtest.Result, len(runs))
	for i, r := range runs {
		c := *r
		scale := func(l loadtest.Latency) loadtest.Latency {
			for _, p := range []*int64{&l.MinNS, &l.MeanNS, &l.P50NS, &l.P90NS, &l.P95NS, &l.P99NS, &l.P999NS, &l.MaxNS} {
				*p = int64(float64(*p) * (1 + f))
			}
			l.HDR = "" // the quantiles above are what the comparison reads
			return l
		}
		c.Latency, c.ServiceTime = scale(r.Latency), scale(r.ServiceTime)
		out[i] = &c
	}
	return out
}

// loadPool reads every result in the directories glob matches.
func loadPool(glob string) ([]*loadtest.Result, error) {
	if glob == "" {
		return nil, nil
	}
	dirs, err := filepath.Glob(glob)
	if err != nil {
		return nil, err
	}
	var pool []*loadtest.Result
	for _, d := range dirs {
		if st, err := os.Stat(d); err != nil || !st.IsDir() || strings.HasSuffix(d, ".action") {
			continue
		}
		files, err := filename.JSONFiles(d)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			r, err := loadtest.ReadFile(f)
			if err != nil {
				return nil, err
			}
			r.Scenario = "s"
			pool = append(pool, r)
		}
	}
	if len(pool) < 20 {
		return nil, fmt.Errorf("-runs %s: %d results, want at least 20", glob, len(pool))
	}
	return pool, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func mean(v []int) float64 {
	s := 0
	for _, x := range v {
		s += x
	}
	return float64(s) / float64(len(v))
}

func share(v []int) string {
	return fmt.Sprintf("%.1f%% (%d of %d)", 100*mean(v), int(math.Round(mean(v)*float64(len(v)))), len(v))
}

func med(v []int) int {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
