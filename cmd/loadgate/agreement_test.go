package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/fixture"
	"github.com/loadgate/loadgate/internal/verdict"
	"github.com/loadgate/loadgate/loadtest"
)

// checkTB records what baseline.Check reports.
type checkTB struct{ errors, logs []string }

func (c *checkTB) Errorf(format string, args ...any) {
	c.errors = append(c.errors, fmt.Sprintf(format, args...))
}
func (c *checkTB) Logf(format string, args ...any) {
	c.logs = append(c.logs, fmt.Sprintf(format, args...))
}

var _ baseline.TB = (*checkTB)(nil)

// TestCompareAgreesWithCheck: loadgate compare, given the baseline file
// and the results a test compared, reaches the verdict baseline.Check
// reached in the test, with the same SLA (TestBaselineCheckout gives
// Check "error_rate < 1%"); and comparing the results the baseline was
// recorded from reaches it too.
func TestCompareAgreesWithCheck(t *testing.T) {
	for _, head := range []string{"same", "slow"} {
		t.Run(head, func(t *testing.T) {
			set, err := readInputs("testdata/results/" + head)
			if err != nil {
				t.Fatal(err)
			}
			var check *baseline.Comparison
			tb := &checkTB{}
			for _, k := range set.keys() {
				for _, r := range set.Results[k] {
					check = baseline.Check(tb, r.Result, baseline.WithDir("testdata/baselines"), baseline.WithUpdate(false),
						baseline.WithRuns(len(set.Results[k])), baseline.WithSLA("error_rate < 1%"))
				}
			}
			if check == nil {
				t.Fatalf("baseline.Check compared nothing: %v %v", tb.errors, tb.logs)
			}
			if failed := len(tb.errors) > 0; failed != (check.Verdict == baseline.Fail) {
				t.Errorf("baseline.Check: verdict %v but reported errors %v", check.Verdict, tb.errors)
			}
			for _, base := range []string{"testdata/baselines", "testdata/results/base"} {
				r := loadgate(t.Context(), "compare", "-format", "json", "-sla", "testdata/agreement.sla", base, "testdata/results/"+head)
				rep, err := compareFiles(base, "testdata/results/"+head, mustJudge(t, "testdata/agreement.sla"))
				if err != nil {
					t.Fatal(err)
				}
				if got := rep.verdict(); got != check.Verdict {
					t.Errorf("loadgate compare %s %s: %v, baseline.Check: %v", base, head, got, check.Verdict)
				}
				wantCode := map[baseline.Verdict]int{baseline.Fail: exitFailed, baseline.Inconclusive: verdict.ExitInconclusive}[check.Verdict]
				if r.code != wantCode {
					t.Errorf("loadgate compare %s %s: exit status %d, want %d", base, head, r.code, wantCode)
				}
				t.Logf("%s vs %s: baseline.Check %v, loadgate compare %v (exit %d)", base, head, check.Verdict, rep.verdict(), r.code)
			}
		})
	}
}

