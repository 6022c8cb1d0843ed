package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/baseurl"
	"github.com/loadgate/loadgate/internal/gotest"
	"github.com/loadgate/loadgate/internal/jsonpos"
	"github.com/loadgate/loadgate/loadtest"
	"github.com/sethvargo/go-githubactions"
)

// CompareMode says what the head results are compared with.
type CompareMode string

const (
	// CompareBaseline compares with the baselines stored in the repository
	// (testdata/loadgate/<scenario>.json beside each package, see package
	// baseline). Baselines recorded on another machine are flagged; their
	// failures only warn when the policy says env_mismatch_warns.
	CompareBaseline CompareMode = "baseline"
	// CompareAuto, the default, is CompareBaseRef on a pull request (its
	// event has a base commit); on any other event it runs again the
	// commit the stored baselines were recorded at, interleaved, and
	// falls back to their numbers when that commit cannot be had: on a
	// shared hosted runner only the same runner's runs of both sides are
	// a fair comparison.
	CompareAuto CompareMode = "auto"
	// CompareBaseRef checks out the PR's merge base into a git worktree
	// and runs base and head on the same runner, interleaved (base, head,
	// base, head…): the accurate way to compare on a shared machine.
	CompareBaseRef CompareMode = "base-ref"
)

// CommentMode says when the action comments on the pull request.
type CommentMode string

const (
	CommentAlways CommentMode = "true"
	CommentNever  CommentMode = "false"
	// CommentOnChange creates the comment only when something is not "~"
	// (a significant change, a warning, a breach, a leak, a failed test);
	// a comment that already exists is always updated, so that it never
	// shows a regression that is gone.
	CommentOnChange CommentMode = "on-change"
)

// FailOn says what fails the check.
type FailOn string

const (
	// FailOnRegression fails on a regression, an SLA breach or a failed
	// load test: any scenario whose verdict is fail.
	FailOnRegression FailOn = "regression"
	// FailOnWarn fails on warnings too.
	FailOnWarn FailOn = "warn"
	// FailOnSLA fails only on SLA breaches and failed load tests: a
	// regression within the SLA is reported, not failed.
	FailOnSLA FailOn = "sla"
	// FailOnNever never fails the check for what the tests measured; the
	// action still fails when it cannot do its work (no results at all).
	FailOnNever FailOn = "never"
)

// Input names, as a workflow writes them after with:.
const (
	InputPackages         = "packages"
	InputRun              = "run"
	InputCount            = "count"
	InputWorkingDirectory = "working-directory"
	InputCompare          = "compare"
	InputSLA              = "sla"
	InputPolicy           = "policy"
	InputGoTestFlags      = "go-test-flags"
	InputComment          = "comment"
	InputFailOn           = "fail-on"
	InputGitHubToken      = "github-token"
	InputFromResults      = "from-results"
	InputResultsDir       = "results-dir"
	InputCommentKey       = "comment-key"
	InputShard            = "shard"
	InputStartAt          = "start-at"
	InputPartial          = "partial"
	// InputSetupGo is action.yml's own (its setup-go step runs when it is
	// true); the binary only checks its value.
	InputSetupGo = "setup-go"
)

// DefaultConfig holds the defaults of the inputs, the same as action.yml's.
var DefaultConfig = Config{
	Packages:         []string{"./..."},
	Run:              "Load",
	Count:            12,
	Adaptive:         true,
	WorkingDirectory: ".",
	Compare:          CompareAuto,
	Comment:          CommentAlways,
	FailOn:           FailOnRegression,
}

// MaxCount bounds the count input: runs are sequential, and 100 runs of a
// one-minute scenario already take more than an hour a side.
const MaxCount = 100

