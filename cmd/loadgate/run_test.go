package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/internal/golden"
	"github.com/loadgate/loadgate/internal/gotest"
	"github.com/loadgate/loadgate/internal/verdict"
)

// TestGolden runs commands that need no go test and compares everything
// they write, and their exit status, with testdata/<name>.golden.
func TestGolden(t *testing.T) {
	const (
		base     = "testdata/results/base"
		same     = "testdata/results/same"
		slow     = "testdata/results/slow"
		baseline = "testdata/baselines"
		examples = "../../testdata/gotest/examples"
	)
	tests := []struct {
		name string
		give []string
	}{
		// Usage: each command's -h, with an example.
		{"usage", []string{"-h"}},
		{"usage_none", nil},
		{"usage_unknown", []string{"frobnicate"}},
		{"usage_run", []string{"run", "-h"}},
		{"usage_compare", []string{"compare", "-h"}},
		{"usage_report", []string{"report", "-h"}},
		{"usage_baseline", []string{"baseline", "-h"}},
		{"usage_baseline_update", []string{"baseline", "update", "-h"}},
		{"usage_baseline_show", []string{"baseline", "show", "-h"}},
		{"usage_export", []string{"export", "-h"}},
		{"usage_version", []string{"version", "-h"}},
		{"usage_help_run", []string{"help", "run"}},

		// compare: verdicts, formats and exit statuses.
		{"compare_regression", []string{"compare", base, slow}},
		{"compare_regression_md", []string{"compare", "-format", "markdown", base, slow}},
		{"compare_regression_json", []string{"compare", "-format", "json", base, slow}},
		{"compare_baseline_same", []string{"compare", baseline, same}},
		{"compare_baseline_slow", []string{"compare", baseline + "/checkout_at_150_per_second.json", slow}},
		{"compare_flags_after", []string{"compare", baseline, same, "-format", "markdown"}},
		{"compare_sla", []string{"compare", "-sla", "testdata/sla.txt", baseline, same}},
		{"compare_policy", []string{"compare", "-policy", "testdata/policy.json", base, slow}},

		// compare: bad usage and bad input, each a clear error.
		{"compare_one_arg", []string{"compare", base}},
		{"compare_bad_format", []string{"compare", "-format", "xml", base, slow}},
		{"compare_missing", []string{"compare", base, "testdata/results/nope"}},
		{"compare_empty_dir", []string{"compare", base, "testdata/empty"}},
		{"compare_truncated", []string{"compare", base, "testdata/broken/truncated.json"}},
		{"compare_other_schema", []string{"compare", base, "testdata/broken/other.json"}},
		{"compare_no_schema", []string{"compare", base, "testdata/broken/noschema.json"}},
		{"compare_bad_type", []string{"compare", base, "testdata/broken/badtype.json"}},
		{"compare_nothing_shared", []string{"compare", base, examples}},
		{"compare_both_kinds", []string{"compare", baseline, "testdata/mixed"}},
		{"compare_bad_policy", []string{"compare", "-policy", "testdata/badpolicy.json", base, slow}},
		{"compare_bad_sla", []string{"compare", "-sla", "testdata/badsla.txt", base, slow}},
		{"compare_unknown_flag", []string{"compare", "-alpha", "0.1", base, slow}},

		// baseline show.
		{"baseline_show", []string{"baseline", "show", baseline}},
		{"baseline_show_search", []string{"baseline", "show", "testdata/pkg"}},
		{"baseline_show_none", []string{"baseline", "show", "testdata/empty"}},
		{"baseline_no_subcommand", []string{"baseline"}},
		{"baseline_bad_subcommand", []string{"baseline", "record"}},

		// export.
		{"export_bench_base", []string{"export", "-format", "bench", base}},
		{"export_bench_slow", []string{"export", "-format", "bench", slow}},
		{"export_bench_baseline", []string{"export", "-format", "bench", baseline}},
		{"export_prometheus", []string{"export", "-format", "prometheus", examples}},
		{"export_no_format", []string{"export", base}},
		{"export_bad_format", []string{"export", "-format", "csv", base}},
		{"export_push_bench", []string{"export", "-format", "bench", "-push", "http://127.0.0.1:9091", base}},
		{"export_bad_push", []string{"export", "-format", "prometheus", "-push", "ftp://x", base}},
		{"export_prometheus_baseline", []string{"export", "-format", "prometheus", baseline}},
		{"export_no_results", []string{"export", "-format", "bench"}},

		// version.
		{"version", []string{"version"}},
		{"version_args", []string{"version", "now"}},
	}
	restore := readBuildInfo
	readBuildInfo = func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.1.0"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "25b6ca6b97f0e2d3c4b5a6978899aabbccddeeff"}, {Key: "vcs.modified", Value: "true"}}}, true
	}
	t.Cleanup(func() { readBuildInfo = restore })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := loadgate(context.Background(), tt.give...)
			golden.Check(t, tt.name+".golden", []byte(platform.apply(r.String())))
		})
	}
}

