package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sethvargo/go-githubactions"

	"github.com/loadgate/loadgate/action/internal/github"
	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/atomicfile"
	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/merge"
	"github.com/loadgate/loadgate/internal/verdict"
)

// Deps are what [Run] works with besides its config: tests replace each.
type Deps struct {
	// Action reads the environment and writes workflow commands, outputs
	// and the job summary; it is required.
	Action *githubactions.Action
	// Runner runs the load tests; unused with from-results.
	Runner Runner
	// Client talks to the GitHub API; nil means a [github.Client] for the
	// context's API URL and the github-token input.
	Client *github.Client
	// HTTP is the client a default Client uses; nil means its default.
	HTTP *http.Client
}

// Outcome is what a run of the action did.
type Outcome struct {
	Report      *Report
	Verdict     baseline.Verdict
	Regressions int
	// ReportPath is the Markdown report (the report-path output);
	// ResultsDir the results (the results-dir output); HTMLReportPath the
	// HTML report in it (the html-report-path output), "" when there is
	// none.
	ReportPath     string
	ResultsDir     string
	HTMLReportPath string
	// Comment is the comment created or updated, if any.
	Comment        *github.Comment
	CommentCreated bool
	// CommentSkipped says why there is no comment, when there is none.
	CommentSkipped string
}

// ErrCheckFailed is what a [*CheckError] matches with errors.Is.
var ErrCheckFailed = errors.New("loadgate check failed")

// ErrBadInput marks input the verdict cannot rest on: a bad input value,
// or a result or baseline file that cannot be read (the error names it).
var ErrBadInput = errors.New("bad input")

// CheckError fails the step: the verdict met the fail-on input.
type CheckError struct {
	FailOn  FailOn
	Verdict baseline.Verdict
	Reasons []string
}

func (e *CheckError) Error() string {
	return fmt.Sprintf("the check failed (verdict %s, fail-on %s): %s", e.Verdict, e.FailOn, strings.Join(e.Reasons, "; "))
}

func (e *CheckError) Is(target error) bool { return target == ErrCheckFailed }

