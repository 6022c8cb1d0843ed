package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/allowhosts"
	"github.com/loadgate/loadgate/internal/baseurl"
	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/filename"
	"github.com/loadgate/loadgate/internal/gotest"
	"github.com/loadgate/loadgate/internal/lease"
	htmlreport "github.com/loadgate/loadgate/internal/report"
	"github.com/loadgate/loadgate/internal/scale"
	"github.com/loadgate/loadgate/internal/verdict"
	"github.com/loadgate/loadgate/loadtest"
)

const runUsage = `usage: loadgate run [packages] [-run regexp] [-count n] [-out dir] [-update] [flags] [-- go test flags]

Run runs the load tests of the packages (default ./...) with go test -json
and shows their progress: on a terminal one line per running scenario,
redrawn in place; otherwise a plain line every few seconds. At the end it
prints a table of every scenario, the comparison of each with its stored
baseline (testdata/loadgate in its package), the goroutine leaks found and
the output of the tests that failed.

Without -count, each test runs once, and a scenario with a stored baseline
gets more runs until its verdict is clear: 5, then 8, then 12, judged at
each look at a third of the significance level, stopping as soon as it is
settled (a metric failed, or every gating metric is shown within its
tolerance). When 12 runs still cannot tell a change of a metric's
tolerance from noise, the verdict is INCONCLUSIVE, with by how much the
metric moved between runs. Over many scenarios, Benjamini-Hochberg keeps
the chance of any false alarm at the significance level.

A stored baseline names the commit it was recorded at. By default (-base
auto) loadgate compares with that commit run again, not with the stored
numbers: it checks the commit out in a git worktree and runs base and
head in turn (base, head, base, head…), so that a machine that runs
slower than when the baseline was recorded slows both sides alike.
-base REF compares the same way with the merge base of REF and HEAD (a
branch before it merges: -base main); -base stored compares with the
stored numbers only, at half the runs, trusting the machine to run as
fast as when they were recorded. The base's results go to -out/base.

-target URL runs the same load tests against a service already running
elsewhere (a staging deployment, another process) instead of the servers
the tests start: tests that take their base URL from loadtest.TargetURL
get URL (LOADGATE_TARGET). A host other than loopback must be allowed,
with -allow-hosts (LOADGATE_ALLOW_HOSTS) or in the scenario's AllowHosts,
or the test fails before sending anything. -rate-scale multiplies the
load's rates and users (LOADGATE_RATE_SCALE), for a shared service that
should carry a fraction of it. Results record the target and the scales,
and runs are compared only with runs of the same target and scales: keep
the baselines of each target in a directory of its own (-baselines).

-profile cpu,heap (or all: also goroutine, mutex, block) has every
scenario profile its measured load (LOADGATE_PROFILE): the pprof files go
beside its result, and the summary says where the time went per request,
with a base which functions' CPU and allocations per request grew most.

Every result is written as JSON to -out (LOADGATE_OUT), by default a new
directory that run prints. With -flight (LOADGATE_FLIGHT=1) each scenario
also keeps a flight recording, the execution trace of the test process at
the moment that mattered (a failed gate, the abort, or the second with the
highest p99), written beside its result as <scenario>.trace: open it with
go tool trace. The summary lists each scenario's slowest requests with the
request ids and trace ids to look them up by in the service's logs and
tracing backend. Packages run one at a time (go test -p 1) so
that load tests do not measure each other; pass -- -p N to change that.
Ctrl-C stops go test and summarises what finished.

Exit status: 0 all passed (or only warned), 1 a test failed or a
regression, 2 bad usage or unreadable input, 3 inconclusive, 4 loadgate
could not finish (go test would not start, an output it could not
write: no verdict on the code), 130 interrupted (143 terminated; 141
when the reader of its output went away, as loadgate run | head does).

Flags:
%s
Example: run the load tests of the example service, then one scenario
compared with its baseline (as many runs as the verdict needs), then
exactly five runs, then compared with the branch main

	loadgate run ./examples/...
	loadgate run ./examples/shop -run TestBaselineCheckout
	loadgate run ./examples/shop -run TestBaselineCheckout -count 5 -- -timeout 20m
	loadgate run ./examples/shop -run TestBaselineCheckout -base main

Run the example's load tests at half their rates against a shop served
by another process, then against a staging host:

	loadgate run ./examples/shop -target http://127.0.0.1:8080 -rate-scale 0.5
	loadgate run ./examples/shop -target https://staging.example.com -allow-hosts staging.example.com -baselines testdata/staging
`

