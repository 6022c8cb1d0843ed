package main

import (
	"context"
	"fmt"
	"io"

	htmlreport "github.com/loadgate/loadgate/internal/report"
	"github.com/loadgate/loadgate/internal/rootcause"
	"github.com/loadgate/loadgate/internal/verdict"
)

const reportUsage = `usage: loadgate report [-o file] [-objective d] [-goal share] [-policy file] [-sla file] [flags] [BASE] RESULTS

Report writes one HTML file that shows the runs in RESULTS and, when BASE
is given (first, as in loadgate compare BASE NEW), compares them with it
as loadgate compare does (the same verdict per metric), base and head
drawn on the same charts: p50, p90 and p99 per second of the latency and
of the service time, the requests per second planned and achieved, errors
per second by kind, the percentile curve, HTTP phases, latency by request
name, a watched service's goroutines, open files and heap, leaks, and the
SLO view: the share of requests within the latency objective, the share
that succeeded, the error budget each used, and the worst window.

RESULTS and BASE are result files (loadgate run -out, LOADGATE_OUT),
directories of them, or for BASE baseline files. The file is
self-contained: it loads nothing from the network, and its tables read
without JavaScript. Its size grows with the scenarios, not with the length
of the runs (series are downsampled past 900 seconds): about 150 kB for a
10-minute run with its base. The exit status is 0 when the report was
written, whatever its verdict (loadgate compare gives the verdict's), 2
for bad usage or unreadable input, 4 when the report could not be
written.

Flags:
%s
Example: a pull request's head against its base

	loadgate run -count 5 -out /tmp/head ./...
	loadgate report -o report.html /tmp/base /tmp/head
`

func cmdReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("report", reportUsage, stdout)
	out := fs.String("o", "report.html", "write the report to `file`")
	title := fs.String("title", "", "`title` of the page; default \"loadgate report\"")
	var sf sloFlags
	sf.register(fs)
	var pf policyFlags
	pf.register(fs, false)
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return helpOrErr(err)
	}
	if len(paths) < 1 || len(paths) > 2 {
		return usageErrorf("report", "want RESULTS, or BASE and RESULTS; got %d arguments", len(paths))
	}
	headPath, basePath := paths[len(paths)-1], ""
	if len(paths) == 2 {
		basePath = paths[0]
	}
	if err := checkReportPath("report", "-o", *out); err != nil {
		return err
	}
	slo, err := sf.parse("report")
	if err != nil {
		return err
	}
	j, err := pf.load("report")
	if err != nil {
		return err
	}
	head, err := readInputs(headPath)
	if err != nil {
		return inputError("report", err)
	}
	if len(head.Results) == 0 {
		if basePath == "" {
			return usageErrorf("report", "%s holds no results, only baselines: a report draws results (give a baseline as BASE, first: loadgate report BASE RESULTS)", headPath)
		}
		return usageErrorf("report", "%s holds no results, only baselines: a report draws results, and BASE comes first (loadgate report %s %s, as loadgate compare BASE NEW)", headPath, headPath, basePath)
	}
	for _, k := range head.keys() {
		if err := shardIn(head.Results[k]); err != nil {
			return inputError("report", err)
		}
	}
	in := htmlreport.Input{Title: *title, SLO: slo}
	run := &verdict.Run{}
	var base *inputSet
	baseKeys := map[scenarioKey]scenarioKey{}
	causes := map[scenarioKey]*rootcause.Report{}
	compared := map[scenarioKey]bool{}
	if basePath != "" {
		if base, err = readInputs(basePath); err != nil {
			return inputError("report", err)
		}
		r, err := compareSetsOf("report", basePath, headPath, base, head, j)
		if err != nil {
			return err
		}
		for _, c := range r.Comparisons {
			run.Scenarios = append(run.Scenarios, c.Judged)
			baseKeys[c.Key], causes[c.Key], compared[c.Key] = c.BaseKey, c.Cause, true
		}
		for _, s := range r.New {
			run.Scenarios = append(run.Scenarios, s)
			compared[scenarioKey{s.Package, s.Name}] = true
		}
		if len(r.OnlyBase) > 0 {
			in.Notes = append(in.Notes, "Only in the base, not shown: "+r.listOf(r.OnlyBase)+".")
		}
	}
	// Scenarios without a base are judged by their SLA alone.
	for _, k := range head.keys() {
		rs := head.Results[k]
		if compared[k] || len(rs) == 0 {
			continue
		}
		run.Scenarios = append(run.Scenarios, verdict.Judge(j, verdict.Input{
			Name: k.Scenario, Package: k.Package, Test: topTest(rs[0].Test), Head: resultsOf(rs),
			NoBase: "no base given (loadgate report BASE RESULTS compares)"}))
	}
	run.Correct()
	in.Run = run
	in.Scenarios = reportScenarios(run, head, base, baseKeys, causes)
	if err := writeHTMLReport(stdout, *out, in); err != nil {
		return &exitError{code: exitTrouble, err: fmt.Errorf("report: %w", err)}
	}
	return nil
}