// Config is what the action was asked to do, from its inputs, and where it
// runs, from the GitHub context.
type Config struct {
	// Packages are the go test package patterns, relative to
	// WorkingDirectory.
	Packages []string
	// Run is go test's -run regular expression.
	Run string
	// TestFlags are more go test flags (-timeout 20m -tags e2e), passed
	// after the packages as loadgate run passes those after --.
	TestFlags []string
	// Count is the number of runs a side; each run is a go test process.
	// With Adaptive (the default: no count input), runs are added look by
	// look (baseline.DefaultLooks) while a scenario is not settled, and
	// Count is the most.
	Count            int
	Adaptive         bool
	WorkingDirectory string
	Compare          CompareMode
	// RerunBaselineCommit, set by compare: auto outside a pull request,
	// runs again the commit the stored baselines were recorded at,
	// interleaved with the head, when the checkout has or can fetch it,
	// and compares with that instead of the stored numbers.
	RerunBaselineCommit bool
	// SLAFile and PolicyFile are the sla and policy inputs as given
	// (relative to WorkingDirectory); Judge is what they say, or when
	// empty the files LOADGATE_SLA and LOADGATE_POLICY name, read once,
	// and handed to the tests' baseline.Check as loadgate run hands its
	// -sla and -policy ([baseline.EnvSLA], [baseline.EnvPolicy]).
	SLAFile, PolicyFile string
	Judge               *baseline.Judge
	Comment             CommentMode
	FailOn              FailOn
	Token               string
	// FromResults, when set, are results directories written by earlier
	// runs of the action (downloaded from artifacts), or directories of
	// them: no test runs, and the PR to comment on is the one their
	// manifests name. One job's results are judged as they are; the
	// results of the shard jobs of a sharded run are merged first
	// (internal/merge), and Partial merges a run that lacks shards.
	FromResults []string
	Partial     bool
	// Shard, when set, makes this job one generator of a sharded run
	// (LOADGATE_SHARD): it runs the head only, with the tests' share of
	// the load, starting at StartAt (LOADGATE_START_AT, required), and
	// leaves the verdict and the comment to the job that merges the
	// shards' results.
	Shard   *Shard
	StartAt string
	// ResultsDir is where the results are written; the results output.
	ResultsDir string
	// CommentKey tells apart the comments of the jobs of one matrix, which
	// share the workflow and job names: "go1.27", or the matrix as JSON.
	// Empty outside a matrix.
	CommentKey string

	GitHub GitHub
}

// Shard is shard Index of Count (1-based) of a sharded run: the shard
// input, "2/4".
type Shard struct{ Index, Count int }

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// GitHub is the part of the workflow's context the action uses.
type GitHub struct {
	APIURL     string // https://api.github.com, or GHES's
	ServerURL  string // https://github.com
	Owner      string
	Repo       string
	EventName  string // pull_request, pull_request_target, workflow_run, push…
	Workflow   string
	Job        string
	RunID      int64
	RunAttempt int64
	Workspace  string
	SHA        string
	// PR is the pull request's number, 0 when the event has none.
	PR int
	// BaseSHA and HeadSHA are the pull request's base and head commits.
	BaseSHA, HeadSHA string
	// FromFork says the pull request's head is in another repository, a
	// fork (or the payload does not say where it is), whose runs get a
	// read-only token.
	FromFork bool
	// WorkflowRunHeadSHA is the head commit of the run that triggered a
	// workflow_run event: results from an artifact must be of that commit.
	WorkflowRunHeadSHA string
	StepSummary        string
}

// RunURL is the page of the workflow run, where the job summary is shown.
func (g GitHub) RunURL() string {
	if g.Owner == "" || g.RunID == 0 {
		return ""
	}
	u := fmt.Sprintf("%s/%s/%s/actions/runs/%d", strings.TrimSuffix(g.ServerURL, "/"), g.Owner, g.Repo, g.RunID)
	if g.RunAttempt > 1 {
		u += fmt.Sprintf("/attempts/%d", g.RunAttempt)
	}
	return u
}

// InputError is a bad value of one input.
type InputError struct {
	Input string // as in action.yml: "fail-on"
	Value string
	Msg   string
}

func (e *InputError) Error() string {
	return fmt.Sprintf("input %s: %q: %s", e.Input, e.Value, e.Msg)
}