// defaultRun selects the load tests: by convention TestLoad..., and any
// test with Load in its name.
const defaultRun = "Load"

// runConfig is what one go test run of load tests needs.
type runConfig struct {
	Packages []string
	Run      string
	Count    int
	Out      string // absolute ("" until created: a new temporary directory)
	outMade  bool   // Out is a temporary directory loadgate made
	Update   bool
	UpdateID string // with Update: the update session (LOADGATE_UPDATE_ID)
	// Adaptive adds runs to the scenarios compared with a stored baseline
	// until their verdict is clear (see adapt): the default of run, when
	// neither -count nor -update is given.
	Adaptive  bool
	Baselines string // "" for testdata/loadgate in each package
	// Base is -base: baseAuto, baseStored or a git ref (see chooseBase); the
	// zero value, which the flag refuses, compares with the stored numbers.
	Base string
	// PolicyFile and SLAFile, absolute, are the -policy and -sla files,
	// passed to the tests' baseline.Check too.
	PolicyFile, SLAFile string
	// Target is -target, checked (LOADGATE_TARGET); RateScale is
	// -rate-scale (LOADGATE_RATE_SCALE, 0 for unset); AllowHosts the
	// entries of -allow-hosts (added to LOADGATE_ALLOW_HOSTS).
	Target     string
	RateScale  float64
	AllowHosts []string
	// Profile is -profile, checked and normalized ("cpu,heap"), for
	// LOADGATE_PROFILE; "" leaves the variable as inherited.
	Profile string
	// Flight is -flight: every scenario keeps a flight recording
	// (LOADGATE_FLIGHT=1).
	Flight    bool
	TestFlags []string
	Progress  string
	// rateScale and allowHosts are the flags' text, checked by check.
	rateScale, allowHosts string
}