func mustJudge(t *testing.T, sla string) *baseline.Judge {
	t.Helper()
	j, err := (&policyFlags{slaPath: sla}).load("compare")
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// agreementWant is the verdict every path must reach on each case, and
// the exit status of the commands (loadgate compare, run and action).
var agreementWant = map[string]struct {
	verdict string
	exit    int
}{
	"pass":        {"pass", exitOK},
	"warn":        {"warn", exitOK},
	"fail":        {"fail", exitFailed},
	"envmismatch": {"warn", exitOK}, // the policy file says env_mismatch_warns
	"sla":         {"fail", exitFailed},
	"leak":        {"fail", exitFailed},
	"failedtest":  {"fail", exitFailed},
	"unreadable":  {"fail", exitUsage},
	"boundbase":   {"pass", exitOK},
	"bound":       {"inconclusive", verdict.ExitInconclusive},
}

// pathVerdict is what one path said of a case.
type pathVerdict struct {
	path    string
	verdict string
	exit    int               // -1: no exit status (baseline.Check in a test)
	cells   map[string]string // metric → change cell, where the path shows the table
}

// TestAgreement is issue 12's cross-path check: the same recorded runs
// (testdata/agreement: pass, warn, fail, a baseline of another machine, an
// SLA breach, a leak, a failed test, an unreadable baseline), with the same
// policy and SLA files, judged through baseline.Check in a test, loadgate
// compare, loadgate run and the Action give the same verdict per scenario,
// the same exit status, and byte-identical change cells.
//
// One exception is by design: loadgate compare judges result files, and a
// failed test is not in them, so on the failed-test case it judges only
// what the files hold (pass) — the other three see go test's outcome.
func TestAgreement(t *testing.T) {
	policy, err := filepath.Abs(filepath.Join(agreementDir, "policy.json"))
	if err != nil {
		t.Fatal(err)
	}
	sla, _ := filepath.Abs(filepath.Join(agreementDir, "sla.txt"))
	var summary strings.Builder
	fmt.Fprintf(&summary, "%-12s %-16s %-16s %-16s %-16s\n", "case", "baseline.Check", "loadgate compare", "loadgate run", "the Action")
	for _, c := range agreementCases {
		t.Run(c.name, func(t *testing.T) {
			paths := []pathVerdict{
				agreeCheck(t, c, policy, sla),
				agreeCompare(t, c, policy, sla),
				agreeRun(t, c, policy, sla),
				agreeAction(t, c, policy, sla),
			}
			want := agreementWant[c.name]
			line := fmt.Sprintf("%-12s", c.name)
			for _, p := range paths {
				wantVerdict := want.verdict
				if c.name == "failedtest" && p.path == "loadgate compare" {
					wantVerdict = "pass"
				}
				if p.verdict != wantVerdict {
					t.Errorf("%s: verdict %s, want %s", p.path, p.verdict, wantVerdict)
				}
				wantExit := want.exit
				if wantVerdict == "pass" || wantVerdict == "inconclusive" && p.path == "the Action" {
					// The Action's fail-on: regression (its default) fails
					// the step on regressions only.
					wantExit = exitOK
				}
				if p.exit >= 0 && p.exit != wantExit {
					t.Errorf("%s: exit status %d, want %d", p.path, p.exit, wantExit)
				}
				cell := p.verdict
				if p.exit >= 0 {
					cell += fmt.Sprintf(" (exit %d)", p.exit)
				}
				line += fmt.Sprintf(" %-16s", cell)
			}
			summary.WriteString(line + "\n")
			// The cells: every path that shows a case's table shows the
			// change of each metric alike, as baseline.Check logs it.
			ref := paths[0].cells
			if c.name != "unreadable" && len(ref) == 0 {
				t.Fatalf("baseline.Check showed no table")
			}
			for _, p := range paths[1:] {
				if p.cells == nil {
					continue // this path shows no table for this case
				}
				if len(p.cells) < len(ref) {
					t.Errorf("%s shows %d change cells, baseline.Check %d", p.path, len(p.cells), len(ref))
				}
				for metric, want := range ref {
					if got, ok := p.cells[metric]; !ok || got != want {
						t.Errorf("%s: %s change %q, baseline.Check's %q", p.path, metric, got, want)
					}
				}
			}
		})
	}
	t.Logf("verdicts:\n%s", summary.String())
}

// agreeCheck runs baseline.Check over the head's runs as a load test
// would (-count 5), with the policy and SLA that loadgate run and the
// Action hand the tests (LOADGATE_POLICY, LOADGATE_SLA). The test fails
// when Check reports an error, or when go test said the test failed (a
// leak makes loadtest.Run fail it).
func agreeCheck(t *testing.T, c agreementCase, policy, sla string) pathVerdict {
	t.Setenv(baseline.EnvPolicy, policy)
	t.Setenv(baseline.EnvSLA, sla)
	tb := &checkTB{}
	var cmp *baseline.Comparison
	files := resultFiles(t, filepath.Join(c.dir(), "head"))
	for _, f := range files {
		r, err := loadtest.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if got := baseline.Check(tb, r, baseline.WithDir(filepath.Join(c.dir(), "baselines")), baseline.WithUpdate(false), baseline.WithRuns(len(files))); got != nil {
			cmp = got
		}
	}
	p := pathVerdict{path: "baseline.Check", verdict: "pass", exit: -1, cells: map[string]string{}}
	if cmp != nil {
		p.verdict = cmp.Verdict.String()
		p.cells = textCells(cmp.String())
	}
	if len(tb.errors) > 0 || len(c.failRuns) > 0 {
		p.verdict = "fail"
	}
	return p
}

// agreeCompare runs loadgate compare on the stored baseline and the
// head's results.
func agreeCompare(t *testing.T, c agreementCase, policy, sla string) pathVerdict {
	args := []string{"compare", "-policy", policy, "-sla", sla, filepath.Join(c.dir(), "baselines"), filepath.Join(c.dir(), "head")}
	js := loadgate(t.Context(), append([]string{args[0], "-format", "json"}, args[1:]...)...)
	p := pathVerdict{path: "loadgate compare", exit: js.code}
	if js.code == exitUsage {
		if !strings.Contains(js.stderr, c.name+".json") {
			t.Errorf("loadgate compare on an unreadable baseline: the error does not name the file:\n%s", js.stderr)
		}
		p.verdict = "fail"
		return p
	}
	var doc struct{ Verdict string }
	if err := json.Unmarshal([]byte(js.stdout), &doc); err != nil {
		t.Fatalf("loadgate compare -format json: %v\n%s", err, js.stdout)
	}
	p.verdict = doc.Verdict
	text := loadgate(t.Context(), args...)
	md := loadgate(t.Context(), append([]string{args[0], "-format", "markdown"}, args[1:]...)...)
	p.cells = textCells(text.stdout)
	for m, cell := range markdownCells(md.stdout) {
		if p.cells[m] != cell {
			t.Errorf("loadgate compare: %s change %q in text, %q in Markdown", m, p.cells[m], cell)
		}
	}
	return p
}

// agreeRun runs loadgate run over the head's go test run (replayed).
func agreeRun(t *testing.T, c agreementCase, policy, sla string) pathVerdict {
	fakeRun{events: filepath.Join(c.dir(), "events.jsonl"), results: filepath.Join(c.dir(), "head")}.install(t)
	r := loadgate(t.Context(), "run", "-progress", "off", "-count", "5", "-out", t.TempDir(),
		"-baselines", filepath.Join(c.dir(), "baselines"), "-base", "stored", "-policy", policy, "-sla", sla, "./examples/shop")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	word, _, _ := strings.Cut(lines[len(lines)-1], ":")
	p := pathVerdict{path: "loadgate run", verdict: strings.ToLower(word), exit: r.code}
	if tables := textCells(r.stdout); len(tables) > 0 {
		p.cells = tables // run shows the table of comparisons that did not pass
	}
	if c.name == "unreadable" && !strings.Contains(r.stdout, "ERROR  unreadable: ") {
		t.Errorf("loadgate run on an unreadable baseline does not say so:\n%s", r.stdout)
	}
	return p
}

// agreeAction runs loadgate action over a results directory as the
// Action's pull_request job leaves it (from-results: the workflow_run half
// of the fork-PR pattern), with the policy and sla inputs.
func agreeAction(t *testing.T, c agreementCase, policy, sla string) pathVerdict {
	dir := t.TempDir()
	res := filepath.Join(dir, "results")
	for side, src := range map[string]string{"head": "head", "baselines": "baselines"} {
		for _, f := range resultFiles(t, filepath.Join(c.dir(), src)) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			fixture.WriteFile(t, filepath.Join(res, side, filepath.Base(f)), string(data))
		}
	}
	manifest, err := json.Marshal(map[string]any{"schema": "loadgate.action/v1", "compare": "baseline", "count": 5,
		"packages": []string{"./examples/shop"}, "run": "Load", "working_directory": ".", "tests": c.headStatuses()})
	if err != nil {
		t.Fatal(err)
	}
	fixture.WriteFile(t, filepath.Join(res, "loadgate-action.json"), string(manifest))
	event := filepath.Join(dir, "event.json")
	fixture.WriteFile(t, event, `{"number": 7, "pull_request": {"number": 7, "base": {"sha": "1a2b3c4d"}, "head": {"sha": "9f8e7d6c"}}}`)
	for k, v := range map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_API_URL": "http://127.0.0.1:1", "GITHUB_SERVER_URL": "https://github.com",
		"GITHUB_REPOSITORY": "loadgate/loadgate", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": event,
		"GITHUB_WORKFLOW": "loadgate", "GITHUB_JOB": "load", "GITHUB_RUN_ID": "42", "GITHUB_RUN_ATTEMPT": "1",
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary.md"), "GITHUB_OUTPUT": filepath.Join(dir, "output.txt"),
		"RUNNER_TEMP": dir, "INPUT_FROM_RESULTS": res, "INPUT_RESULTS_DIR": filepath.Join(dir, "out"),
		"INPUT_COMMENT": "false", "INPUT_POLICY": policy, "INPUT_SLA": sla,
	} {
		t.Setenv(k, v)
	}
	r := loadgate(t.Context(), "action")
	p := pathVerdict{path: "the Action", exit: r.code}
	if c.name == "unreadable" {
		if !strings.Contains(r.stdout, "::error::") || !strings.Contains(r.stdout, c.name+".json") {
			t.Errorf("the Action on an unreadable baseline: no error annotation naming the file:\n%s", r.stdout)
		}
		p.verdict = "fail"
		return p
	}
	out, err := os.ReadFile(filepath.Join(dir, "output.txt"))
	if err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	p.verdict = outputValue(string(out), "verdict")
	report, err := os.ReadFile(outputValue(string(out), "report-path"))
	if err != nil {
		t.Fatal(err)
	}
	p.cells = markdownCells(string(report))
	// The comment's headline carries the verdict's icon.
	if head := strings.SplitN(string(report), "\n", 3)[1]; !strings.HasPrefix(head, "## "+cell.Icon(p.verdict)) {
		t.Errorf("the Action: headline %q, want the icon of %s", head, p.verdict)
	}
	return p
}