// Run is the action: it runs the load tests (or reads the results of an
// earlier run), judges them, writes the report to a file and the job
// summary, sets the outputs, annotates the failing tests, posts or
// updates the pull request's comment, and returns a [*CheckError] when
// fail-on says the check fails. Other errors mean the action could not do
// its work. A 403 on commenting (the read-only token of a fork's PR) is
// not an error: a notice explains it.
func Run(ctx context.Context, cfg *Config, deps Deps) (*Outcome, error) {
	gha := deps.Action
	if cfg.Token != "" {
		gha.AddMask(cfg.Token)
	}
	out := &Outcome{}

	var dir string
	if len(cfg.FromResults) > 0 {
		d, err := fromResults(cfg, gha)
		if err != nil {
			return nil, err
		}
		dir = d
	} else {
		// ConfigFrom checked the directory; what still goes wrong here
		// (a parent that is a file, no permission) is the input's fault
		// too, as loadgate run's -out is.
		dir = cfg.ResultsDir
		if err := clearResults(dir); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadInput, err)
		}
		if deps.Runner == nil {
			return nil, errors.New("action: no runner")
		}
		if cfg.Shard != nil {
			gha.Infof("%s", shardStartNote(cfg, time.Now()))
		}
		if err := deps.Runner.Run(ctx, cfg, dir); errors.Is(err, ErrBadInput) {
			return nil, err // it names the input
		} else if err != nil {
			return nil, fmt.Errorf("running the load tests: %w", err)
		}
	}
	out.ResultsDir = dir
	gha.SetOutput("results-dir", dir)

	res, err := ReadResults(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadInput, err)
	}
	if cfg.Shard != nil {
		return out, shardJob(cfg, gha, res, out)
	}
	r, err := Analyze(res, cfg.Judge)
	if err != nil {
		return nil, err // annotated by the caller, as every error of Run
	}
	if sh := res.Manifest.Shard; sh != nil && sh.Index == 0 && r.Manifest.Reproduce != "" {
		// The shard jobs' script runs and merges the shards; this job
		// judged the merged result, with its files.
		r.Manifest.Reproduce += reproduceJudgement(cfg, r)
	}
	r.Marker, r.Key = cfg.Marker(), cfg.CommentKey
	r.ServerURL = cfg.GitHub.ServerURL
	if cfg.GitHub.Owner != "" {
		r.Repository = cfg.GitHub.Owner + "/" + cfg.GitHub.Repo
	}
	r.SummaryURL = cfg.GitHub.RunURL()
	if len(cfg.FromResults) > 0 {
		// Commenting for the job that ran the tests: its comment, its
		// summary.
		trustManifest(cfg, gha, res.Manifest, r)
	}
	out.Report, out.Verdict, out.Regressions = r, r.Verdict, r.Regressions

	// The tests' annotations first: GitHub shows the first 10 of a kind
	// in a step, and the action's own warnings, which come after them,
	// have room left (reservedAnnotations).
	for _, a := range r.Annotations() {
		fields := map[string]string{"title": a.Title}
		if a.File != "" {
			fields["file"] = a.File
			fields["line"] = strconv.Itoa(a.Line)
		}
		if a.Level == "error" {
			gha.WithFieldsMap(fields).Errorf("%s", a.Message)
		} else {
			gha.WithFieldsMap(fields).Warningf("%s", a.Message)
		}
	}
	if cfg.Run == DefaultConfig.Run && cfg.Shard == nil {
		// Every load test ran: a section that matched none names none.
		for _, w := range verdict.UnmatchedSLA(cfg.Judge, r.Run.Scenarios) {
			gha.Warningf("loadgate: %s", w)
		}
	}

	// The full report, whatever its size, for the report output.
	reportDir := cfg.ResultsDir
	if err := os.MkdirAll(reportDir, 0o755); err != nil {
		return nil, err
	}
	out.ReportPath = filepath.Join(reportDir, "report.md")
	// The HTML report goes into the results directory, so that the
	// workflow's upload of it carries the report too.
	if path, err := writeHTML(reportDir, r, res); err != nil {
		gha.Warningf("loadgate: the HTML report could not be written: %v", err)
	} else if path != "" {
		out.HTMLReportPath, r.HTMLReport = path, path
		r.ArtifactsURL = r.SummaryURL
		gha.SetOutput("html-report-path", path)
		gha.Infof("loadgate: HTML report %s", path)
	}
	full := r.Markdown(Full)
	if err := atomicfile.WriteData(out.ReportPath, []byte(full)); err != nil {
		return nil, err
	}
	logReport(gha, "loadgate report", full)

	r.SummaryShortened = true // until the full report is written there
	if gha.Getenv("GITHUB_STEP_SUMMARY") != "" {
		if level, err := WriteSummary(gha, r); err != nil {
			gha.Warningf("loadgate: %v", err)
		} else if level != Full {
			gha.Warningf("loadgate: the job summary is shortened (%s) to stay under 1 MiB; the full report is %s", level, out.ReportPath)
		} else {
			r.SummaryShortened = false
		}
	}
	gha.SetOutput("verdict", r.Verdict.String())
	gha.SetOutput("judged", strconv.FormatBool(r.Run.Judged()))
	gha.SetOutput("regressions", strconv.Itoa(r.Regressions))
	gha.SetOutput("report-path", out.ReportPath)

	// The verdict and the check's decision in the log before the comment,
	// whose failure (an API error after its retries) ends the step: the
	// log must still say what the load tests found.
	word := r.Verdict.String()
	if !r.Run.Judged() {
		// The output stays pass (action.yml), but the log does not call
		// a run nothing judged a pass, as no other output does.
		word += ", " + verdict.NotJudgedWhy
	}
	gha.Infof("loadgate: verdict %s, %s", word, cell.Plural(r.Regressions, "regression"))
	var checkErr error
	if fail, reasons := failing(r, cfg.FailOn); fail {
		checkErr = &CheckError{FailOn: cfg.FailOn, Verdict: r.Verdict, Reasons: reasons}
		// In the log too: a runner shows the step's stderr less plainly,
		// and the annotations are the failing tests'.
		gha.Infof("loadgate: %v", checkErr)
	}
	if err := comment(ctx, cfg, deps, res, r, out); err != nil {
		return out, err
	}
	if checkErr != nil {
		return out, checkErr
	}
	return out, nil
}