// runFlags registers the flags run and baseline update share.
func runFlags(fs *flag.FlagSet, cfg *runConfig, out *string, count int, countHelp string) {
	fs.StringVar(&cfg.Run, "run", defaultRun, "run only the tests matching the `regexp`, as go test -run")
	fs.IntVar(&cfg.Count, "count", count, countHelp)
	fs.StringVar(out, "out", "", "`dir`ectory for the JSON results (LOADGATE_OUT); default a new temporary directory")
	fs.StringVar(&cfg.Baselines, "baselines", "", "`dir`ectory of the baselines, for loadgate and the tests' baseline.Check (LOADGATE_BASELINE_DIR); default testdata/loadgate in each package")
	fs.StringVar(&cfg.Progress, "progress", progressAuto, "progress `mode`: auto, tty (redrawn lines), plain (a line every few seconds) or off")
	fs.StringVar(&cfg.Target, "target", "", "send the load to the service at base `URL` instead of the servers the tests start (LOADGATE_TARGET, for tests that call loadtest.TargetURL); a host other than loopback must be allowed (-allow-hosts)")
	fs.StringVar(&cfg.rateScale, "rate-scale", "", "multiply the load's rates and users by `factor` (LOADGATE_RATE_SCALE; users are rounded up, at least 1 a stage); runs of another rate scale are not compared")
	fs.StringVar(&cfg.allowHosts, "allow-hosts", "", "comma-separated `hosts` other than loopback that the load may be sent to, added to LOADGATE_ALLOW_HOSTS")
	fs.StringVar(&cfg.Profile, "profile", "", "profile every scenario's measured load: a comma-separated `list` of cpu, heap, goroutine, mutex and block, or all (LOADGATE_PROFILE); the files go beside the results, and the summary says where the time went")
	fs.BoolVar(&cfg.Flight, "flight", false, "keep a flight recording of every scenario (LOADGATE_FLIGHT=1): the execution trace of a failed gate, the abort, or the worst second, written beside its result as <scenario>.trace for go tool trace")
}

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", runUsage, stdout)
	var cfg runConfig
	var out string
	// The default is no count: "(default 1)" in the usage would say that
	// -count 1 is what run does without it, when -count 1 stops the runs
	// it adds. Without -count, Count is set below.
	runFlags(fs, &cfg, &out, 0, "run each test `n` times (go test -count); without it, each test runs once and a scenario with a baseline gets more runs while its verdict is unclear (5, 8, 12)")
	fs.BoolVar(&cfg.Update, "update", false, "record the results as baselines (LOADGATE_UPDATE=1) instead of comparing with them: 5 runs of each test unless -count, as baseline update")
	fs.StringVar(&cfg.Base, "base", baseAuto, baseHelp)
	var pf policyFlags
	pf.register(fs, true)
	reportPath := fs.String("report", "", "also write the HTML report of the run to `file` (as loadgate report draws it: base and head, SLO, verdict per metric)")
	own, testFlags := splitPassthrough(args)
	pkgs, err := parseInterleaved(fs, own)
	if err != nil {
		return helpOrErr(misplacedTestFlag("run", err, own))
	}
	cfg.Packages, cfg.TestFlags = pkgs, testFlags
	if err := refuseEmpty("run", fs, "out", "report"); err != nil {
		return err
	}
	j, err := pf.load("run")
	if err != nil {
		return err
	}
	cfg.PolicyFile, cfg.SLAFile = j.PolicyFile, j.SLAFile
	countSet, baseSet := false, false
	fs.Visit(func(f *flag.Flag) {
		countSet = countSet || f.Name == "count"
		baseSet = baseSet || f.Name == "base"
	})
	if baseSet && strings.TrimSpace(cfg.Base) == "" {
		return usageErrorf("run", "-base is empty: want %s (the default), %s or a git ref", baseAuto, baseStored)
	}
	if baseSet && cfg.Update {
		return usageErrorf("run", "-base %s with -update: -update records baselines and compares with nothing; drop one of them", cfg.Base)
	}
	if v := os.Getenv(baseline.EnvUpdate); v != "" && v != "0" && !cfg.Update {
		// The tests run with LOADGATE_UPDATE=0 unless -update: the
		// variable alone recorded nothing, and said nothing of it.
		fmt.Fprintf(stderr, "loadgate run: warning: %s=%s in the environment is ignored: loadgate run compares unless -update (or loadgate baseline update) records\n", baseline.EnvUpdate, v)
	}
	cfg.Adaptive = !countSet && !cfg.Update
	if !countSet {
		cfg.Count = 1 // the first look; adapt adds the others
		if cfg.Update {
			// As baseline update: a baseline of one run can confirm no
			// change when the stored numbers are compared.
			cfg.Count = defaultBaselineCount
		}
	}
	if err := cfg.check("run", out); err != nil {
		return err
	}
	if *reportPath != "" {
		if err := checkReportPath("run", "-report", *reportPath); err != nil {
			return err
		}
	}
	o, err := runLoadTests(ctx, "run", cfg, stdout)
	if err != nil {
		return err
	}
	defer o.close()
	defer o.dropEmptyOut() // after the summary, which says whether there are results
	switch {
	case cfg.Update:
		o.collectUpdate(ctx)
		o.judge(j, baseline.Look{})
	case cfg.Adaptive:
		if err := o.adapt(ctx, j, stdout); err != nil {
			return err
		}
	default:
		o.judge(j, baseline.Look{})
	}
	writeSummary(stdout, o)
	result := o.exitError()
	if cfg.Update {
		// As baseline update: an update that recorded nothing has not
		// passed (was: PASS, "0 baselines recorded", exit status 0).
		result = o.updateError("run")
	}
	if *reportPath != "" {
		if err := o.writeReport(stdout, *reportPath); err != nil {
			err = fmt.Errorf("run: -report: %w", err)
			if result == nil {
				return &exitError{code: exitTrouble, err: err}
			}
			fmt.Fprintf(stderr, "loadgate %v\n", err)
		}
	}
	return result
}

