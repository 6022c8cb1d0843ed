package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	pathpkg "path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/loadtest"
)

const baselineUsage = `usage: loadgate baseline update [packages] [-run regexp] [-count n] [flags] [-- go test flags]
       loadgate baseline show [dir...]

Update runs the load tests of the packages (default ./...) with
LOADGATE_UPDATE=1, so that every test that calls baseline.Check records its
runs as the scenario's new baseline (testdata/loadgate/<scenario>.json in
its package), then lists the baselines it wrote. Record as many runs as the
comparisons will have (-count, default 5): the rank test needs several runs
a side to tell a regression from noise.

Show lists the stored baselines: for each, its runs, when and at which
commit they were recorded, on which machine, and their medians. Without a
directory it looks for testdata/loadgate directories under the current one.

Run 'loadgate baseline update -h' for the flags of update.

Example:

	loadgate baseline update ./examples/shop -run TestBaselineCheckout
	loadgate baseline show examples/shop
`

const baselineUpdateUsage = `usage: loadgate baseline update [packages] [-run regexp] [-count n] [flags] [-- go test flags]

Update runs the load tests of the packages (default ./...) with
LOADGATE_UPDATE=1 and LOADGATE_UPDATE_ID set to a new session, so that
every test that calls baseline.Check records its runs as the scenario's
new baseline, then lists the baselines this session wrote. Tests that do
not call baseline.Check record nothing.

Flags:
%s
Example: record five runs of the example's checkout scenario

	loadgate baseline update ./examples/shop -run TestBaselineCheckout
`

const baselineShowUsage = `usage: loadgate baseline show [dir...]

Show lists the baselines stored in each dir (a directory of baseline files,
or one whose testdata/loadgate directories are searched; default the
current directory): scenario, runs, when and at which commit they were
recorded, on which machine, and the medians of the runs. It has no flags.
%s
Example:

	loadgate baseline show examples/shop
`

// defaultBaselineCount is the runs baseline update records: five a side
// let the rank test confirm a change at alpha 0.05 (see package baseline).
const defaultBaselineCount = 5

func cmdBaseline(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, baselineUsage)
		return usageErrorf("baseline", "want a subcommand: update or show")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, baselineUsage)
		return nil
	case "update":
		return cmdBaselineUpdate(ctx, args[1:], stdout)
	case "show":
		return cmdBaselineShow(args[1:], stdout)
	}
	return usageErrorf("baseline", "unknown subcommand %q: want update or show", args[0])
}

func cmdBaselineUpdate(ctx context.Context, args []string, stdout io.Writer) error {
	const name = "baseline update"
	fs := newFlagSet(name, baselineUpdateUsage, stdout)
	var cfg runConfig
	var out string
	runFlags(fs, &cfg, &out, defaultBaselineCount, "record `n` runs of each test (go test -count) into its baseline")
	// run's text says to compare with baselines of the same count; here
	// the count is what the baseline records.
	fs.Lookup("count").Usage = "record `n` runs of each test (go test -count) as its baseline; the rank test needs several runs a side to tell a regression from noise, so record as many as the comparisons will have"
	own, testFlags := splitPassthrough(args)
	pkgs, err := parseInterleaved(fs, own)
	if err != nil {
		return helpOrErr(misplacedTestFlag(name, err, own))
	}
	cfg.Packages, cfg.TestFlags, cfg.Update = pkgs, testFlags, true
	if err := refuseEmpty(name, fs, "out"); err != nil {
		return err
	}
	if err := cfg.check(name, out); err != nil {
		return err
	}
	o, err := runLoadTests(ctx, name, cfg, stdout)
	if err != nil {
		return err
	}
	defer o.close()
	defer o.dropEmptyOut() // after the summary, which says whether there are results
	o.collectUpdate(ctx)
	o.judge(&baseline.Judge{}, baseline.Look{})
	writeSummary(stdout, o)
	return o.updateError(name)
}

// collectUpdate finds what the update recorded (o.Written, o.Staged,
// o.BaselineErr) and notes a checkout with uncommitted changes. baseline
// update and run -update call it once the tests ran, before judging, and
// updateError after the summary, so that both end an update alike.
func (o *runOutcome) collectUpdate(ctx context.Context) {
	o.Written, o.BaselineErr = writtenBaselines(o)
	if len(o.Written) > 0 {
		// The checkout the baselines were recorded in, and name a commit of.
		var paths []string
		for _, w := range o.Written {
			if abs, err := filepath.Abs(w.Path); err == nil {
				paths = append(paths, abs)
			}
		}
		if note := dirtyNote(ctx, filepath.Dir(o.Written[0].Path), paths...); note != "" {
			o.Notes = append(o.Notes, note)
		}
	}
}