// trustManifest gives r the marker, comment key and run link that the
// job that ran the tests wrote into its manifest, each only in the shape
// that job writes. That job ran the pull request's code, which can write
// its manifest: a marker that is the start of anyone's comment ("Thanks")
// would have this job, with its write token, overwrite that comment, and
// a link anywhere would be the comment's link to its job summary. Others
// are left for this job's own, with a warning.
func trustManifest(cfg *Config, gha *githubactions.Action, m Manifest, r *Report) {
	// A workflow_run job comments from results a run of the pull
	// request's code wrote: their reproduce script is that run's words,
	// not the action's.
	r.ScriptFromPR = cfg.GitHub.EventName == "workflow_run"
	if m.Marker != "" {
		if markerShape(m.Marker) {
			r.Marker, r.Key = m.Marker, ""
			if k := m.CommentKey; k != "" && len(k) <= maxCommentKey && strings.HasSuffix(m.Marker, " ["+k+"] -->") {
				r.Key = k
			}
		} else {
			gha.Warningf("loadgate: the results' comment marker %q is not one the action writes: commenting under this job's, %s", m.Marker, r.Marker)
		}
	}
	if m.RunURL != "" {
		if runURLShape(cfg.GitHub, m.RunURL) {
			r.SummaryURL = m.RunURL
		} else {
			gha.Warningf("loadgate: the results' run link %q is not a run of %s/%s: linking this run's", m.RunURL, cfg.GitHub.Owner, cfg.GitHub.Repo)
		}
	}
	if m.Shard == nil && cfg.Judge != nil {
		// A shard job judges nothing, so its results name no files.
		for _, f := range []struct{ input, path, digest string }{
			{InputSLA, cfg.Judge.SLAFile, m.SLADigest},
			{InputPolicy, cfg.Judge.PolicyFile, m.PolicyDigest},
		} {
			if fileDigest(f.path) == f.digest {
				continue
			}
			var note string
			switch {
			case f.path == "":
				note = fmt.Sprintf("judged with no %s file, while the run that tested the pull request had one: its check may say otherwise", f.input)
			case f.digest == "":
				note = fmt.Sprintf("judged with this workflow's %s file %s, while the run that tested the pull request had none: its check may say otherwise", f.input, filepath.Base(f.path))
			default:
				note = fmt.Sprintf("judged with this workflow's %s file %s, not the pull request's own, which differs: the check of the run that tested it may say otherwise", f.input, filepath.Base(f.path))
			}
			r.Notes = append(r.Notes, note)
			gha.Warningf("loadgate: %s", note)
		}
	}
}

