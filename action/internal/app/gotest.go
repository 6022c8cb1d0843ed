package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/filename"
	"github.com/loadgate/loadgate/internal/gotest"
	"github.com/loadgate/loadgate/internal/version"
	"github.com/loadgate/loadgate/internal/worktree"
)

// Runner fills a results directory (see [ReadResults]) with the runs cfg
// asks for.
type Runner interface {
	Run(ctx context.Context, cfg *Config, dir string) error
}

// RunnerFunc adapts a function to [Runner].
type RunnerFunc func(ctx context.Context, cfg *Config, dir string) error

func (f RunnerFunc) Run(ctx context.Context, cfg *Config, dir string) error { return f(ctx, cfg, dir) }

var (
	_ Runner = RunnerFunc(nil)
	_ Runner = (*GoTest)(nil)
)

// GoTest is the [Runner] that runs go test: one go test -json -count=1
// process per run, with LOADGATE_OUT set to the side's directory. With
// compare: base-ref it checks out the merge base into a git worktree and
// alternates base and head runs (base, head, base, head…), so that a
// noisy minute of a shared runner hits both sides alike; the worktree is
// removed at the end.
type GoTest struct {
	// Git is the git command; "" means "git". go is run by
	// internal/gotest, as loadgate run runs it.
	Git string
	// Log receives progress lines and go test's output; nil discards.
	Log io.Writer
	// Group, when set, opens a collapsed group of the log and returns
	// its end (GitHub's ::group::).
	Group func(title string) (end func())
}