// writeReport writes the HTML report of the run: the head's results, and
// the base's when the head was run against a base commit (else the stored
// baselines judged).
func (o *runOutcome) writeReport(w io.Writer, path string) error {
	if o.Verdict == nil || o.Results == nil {
		return errors.New("no results to report")
	}
	var base *inputSet
	if o.Base != nil {
		base = o.Base.Results
	}
	in := htmlreport.Input{Run: o.Verdict, Notes: o.Notes}
	in.Scenarios = reportScenarios(o.Verdict, o.Results, base, nil, nil)
	if len(in.Scenarios) == 0 {
		return errors.New("no scenario produced a result")
	}
	return writeHTMLReport(w, path, in)
}

// check validates the flags of a run and prepares its result directory.
func (cfg *runConfig) check(cmd, out string) error {
	if err := checkRunRegexp(cmd, cfg.Run); err != nil {
		return err
	}
	if cfg.Count < 1 {
		return usageErrorf(cmd, "-count %d: must be at least 1", cfg.Count)
	}
	if err := oneOf(cmd, "progress", cfg.Progress, progressModes...); err != nil {
		return err
	}
	if err := checkTestFlags(cmd, cfg.TestFlags); err != nil {
		return err
	}
	if err := cfg.checkLoad(cmd); err != nil {
		return err
	}
	given := "-baselines " + cfg.Baselines // what a refusal names
	if d := os.Getenv(baseline.EnvDir); cfg.Baselines == "" && filepath.IsAbs(d) {
		cfg.Baselines = d // as the tests' baseline.Check will see it
		given = baseline.EnvDir + "=" + d
	}
	if cfg.Baselines != "" {
		abs, err := filepath.Abs(cfg.Baselines)
		if err != nil {
			return usageErrorf(cmd, "%s: %v", given, err)
		}
		// A file there failed every scenario's comparison, or every
		// update's recording, after the whole load had run.
		if st, err := os.Stat(abs); err == nil && !st.IsDir() {
			return usageErrorf(cmd, "%s: not a directory; give the directory of the baselines", given)
		}
		cfg.Baselines = abs
	}
	if len(cfg.Packages) == 0 {
		cfg.Packages = []string{"./..."}
	}
	if shard := loadtest.ShardEnv(os.Getenv); cfg.Update && shard != "" {
		// baseline.Check leaves a shard's result alone: the runs would
		// record nothing, after the whole load.
		return usageErrorf(cmd, "%s: a shard's runs are a slice of the load, which baseline.Check does not record; unset it to record the whole load on this machine, or record a baseline from merged results (docs/SHARDS.md)", shard)
	}
	if cfg.Update {
		cfg.UpdateID = newUpdateID()
	}
	if out != "" {
		dir, err := checkOut(cmd, out)
		if err != nil {
			return err
		}
		cfg.Out = dir
	}
	return nil
}

