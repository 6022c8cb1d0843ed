package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/atomicfile"
	"github.com/loadgate/loadgate/internal/cell"
	htmlreport "github.com/loadgate/loadgate/internal/report"
	"github.com/loadgate/loadgate/internal/rootcause"
	"github.com/loadgate/loadgate/internal/verdict"
)

// sloFlags are the objectives of the report's SLO view; unset, they come
// from the SLA expressions (see htmlreport.SLO).
type sloFlags struct {
	objective, goal, successGoal, window string
}

func (f *sloFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.objective, "objective", "", "latency objective of the SLO view, a `duration` such as 300ms; default the first latency limit of the SLA (p99 < 300ms)")
	fs.StringVar(&f.goal, "goal", "", "`share` of requests that should meet -objective, such as 99% or 0.99; default the limit's percentile, else 99%")
	fs.StringVar(&f.successGoal, "success-goal", "", "`share` of requests that should succeed, such as 99.9%; default 1 - the SLA's error_rate limit")
	fs.StringVar(&f.window, "window", "", "length of the worst window shown, a `duration` of whole seconds such as 10s; default the SLA's p99[...] window, else 10s")
}

// parse checks the flags; errors name the flag.
func (f *sloFlags) parse(cmd string) (htmlreport.SLO, error) {
	var o htmlreport.SLO
	var err error
	if f.objective != "" {
		if o.Objective, err = time.ParseDuration(f.objective); err != nil || o.Objective <= 0 {
			return o, usageErrorf(cmd, "-objective %q: want a duration such as 300ms", f.objective)
		}
	}
	if o.Goal, err = share(f.goal); err != nil {
		return o, usageErrorf(cmd, "-goal %q: %v", f.goal, err)
	}
	if o.SuccessGoal, err = share(f.successGoal); err != nil {
		return o, usageErrorf(cmd, "-success-goal %q: %v", f.successGoal, err)
	}
	if f.window != "" {
		o.Window, err = time.ParseDuration(f.window)
		if err != nil || o.Window < time.Second || o.Window%time.Second != 0 {
			return o, usageErrorf(cmd, "-window %q: want whole seconds such as 10s", f.window)
		}
	}
	return o, nil
}

// share reads "99.9%" or "0.999"; "" is 0.
func share(s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	t, percent := strings.CutSuffix(s, "%")
	f, err := strconv.ParseFloat(t, 64)
	if percent {
		f /= 100
	}
	if err != nil || !(f > 0 && f < 1) { // NaN too
		return 0, errors.New("want a share in (0, 1) such as 99% or 0.99")
	}
	return f, nil
}

// reportScenarios pairs each judged scenario with its runs: head results
// from head, base results from base (nil when the head was judged against
// stored baselines), the stored baseline, if any, from its path, and where
// the time went: from causes when the comparison explained it already,
// else from the runs' profiles.
func reportScenarios(run *verdict.Run, head, base *inputSet, baseKeys map[scenarioKey]scenarioKey, causes map[scenarioKey]*rootcause.Report) []htmlreport.Scenario {
	var out []htmlreport.Scenario
	for _, s := range run.Scenarios {
		k := scenarioKey{s.Package, s.Name}
		rs := head.Results[k]
		if len(rs) == 0 {
			continue // a head of baselines only: nothing over time to show
		}
		rep := htmlreport.Scenario{Name: s.Name, Package: s.Package, Head: resultsOf(rs), Judged: s, Cause: causes[k]}
		var baseFiles []resultFile
		if base != nil {
			bk, ok := baseKeys[k]
			if !ok {
				bk = k
			}
			baseFiles = base.Results[bk]
			rep.Base = resultsOf(baseFiles)
			if b, ok := base.Baselines[bk]; ok {
				rep.Stored = b.Baseline
			}
		}
		if rep.Cause == nil {
			rep.Cause = explain(k, baseFiles, rs)
		}
		if rep.Stored == nil && s.StoredPath != "" {
			if b, err := baseline.Load(s.StoredPath); err == nil {
				rep.Stored = b
			}
		}
		out = append(out, rep)
	}
	return out
}

// writeHTMLReport writes the report to path through a temporary file in
// its directory, so that a reader never sees half of one, and says so on
// w.
func writeHTMLReport(w io.Writer, path string, in htmlreport.Input) error {
	if err := writeHTMLFile(w, path, in); err != nil {
		// The error of a step names the temporary file; the caller's
		// path is what the user gave.
		return fmt.Errorf("writing %s: %w", path, unwrapPath(err))
	}
	return nil
}

// checkReportPath checks, before any test runs, that an HTML report can
// be written to path, the value of flag of cmd: not a directory, in a
// directory that exists (or can be made) and takes files. It makes no
// directory.
func checkReportPath(cmd, flag, path string) error {
	if path == "" {
		return usageErrorf(cmd, "%s is empty: name the HTML file to write", flag)
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return usageErrorf(cmd, "%s %s is a directory: name the HTML file to write", flag, path)
	}
	if os.IsPathSeparator(path[len(path)-1]) {
		// A directory that does not exist yet: the check below would
		// make it, and the report could not be renamed onto it.
		return usageErrorf(cmd, "%s %s names a directory: name the HTML file to write", flag, path)
	}
	// The directories the report needs are made when it is written, so
	// that a run that fails first leaves none behind: here the nearest
	// that exists must be a directory that takes files.
	dir, isDir := nearestExisting(filepath.Dir(path))
	if !isDir {
		return usageErrorf(cmd, "%s %s: %s is a file, not a directory", flag, path, dir)
	}
	f, err := os.CreateTemp(dir, ".report-check-*")
	if err != nil {
		return usageErrorf(cmd, "%s %s: cannot write in %s: %v", flag, path, dir, unwrapPath(err))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// unwrapPath is err without the path an *fs.PathError adds.
func unwrapPath(err error) error {
	if pe, ok := errors.AsType[*iofs.PathError](err); ok {
		return pe.Err
	}
	return err
}

func writeHTMLFile(w io.Writer, path string, in htmlreport.Input) error {
	if err := atomicfile.Write(path, func(f io.Writer) error { return htmlreport.Write(f, in) }); err != nil {
		return err
	}
	var size int64
	if st, err := os.Stat(path); err == nil {
		size = st.Size()
	}
	fmt.Fprintf(w, "loadgate: HTML report %s (%d kB, %s)\n", path, (size+512)/1024, cell.Plural(len(in.Scenarios), "scenario"))
	return nil
}