// Run implements [Runner].
func (g *GoTest) Run(ctx context.Context, cfg *Config, dir string) error {
	log := g.Log
	if log == nil {
		log = io.Discard
	}
	git := worktree.Git{Cmd: g.Git}
	wd, err := filepath.Abs(cfg.WorkingDirectory)
	if err != nil {
		return err
	}
	root, rel, err := git.Root(ctx, wd)
	if err != nil {
		if cfg.Compare == CompareBaseRef {
			return fmt.Errorf("compare: base-ref needs a git checkout: %w", err)
		}
		root, rel = cmpOr(cfg.GitHub.Workspace, wd), "."
	}
	if w, err := filepath.EvalSymlinks(wd); err == nil {
		wd = w
	}
	m := &Manifest{
		Schema:           ManifestSchema,
		Compare:          cfg.Compare,
		PR:               cfg.GitHub.PR,
		PRHeadSHA:        cfg.GitHub.HeadSHA,
		Count:            cfg.Count,
		Packages:         cfg.Packages,
		Run:              cfg.Run,
		WorkingDirectory: filepath.ToSlash(rel),
		Positions:        map[string]Position{},
		Root:             filepath.ToSlash(root),
		Marker:           cfg.Marker(),
		CommentKey:       cfg.CommentKey,
		RunURL:           cfg.GitHub.RunURL(),
	}
	if cfg.GitHub.Owner != "" {
		m.Repository = cfg.GitHub.Owner + "/" + cfg.GitHub.Repo
	}
	if j := cfg.Judge; j != nil {
		m.SLADigest, m.PolicyDigest = fileDigest(j.SLAFile), fileDigest(j.PolicyFile)
	}
	m.HeadSHA, _ = g.git(ctx, wd, "rev-parse", "HEAD")

	pkgs, err := gotest.List(ctx, wd, cfg.Packages)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if gotest.NotStarted(err) {
			return err // no go on PATH: no fault of the input
		}
		// A package that does not exist: bad input, before any test
		// runs, as loadgate run says of its packages.
		return fmt.Errorf("%w: input %s: %w", ErrBadInput, InputPackages, err)
	}
	if sh := cfg.Shard; sh != nil {
		if err := onePackage(pkgs); err != nil {
			return fmt.Errorf("%w: input %s: %w", ErrBadInput, InputPackages, err)
		}
		m.Shard = &ShardManifest{Index: sh.Index, Count: sh.Count, StartAt: cfg.StartAt}
	}
	for _, p := range pkgs {
		maps.Copy(m.Positions, TestPositions(p.Dir, p.ImportPath, root))
	}

	sides := []side{{name: HeadDir, dir: wd}}
	if cfg.Compare == CompareBaseRef {
		base, cleanup, note, err := g.baseWorktree(ctx, cfg, root, rel)
		if err != nil {
			return err
		}
		defer cleanup()
		if note != "" {
			m.Notes = append(m.Notes, note)
		}
		m.BaseSHA = base.sha
		sides = []side{base, sides[0]}
	} else {
		// A shard job's baselines travel with its results to the job
		// that merges them and compares the merged result.
		n, err := copyBaselines(pkgs, filepath.Join(dir, BaselinesDir))
		if err != nil {
			return fmt.Errorf("%w: %w", ErrBadInput, err)
		}
		fmt.Fprintf(log, "loadgate: %s found in the repository\n", cell.Plural(n, "stored baseline"))
		if cfg.RerunBaselineCommit && n > 0 {
			base, cleanup, note := g.baselineWorktree(ctx, pkgs, root, rel)
			if note != "" {
				m.Notes = append(m.Notes, note)
			}
			if cleanup != nil {
				defer cleanup()
				m.Compare, m.BaseSHA, m.BaseFrom = CompareBaseRef, base.sha, BaseFromBaselines
				sides = []side{base, sides[0]}
				fmt.Fprintf(log, "loadgate: comparing with %s, the commit the stored baselines were recorded at, run again interleaved\n", cell.Commit(base.sha))
			}
		}
	}

	looks := []int{cfg.Count}
	if cfg.Adaptive {
		looks = baseline.DefaultLooks
		m.Looks = len(looks)
	}
	most := looks[len(looks)-1]
	count := "-count=1"
	if cfg.Shard != nil {
		// One go test process: only a process's first load waits for
		// start-at, and the shard's runs follow it there (docs/SHARDS.md).
		count, most = fmt.Sprintf("-count=%d", cfg.Count), 1
	}
	run := cfg.Run
	start := time.Now()
	runs, look := 0, 0
	for i := 1; i <= most; i++ {
		// -p 1: packages one at a time, so that load tests do not
		// measure each other (as loadgate run does).
		args := []string{"test", "-json"}
		if !gotest.HasFlag(cfg.TestFlags, "p") {
			args = append(args, "-p", "1")
		}
		args = append(args, count, "-run", run)
		args = append(args, cfg.Packages...)
		args = append(args, cfg.TestFlags...)
		for _, s := range sides {
			if err := ctx.Err(); err != nil {
				return err
			}
			out, err := filepath.Abs(filepath.Join(dir, s.name))
			if err != nil {
				return err
			}
			title := fmt.Sprintf("loadgate: %s run %d of %s", s.name, i, upTo(cfg.Adaptive, most))
			if sh := cfg.Shard; sh != nil {
				title = fmt.Sprintf("loadgate: shard %d of %d, %s in one go test process", sh.Index, sh.Count, cell.Plural(cfg.Count, "run"))
			}
			end := func() {}
			if g.Group != nil {
				end = g.Group(title)
			} else {
				fmt.Fprintln(log, title)
			}
			t0 := time.Now()
			tests, refused, err := g.goTest(ctx, s.dir, cfg.settings(out), args, log)
			end()
			// A go test flag that go test, or the head's test binary,
			// refuses is the input's fault, as loadgate run says of
			// its flags after --: not a failed test, nor the action
			// unable to do its work. The base's binary may lack a flag
			// that only the head's tests define: a failure of the base.
			if refused.msg != "" && len(cfg.TestFlags) > 0 && (!refused.binary || s.name == HeadDir) {
				return fmt.Errorf("%w: input %s: %q: %s", ErrBadInput, InputGoTestFlags, strings.Join(cfg.TestFlags, " "), refused.msg)
			}
			if err != nil {
				return fmt.Errorf("%s run %d: %w", s.name, i, err)
			}
			failed := 0
			for j := range tests {
				tests[j].Side, tests[j].Run = s.name, i
				if cfg.Shard != nil {
					tests[j].Shard = cfg.Shard.Index
				}
				if tests[j].Action == "fail" {
					failed++
				}
			}
			m.Tests = append(m.Tests, tests...)
			runs++
			fmt.Fprintf(log, "loadgate: %s run %d of %s: %s, %s failed (%s)\n", s.name, i, upTo(cfg.Adaptive, most),
				cell.Plural(len(tests), "test"), cell.Plural(failed, "test"), time.Since(t0).Round(100*time.Millisecond))
		}
		if !cfg.Adaptive || i != looks[look] {
			continue
		}
		// A look: stop once every compared scenario is settled; else run
		// only the tests of those that are not.
		look++
		if look == len(looks) {
			break
		}
		open, err := unsettled(dir, m, baseline.Look{K: look, Of: len(looks)}, cfg.Judge)
		if err != nil {
			return err
		}
		if len(open) == 0 {
			m.Notes = append(m.Notes, fmt.Sprintf("every scenario was settled after %s a side (look %d of %d): no more runs", cell.Plural(i, "run"), look, len(looks)))
			break
		}
		fmt.Fprintf(log, "loadgate: not yet settled after %s a side: %s; running them to %d\n", cell.Plural(i, "run"), strings.Join(open, ", "), looks[look])
		run = "^(" + strings.Join(open, "|") + ")$"
	}
	fmt.Fprintf(log, "loadgate: %s in %s\n", cell.Plural(runs, "run"), time.Since(start).Round(time.Second))
	m.Reproduce = reproduce(cfg, m)
	return WriteManifest(dir, m)
}