// checkLoad checks -target, -rate-scale, -allow-hosts and -profile by the
// rules the tests apply to LOADGATE_TARGET, LOADGATE_RATE_SCALE,
// LOADGATE_ALLOW_HOSTS and LOADGATE_PROFILE, so that a typo fails before
// any test runs.
func (cfg *runConfig) checkLoad(cmd string) error {
	if cfg.Target != "" {
		u, err := baseurl.Parse(cfg.Target)
		if err != nil {
			return usageErrorf(cmd, "-target %q: %v", cfg.Target, err)
		}
		cfg.Target = u
	}
	if cfg.rateScale != "" {
		f, err := scale.Parse(cfg.rateScale)
		if err != nil {
			return usageErrorf(cmd, "-rate-scale %q: %v", cfg.rateScale, err)
		}
		cfg.RateScale = f
	}
	for _, e := range strings.Split(cfg.allowHosts, ",") {
		if e = strings.TrimSpace(e); e != "" {
			cfg.AllowHosts = append(cfg.AllowHosts, e)
		}
	}
	if _, err := allowhosts.Parse("-allow-hosts", cfg.AllowHosts); err != nil {
		return usageErrorf(cmd, "%v", err)
	}
	if strings.TrimSpace(cfg.Profile) != "" {
		p, err := loadtest.ParseProfile(cfg.Profile)
		if err != nil {
			return usageErrorf(cmd, "-profile %q: %v", cfg.Profile, err)
		}
		cfg.Profile = p.String()
	}
	// The tests read the LOADGATE_* variables they inherit themselves: a
	// bad value would fail every one of them, as a test failure, after go
	// test built them.
	if err := cfg.settings().Check(); err != nil {
		return usageErrorf(cmd, "%v", err)
	}
	return nil
}

// settings are what the config tells the tests of every go test it runs;
// goTest adds what one run tells them.
func (cfg *runConfig) settings() gotest.Settings {
	return gotest.Settings{
		Update: cfg.Update, UpdateID: cfg.UpdateID,
		BaselineDir: cfg.Baselines, PolicyFile: cfg.PolicyFile, SLAFile: cfg.SLAFile,
		Target: cfg.Target, RateScale: cfg.RateScale, AllowHosts: cfg.AllowHosts, Profile: cfg.Profile, Flight: cfg.Flight,
	}
}

// checkOut checks the -out directory, which must not hold results already
// (they would mix with this run's), and returns it made absolute: go test
// runs each package's tests in the package's directory.
func checkOut(cmd, out string) (string, error) {
	dir, err := filepath.Abs(out)
	if err != nil {
		return "", usageErrorf(cmd, "-out: %v", err)
	}
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return dir, nil
	case err != nil:
		return "", usageErrorf(cmd, "-out: %v", err)
	case !st.IsDir():
		return "", usageErrorf(cmd, "-out %s: not a directory", out)
	}
	if files, _ := jsonFiles(dir); len(files) > 0 {
		return "", usageErrorf(cmd, "-out %s already holds %s; give a new or empty directory, so that runs do not mix", out, cell.Plural(len(files), "result file"))
	}
	return dir, nil
}

// noResults tells whether the run's results directory is one loadgate
// made and no file went into it (no test ran, or none wrote a result).
func (o *runOutcome) noResults() bool {
	if !o.Config.outMade {
		return false
	}
	found := false
	filepath.WalkDir(o.Config.Out, func(_ string, d iofs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			found = true
			return filepath.SkipAll
		}
		return nil
	})
	return !found
}

// dropEmptyOut removes the results directory loadgate made when nothing
// went into it.
func (o *runOutcome) dropEmptyOut() {
	if o.noResults() {
		os.RemoveAll(o.Config.Out)
	}
}

// makeOut creates the result directory: -out, or a new temporary one.
func makeOut(cmd, out string) (string, error) {
	if out == "" {
		dir, err := os.MkdirTemp("", "loadgate-")
		if err != nil {
			return "", fmt.Errorf("%s: creating a directory for the results: %w", cmd, err)
		}
		return dir, nil
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", usageErrorf(cmd, "-out: %v", err)
	}
	return out, nil
}

func newUpdateID() string {
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("loadgate-%s-%s", time.Now().UTC().Format("20060102T150405Z"), hex.EncodeToString(b[:]))
}

// side is where one side of a run's go test runs, and what it produced.
// The head side is the code checked out; a base side (see baseSide) is
// another commit.
type side struct {
	// Dir is go test's working directory ("" the current one); Out is
	// where the side's results go.
	Dir, Out   string
	Session    *gotest.Session
	Results    *inputSet
	ResultsErr error // a result file that could not be read
	// GoTestErr is go test's failure when no test or package explains it
	// (go test could not start its work); Stderr is what it wrote (then,
	// or the first time it wrote anything).
	GoTestErr error
	Stderr    string
}