// fileDigest identifies the contents of the file at path: "sha256:" and
// their SHA-256 in hex; "" for no path, or a file that cannot be read.
func fileDigest(path string) string {
	if path == "" {
		return ""
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// markerShape tells whether marker has the shape [Marker] gives: one
// HTML comment on one line, of a bounded length.
func markerShape(marker string) bool {
	inner, open := strings.CutPrefix(marker, markerOpen)
	inner, closed := strings.CutSuffix(inner, markerClose)
	return open && closed && len(marker) <= 1024 && !strings.ContainsAny(inner, ">\r\n")
}

// runURLShape tells whether u is the page of a run of this repository, as
// [GitHub.RunURL] writes it.
func runURLShape(g GitHub, u string) bool {
	if g.Owner == "" {
		return false
	}
	rest, ok := strings.CutPrefix(u, fmt.Sprintf("%s/%s/%s/actions/runs/", strings.TrimSuffix(g.ServerURL, "/"), g.Owner, g.Repo))
	if !ok {
		return false
	}
	run, attempt, hasAttempt := strings.Cut(rest, "/attempts/")
	digits := func(s string) bool {
		return s != "" && strings.Trim(s, "0123456789") == ""
	}
	return digits(run) && (!hasAttempt || digits(attempt))
}

// fromResults returns the results directory to judge for the
// from-results input: the one directory given, or a new one in
// ResultsDir where the results of the shard jobs given are merged. A
// merge that is refused fails the step with the merge's reasons, in the
// job summary too.
func fromResults(cfg *Config, gha *githubactions.Action) (string, error) {
	dirs, err := resultDirs(cfg.FromResults)
	if err != nil {
		return "", fmt.Errorf("%w: input %s: %w", ErrBadInput, InputFromResults, err)
	}
	ok, err := sharded(dirs)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrBadInput, err)
	}
	if !ok {
		return dirs[0], nil
	}
	out := cfg.ResultsDir
	if err := clearResults(out); err != nil {
		return "", err
	}
	m, err := MergeShards(dirs, out, merge.Options{Partial: cfg.Partial, PartialHint: PartialInput})
	if err != nil {
		if gha.Getenv("GITHUB_STEP_SUMMARY") != "" {
			gha.AddStepSummary(fmt.Sprintf("## ❌ loadgate: the shards' results cannot be merged\n\n%s\n", fence("text", err.Error())))
		}
		return "", fmt.Errorf("%w: merging the shards' results: %w", ErrBadInput, err)
	}
	gha.Infof("loadgate: merged the results of %s of %d into %s", cell.Plural(len(m.Shard.Merged), "shard job"), m.Shard.Count, out)
	return out, nil
}

// shardJob ends the run of a shard job: no verdict and no comment (its
// result is a slice of the load), but a job summary saying which shard it
// ran and what it measured, and a warning for each failed test. It fails
// only when no test wrote a result or reported a failure.
func shardJob(cfg *Config, gha *githubactions.Action, res *Results, out *Outcome) error {
	failures, _ := failuresOf(res.Manifest)
	sortFailures(failures)
	if len(res.Head) == 0 && len(failures) == 0 {
		return fmt.Errorf("%w: no test matching -run %q in %s wrote one (does it call loadtest.Run?)",
			ErrNoResults, res.Manifest.Run, strings.Join(res.Manifest.Packages, " "))
	}
	md := shardMarkdown(cfg, res, failures)
	out.ReportPath = filepath.Join(cfg.ResultsDir, "report.md")
	if err := atomicfile.WriteData(out.ReportPath, []byte(md)); err != nil {
		return err
	}
	gha.SetOutput("report-path", out.ReportPath)
	logReport(gha, "loadgate shard report", md)
	if gha.Getenv("GITHUB_STEP_SUMMARY") != "" {
		func() {
			// AddStepSummary panics when it cannot write the file.
			defer func() {
				if p := recover(); p != nil {
					gha.Warningf("loadgate: job summary: %v", p)
				}
			}()
			gha.AddStepSummary(md)
		}()
	}
	r := &Report{Manifest: res.Manifest}
	for _, f := range failures {
		gha.Warningf("loadgate: %s; the job that merges the shards reports it", strings.ReplaceAll(r.failureText(f), "`", ""))
	}
	out.CommentSkipped = "a shard job: the merge job comments"
	gha.Infof("loadgate: shard %s done; no verdict here: the job that merges the shards' results judges them", cfg.Shard)
	return nil
}