// onePackage refuses a sharded run of several packages with tests: go
// test runs each package in a process of its own, and only the first
// process of a shard can start at start-at; the next would be refused as
// late, or run out of step with the other shards.
func onePackage(pkgs []gotest.ListedPackage) error {
	var with []string
	for _, p := range pkgs {
		if p.HasTests() {
			with = append(with, p.ImportPath)
		}
	}
	if len(with) > 1 {
		if len(with) > 4 {
			with = append(with[:3], fmt.Sprintf("and %d more", len(with)-3))
		}
		return fmt.Errorf("a shard runs the load tests of one package, and these match %d packages with tests: %s. "+
			"go test runs each package in a process of its own, and the shards start together only once, at start-at: name the package of the load test", len(with), strings.Join(with, ", "))
	}
	return nil
}

// upTo writes the planned runs: "12", or "up to 12" when they are added
// only while needed.
func upTo(adaptive bool, n int) string {
	if adaptive {
		return fmt.Sprintf("up to %d", n)
	}
	return fmt.Sprint(n)
}

// unsettled judges the runs in dir so far at look l and returns the
// top-level tests of the scenarios that more runs could still change.
func unsettled(dir string, m *Manifest, l baseline.Look, j *baseline.Judge) ([]string, error) {
	res := &Results{Dir: dir, Manifest: *m, Look: l}
	var err error
	if res.Head, err = readResultDir(filepath.Join(dir, HeadDir)); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadInput, err)
	}
	if res.Base, err = readResultDir(filepath.Join(dir, BaseDir)); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadInput, err)
	}
	if res.Baselines, err = readBaselines(filepath.Join(dir, BaselinesDir)); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadInput, err)
	}
	r, err := Analyze(res, j)
	if err != nil {
		return nil, nil // nothing to judge: nothing to add runs to
	}
	var open []string
	for _, s := range r.Scenarios {
		if s.Comparison != nil && s.Verdict != baseline.Fail && !s.Comparison.Settled() && !slices.Contains(open, s.Test) {
			open = append(open, s.Test)
		}
	}
	slices.Sort(open)
	return open, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// side is where one side's go test runs and where its results go.
type side struct {
	name string // HeadDir or BaseDir
	dir  string // the working directory of go test
	sha  string
}