// runOutcome is what a run of load tests produced.
type runOutcome struct {
	Config   runConfig
	Packages []gotest.ListedPackage
	// side is the head: the code checked out.
	side
	// Base, when set, is the other commit the head is compared with, run
	// interleaved with it, in place of the stored baselines.
	Base *baseSide
	// Notes says how the comparison was made when that needs saying (why
	// stored baselines were used and not their commit).
	Notes       []string
	Interrupted bool
	// SLAUnmatched says which sections of the SLA file matched no
	// scenario (verdict.UnmatchedSLA); fallbacks which scenarios were
	// compared with their stored baseline for want of base runs. Both
	// are of the last judgement.
	SLAUnmatched, fallbacks []string
	// orphans are the stored baselines that the tests which recorded them
	// no longer produce (orphanedBaselines), of the last judgement.
	orphans []string

	// Verdict judges every scenario (against its stored baseline, unless
	// the run records baselines) and what failed outside them; its
	// scenarios are in the order of the summary (by package and name).
	Verdict *verdict.Run
	// Stops says, for each scenario whose runs loadgate added, why it
	// stopped adding (see adapt).
	Stops map[scenarioKey]string
	// Written lists the baselines this run recorded (run -update,
	// baseline update).
	Written     []baselineFile
	BaselineErr error
	// Staged lists this session's staged runs of baselines it did not
	// replace: the update stopped before its last run (see
	// baseline.RecordSession); Path is the staging file, which is removed
	// (no later update may add to its runs).
	Staged []baselineFile
	// leases are held while an update runs (see takeLeases).
	leases []*lease.Lease
}

// runLoadTests runs go test over the load tests cfg selects, showing
// progress on w, and collects the events and the results. It fails only
// when go test cannot run at all (bad packages); failed tests are in the
// outcome.
func runLoadTests(ctx context.Context, cmd string, cfg runConfig, w io.Writer) (*runOutcome, error) {
	pkgs, err := gotest.List(ctx, "", cfg.Packages)
	if err != nil {
		if ctx.Err() != nil {
			return nil, &exitError{code: exitInterrupted, err: fmt.Errorf("%s: interrupted", cmd)}
		}
		if gotest.NotStarted(err) {
			// No go on PATH: not bad usage (exit 2, "run -h"), but a run
			// loadgate could not make.
			return nil, &exitError{code: exitTrouble, err: fmt.Errorf("%s: %w", cmd, err)}
		}
		return nil, usageErrorf(cmd, "%v", err)
	}
	cfg.outMade = cfg.Out == ""
	if cfg.Out, err = makeOut(cmd, cfg.Out); err != nil {
		return nil, err
	}
	o := &runOutcome{Config: cfg, Packages: pkgs, side: side{Out: cfg.Out}}
	if cfg.Update {
		if err := o.takeLeases(cmd); err != nil {
			return nil, err
		}
		o.dropStaged(w)
	}
	if !cfg.Update {
		if err := o.chooseBase(ctx, w); err != nil {
			return nil, err
		}
	}
	if err := o.runs(ctx, cfg.Run, cfg.Count, w); err != nil {
		o.close()
		return nil, err
	}
	return o, nil
}

// runs runs the tests run selects count times: in one go test -count
// process, or, with a base, in count pairs of one base and one head run.
func (o *runOutcome) runs(ctx context.Context, run string, count int, w io.Writer) error {
	if o.Base == nil {
		return o.goTest(ctx, &o.side, run, count, w)
	}
	// With no test run selects that has a stored baseline, no base run
	// would be compared: the base runs none.
	onBase, compared := baseRun(run, o.Base.Stored)
	for range count {
		if ctx.Err() != nil || o.Interrupted {
			return nil
		}
		if compared {
			if err := o.goTest(ctx, &o.Base.side, onBase, 1, w); err != nil {
				return err
			}
			// Interrupted on the base: no head go test after Ctrl-C.
			if ctx.Err() != nil || o.Interrupted {
				o.side.started()
				return nil
			}
		}
		if err := o.goTest(ctx, &o.side, run, 1, w); err != nil {
			return err
		}
	}
	return nil
}