// outputValue reads a step output from GITHUB_OUTPUT's name<<delimiter
// blocks.
func outputValue(file, name string) string {
	lines := strings.Split(file, "\n")
	for i, l := range lines {
		if n, _, ok := strings.Cut(l, "<<"); ok && n == name && i+1 < len(lines) {
			return lines[i+1]
		}
	}
	return ""
}

var tableSplit = regexp.MustCompile(`\s{2,}`)

// textCells reads the change column of the comparison tables of a text
// rendering (baseline's WriteText): metric → change.
func textCells(text string) map[string]string {
	cells := map[string]string{}
	in := false
	for _, l := range strings.Split(text, "\n") {
		switch {
		case strings.Contains(l, "vs base") && !strings.HasPrefix(l, "|"):
			in = true
		case strings.TrimSpace(l) == "" || strings.HasPrefix(l, "±"):
			in = false
		case in:
			f := tableSplit.Split(strings.TrimSpace(l), -1)
			if len(f) >= 4 {
				cells[f[0]] = f[3]
			}
		}
	}
	return cells
}

// markdownCells reads the change column of Markdown comparison tables
// (baseline's WriteMarkdown, the Action's report): metric → change, bold
// dropped.
func markdownCells(md string) map[string]string {
	cells := map[string]string{}
	for _, l := range strings.Split(md, "\n") {
		f := strings.Split(l, " | ")
		if !strings.HasPrefix(l, "| ") || len(f) < 5 || strings.HasPrefix(f[1], "--") || f[0] == "| metric" {
			continue
		}
		cells[strings.TrimPrefix(f[0], "| ")] = strings.Trim(f[3], "*")
	}
	return cells
}