// baselineWorktree checks out the commit the stored baselines of pkgs were
// recorded at (fetching it if the checkout lacks it), so that the head is
// compared with that code run again on this runner rather than with
// numbers another session measured. When it cannot, it returns no
// cleanup and a note saying why the stored numbers are used.
func (g *GoTest) baselineWorktree(ctx context.Context, pkgs []gotest.ListedPackage, root, rel string) (side, func(), string) {
	var dirs []string
	for _, p := range pkgs {
		dirs = append(dirs, baseline.Dir(p.Dir))
	}
	commit, _ := worktree.BaselineCommit(dirs)
	if commit == "" {
		return side{}, nil, "the stored baselines name no commit: compared with their numbers, which another session measured"
	}
	if _, err := g.git(ctx, root, "cat-file", "-e", commit+"^{commit}"); err != nil {
		if _, err := g.git(ctx, root, "fetch", "--no-tags", "--depth=1", "origin", commit); err != nil {
			return side{}, nil, fmt.Sprintf("the commit the stored baselines were recorded at, %s, could not be fetched (%v): compared with their numbers, which another session measured", cell.Commit(commit), err)
		}
	}
	t, err := worktree.Git{Cmd: g.Git}.Checkout(ctx, root, rel, commit, os.Getenv("RUNNER_TEMP"))
	if err != nil {
		return side{}, nil, fmt.Sprintf("%v: compared with the stored numbers", err)
	}
	return side{name: BaseDir, dir: t.Dir, sha: commit}, t.Remove, ""
}

// baseWorktree checks out the merge base of the PR's base and HEAD into a
// worktree in a temporary directory. The base commit is fetched if the checkout lacks it
// (actions/checkout fetches one commit by default).
func (g *GoTest) baseWorktree(ctx context.Context, cfg *Config, root, rel string) (side, func(), string, error) {
	baseSHA := cfg.GitHub.BaseSHA
	if baseSHA == "" {
		return side{}, nil, "", fmt.Errorf("compare: base-ref needs the pull request's base commit, and the %q event has none (use it on pull_request, or compare: baseline)", cfg.GitHub.EventName)
	}
	if _, err := g.git(ctx, root, "cat-file", "-e", baseSHA+"^{commit}"); err != nil {
		if _, err := g.git(ctx, root, "fetch", "--no-tags", "--depth=1", "origin", baseSHA); err != nil {
			return side{}, nil, "", fmt.Errorf("fetching the base commit %s: %w", cell.Commit(baseSHA), err)
		}
	}
	note := ""
	mb, err := g.git(ctx, root, "merge-base", baseSHA, "HEAD")
	if err != nil {
		// A shallow checkout of the merge commit GitHub makes for a PR has
		// the base commit as its first parent, which is then the merge
		// base; with less history, say so.
		mb = baseSHA
		note = fmt.Sprintf("the merge base of %s and HEAD could not be found (shallow clone?): the base is %s itself; checkout with fetch-depth: 0 to compare with the merge base", cell.Commit(baseSHA), cell.Commit(baseSHA))
	}
	// Outside the results: they are uploaded.
	t, err := worktree.Git{Cmd: g.Git}.Checkout(ctx, root, rel, mb, os.Getenv("RUNNER_TEMP"))
	if err != nil {
		return side{}, nil, "", err
	}
	return side{name: BaseDir, dir: t.Dir, sha: mb}, t.Remove, note, nil
}

// refusal is the complaint of go test, or of a test binary (binary),
// about its arguments ([gotest.Refusal]); msg is "" when neither
// complained.
type refusal struct {
	msg    string
	binary bool
}