// getInput reads an input. Composite actions do not export their inputs to
// the environment; action.yml passes each one as INPUT_<NAME> with '-'
// written '_', because a hyphen in an environment variable's name is not
// portable (a shell cannot even set one).
func getInput(gha *githubactions.Action, name string) string {
	return gha.GetInput(strings.ReplaceAll(name, "-", "_"))
}

// ConfigFrom reads the inputs and the GitHub context. An input left empty
// takes its default from [DefaultConfig]. The error joins one [*InputError]
// per bad input.
func ConfigFrom(gha *githubactions.Action) (*Config, error) {
	cfg := DefaultConfig
	cfg.Packages = append([]string(nil), DefaultConfig.Packages...)
	var errs []error
	bad := func(input, value, format string, args ...any) {
		errs = append(errs, &InputError{Input: input, Value: value, Msg: fmt.Sprintf(format, args...)})
	}

	if v := getInput(gha, InputPackages); v != "" {
		cfg.Packages = strings.Fields(v)
		for _, p := range cfg.Packages {
			if strings.HasPrefix(p, "-") {
				bad(InputPackages, p, "a package pattern cannot start with '-' (go test flags are not inputs)")
			}
		}
	}
	if v := getInput(gha, InputRun); v != "" {
		if _, err := regexp.Compile(v); err != nil {
			bad(InputRun, v, "not a regular expression: %v", err)
		}
		cfg.Run = v
	}
	if v := getInput(gha, InputGoTestFlags); v != "" {
		cfg.TestFlags = strings.Fields(v)
		switch e := gotest.CheckFlags(cfg.TestFlags); {
		case !strings.HasPrefix(cfg.TestFlags[0], "-"):
			bad(InputGoTestFlags, v, "%q is not a flag: go test flags start with '-' (packages go in the packages input)", cfg.TestFlags[0])
		case e != nil && e.Own == "":
			bad(InputGoTestFlags, v, "-%s: %s", e.Flag, e.Why)
		case e != nil:
			bad(InputGoTestFlags, v, "-%s: use the %s input", e.Flag, e.Own)
		}
	}
	// The words of count, compare, comment, fail-on and partial are read
	// regardless of case, as the action's own `if: inputs.setup-go ==
	// 'true'` compares: "Auto" and "Never" were refused while "True" was
	// taken.
	if v := getInput(gha, InputCount); v != "" && !strings.EqualFold(v, "auto") {
		cfg.Adaptive = false
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			bad(InputCount, v, "want auto or a whole number of runs a side, from 1 to %d", MaxCount)
		case n < 1 || n > MaxCount:
			bad(InputCount, v, "want from 1 to %d runs a side (5 or more let the rank test confirm a change)", MaxCount)
		default:
			cfg.Count = n
		}
	}
	if v := getInput(gha, InputWorkingDirectory); v != "" {
		cfg.WorkingDirectory = v
	}
	if fi, err := os.Stat(cfg.WorkingDirectory); err != nil || !fi.IsDir() {
		bad(InputWorkingDirectory, cfg.WorkingDirectory, "not a directory")
	}
	if v := getInput(gha, InputCompare); v != "" {
		switch m := CompareMode(strings.ToLower(v)); m {
		case CompareAuto, CompareBaseline, CompareBaseRef:
			cfg.Compare = m
		default:
			bad(InputCompare, v, "want auto, baseline or base-ref")
		}
	}
	if v := getInput(gha, InputComment); v != "" {
		switch m := CommentMode(strings.ToLower(v)); m {
		case CommentAlways, CommentNever, CommentOnChange:
			cfg.Comment = m
		default:
			bad(InputComment, v, "want true, false or on-change")
		}
	}
	if v := getInput(gha, InputFailOn); v != "" {
		switch f := FailOn(strings.ToLower(v)); f {
		case FailOnRegression, FailOnWarn, FailOnSLA, FailOnNever:
			cfg.FailOn = f
		default:
			bad(InputFailOn, v, "want regression, warn, sla or never")
		}
	}
	cfg.Token = getInput(gha, InputGitHubToken)
	cfg.SLAFile = getInput(gha, InputSLA)
	cfg.PolicyFile = getInput(gha, InputPolicy)
	inWD := func(path string) string {
		if path == "" || filepath.IsAbs(path) {
			return path
		}
		return filepath.Join(cfg.WorkingDirectory, path)
	}
	cfg.Judge = &baseline.Judge{}
	// An input left empty takes the file LOADGATE_POLICY or LOADGATE_SLA
	// names, which the tests' baseline.Check would read: loadgate run's
	// -policy and -sla do the same.
	judgeFile := func(input, value, env string) (string, func(error)) {
		if value != "" {
			return inWD(value), func(err error) { bad(input, value, "%v", err) }
		}
		path, err := gotest.InheritedFile(env)
		if err != nil {
			errs = append(errs, err)
			return "", func(error) {}
		}
		return path, func(err error) { errs = append(errs, fmt.Errorf("%s=%s: %w", env, path, err)) }
	}
	if path, fail := judgeFile(InputPolicy, cfg.PolicyFile, baseline.EnvPolicy); path != "" {
		if j, err := baseline.LoadJudge(path, ""); err != nil {
			fail(err)
		} else {
			cfg.Judge.Policy, cfg.Judge.PolicyFile = j.Policy, j.PolicyFile
		}
	}
	if path, fail := judgeFile(InputSLA, cfg.SLAFile, baseline.EnvSLA); path != "" {
		if j, err := baseline.LoadJudge("", path); err != nil {
			fail(err)
		} else {
			cfg.Judge.SLA, cfg.Judge.SLAFile = j.SLA, j.SLAFile
		}
	}
	for _, d := range splitDirs(getInput(gha, InputFromResults)) {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			bad(InputFromResults, d, "not a directory (download the artifact of the run that ran the tests first)")
		}
		cfg.FromResults = append(cfg.FromResults, d)
	}
	if v := getInput(gha, InputPartial); v != "" {
		switch strings.ToLower(v) {
		case "true":
			cfg.Partial = true
		case "false":
		default:
			bad(InputPartial, v, "want true or false")
		}
		if cfg.Partial && len(cfg.FromResults) == 0 {
			bad(InputPartial, v, "only the job that merges shards' results (from-results) merges")
		}
	}
	// action.yml ran actions/setup-go only if setup-go is true: any other
	// word than false (yes, on, 1) skipped it without a word, and the
	// tests ran with the runner's Go.
	if v := getInput(gha, InputSetupGo); v != "" && !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
		bad(InputSetupGo, v, "want true or false (anything but true skipped actions/setup-go)")
	}
	if v := getInput(gha, InputShard); v != "" {
		i, n, err := loadtest.ParseShard(v)
		switch {
		case err != nil:
			bad(InputShard, v, "%s (write shard: ${{ matrix.shard }}/N)", strings.TrimPrefix(err.Error(), strconv.Quote(v)+": "))
		case len(cfg.FromResults) > 0:
			bad(InputShard, v, "a shard job runs the load tests; from-results is for the job that merges the shards' results")
		default:
			cfg.Shard = &Shard{Index: i, Count: n}
		}
	}
	if v := getInput(gha, InputStartAt); v != "" {
		if _, err := loadtest.ParseStartAt(v); err != nil {
			bad(InputStartAt, v, "%s", strings.TrimPrefix(err.Error(), strconv.Quote(strings.TrimSpace(v))+": "))
		}
		if getInput(gha, InputShard) == "" {
			bad(InputStartAt, v, "for a sharded run only: set shard too")
		}
		cfg.StartAt = strings.TrimSpace(v)
	} else if cfg.Shard != nil {
		bad(InputStartAt, "", "a shard needs the instant every shard starts at, the same in every job: Unix milliseconds from a first job (see the README's sharded workflow)")
	}
	if cfg.Shard != nil {
		switch cfg.Compare {
		case CompareBaseRef:
			bad(InputCompare, string(cfg.Compare), "a shard job runs the head only and its merged result is compared with the stored baselines: compare: baseline (docs/SHARDS.md says why)")
		case CompareAuto:
			cfg.Compare = CompareBaseline
		}
		if cfg.Adaptive {
			// Runs cannot be added look by look: no shard knows how the
			// others' runs went.
			cfg.Adaptive, cfg.Count = false, 1
		}
	}
	cfg.ResultsDir = getInput(gha, InputResultsDir)
	if v := getInput(gha, InputCommentKey); v != "" {
		if len(v) > maxCommentKey {
			bad(InputCommentKey, v, "longer than %d bytes; name the matrix entry briefly, such as go-${{ matrix.go }}", maxCommentKey)
		} else {
			cfg.CommentKey = strings.Join(strings.Fields(v), " ")
		}
	}

	gh, err := githubFrom(gha)
	if err != nil {
		errs = append(errs, err)
	}
	cfg.GitHub = gh
	if cfg.Compare == CompareAuto {
		cfg.Compare, cfg.RerunBaselineCommit = CompareBaseline, true
		if gh.BaseSHA != "" {
			cfg.Compare, cfg.RerunBaselineCommit = CompareBaseRef, false
		}
	}
	if cfg.ResultsDir == "" {
		tmp := gha.Getenv("RUNNER_TEMP")
		if tmp == "" {
			tmp = os.TempDir()
		}
		cfg.ResultsDir = filepath.Join(tmp, "loadgate-results")
		if slices.ContainsFunc(cfg.FromResults, func(d string) bool { return overlaps(d, cfg.ResultsDir) }) {
			// The natural place to download the artifact to: the report
			// goes beside it, not over it.
			cfg.ResultsDir = filepath.Join(tmp, "loadgate-report")
		}
	} else if slices.ContainsFunc(cfg.FromResults, func(d string) bool { return overlaps(d, cfg.ResultsDir) }) {
		bad(InputResultsDir, cfg.ResultsDir, "must neither be nor hold nor lie within a from-results directory (the action empties it)")
	}
	if strings.ContainsAny(cfg.ResultsDir, "\r\n") {
		// It is the results-dir output, and GITHUB_OUTPUT ends a value at
		// the line that reads as its delimiter: a line of the path could
		// end it and set other outputs.
		bad(InputResultsDir, cfg.ResultsDir, "holds a line break: a step output cannot carry it")
	} else if err := checkResultsDir(cfg.ResultsDir, len(cfg.FromResults) == 0); err != "" {
		bad(InputResultsDir, cfg.ResultsDir, "%s", err)
	}
	if len(cfg.FromResults) == 0 {
		// The tests read the LOADGATE_* variables the job sets themselves:
		// a bad value would fail every one of them, as a test failure,
		// after go test built them.
		s := cfg.settings("")
		if slices.ContainsFunc(errs, func(err error) bool {
			var ie *InputError
			return errors.As(err, &ie) && (ie.Input == InputShard || ie.Input == InputStartAt)
		}) {
			// Said of the input already: not again of the
			// LOADGATE_SHARD or LOADGATE_START_AT it becomes, which the
			// workflow does not set.
			s.Shard, s.StartAt = "", ""
		}
		if err := s.Check(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// checkResultsDir says what is wrong with dir as the results directory,
// or "": it must be a directory or not exist yet, and when the tests are
// to run into it, hold nothing or the results of an earlier run of the
// action, which Run replaces (clearResults). loadgate run checks its -out
// alike, before any test runs.
func checkResultsDir(dir string, runs bool) string {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return ""
	case err != nil:
		return err.Error()
	case !st.IsDir():
		return "not a directory"
	case !runs:
		return ""
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err.Error()
	}
	if len(entries) == 0 {
		return ""
	}
	if !actionResults(dir) {
		return fmt.Sprintf("not empty and holds no %s (the results of an earlier run of the action): not removing it; give a new or empty directory", ManifestFile)
	}
	return ""
}

// splitDirs splits the from-results input: one directory a line, or
// several on a line separated by spaces, unless the line is one
// directory whose name has a space.
func splitDirs(v string) []string {
	var dirs []string
	for _, line := range strings.Split(v, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if fi, err := os.Stat(line); err == nil && fi.IsDir() {
			dirs = append(dirs, line)
			continue
		}
		dirs = append(dirs, strings.Fields(line)...)
	}
	return dirs
}

// overlaps reports whether the directories a and b are one, or one holds
// the other: the results directory, which the action empties, must not
// hold a from-results directory (the artifacts downloaded into
// loadgate-results/shard-1 …), nor lie within one. Symbolic links are
// followed (a link to the downloaded artifact is the artifact), as far as
// the paths exist: the results directory may not exist yet.
func overlaps(a, b string) bool {
	x, err1 := realPath(a)
	y, err2 := realPath(b)
	if err1 != nil || err2 != nil {
		return false
	}
	within := func(dir, p string) bool {
		rel, err := filepath.Rel(dir, p)
		return err == nil && filepath.IsLocal(rel)
	}
	return x == y || within(x, y) || within(y, x)
}

// realPath is the absolute path of p with the symbolic links of its
// longest existing prefix resolved; the rest, which does not exist yet,
// is joined as it is.
func realPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	rest := ""
	for dir := abs; ; dir = filepath.Dir(dir) {
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			return filepath.Join(real, rest), nil
		}
		if filepath.Dir(dir) == dir {
			return abs, nil
		}
		rest = filepath.Join(filepath.Base(dir), rest)
	}
}