// started gives a side that no go test ran for (the head, when Ctrl-C
// stopped the base's first run) the empty session and results that the
// summary reads.
func (s *side) started() {
	if s.Session == nil {
		s.Session = gotest.NewSession()
	}
	if s.Results == nil {
		s.Results = &inputSet{Results: map[scenarioKey][]resultFile{}, Baselines: map[scenarioKey]baselineFile{}}
	}
}

// close removes what the run made for itself: the base's worktree, the
// update's leases.
func (o *runOutcome) close() {
	o.releaseLeases()
	if o.Base != nil {
		o.Base.Tree.Remove()
	}
}

// goTest runs go test for side s over the tests run selects, count times
// each, with the results going to the side's directory, shows its
// progress on w, and folds what it did into s: the first call makes its
// session, later ones (runs loadgate adds, see adapt) merge theirs into
// it. It fails only when go test cannot be started.
func (o *runOutcome) goTest(ctx context.Context, s *side, run string, count int, w io.Writer) error {
	cfg := o.Config
	args := []string{"test", "-json"}
	if !gotest.HasFlag(cfg.TestFlags, "p") {
		args = append(args, "-p", "1")
	}
	args = append(args, "-run", run, "-count", strconv.Itoa(count))
	args = append(args, cfg.Packages...)
	args = append(args, cfg.TestFlags...)
	// The tests' baseline.Check judge as loadgate does: the same baselines,
	// policy and SLA; when loadgate adds runs, it judges them pooled.
	// With a base, loadgate judges every run pooled too.
	settings := cfg.settings()
	settings.Out, settings.UpdateLease, settings.Progress, settings.Pooled = s.Out, o.leaseOfSession(), true, cfg.Adaptive || o.Base != nil
	if o.Base != nil {
		who := "head"
		if s == &o.Base.side {
			who = "base " + cell.Commit(o.Base.Commit)
		}
		fmt.Fprintf(w, "loadgate: %s: go %s\n", who, quoteArgs(args))
	} else {
		fmt.Fprintf(w, "loadgate: go %s\n", quoteArgs(args))
	}
	if s.Session == nil {
		if cfg.Update {
			fmt.Fprintf(w, "loadgate: recording baselines (%s=1, %s=%s)\n", baseline.EnvUpdate, baseline.EnvUpdateID, cfg.UpdateID)
		}
		fmt.Fprintf(w, "loadgate: results in %s\n", s.Out)
	}
	if err := os.MkdirAll(s.Out, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", s.Out, err)
	}
	g, err := gotest.Start(s.Dir, args, settings.Env())
	if err != nil {
		return err
	}
	disp, every := newDisplay(cfg.Progress, w)
	rs := newResultScanner(s.Out)
	end := g.Follow(ctx, gotest.Observer{
		Event: func(s *gotest.Session, _ gotest.Event, t *gotest.Test, c gotest.Change, now time.Time) {
			if c == gotest.ChangeTestEnded {
				rs.attach(t)
			}
			disp.update(s, t, c, now)
		},
		Tick:  func(s *gotest.Session, now time.Time) { disp.tick(s, now) },
		Every: every,
	})
	disp.close(end.Session)
	if s.Session == nil {
		s.Session = end.Session
	} else {
		s.Session.Merge(end.Session)
	}
	o.Interrupted = o.Interrupted || end.Interrupted
	if end.Err != nil && s.GoTestErr == nil {
		s.GoTestErr, s.Stderr = end.Err, end.Stderr
	} else if s.Stderr == "" {
		s.Stderr = end.Stderr // why a package failed to build, say
	}
	results, err := readInputs(s.Out)
	switch {
	case err == nil:
		s.Results, s.ResultsErr = results, nil
	default:
		if files, _ := filename.JSONFiles(s.Out); len(files) > 0 {
			s.ResultsErr = err
		}
		s.Results = &inputSet{Results: map[scenarioKey][]resultFile{}, Baselines: map[scenarioKey]baselineFile{}}
	}
	return nil
}