// goTest runs one go test -json process and returns the outcome of each
// top-level test, and of each package that failed without a test to
// blame, writing what the tests print to log, and the complaint about
// its arguments of go test or a test binary, if any (then no test ran).
func (g *GoTest) goTest(ctx context.Context, dir string, settings gotest.Settings, args []string, log io.Writer) ([]TestStatus, refusal, error) {
	if err := os.MkdirAll(settings.Out, 0o755); err != nil {
		return nil, refusal{}, err
	}
	p, err := gotest.Start(dir, args, settings.Env())
	if err != nil {
		return nil, refusal{}, err
	}
	end := p.Follow(ctx, gotest.Observer{Event: func(_ *gotest.Session, e gotest.Event, _ *gotest.Test, _ gotest.Change, _ time.Time) {
		switch e.Action {
		case "output", "build-output", gotest.ActionRaw:
			io.WriteString(log, e.Output)
		}
	}})
	var refused refusal
	if !end.Interrupted {
		refused.msg, refused.binary = gotest.Refusal(end.Session, end.Stderr, end.Err)
	}
	switch {
	case end.Interrupted:
		if err := ctx.Err(); err != nil {
			return nil, refused, err
		}
		return nil, refused, errors.New("go test was interrupted")
	case end.Err != nil:
		if msg := strings.TrimSpace(end.Stderr); msg != "" {
			return nil, refused, fmt.Errorf("go test: %w: %s", end.Err, msg)
		}
		return nil, refused, fmt.Errorf("go test: %w", end.Err)
	}
	return statuses(end.Session), refused, nil
}

// maxOutputLines is how much of a failed test's output the manifest keeps.
const maxOutputLines = 40

// statuses returns the outcome of every top-level test of s, and of each
// package that failed without a failed test to blame (a build error, a
// panic in TestMain, a timeout).
func statuses(s *gotest.Session) []TestStatus {
	var out []TestStatus
	for _, t := range s.TopLevel() {
		st := TestStatus{Package: t.Package, Test: t.Test, Action: t.Outcome()}
		if st.Action == gotest.StatusFail {
			output := s.FailedOutput(t)
			st.Output, st.Reason = tail(output), gotest.Reason(strings.Join(output, ""))
		}
		out = append(out, st)
	}
	for _, p := range s.FailedToReport() {
		why := s.WhyFailed(p)
		out = append(out, TestStatus{Package: p.Path, Action: gotest.StatusFail, Output: tail(strings.SplitAfter(why, "\n")), Reason: gotest.Reason(why)})
	}
	return out
}

func tail(lines []string) string {
	if len(lines) > maxOutputLines {
		lines = lines[len(lines)-maxOutputLines:]
	}
	return strings.Join(lines, "")
}

func (g *GoTest) git(ctx context.Context, dir string, args ...string) (string, error) {
	return worktree.Git{Cmd: g.Git}.Run(ctx, dir, args...)
}