// githubFrom reads the GitHub context: environment and event payload.
// What the action would misuse later is refused here, before any test
// runs, naming the variable or the event file: an event file that
// GITHUB_EVENT_PATH names but cannot be read as JSON, the payload of a
// pull request event without its number and base commit (of the right
// types), a GITHUB_API_URL or GITHUB_SERVER_URL that is not an http(s)
// URL, a GITHUB_REPOSITORY that is not owner/name. GitHub Actions always
// sets them right; a hand-made or broken context would otherwise run
// every test and then fail, or quietly run as no pull request.
func githubFrom(gha *githubactions.Action) (GitHub, error) {
	ev, err := eventFrom(gha.Getenv("GITHUB_EVENT_NAME"), gha.Getenv("GITHUB_EVENT_PATH"))
	if err != nil {
		return GitHub{}, err
	}
	c, err := gha.Context()
	if err != nil {
		return GitHub{}, fmt.Errorf("reading the GitHub context: %w", err)
	}
	var errs []error
	for _, v := range []struct{ name, value string }{{"GITHUB_API_URL", c.APIURL}, {"GITHUB_SERVER_URL", c.ServerURL}} {
		if _, err := baseurl.Parse(v.value); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %v", v.name, v.value, err))
		}
	}
	if r := gha.Getenv("GITHUB_REPOSITORY"); r != "" {
		owner, name, _ := strings.Cut(r, "/")
		if owner == "" || name == "" || strings.Contains(name, "/") {
			errs = append(errs, fmt.Errorf("GITHUB_REPOSITORY=%q: want owner/name, such as loadgate/loadgate", r))
		}
	}
	g := GitHub{
		APIURL:      c.APIURL,
		ServerURL:   c.ServerURL,
		EventName:   c.EventName,
		Workflow:    c.Workflow,
		Job:         c.Job,
		RunID:       c.RunID,
		RunAttempt:  c.RunAttempt,
		Workspace:   c.Workspace,
		SHA:         c.SHA,
		StepSummary: c.StepSummary,
	}
	g.Owner, g.Repo = c.Repo()
	if pr := ev.PullRequest; pr != nil {
		g.PR, g.BaseSHA, g.HeadSHA = pr.Number, pr.Base.SHA, pr.Head.SHA
		g.FromFork = fromFork(pr.Head.Repo, g.Owner+"/"+g.Repo)
	}
	if wr := ev.WorkflowRun; wr != nil {
		g.WorkflowRunHeadSHA = wr.HeadSHA
	}
	return g, errors.Join(errs...)
}