// updateError is the exit status of an update that collectUpdate
// collected and the summary explained: the verdict's; else 1 when a
// baseline could not be read; else 2 when nothing was recorded, for a
// command asked to record that recorded nothing has not passed.
func (o *runOutcome) updateError(cmd string) error {
	if err := o.exitError(); err != nil {
		return err
	}
	if o.BaselineErr != nil {
		return failed
	}
	if len(o.Written) == 0 && len(o.Staged) == 0 && !o.checkFailed() {
		return &exitError{code: exitUsage, err: fmt.Errorf("%s: no baseline recorded: no test that ran called baseline.Check (-run %q); call baseline.Check(t, res) after loadtest.Run in the tests whose baselines to keep", cmd, o.Config.Run)}
	}
	return nil
}

func cmdBaselineShow(args []string, stdout io.Writer) error {
	const name = "baseline show"
	fs := newFlagSet(name, baselineShowUsage, stdout)
	dirs, err := parseInterleaved(fs, args)
	if err != nil {
		return helpOrErr(err)
	}
	if len(dirs) == 0 {
		dirs = []string{"."}
	}
	var files []baselineFile
	var errs []error
	for _, d := range dirs {
		paths, err := baselinePaths(d)
		if err != nil {
			return inputError(name, err)
		}
		for _, p := range paths {
			if p.err != nil {
				errs = append(errs, p.err)
				continue
			}
			b, err := loadBaseline(p.path)
			if err == nil && p.named {
				err = checkFileName(p.path, b)
			}
			if err != nil {
				errs = append(errs, err)
				continue
			}
			files = append(files, baselineFile{p.path, b})
		}
	}
	if len(files) == 0 && len(errs) == 0 {
		return inputError(name, fmt.Errorf("no baselines in %s (they are kept in testdata/loadgate of each package; record them with loadgate baseline update)", strings.Join(dirs, ", ")))
	}
	writeBaselineTable(stdout, files)
	if err := errors.Join(errs...); err != nil {
		return inputError(name, err)
	}
	return nil
}

// checkFileName checks that the baseline at path is in the file that
// baseline.Check reads for its scenario: a baseline of another scenario
// under this one's name fails the test with a scenario mismatch.
func checkFileName(path string, b *baseline.Baseline) error {
	want := filepath.Base(baseline.Path("", b.Scenario))
	if filepath.Base(path) == want {
		return nil
	}
	return fmt.Errorf("%s: %w: it holds the baseline of scenario %q, whose file is %s; baseline.Check fails on it for the scenario this file is named for",
		path, baseline.ErrScenarioMismatch, b.Scenario, want)
}

// baselinePath is a file that may hold a baseline; named is set when the
// file is where baseline.Check looks for a baseline (it was found in a
// directory of baselines), so that its name must be its scenario's.
type baselinePath struct {
	path  string
	named bool
	err   error // why path holds no baselines, when it is known before reading it
}

// baselinePaths finds baseline files: path itself if it is a file; the
// *.json files of a directory of baselines (a testdata/loadgate directory,
// or one whose JSON files carry a baseline schema); else the *.json files
// of every testdata/loadgate directory below it. Other JSON files, such as
// a renovate.json beside go.mod, are not baselines.
func baselinePaths(path string) ([]baselinePath, error) {
	st, err := statInput(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		if isBaselineDir(path) {
			return nil, notBaselineDir(path)
		}
		return []baselinePath{{path: path, named: isBaselineDir(filepath.Dir(path))}}, nil
	}
	files, _ := jsonFiles(path)
	results, resultSchema := 0, ""
	if len(files) > 0 {
		baselines := isBaselineDir(path)
		for _, f := range files {
			// By kind, whatever the version: a baseline of another
			// loadgate is read, to say so, not passed over in silence.
			schema := fileSchema(f)
			switch schemaKind(schema) {
			case schemaKind(baseline.SchemaVersion):
				baselines = true
			case schemaKind(loadtest.SchemaVersion):
				results++
				// This version's, when any: those compare reads.
				if resultSchema == "" || schema == loadtest.SchemaVersion {
					resultSchema = schema
				}
			}
		}
		if baselines {
			return named(files), nil
		}
	}
	// Baselines live in <package>/testdata/loadgate. A testdata directory
	// holds no package, so the search does not go further into one: the
	// fixtures of a test are not baselines.
	parent, leaf := pathpkg.Split(baseline.DefaultDir)
	parent = pathpkg.Clean(parent)
	var out []baselinePath
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if p != path && (strings.HasPrefix(name, ".") || name == "vendor" || name == "node_modules") {
			return filepath.SkipDir
		}
		if name == parent {
			dir := filepath.Join(p, leaf)
			if st, err := os.Stat(dir); err == nil && !st.IsDir() {
				// Said beside the baselines of other packages, as a
				// baseline that cannot be read is.
				out = append(out, baselinePath{path: dir, err: notBaselineDir(dir)})
			} else if files, err := jsonFiles(dir); err == nil {
				out = append(out, named(files)...)
			}
			if p != path {
				return filepath.SkipDir
			}
		}
		return nil
	})
	if err == nil && len(out) == 0 && results > 0 && resultSchema != loadtest.SchemaVersion {
		// Not to be sent to compare or export, which refuse them too
		// (otherSchema).
		return nil, fmt.Errorf("%s holds loadgate results (%s), not baselines, of another version of loadgate; this one reads %s: read them with the loadgate that wrote them",
			path, resultSchema, loadtest.SchemaVersion)
	}
	if err == nil && len(out) == 0 && results > 0 {
		return nil, fmt.Errorf("%s holds loadgate results (%s), not baselines: loadgate compare and loadgate export read results; baselines are kept in testdata/loadgate of each package (record them with loadgate baseline update)",
			path, resultSchema)
	}
	return out, err
}