// platform hides what depends on the machine that runs the tests.
var platform = normalizer{{` (linux|darwin|freebsd|openbsd|netbsd|windows)/(amd64|arm64|386|arm|riscv64|ppc64le|s390x)\n`, " GOOS/GOARCH\n"}}

// TestExitStatus checks the statuses the issue promises: 0 passed, 1 a
// regression, 2 bad usage or input.
func TestExitStatus(t *testing.T) {
	tests := []struct {
		name string
		give []string
		want int
	}{
		{"too noisy to judge", []string{"compare", "testdata/baselines", "testdata/results/same"}, verdict.ExitInconclusive},
		{"regression", []string{"compare", "testdata/results/base", "testdata/results/slow"}, exitFailed},
		{"bad flag", []string{"compare", "-format", "yaml", "a", "b"}, exitUsage},
		{"bad input", []string{"compare", "testdata/broken", "testdata/results/slow"}, exitUsage},
		{"help", []string{"export", "-h"}, exitOK},
		{"no command", nil, exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := loadgate(context.Background(), tt.give...); got.code != tt.want {
				t.Errorf("loadgate %s: exit status %d, want %d\n%s", strings.Join(tt.give, " "), got.code, tt.want, got)
			}
		})
	}
}

// TestExitStatusTrouble: loadgate that cannot finish for a reason that
// says nothing of the code exits 4, not 1: a comparison whose output
// could not be written, a Pushgateway that refused the connection, read
// by a CI job as a regression before.
func TestExitStatusTrouble(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close() // nothing listens there now: the push is refused at once
	tests := []struct {
		name   string
		give   []string
		stdout io.Writer
	}{
		{"output fails", []string{"compare", "-format", "json", "testdata/results/base", "testdata/results/slow"}, failingWriter{}},
		{"push refused", []string{"export", "-format", "prometheus", "-push", closed, "testdata/results/base"}, io.Discard},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			err := run(t.Context(), tt.give, tt.stdout, &stderr)
			if code := exitStatus(err, &stderr); code != exitTrouble {
				t.Errorf("loadgate %s: exit status %d, want %d\n%s", strings.Join(tt.give, " "), code, exitTrouble, stderr.String())
			}
		})
	}
}

// TestRunNoGo: without a go command to run, loadgate run and baseline
// update exit 4, as when go test would not start; they said "bad usage"
// (exit 2, "run 'loadgate run -h' for usage") of the go list they could
// not start.
func TestRunNoGo(t *testing.T) {
	prev := gotest.Command
	gotest.Command = filepath.Join(t.TempDir(), "no-go")
	t.Cleanup(func() { gotest.Command = prev })
	for _, give := range [][]string{{"run"}, {"baseline", "update"}} {
		r := loadgate(t.Context(), append(give, "-out", t.TempDir(), "./examples/shop")...)
		if r.code != exitTrouble || !strings.Contains(r.stderr, "no-go") || strings.Contains(r.stderr, "for usage") {
			t.Errorf("loadgate %s without go: exit status %d, stderr:\n%s\nwant status %d naming the command, and no usage hint", strings.Join(give, " "), r.code, r.stderr, exitTrouble)
		}
	}
}

// failingWriter fails every write, as a full disk does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestActionOutsideActions: loadgate action outside a GitHub Actions job
// refuses at once, with exit status 2, rather than running the load tests
// and failing to set its outputs.
func TestActionOutsideActions(t *testing.T) {
	t.Setenv("GITHUB_OUTPUT", "")
	r := loadgate(t.Context(), "action")
	if r.code != exitUsage || !strings.Contains(r.stderr, "runs as a step of a GitHub Actions job") {
		t.Errorf("exit status %d, stderr %q; want 2 and why", r.code, r.stderr)
	}
}

