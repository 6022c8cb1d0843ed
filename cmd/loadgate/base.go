package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/filename"
	"github.com/loadgate/loadgate/internal/gotest"
	"github.com/loadgate/loadgate/internal/verdict"
	"github.com/loadgate/loadgate/internal/worktree"
	"github.com/loadgate/loadgate/loadtest"
)

// The values of -base besides a git ref.
const (
	// baseAuto, the default: the commit the stored baselines were recorded
	// at, run again beside the head, when the checkout has it; else the
	// stored numbers.
	baseAuto = "auto"
	// baseStored compares with the stored numbers only: cheaper, but a
	// machine that runs slower or faster than in the session that
	// recorded them moves every comparison.
	baseStored = "stored"
)

const baseHelp = "compare with `ref`: auto (for the scenarios with a stored baseline, the commit it was recorded at, run again, base and head in turn, when this checkout has it, there is no -target and the tests are no shard (LOADGATE_SHARD); else the stored numbers), stored (the stored numbers only), or a git ref (its merge base with HEAD, run in turn with the head; every scenario is compared)"

// baseSide is the base of an interleaved comparison: another commit,
// checked out in a git worktree, whose load tests run alternately with the
// head's (base, head, base, head…) so that a slow minute of the machine
// hits both sides alike. Its results go to <out>/base.
type baseSide struct {
	side
	Commit string
	// Why says how the commit was chosen, for the summary.
	Why  string
	Tree *worktree.Tree
	// Stored are the tests that have a stored baseline, the only ones
	// the base runs with -base auto (see baseRun); nil to run every test
	// the head runs.
	Stored []string
}

// chooseBase resolves -base into o.Base (nil: compare with the stored
// baselines), checking the base out, and says on w what the head is
// compared with.
func (o *runOutcome) chooseBase(ctx context.Context, w io.Writer) error {
	cfg := o.Config
	if cfg.Base == baseStored || cfg.Base == "" {
		return nil
	}
	if shard := loadtest.ShardEnv(os.Getenv); shard != "" {
		// A shard's runs are a slice of the load: nothing compares them
		// before they are merged, so a base run beside them is wasted.
		if cfg.Base != baseAuto {
			return usageErrorf("run", "-base %s with %s: a shard's runs are a slice of the load, compared with nothing until the shards are merged (loadgate merge), so no base is run; leave -base out", cfg.Base, shard)
		}
		if _, recorded := worktree.BaselineCommit(o.baselineDirs()); recorded > 0 {
			o.Notes = append(o.Notes, fmt.Sprintf("no base commit is run again: with %s the runs are one shard's, compared only once the shards are merged (loadgate merge)", shard))
		}
		return nil
	}
	if target := cmp.Or(cfg.Target, os.Getenv(loadtest.EnvTarget)); target != "" {
		// The load goes to the service at -target on both sides: the
		// base's code would not be what is measured.
		if cfg.Base != baseAuto {
			return usageErrorf("run", "-base %s with -target (or %s): both sides would load the same service at %s, so the base's code would not be measured; compare with the stored baselines (-base stored)", cfg.Base, loadtest.EnvTarget, target)
		}
		if _, recorded := worktree.BaselineCommit(o.baselineDirs()); recorded > 0 {
			o.Notes = append(o.Notes, "compared with the stored numbers: with -target the load goes to the service there, not to the code of a commit, so no base commit is run again")
		}
		return nil
	}
	git := worktree.Git{}
	root, rel, gitErr := git.Root(ctx, ".")
	var commit, why string
	var stored []string
	switch cfg.Base {
	case baseAuto:
		latest, recorded := worktree.BaselineCommit(o.baselineDirs())
		stored = o.storedTests()
		_, compared := baseRun(cfg.Run, stored)
		switch {
		case recorded == 0:
			return nil // nothing stored, or stored without a commit: nothing to run again
		case !compared:
			return nil // no test -run selects has a baseline: no base run would be compared
		case gitErr != nil:
			o.Notes = append(o.Notes, "compared with the stored numbers: this is not a git checkout, so the commit they were recorded at cannot be run again; a machine that runs slower than when they were recorded can fail a comparison (-base stored says this is wanted)")
			return nil
		}
		c, err := git.Resolve(ctx, root, latest)
		if err != nil {
			o.Notes = append(o.Notes, fmt.Sprintf("compared with the stored numbers: the commit they were recorded at, %s, is not in this checkout (fetch it, or pass -base REF); a machine that runs slower than when they were recorded can fail a comparison", cell.Commit(latest)))
			return nil
		}
		commit, why = c, "the commit the baselines were recorded at"
		if recorded > 1 {
			why = fmt.Sprintf("the newest of the %d commits the baselines were recorded at", recorded)
		}
	default:
		if gitErr != nil {
			return usageErrorf("run", "-base %s: needs a git checkout: %v", cfg.Base, gitErr)
		}
		ref, err := git.Resolve(ctx, root, cfg.Base)
		if err != nil {
			return usageErrorf("run", "-base %s: no such commit in this repository (want auto, stored or a git ref)", cfg.Base)
		}
		commit, why = ref, "-base "+cfg.Base
		if mb, err := git.Run(ctx, root, "merge-base", ref, "HEAD"); err == nil && mb != ref {
			commit, why = mb, fmt.Sprintf("the merge base of -base %s and HEAD", cfg.Base)
		}
	}
	t, err := git.Checkout(ctx, root, rel, commit, "")
	if err != nil {
		return err
	}
	o.Base = &baseSide{side: side{Dir: t.Dir, Out: filepath.Join(cfg.Out, "base")}, Commit: commit, Why: why, Tree: t, Stored: stored}
	fmt.Fprintf(w, "loadgate: base %s (%s) checked out in %s; base and head run in turn\n", cell.Commit(commit), why, t.Dir)
	return nil
}