// copyBaselines copies the stored baselines of the packages into dst, so
// that the results directory holds all a report is made from.
func copyBaselines(pkgs []gotest.ListedPackage, dst string) (int, error) {
	n := 0
	for _, p := range pkgs {
		files, err := filename.JSONFiles(baseline.Dir(p.Dir))
		if err != nil {
			return n, err
		}
		for _, f := range files {
			b, err := baseline.Load(f)
			if err != nil {
				return n, err
			}
			if b.Package == "" {
				b.Package = p.ImportPath
			}
			n++
			if err := baseline.Save(filepath.Join(dst, fmt.Sprintf("%03d-%s", n, filepath.Base(f))), b); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// reproduce writes the shell commands that repeat the runs on a laptop:
// loadgate run, which judges as the action does (the same SLA and policy
// files, the same base), with -base and the commit when the action ran
// the pull request's base beside its head; for a sharded run, every shard
// at once, and their merge: the job that merges the shards' results
// judges them, and adds how ([reproduceJudgement]).
func reproduce(cfg *Config, m *Manifest) string {
	var b strings.Builder
	loadgate := loadgateCommand(cfg.WorkingDirectory)
	cd := cdTo(m.WorkingDirectory)
	if sh := m.Shard; sh != nil {
		// Every shard on this machine, started together 10 s from now,
		// then merged. The tests are built first, as the README's local
		// recipe builds them: the pull request's code is not in the
		// reader's build cache, and shards that compile it after the
		// start is set spend the lead compiling, start late and, more
		// than loadtest.StartAtLate late, refuse to run.
		args := strings.TrimSpace(shellQuoteAll(cfg.Packages) + " " + shellQuoteAll(cfg.TestFlags))
		test := strings.TrimSpace(fmt.Sprintf("go test -run %s -count=%d %s", shellQuote(cfg.Run), cfg.Count, args))
		fmt.Fprintf(&b, "out=$(mktemp -d)\n")
		fmt.Fprintf(&b, "(%sgo test -run '^$' %s) >/dev/null  # build first: a shard compiling after the start is set starts late\n", cd, args)
		fmt.Fprintf(&b, "at=$(( ($(date +%%s) + 10) * 1000 ))\n")
		fmt.Fprintf(&b, "for i in $(seq %d); do\n", sh.Count)
		fmt.Fprintf(&b, "  (%sLOADGATE_SHARD=$i/%d LOADGATE_START_AT=$at LOADGATE_OUT=\"$out/shard-$i\" %s) &\n", cd, sh.Count, test)
		b.WriteString("done\nwait\n")
		// loadgate by version, as below: a bare go run of it in a user's
		// module needs its dependencies in that module's go.sum.
		fmt.Fprintf(&b, "%s merge -out \"$out/merged\" \"$out\"/shard-*\n", loadgate)
		return b.String()
	}
	judge, notes := judgeFlags(cfg)
	b.WriteString(notes)
	// loadgate run compares every scenario with its stored baseline, or
	// with -base's commit run in turn with the head: the same comparison,
	// a scenario new in the pull request included.
	base := ""
	if m.Compare == CompareBaseRef && m.BaseSHA != "" {
		base = " -base " + shellQuote(m.BaseSHA)
	}
	flags := ""
	if len(cfg.TestFlags) > 0 {
		flags = " -- " + shellQuoteAll(cfg.TestFlags)
	}
	fmt.Fprintf(&b, "%s%s run%s -run %s -count %d%s %s%s\n",
		cd, loadgate, base, shellQuote(cfg.Run), cfg.Count, judge, shellQuoteAll(cfg.Packages), flags)
	return b.String()
}

// reproduceJudgement is the end of a sharded run's reproduce script, which
// the job that merged the shards' results (cfg its configuration, r its
// report of them) adds to the shards' script: the merged result judged as
// it judged it, with its SLA and policy files. Compared with the stored
// baselines of the package when some scenario had one (loadgate compare
// judges one without by its SLA, as the job did); else by the SLA limits
// alone, loadgate compare NEW (given a BASE that holds none of its
// scenarios, compare refuses to compare nothing, exit status 2).
func reproduceJudgement(cfg *Config, r *Report) string {
	var b strings.Builder
	judge, notes := judgeFlags(cfg)
	b.WriteString(notes)
	m := r.Manifest
	loadgate := loadgateCommand(cfg.WorkingDirectory)
	// This job's working directory, from the repository's root, where
	// the paths of its files start.
	wd := "."
	if abs, err := filepath.Abs(cfg.WorkingDirectory); err == nil {
		if rel, err := filepath.Rel(cmpOr(cfg.GitHub.Workspace, abs), abs); err == nil && filepath.IsLocal(rel) {
			wd = filepath.ToSlash(rel)
		}
	}
	cd := cdTo(wd)
	compared := slices.ContainsFunc(r.Scenarios, func(s *Scenario) bool { return s.Comparison != nil })
	var j baseline.Judge
	if cfg.Judge != nil {
		j = *cfg.Judge
	}
	switch {
	case compared && len(m.Packages) == 1 && !strings.Contains(m.Packages[0], "..."):
		// The package's path is from the shard jobs' working directory.
		stored := path.Join(cmpOr(m.WorkingDirectory, "."), m.Packages[0], "testdata", "loadgate")
		if rel, err := filepath.Rel(filepath.FromSlash(wd), filepath.FromSlash(stored)); err == nil {
			stored = filepath.ToSlash(rel)
		}
		if !strings.HasPrefix(stored, ".") && !path.IsAbs(stored) {
			stored = "./" + stored
		}
		fmt.Fprintf(&b, "%s%s compare%s %s \"$out/merged\"\n", cd, loadgate, judge, shellQuote(stored))
	case compared:
		fmt.Fprintf(&b, "# then: %s compare%s <the package's testdata/loadgate> \"$out/merged\"\n", loadgate, judge)
	case j.SLA != nil || len(j.Policy.SLA) > 0 || cfg.SLAFile != "":
		fmt.Fprintf(&b, "%s%s compare%s \"$out/merged\"  # no stored baseline: judged by its SLA limits\n", cd, loadgate, judge)
	default:
		b.WriteString("# no stored baseline and no SLA limits: the merged result was judged by its leaks and failed tests alone, which the merge and go test print\n")
	}
	return b.String()
}

// cdTo is the command that goes to the working directory dir before
// another ("cd api && "), "" for the repository's root.
func cdTo(dir string) string {
	if dir == "." || dir == "" {
		return ""
	}
	return "cd " + shellQuote(dir) + " && "
}

// judgeFlags are the -sla and -policy flags that give loadgate the files
// the action judged by (cfg.SLAFile and cfg.PolicyFile, or the ones it
// inherited: judgeFileFlag), and a comment line for each file that cannot
// be on the reader's machine.
func judgeFlags(cfg *Config) (flags, notes string) {
	var judged baseline.Judge
	if cfg.Judge != nil {
		judged = *cfg.Judge
	}
	for _, f := range []struct{ flag, input, file, env string }{
		{"-sla", cfg.SLAFile, judged.SLAFile, baseline.EnvSLA},
		{"-policy", cfg.PolicyFile, judged.PolicyFile, baseline.EnvPolicy},
	} {
		path, note := judgeFileFlag(cfg, f.flag, f.input, f.file, f.env)
		if path != "" {
			flags += " " + f.flag + " " + shellQuote(path)
		}
		notes += note
	}
	return flags, notes
}

// judgeFileFlag returns the path a reproduce script passes to -sla or
// -policy for one of the files the action judged by: the input as given
// (relative to the working directory, where loadgate runs), else the file
// env named on the runner (absolute there) made relative to the working
// directory when it is inside the checkout. A file outside the checkout
// cannot be on the reader's machine: note is a comment line saying which
// file to pass.
func judgeFileFlag(cfg *Config, flag, input, file, env string) (path, note string) {
	if input != "" {
		return input, ""
	}
	if file == "" {
		return "", ""
	}
	wd, err := filepath.Abs(cfg.WorkingDirectory)
	if err != nil {
		wd = cfg.WorkingDirectory
	}
	root := cmpOr(cfg.GitHub.Workspace, wd)
	if in, err := filepath.Rel(root, file); err == nil && filepath.IsLocal(in) {
		if rel, err := filepath.Rel(wd, file); err == nil {
			return filepath.ToSlash(rel), ""
		}
	}
	return "", fmt.Sprintf("# the action judged by %s=%s, outside the repository: add %s with your copy of it\n", env, file, flag)
}

// buildVersion is version.Read; tests replace it.
var buildVersion = version.Read

// loadgateCommand is how the reproduce script runs loadgate in the module
// at dir: in loadgate's own module, the checkout's command; in any other,
// this binary's version by name, as go run needs it there (a user's go.sum
// lacks the command's dependencies): see [version.Info.GoRun].
func loadgateCommand(dir string) string {
	return buildVersion().GoRun(moduleOf(dir) == version.Module)
}

// moduleOf returns the path of the module that dir is in, from the nearest
// go.mod at or above it, or "" when there is none.
func moduleOf(dir string) string {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil {
			for line := range strings.Lines(string(data)) {
				if f := strings.Fields(line); len(f) >= 2 && f[0] == "module" {
					return strings.Trim(f[1], "\"`")
				}
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func shellQuoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = shellQuote(s)
	}
	return strings.Join(q, " ")
}