// logReport prints a report to the log in a collapsed group, with
// workflow commands stopped around it. The report quotes what tests
// printed, names scenarios and notes: a line of it that reads
// "::error::…", "::add-mask::…" or "::stop-commands::…" would otherwise
// be a command to the runner, an annotation the action did not make or
// the end of its own commands, and in the workflow_run job that comments
// from a fork's results, the fork's words in a job with a write token.
// The token that resumes them is random, so the text cannot know it.
func logReport(gha *githubactions.Action, title, md string) {
	gha.Group(title)
	token := stopToken()
	gha.IssueCommand(&githubactions.Command{Name: "stop-commands", Message: token})
	gha.Infof("%s", md)
	gha.IssueCommand(&githubactions.Command{Name: token})
	gha.EndGroup()
}

// stopToken is a token for ::stop-commands::, which the runner resumes
// at a line "::token::".
func stopToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return "loadgate-" + hex.EncodeToString(b)
}

// clearResults empties the results directory of an earlier run, and
// marks the directory as the action's before anything is written in it
// (startedFile). A directory that holds anything else is left alone:
// results-dir may have been set to a directory of the repository by
// mistake.
func clearResults(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist) || (err == nil && len(entries) == 0):
	case err != nil:
		return err
	case !actionResults(dir):
		return fmt.Errorf("input %s: %s is not empty and holds no %s: not removing it", InputResultsDir, dir, ManifestFile)
	default:
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("input %s: %w", InputResultsDir, err)
	}
	if err := os.WriteFile(filepath.Join(dir, startedFile), nil, 0o644); err != nil {
		return fmt.Errorf("input %s: %w", InputResultsDir, err)
	}
	return nil
}

// startedFile marks a results directory that a run of the action began to
// write: one that failed or was killed before it wrote its manifest is
// still the action's to replace when the job runs the action again.
// Hidden, so that readers of results skip it.
const startedFile = ".loadgate-action-started"