// headRepo is a pull request's head repository, as its event's payload
// gives it.
type headRepo struct {
	FullName string `json:"full_name"`
	Fork     bool   `json:"fork"`
}

// fromFork says whether a pull request whose head is in head comes from
// another repository than repo (GITHUB_REPOSITORY, owner/name), whose runs
// get a read-only token. head.fork alone does not say it: it says that the
// head's repository is a fork of some other one, which a repository forked
// from loadgate's users' own is, with its pull requests between its own
// branches. A deleted fork's head has no repository: still a fork's.
// Without a full_name (not a payload GitHub writes) head.fork is taken.
func fromFork(head *headRepo, repo string) bool {
	switch {
	case head == nil:
		return true
	case head.FullName == "":
		return head.Fork
	}
	return !strings.EqualFold(head.FullName, repo)
}

// event is the part of an event's payload the action reads, typed as
// GitHub writes it.
type event struct {
	PullRequest *struct {
		Number int `json:"number"`
		Base   struct {
			SHA string `json:"sha"`
		} `json:"base"`
		Head struct {
			SHA  string    `json:"sha"`
			Repo *headRepo `json:"repo"`
		} `json:"head"`
	} `json:"pull_request"`
	WorkflowRun *struct {
		HeadSHA string `json:"head_sha"`
	} `json:"workflow_run"`
}