// TestCompareUnmatchedSLA: a section of the SLA file that matches no
// scenario compared (a typo in its header) is warned of, naming the file
// and line, rather than left unchecked in silence.
func TestCompareUnmatchedSLA(t *testing.T) {
	sla := filepath.Join(t.TempDir(), "sla.txt")
	if err := os.WriteFile(sla, []byte("error_rate < 1%\n[checkout at 150 per secnd]\np99 < 1ms\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := loadgate(t.Context(), "compare", "-sla", sla, "testdata/baselines", "testdata/results/same")
	want := "loadgate compare: warning: " + sla + ":2: section [checkout at 150 per secnd] matches no scenario of this run (checkout at 150 per second): its limits were not checked"
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
	}
}

// TestReportPathChecked: an HTML report path that cannot be written is bad
// usage (exit status 2), named as given, and found before any work.
func TestReportPathChecked(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plain")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "-o", dir, "testdata/results/same"}, "loadgate report: -o " + dir + " is a directory: name the HTML file to write"},
		{[]string{"run", "-report", dir, "./examples/shop"}, "loadgate run: -report " + dir + " is a directory: name the HTML file to write"},
		// A directory not made yet: it was made, the load ran, and the
		// report failed at the end, "rename …/.report-….html …/: file
		// exists".
		{[]string{"report", "-o", filepath.Join(dir, "new") + "/", "testdata/results/same"}, "loadgate report: -o " + filepath.Join(dir, "new") + "/ names a directory: name the HTML file to write"},
		{[]string{"run", "-report", filepath.Join(dir, "new") + "/", "./examples/shop"}, "loadgate run: -report " + filepath.Join(dir, "new") + "/ names a directory: name the HTML file to write"},
		{[]string{"report", "-o", filepath.Join(file, "sub", "r.html"), "testdata/results/same"}, "loadgate report: -o " + filepath.Join(file, "sub", "r.html") + ": " + file + " is a file, not a directory"},
	} {
		r := loadgate(t.Context(), tt.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: exit status %d, stderr %q; want 2 and %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "new")); err == nil {
		t.Error("the check made the directory the report was named after")
	}
	// A report that fails on its input leaves no directory behind: the
	// check made -o's directories before the results were read.
	r := loadgate(t.Context(), "report", "-o", filepath.Join(dir, "made", "r.html"), "testdata/broken")
	if r.code == 0 {
		t.Fatalf("report of testdata/broken passed: %s", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "made")); err == nil {
		t.Error("a report that failed left the directory it would have been written in")
	}
	// The directories are made when the report is written.
	if r := loadgate(t.Context(), "report", "-o", filepath.Join(dir, "made", "r.html"), "testdata/results/same"); r.code != 0 {
		t.Errorf("report into a new directory: exit status %d: %s", r.code, r.stderr)
	} else if _, err := os.Stat(filepath.Join(dir, "made", "r.html")); err != nil {
		t.Error(err)
	}
}