// storedTests returns the top-level tests whose scenarios have a stored
// baseline, with -base auto the only ones whose base runs are compared
// (verdict.BaseRuns.StoredOnly); nil when a stored baseline does not name
// its test (every test then runs on the base).
func (o *runOutcome) storedTests() []string {
	tests := map[string]bool{}
	for _, dir := range o.baselineDirs() {
		files, _ := filename.JSONFiles(dir)
		for _, f := range files {
			b, err := baseline.Load(f)
			if err != nil {
				continue // not a baseline; judging says so
			}
			if b.Test == "" {
				return nil
			}
			tests[topTest(b.Test)] = true
		}
	}
	return append([]string{}, slices.Sorted(maps.Keys(tests))...) // none: empty, not nil
}

// baseRun is the -run of the base's go test for the tests run selects:
// only those of them that are stored (storedTests; nil for every test): a
// package with one baseline ran every test on the base too, doubling the
// first look. compared is false when none of them is. run is kept as it is
// when every test runs on the base (-base REF), when it selects subtests
// ("/") and when it does not compile (go test says why).
func baseRun(run string, stored []string) (pattern string, compared bool) {
	if stored == nil || strings.Contains(run, "/") {
		return run, true
	}
	re, err := regexp.Compile(run)
	if err != nil {
		return run, true
	}
	var tests []string
	for _, t := range stored {
		if re.MatchString(t) {
			tests = append(tests, t)
		}
	}
	if len(tests) == 0 {
		return "", false
	}
	return "^(" + strings.Join(tests, "|") + ")$", true
}

// baselineDirs are the directories of the run's stored baselines.
func (o *runOutcome) baselineDirs() []string {
	if o.Config.Baselines != "" {
		return []string{o.Config.Baselines}
	}
	var dirs []string
	for _, p := range o.Packages {
		dirs = append(dirs, baseline.Dir(p.Dir))
	}
	return dirs
}

// runsOf is what the base gave the scenario of in, for in.UseBase.
func (b *baseSide) runsOf(in *verdict.Input, storedOnly bool) verdict.BaseRuns {
	r := verdict.BaseRuns{Commit: b.Commit, NoRuns: "not run on the base " + cell.Commit(b.Commit), StoredOnly: storedOnly}
	if b.Results != nil {
		r.Runs = resultsOf(b.Results.Results[scenarioKey{in.Package, in.Name}])
	}
	if len(r.Runs) == 0 {
		r.Failed = b.failure(in.Package, in.Test)
	}
	return r
}

// failure says why the base did not run the test of package pkg, when it
// failed there: its package failed (with go's first words on why), the
// test failed, or go test did; "" when it did not fail.
func (b *baseSide) failure(pkg, test string) string {
	if b.Session != nil {
		for _, p := range b.Session.FailedPackages() {
			if p.Path == pkg {
				return verdict.BaseFailure(b.Commit, pkg, "", b.Session.WhyFailed(p)+b.Stderr)
			}
		}
		if t := b.Session.Tests[gotest.Key{Package: pkg, Test: test}]; t != nil && t.Outcome() == gotest.StatusFail {
			return verdict.BaseFailure(b.Commit, pkg, test, strings.Join(b.Session.FailedOutput(t), ""))
		}
	}
	if b.GoTestErr != nil {
		return fmt.Sprintf("go test failed on the base %s: %s", cell.Commit(b.Commit), cmp.Or(firstLine(b.Stderr), b.GoTestErr.Error()))
	}
	return ""
}

// firstLine is the first line of s that is not blank.
func firstLine(s string) string {
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

// notes says what went wrong on the base: its failures do not fail the
// verdict (the head is judged), but they explain a missing comparison.
func (b *baseSide) notes() []string {
	var out []string
	at := "on the base " + cell.Commit(b.Commit)
	if b.Session != nil {
		for _, t := range b.Session.TopLevel() {
			if t.Outcome() == gotest.StatusFail {
				out = append(out, fmt.Sprintf("%s: test %s failed", at, t.Test))
			}
		}
		for _, p := range b.Session.FailedToReport() {
			out = append(out, verdict.BaseFailure(b.Commit, p.Path, "", b.Session.WhyFailed(p)+b.Stderr))
		}
	}
	if b.GoTestErr != nil {
		out = append(out, fmt.Sprintf("%s: go test failed: %s", at, cmp.Or(firstLine(b.Stderr), b.GoTestErr.Error())))
	}
	if b.ResultsErr != nil {
		out = append(out, fmt.Sprintf("%s: %v", at, b.ResultsErr))
	}
	return out
}