// actionResults reports whether dir holds the results of an earlier run
// of the action, finished (its manifest) or not (startedFile).
func actionResults(dir string) bool {
	for _, name := range []string{ManifestFile, startedFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}

// comment posts or updates the sticky comment, as cfg says.
func comment(ctx context.Context, cfg *Config, deps Deps, res *Results, r *Report, out *Outcome) error {
	gha := deps.Action
	skip := func(why string) error {
		out.CommentSkipped = why
		gha.Infof("loadgate: no comment: %s", why)
		return nil
	}
	if cfg.Comment == CommentNever {
		return skip("comment: false")
	}
	pr := cfg.GitHub.PR
	if len(cfg.FromResults) > 0 {
		pr = res.Manifest.PR
	}
	if pr == 0 {
		return skip("not a pull request")
	}
	if cfg.Token == "" {
		gha.Warningf("loadgate: no github-token: cannot comment on pull request #%d", pr)
		return skip("no token")
	}
	c := deps.Client
	if c == nil {
		c = &github.Client{BaseURL: cfg.GitHub.APIURL, Token: cfg.Token, HTTP: deps.HTTP}
	}
	owner, repo := cfg.GitHub.Owner, cfg.GitHub.Repo

	// One comment holds the verdict of the pull request's head: a run of
	// a commit the pull request has moved on from (a push while it ran,
	// more runs, a re-run) leaves it to the newer run's.
	tested, fromFork := cfg.GitHub.HeadSHA, false
	if cfg.GitHub.EventName == "workflow_run" {
		tested = ""
		if len(cfg.FromResults) > 0 {
			// The results come from a run of code the PR's author
			// controls; the PR number in them is only trusted when it
			// names the pull request whose head the triggering run tested.
			want := cfg.GitHub.WorkflowRunHeadSHA
			if want != "" && res.Manifest.PRHeadSHA != want {
				gha.Warningf("loadgate: the results are of commit %s, the triggering run tested %s: not commenting", cell.Commit(res.Manifest.PRHeadSHA), cell.Commit(want))
				return skip("results of another commit")
			}
			tested, fromFork = res.Manifest.PRHeadSHA, true
		}
	}
	if tested != "" || fromFork {
		p, err := c.GetPullRequest(ctx, owner, repo, pr)
		switch {
		case err != nil && fromFork:
			return fmt.Errorf("checking pull request #%d: %w", pr, err)
		case err != nil:
			gha.Warningf("loadgate: could not check that pull request #%d is still at %s (%v): commenting", pr, cell.Commit(tested), err)
		case p.Head.SHA != tested && (fromFork || p.Head.SHA != ""):
			gha.Noticef("loadgate: pull request #%d is now at %s, the load ran on %s: not commenting (the comment is the newer run's)", pr, cell.Commit(p.Head.SHA), cell.Commit(tested))
			return skip("pull request moved on")
		}
	}

	body, level := r.Fit(MaxCommentChars, Chars)
	if level != Full {
		gha.Infof("loadgate: the comment is shortened (%s) to fit %d characters", level, MaxCommentChars)
	}
	mayCreate := cfg.Comment != CommentOnChange || r.Changed()
	// Only the token's own comment is the sticky one: anyone may post a
	// comment starting with the marker, and edit it later.
	author, err := c.Login(ctx)
	if err != nil {
		author = github.ActionsBot
		gha.Warningf("loadgate: could not learn the token's login (%v): updating only a comment by %s", err, author)
	}
	cm, created, err := github.Upsert(ctx, c, owner, repo, pr, author, r.Marker, body, mayCreate)
	switch {
	case github.IsForbidden(err) && (!cfg.GitHub.FromFork || cfg.GitHub.EventName == "pull_request_target") && cfg.GitHub.EventName != "workflow_run":
		// Not a fork's read-only token (pull_request_target gives a
		// fork's pull request the base's token): the workflow did not
		// grant it.
		gha.Warningf("loadgate could not comment on pull request #%d: the token may not write to pull requests (%v). "+
			"Give the job `permissions: pull-requests: write` (a workflow that lists permissions grants only those): "+
			"the report is in the job summary.", pr, err)
		return skip("token without pull-requests: write")
	case github.IsForbidden(err):
		gha.Noticef("loadgate could not comment on pull request #%d: the token is read-only (%v). "+
			"Pull requests from forks get a read-only GITHUB_TOKEN: the report is in the job summary, "+
			"and the README shows how a workflow_run job can comment from the uploaded results.", pr, err)
		return skip("read-only token")
	case err != nil:
		return fmt.Errorf("commenting on pull request #%d: %w", pr, err)
	case cm.ID == 0:
		return skip("on-change: nothing changed, and no earlier comment to update")
	}
	out.Comment, out.CommentCreated = &cm, created
	verb := "updated"
	if created {
		verb = "created"
	}
	gha.Infof("loadgate: comment %d %s on pull request #%d %s", cm.ID, verb, pr, cm.HTMLURL)
	return nil
}

// failing applies fail-on to the report.
func failing(r *Report, f FailOn) (bool, []string) {
	var reasons []string
	add := func(s string) { reasons = append(reasons, strings.ReplaceAll(s, "`", "")) }
	for _, fl := range r.Failures {
		if len(fl.Scenarios) == 0 {
			add(r.failureText(fl))
		}
	}
	slaOrTests := len(r.Failures) > 0
	for _, s := range r.Scenarios {
		if len(baseline.SLABreaches(s.SLA)) > 0 || s.LeakRuns > 0 || s.TestFailed {
			slaOrTests = true
		}
		switch {
		case s.Verdict == baseline.Fail:
			add(s.gist())
		case s.Verdict == baseline.Warn && f == FailOnWarn:
			add(s.gist())
		}
	}
	switch f {
	case FailOnNever:
		return false, nil
	case FailOnSLA:
		return slaOrTests, reasons
	case FailOnWarn:
		return r.Verdict >= baseline.Warn, reasons
	}
	return r.Verdict == baseline.Fail, reasons
}