// TestBadLoadgateEnv: a bad LOADGATE_* variable that the tests would read
// is bad usage (exit status 2), named with the same message by loadgate run
// and the Action, before go test builds anything, rather than a failure of
// every test. A flag that sets the variable for the tests wins over it.
func TestBadLoadgateEnv(t *testing.T) {
	tests := []struct {
		name, give, value string
		flags             []string // of run, which override the variable
		want              string   // "" for none
	}{
		{name: "scale", give: "LOADGATE_SCALE", value: "abc", want: `LOADGATE_SCALE="abc": want a positive number`},
		{name: "rate-scale", give: "LOADGATE_RATE_SCALE", value: "abc", want: `LOADGATE_RATE_SCALE="abc": want a positive number`},
		{name: "profile", give: "LOADGATE_PROFILE", value: "bogus", want: `LOADGATE_PROFILE="bogus": unknown profile "bogus"`},
		{name: "flight", give: "LOADGATE_FLIGHT", value: "maybe", want: `LOADGATE_FLIGHT="maybe": want 1 or 0`},
		{name: "shard", give: "LOADGATE_SHARD", value: "5/2", want: `LOADGATE_SHARD="5/2": the shard must be from 1 to 2`},
		{name: "start-at", give: "LOADGATE_START_AT", value: "garbage", want: `LOADGATE_START_AT is for sharded runs`},
		{name: "allow-hosts", give: "LOADGATE_ALLOW_HOSTS", value: "%%%", want: `LOADGATE_ALLOW_HOSTS: entry "%%%": want a host name or an IP address`},
		{name: "target", give: "LOADGATE_TARGET", value: "ftp://x", want: `LOADGATE_TARGET="ftp://x": want an absolute http:// or https:// URL`},
		{name: "policy", give: "LOADGATE_POLICY", value: "/nonexistent.json", want: `LOADGATE_POLICY=/nonexistent.json: open /nonexistent.json: no such file`},
		{name: "sla", give: "LOADGATE_SLA", value: "/nonexistent.sla", want: `LOADGATE_SLA=/nonexistent.sla: open /nonexistent.sla: no such file`},
		{name: "relative sla", give: "LOADGATE_SLA", value: "load.sla", want: `LOADGATE_SLA=load.sla: want an absolute path`},
		{name: "flag wins", give: "LOADGATE_RATE_SCALE", value: "abc", flags: []string{"-rate-scale", "0.5"}},
		{name: "sla flag wins", give: "LOADGATE_SLA", value: "load.sla", flags: []string{"-sla", "testdata/sla.txt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := fakeRun{events: "../../testdata/gotest/baseline_pass.jsonl", results: "testdata/results/same"}.install(t)
			t.Setenv(tt.give, tt.value)
			args := append([]string{"run", "-progress", "off", "-count", "1", "-out", t.TempDir()}, tt.flags...)
			r := loadgate(t.Context(), append(args, "./examples/shop")...)
			ran, _ := os.ReadFile(log)
			if tt.want == "" {
				if r.code == exitUsage || !strings.Contains(string(ran), "go test") {
					t.Fatalf("exit status %d, stderr %q; want go test to run", r.code, r.stderr)
				}
				return
			}
			if want := "loadgate run: " + tt.want; r.code != exitUsage || !strings.Contains(r.stderr, want) {
				t.Errorf("run: exit status %d, stderr %q; want 2 and %q", r.code, r.stderr, want)
			}
			t.Setenv("GITHUB_OUTPUT", filepath.Join(t.TempDir(), "output"))
			t.Setenv("GITHUB_EVENT_NAME", "push")
			t.Setenv("GITHUB_EVENT_PATH", "")
			t.Setenv("INPUT_COMMENT", "false")
			t.Setenv("INPUT_COMPARE", "baseline")
			r = loadgate(t.Context(), "action")
			if want := "loadgate action: bad input: " + tt.want; r.code != exitUsage || !strings.Contains(r.stderr, want) {
				t.Errorf("action: exit status %d, stderr %q; want 2 and %q", r.code, r.stderr, want)
			}
			noGoTestRan(t, log)
		})
	}
}

// TestRunNoResultsNoDir: a run in which no test wrote a result leaves no
// empty temporary directory behind, and its verdict does not name one.
func TestRunNoResultsNoDir(t *testing.T) {
	fakeRun{events: "../../testdata/gotest/none.jsonl"}.install(t)
	t.Setenv("TMPDIR", t.TempDir())
	r := loadgate(t.Context(), "run", "-progress", "off", "./examples/shop")
	if strings.Contains(r.stdout, "; results in ") {
		t.Errorf("the verdict names a results directory:\n%s", r.stdout)
	}
	if left, _ := filepath.Glob(filepath.Join(os.Getenv("TMPDIR"), "loadgate-*")); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// TestRunJudgesByInheritedFiles: loadgate run judges by the absolute
// LOADGATE_POLICY and LOADGATE_SLA its tests' baseline.Check read, so that
// the two agree; -policy and -sla win over them.
func TestRunJudgesByInheritedFiles(t *testing.T) {
	policy, err := filepath.Abs("testdata/policy.json")
	if err != nil {
		t.Fatal(err)
	}
	sla, err := filepath.Abs("testdata/sla.txt")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("LOADGATE_POLICY", policy)
	t.Setenv("LOADGATE_SLA", sla)
	pf := policyFlags{toTests: true}
	j, err := pf.load("run")
	if err != nil || j.PolicyFile != policy || j.SLAFile != sla || j.SLA == nil {
		t.Fatalf("load() = %+v, %v; want the judge of %s and %s", j, err, policy, sla)
	}
	pf = policyFlags{toTests: true, policyPath: "testdata/badpolicy.json"}
	if _, err := pf.load("run"); err == nil || !strings.Contains(err.Error(), "-policy: ") {
		t.Errorf("with -policy: %v; want the flag's file read and named", err)
	}
	pf = policyFlags{} // compare and report run no tests
	if j, err := pf.load("compare"); err != nil || j.PolicyFile != "" || j.SLAFile != "" {
		t.Errorf("compare: %+v, %v; want no files", j, err)
	}
}