// eventFrom reads the payload of event name from the file at path
// (GITHUB_EVENT_PATH). Without a path there is none, which only a pull
// request event cannot do without; every error names the variable, and a
// payload's error the file, line and column and the field.
func eventFrom(name, path string) (event, error) {
	var ev event
	pr := strings.HasPrefix(name, "pull_request")
	if path == "" {
		if pr {
			return ev, fmt.Errorf("GITHUB_EVENT_NAME=%s needs the event's payload, and GITHUB_EVENT_PATH is not set", name)
		}
		return ev, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return ev, fmt.Errorf("GITHUB_EVENT_PATH: reading the event's payload: %w", err)
	}
	if err := json.Unmarshal(data, &ev); err != nil {
		return ev, fmt.Errorf("GITHUB_EVENT_PATH: %s:%w", path, jsonpos.Locate(data, err, 0, &ev))
	}
	if pr {
		switch p := ev.PullRequest; {
		case p == nil:
			return ev, fmt.Errorf("GITHUB_EVENT_PATH: %s: the payload of a %s event has no pull_request", path, name)
		case p.Number < 1:
			return ev, fmt.Errorf("GITHUB_EVENT_PATH: %s: pull_request.number: want the pull request's number, got %d", path, p.Number)
		case p.Base.SHA == "":
			return ev, fmt.Errorf("GITHUB_EVENT_PATH: %s: pull_request.base.sha: want the base commit, got none", path)
		}
	}
	return ev, nil
}