// notBaselineDir is the error of a testdata/loadgate that is a file: read
// as a baseline it would fail as one of bad JSON, while baseline.Check
// fails on it to record or read any baseline of its package.
func notBaselineDir(path string) error {
	return fmt.Errorf("%s: not a directory: baseline.Check keeps the baselines of a package in the directory %s (remove or rename the file)",
		path, filepath.FromSlash(baseline.DefaultDir))
}

func named(files []string) []baselinePath {
	out := make([]baselinePath, len(files))
	for i, f := range files {
		out[i] = baselinePath{path: f, named: true}
	}
	return out
}

// isBaselineDir tells whether dir is a testdata/loadgate directory, where
// baseline.Check keeps the baselines of a package.
func isBaselineDir(dir string) bool {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	return strings.HasSuffix(filepath.ToSlash(abs), "/"+baseline.DefaultDir)
}

// fileSchema returns the "schema" field of a JSON file, or "" if it has
// none or cannot be read.
func fileSchema(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	// Token by token, so that a truncated file whose "schema" came
	// through (loadgate writes it first) is still known for what it is,
	// and read as such (with the error that says it is truncated).
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return ""
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return ""
		}
		if k == "schema" {
			var schema string
			if dec.Decode(&schema) != nil {
				return ""
			}
			return schema
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return ""
		}
	}
	return ""
}

// schemaKind returns what a schema names without its version:
// "loadgate.baseline" of "loadgate.baseline/v1".
func schemaKind(schema string) string {
	kind, _, _ := strings.Cut(schema, "/")
	return kind
}

// writeBaselineTable describes baselines, a few lines each.
func writeBaselineTable(w io.Writer, files []baselineFile) {
	slices.SortFunc(files, func(a, b baselineFile) int { return strings.Compare(a.Path, b.Path) })
	for i, f := range files {
		if i > 0 {
			fmt.Fprintln(w)
		}
		b := f.Baseline
		fmt.Fprintf(w, "%s  %s\n", b.Scenario, relPath(f.Path))
		recorded := "at an unknown time"
		if !b.Recorded.IsZero() {
			recorded = b.Recorded.UTC().Format(time.DateTime) + " UTC"
		}
		line := fmt.Sprintf("  %s recorded %s", cell.Plural(len(b.Runs), "run"), recorded)
		if b.Commit != "" {
			line += " at commit " + cell.Commit(b.Commit)
		}
		if b.Package != "" {
			line += " in " + b.Package
		}
		fmt.Fprintln(w, line)
		fmt.Fprintf(w, "  machine %s\n", machine(b.Env))
		smp := b.Sample()
		// Latencies and throughput of generator-bound runs are the
		// generator's as much as the service's: a comparison leaves them
		// out, and so do these medians, unless every run was bound.
		unbound := smp
		unbound.Runs = slices.DeleteFunc(slices.Clone(smp.Runs), func(r baseline.Run) bool { return len(r.GeneratorBound) > 0 })
		bound := len(smp.Runs) - len(unbound.Runs)
		if len(unbound.Runs) == 0 {
			unbound = smp
		}
		med := func(m baseline.Metric) string {
			v := unbound.Values(m)
			if m.Name == baseline.ErrorRate {
				v = smp.Values(m)
			}
			if len(v) == 0 {
				return "-"
			}
			slices.Sort(v)
			mid := v[len(v)/2]
			if len(v)%2 == 0 {
				mid = (v[len(v)/2-1] + v[len(v)/2]) / 2
			}
			return m.Unit.Format(mid)
		}
		ms := map[string]baseline.Metric{}
		for _, m := range baseline.Metrics() {
			ms[m.Name] = m
		}
		fmt.Fprintf(w, "  medians: p50 %s, p99 %s, error rate %s, throughput %s\n",
			med(ms[baseline.P50]), med(ms[baseline.P99]), med(ms[baseline.ErrorRate]), med(ms[baseline.Throughput]))
		switch {
		case bound == len(smp.Runs):
			fmt.Fprintf(w, "  every run %s: the latencies and throughput are the load generator's as much as the service's; record it again where the generator has CPU to spare\n", loadtest.BoundWord)
		case bound > 0:
			fmt.Fprintf(w, "  %d of %s %s, left out of p50, p99 and throughput (as comparisons leave them out)\n", bound, cell.Plural(len(smp.Runs), "run"), loadtest.BoundWord)
		}
	}
}

// machine describes the environment a baseline was recorded in.
func machine(e loadtest.Env) string {
	if s := e.String(); s != "" {
		return s
	}
	return "unknown"
}
