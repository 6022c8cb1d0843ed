package main

import (
	"context"
	"fmt"
	"io"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/verdict"
)

const compareUsage = `usage: loadgate compare [-format text|markdown|json] [-policy file] [-sla file] BASE NEW
       loadgate compare [-format text|markdown|json] -sla file NEW

Compare compares the runs of each scenario in NEW with the same scenario in
BASE, as benchstat does: the median of each metric with its confidence
interval, the change, and a Mann-Whitney U test, judged by the policy
(baseline.DefaultPolicy: p99 fails when significantly more than 15%% worse,
and so on). BASE and NEW are result files (LOADGATE_OUT, loadgate run -out),
baseline files (testdata/loadgate), or directories of either.

With NEW alone, compare judges its scenarios as loadgate run and the
GitHub Action judge one without a baseline: by the SLA limits (-sla, or
a policy's) on each run, and the goroutines the runs leaked; the merged
results of a sharded run with no stored baseline, for instance. It needs
SLA limits: with none it would judge nothing, and refuses.

-format json writes one document for tools (schema loadgate.compare/v1,
documented in schema/compare.v1.json): per scenario and metric, each
side's median with its interval, the change with its interval
(change_lo, change_hi), the p-value and the verdict.

When the runs took profiles of their load (loadgate run -profile,
LOADGATE_PROFILE), compare also says where the time went: the functions
whose CPU and allocations per request grew most from BASE to NEW (text
and markdown).

Unlike benchstat, compare has an exit status a CI job can trust: 0 no
regression (warnings included), 1 a regression or a breached SLA, 2 bad
usage or unreadable input, 3 inconclusive (too noisy, or generator-bound
runs, to tell a change from none), 4 the comparison could not be written
(its output failed).

Flags:
%s
Example: compare a pull request's head with its base, 5 runs each

	git switch main && loadgate run -count 5 -out /tmp/base ./...
	git switch my-change && loadgate run -count 5 -out /tmp/head ./...
	loadgate compare /tmp/base /tmp/head
`

var compareFormats = []string{"text", "markdown", "json"}

func cmdCompare(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("compare", compareUsage, stdout)
	format := fs.String("format", "text", "output `format`: text, markdown or json")
	var pf policyFlags
	pf.register(fs, false)
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return helpOrErr(err)
	}
	if err := oneOf("compare", "format", *format, compareFormats...); err != nil {
		return err
	}
	if len(paths) != 1 && len(paths) != 2 {
		return usageErrorf("compare", "want two arguments, BASE and NEW (or NEW alone with -sla); got %d", len(paths))
	}
	j, err := pf.load("compare")
	if err != nil {
		return err
	}
	var r *report
	if len(paths) == 1 {
		if j.SLA == nil && len(j.Policy.SLA) == 0 {
			return usageErrorf("compare", "want two arguments, BASE and NEW; with NEW alone (%s), compare judges it by its SLA limits, and none were given (-sla, or a policy's sla)", paths[0])
		}
		r, err = judgeFiles(paths[0], j)
	} else {
		r, err = compareFiles(paths[0], paths[1], j)
	}
	if err != nil {
		return err
	}
	switch *format {
	case "markdown":
		err = r.writeMarkdown(stdout)
	case "json":
		err = r.writeJSON(stdout)
	default:
		err = r.writeText(stdout)
	}
	if err != nil {
		return &exitError{code: exitTrouble, err: fmt.Errorf("compare: writing the comparison: %w", err)}
	}
	for _, w := range verdict.UnmatchedSLA(j, r.Run.Scenarios) {
		fmt.Fprintf(stderr, "loadgate compare: warning: %s\n", w)
	}
	if code := r.Run.ExitCode(); code != exitOK {
		return &exitError{code: code}
	}
	return nil
}

// compareFiles reads and compares two sets of files. Input that cannot be
// read or compared is bad input (exit status 2).
func compareFiles(basePath, headPath string, j *baseline.Judge) (*report, error) {
	base, err := readInputs(basePath)
	if err != nil {
		return nil, inputError("compare", fmt.Errorf("BASE: %w", err))
	}
	head, err := readInputs(headPath)
	if err != nil {
		return nil, inputError("compare", fmt.Errorf("NEW: %w", err))
	}
	return compareSetsOf("compare", basePath, headPath, base, head, j)
}

// judgeFiles reads a set of files and judges each scenario with nothing
// to compare with: by its SLA limits and leaks. Input that cannot be read
// is bad input (exit status 2).
func judgeFiles(headPath string, j *baseline.Judge) (*report, error) {
	head, err := readInputs(headPath)
	if err != nil {
		return nil, inputError("compare", err)
	}
	r, err := compareSets(&inputSet{}, head, j)
	if err != nil {
		return nil, inputError("compare", err)
	}
	r.NoBase = true
	if len(r.New) == 0 {
		return nil, usageErrorf("compare", "%s holds baselines only (%s): with NEW alone, compare judges runs; give results", headPath, keyNames(head.keys()))
	}
	return r, nil
}

// compareSetsOf compares head with base, read from headPath and basePath,
// for cmd (compare, report): a comparison that could not be made is bad
// input, and so is a base that shares no scenario with the head (a
// baseline of another service, a directory of other tests), which would
// otherwise judge nothing and pass.
func compareSetsOf(cmd, basePath, headPath string, base, head *inputSet, j *baseline.Judge) (*report, error) {
	r, err := compareSets(base, head, j)
	if err != nil {
		return nil, inputError(cmd, err)
	}
	if len(r.Comparisons) == 0 {
		return nil, usageErrorf(cmd, "no scenario is in both %s (%s) and %s (%s)",
			basePath, keyNames(base.keys()), headPath, keyNames(head.keys()))
	}
	return r, nil
}