// settings are what the tests of a run writing into out are told: the
// policy and SLA files judge their baseline.Check as they judge the
// report.
func (c *Config) settings(out string) gotest.Settings {
	// Each run is a go test process of its own: the report pools them.
	s := gotest.Settings{Out: out, Pooled: true}
	if c.Judge != nil {
		s.PolicyFile, s.SLAFile = c.Judge.PolicyFile, c.Judge.SLAFile
	}
	if c.Shard != nil {
		s.Shard, s.StartAt = c.Shard.String(), c.StartAt
	}
	return s
}

// Marker is the hidden HTML comment that identifies the action's comment of
// one workflow job (and matrix entry, see CommentKey), so that two jobs
// keep two comments and each push updates its job's comment in place.
func (c *Config) Marker() string {
	job := c.GitHub.Job
	if c.CommentKey != "" {
		job += " [" + c.CommentKey + "]"
	}
	return Marker(c.GitHub.Workflow, job)
}

// maxCommentKey bounds the comment-key input, which goes into the marker
// and the comment's heading.
const maxCommentKey = 200

// The marker of a comment is markerOpen, the workflow and job, markerClose:
// one HTML comment on one line.
const (
	markerOpen  = "<!-- loadgate-action: "
	markerClose = " -->"
)

// Marker returns the marker of the comment of a workflow's job.
func Marker(workflow, job string) string {
	clean := strings.NewReplacer("--", "-", ">", "", "\n", " ").Replace
	return markerOpen + clean(workflow) + " / " + clean(job) + markerClose
}