// resultScanner reads the results that appear in a directory while the
// tests run.
type resultScanner struct {
	dir      string
	seen     map[string]bool
	byTest   map[gotest.Key][]resultFile
	attached map[string]bool
}

func newResultScanner(dir string) *resultScanner {
	return &resultScanner{dir: dir, seen: map[string]bool{}, byTest: map[gotest.Key][]resultFile{}, attached: map[string]bool{}}
}

// attach reads the results written since the last call and gives t, which
// just ended, the last result its run wrote: the one whose file the run's
// output names (loadtest.Run logs where it wrote the result), else the
// latest one of the test not given to an earlier run. (go test -json's
// timestamps are taken when test2json reads a line, so they cannot tell
// one run's results from the next one's.) Files that cannot be read yet
// are tried again next time; the summary reads them all again at the end.
func (rs *resultScanner) attach(t *gotest.Test) {
	entries, err := os.ReadDir(rs.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if rs.seen[name] || e.IsDir() || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".json") {
			continue
		}
		path := filepath.Join(rs.dir, name)
		r, err := loadtest.ReadFile(path)
		if err != nil {
			continue
		}
		rs.seen[name] = true
		k := gotest.Key{Package: r.Package, Test: r.Test}
		rs.byTest[k] = append(rs.byTest[k], resultFile{path, r})
	}
	var named, latest *resultFile
	for i, f := range rs.byTest[t.Key] {
		if rs.attached[f.Path] {
			continue
		}
		if latest == nil || f.Started.After(latest.Started) {
			latest = &rs.byTest[t.Key][i]
		}
		for _, line := range t.Output {
			if strings.Contains(line, f.Path) {
				named = &rs.byTest[t.Key][i]
			}
		}
	}
	pick := named
	if pick == nil {
		pick = latest
	}
	t.Result = nil
	if pick != nil {
		rs.attached[pick.Path] = true
		t.Result = pick.Result
	}
}

// baselineDir is where the baselines of a package are.
func (o *runOutcome) baselineDir(pkg string) (string, bool) {
	if o.Config.Baselines != "" {
		return o.Config.Baselines, true
	}
	for _, p := range o.Packages {
		if p.ImportPath == pkg {
			return baseline.Dir(p.Dir), true
		}
	}
	return "", false
}

// writtenBaselines finds the baselines the run recorded: those of its
// update session in the baseline directories of its packages. It also
// fills o.Staged with the session's staged runs that replaced nothing.
func writtenBaselines(o *runOutcome) ([]baselineFile, error) {
	dirs := o.baselineDirs()
	var out []baselineFile
	var errs []error
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue // no baselines in this package
		}
		for _, e := range entries {
			path := filepath.Join(dir, e.Name())
			if of, staged := baseline.StagedBaseline(path); staged && !e.IsDir() {
				if b, err := baseline.Load(path); err == nil && b.UpdateID == o.Config.UpdateID {
					// The update's test processes have exited: their
					// runs can only be reported, and the file goes.
					if _, err := baseline.DiscardStaged(of); err != nil {
						errs = append(errs, err)
					}
					o.Staged = append(o.Staged, baselineFile{path, b})
				}
				continue
			}
			if e.IsDir() || strings.HasPrefix(e.Name(), ".") || !strings.HasSuffix(e.Name(), ".json") {
				continue
			}
			b, err := baseline.Load(path)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if b.UpdateID == o.Config.UpdateID {
				out = append(out, baselineFile{path, b})
			}
		}
	}
	slices.SortFunc(out, func(a, b baselineFile) int { return strings.Compare(a.Path, b.Path) })
	return out, errors.Join(errs...)
}

// exitError is the verdict as an exit status (see verdict.Run.ExitCode);
// the summary has explained it.
func (o *runOutcome) exitError() error {
	if code := o.Verdict.ExitCode(); code != exitOK {
		return &exitError{code: code}
	}
	return nil
}
