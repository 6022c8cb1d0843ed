package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/gotest"
	"github.com/loadgate/loadgate/internal/verdict"
	"github.com/loadgate/loadgate/internal/version"
	"github.com/loadgate/loadgate/loadtest"
)

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// tinyRepo makes a git repository with a module whose load test lives in
// sub/, a base commit and a head commit on top of it.
func tinyRepo(t *testing.T) (root, baseSHA, headSHA string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	root = t.TempDir()
	git(t, root, "init", "-q", "-b", "main")
	writeFile(t, filepath.Join(root, "go.mod"), "module example.com/tiny\n\ngo 1.26\n")
	writeFile(t, filepath.Join(root, "sub/speed.txt"), "base\n")
	writeFile(t, filepath.Join(root, "sub/tiny.go"), "package sub\n")
	writeFile(t, filepath.Join(root, "sub/tiny_test.go"), "package sub\n\nimport \"testing\"\n\n// TestLoadTiny is here.\nfunc TestLoadTiny(t *testing.T) {}\n\nfunc Testify() {}\n")
	git(t, root, "add", "-A")
	git(t, root, "commit", "-q", "-m", "base")
	baseSHA = git(t, root, "rev-parse", "HEAD")
	writeFile(t, filepath.Join(root, "sub/speed.txt"), "head\n")
	git(t, root, "commit", "-q", "-am", "head")
	headSHA = git(t, root, "rev-parse", "HEAD")
	return root, baseSHA, headSHA
}

// TestGoTestInterleaves runs base and head alternately, the base in a
// worktree of the merge base, and leaves no worktree behind.
func TestGoTestInterleaves(t *testing.T) {
	root, baseSHA, headSHA := tinyRepo(t)
	calls := filepath.Join(t.TempDir(), "calls")
	fakeGo(t, calls)
	g := &GoTest{}
	dir := t.TempDir()
	cfg := &Config{Packages: []string{"./..."}, Run: "Load", Count: 3, WorkingDirectory: filepath.Join(root, "sub"),
		Compare: CompareBaseRef, GitHub: GitHub{BaseSHA: baseSHA, HeadSHA: headSHA, PR: 7, Owner: "o", Repo: "r"}}
	if err := g.Run(t.Context(), cfg, dir); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(calls)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"base:base", "head:head", "base:base", "head:head", "base:base", "head:head"}
	if calls := strings.Fields(string(data)); !slices.Equal(calls, want) {
		t.Errorf("runs %q, want %q", calls, want)
	}
	if wts := git(t, root, "worktree", "list"); strings.Count(wts, "\n") != 0 {
		t.Errorf("worktrees left behind:\n%s", wts)
	}
	res, err := ReadResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := res.Manifest
	if len(res.Base) != 3 || len(res.Head) != 3 {
		t.Errorf("%d base and %d head results, want 3 each", len(res.Base), len(res.Head))
	}
	if m.BaseSHA != baseSHA || m.HeadSHA != headSHA || m.PR != 7 || m.Repository != "o/r" || m.WorkingDirectory != "sub" {
		t.Errorf("manifest %+v", m)
	}
	if p := m.Positions["example.com/tiny/sub.TestLoadTiny"]; p != (Position{File: "sub/tiny_test.go", Line: 6}) {
		t.Errorf("position %v, want sub/tiny_test.go:6 (Testify is not a test)", p)
	}
	if _, ok := m.Positions["example.com/tiny/sub.Testify"]; ok {
		t.Errorf("Testify is not a test function")
	}
	failed := slices.IndexFunc(m.Tests, func(s TestStatus) bool { return s.Action == "fail" })
	if failed < 0 || m.Tests[failed].Side != "head" || m.Tests[failed].Run != 2 || !strings.Contains(m.Tests[failed].Output, "tiny_test.go:6: slow") {
		t.Errorf("tests %+v, want head run 2 failed with its output", m.Tests)
	}
	if !strings.Contains(m.Reproduce, "cd sub && ") || !strings.Contains(m.Reproduce, " run -base "+baseSHA+" -run ") {
		t.Errorf("reproduce:\n%s", m.Reproduce)
	}
}

func TestGoTestNeedsBase(t *testing.T) {
	root, _, _ := tinyRepo(t)
	cfg := &Config{Packages: []string{"./..."}, Run: "Load", Count: 1, WorkingDirectory: root, Compare: CompareBaseRef,
		GitHub: GitHub{EventName: "push"}}
	err := (&GoTest{}).Run(t.Context(), cfg, t.TempDir())
	if err == nil || !strings.Contains(err.Error(), `compare: base-ref needs the pull request's base commit, and the "push" event has none`) {
		t.Errorf("err = %v", err)
	}
}

// TestGoTestNoSuchPackage: a packages input that names no package is bad
// input, naming the input, before any test runs, as loadgate run refuses
// such packages with exit status 2 (was: "running the load tests: …",
// exit status 1).
func TestGoTestNoSuchPackage(t *testing.T) {
	root, _, _ := tinyRepo(t)
	cfg := &Config{Packages: []string{"./nonexistent"}, Run: "Load", Count: 1, WorkingDirectory: root, Compare: CompareBaseline}
	err := (&GoTest{}).Run(t.Context(), cfg, t.TempDir())
	if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), "input packages: package ./nonexistent: ") {
		t.Errorf("err = %v; want ErrBadInput naming the packages input and the package", err)
	}
}

// TestGoTestNoGo: a job without a go command could not run the tests,
// which is no fault of its packages input (was: ErrBadInput, "input
// packages: go list: …", exit status 2).
func TestGoTestNoGo(t *testing.T) {
	root, _, _ := tinyRepo(t)
	prev := gotest.Command
	gotest.Command = filepath.Join(t.TempDir(), "no-go")
	t.Cleanup(func() { gotest.Command = prev })
	cfg := &Config{Packages: []string{"./..."}, Run: "Load", Count: 1, WorkingDirectory: root, Compare: CompareBaseline}
	err := (&GoTest{}).Run(t.Context(), cfg, t.TempDir())
	if err == nil || errors.Is(err, ErrBadInput) || !gotest.NotStarted(err) {
		t.Errorf("err = %v; want the go command's start failure, not ErrBadInput", err)
	}
}

// TestGoTestRefusedFlags: a go-test-flags input that go test or the test
// binary refuses is bad input naming the input, as loadgate run says of
// its flags after -- (exit status 2) (was: go test's refusal was "running
// the load tests" (exit status 4) and the test binary's a failed package,
// a verdict fail that failed the check as a regression would, or passed
// it with fail-on: never).
func TestGoTestRefusedFlags(t *testing.T) {
	root, _, _ := tinyRepo(t)
	for _, tt := range []struct{ flags, want string }{
		{"-timeout=abc", `input go-test-flags: "-timeout=abc": go test refused its arguments: invalid value "abc" for flag -timeout`},
		{"-tags", `input go-test-flags: "-tags": go test refused its arguments: flag needs an argument: -tags`},
		{"-bogus", `input go-test-flags: "-bogus": the test binary of example.com/tiny/sub refused its arguments: flag provided but not defined: -bogus`},
		{"-args -foo", `input go-test-flags: "-args -foo": the test binary of example.com/tiny/sub refused its arguments: flag provided but not defined: -foo`},
		{"-p=0", `input go-test-flags: "-p=0": go test refused its arguments: go: -p must be a positive integer: 0`},
		{"-parallel=0", `input go-test-flags: "-parallel=0": the test binary of example.com/tiny/sub refused its arguments: testing: -parallel can only be given a positive integer`},
	} {
		t.Run(tt.flags, func(t *testing.T) {
			cfg := &Config{Packages: []string{"./..."}, Run: "Load", Count: 1, WorkingDirectory: root, Compare: CompareBaseline,
				TestFlags: strings.Fields(tt.flags)}
			err := (&GoTest{}).Run(t.Context(), cfg, t.TempDir())
			if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v; want ErrBadInput and %s", err, tt.want)
			}
		})
	}
}

// TestGoTestExample runs a real load test of the example shop once.
func TestGoTestExample(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a load test")
	}
	dir := t.TempDir()
	cfg := &Config{Packages: []string{"./examples/shop"}, Run: "^TestBaselineCheckout$", Count: 1,
		WorkingDirectory: "../../..", Compare: CompareBaseline}
	var log strings.Builder
	if err := (&GoTest{Log: &log}).Run(t.Context(), cfg, dir); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	res, err := ReadResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Head) != 1 || res.Head[0].Test != "TestBaselineCheckout" || res.Head[0].Requests == 0 {
		t.Fatalf("head results %d: %+v", len(res.Head), res.Head)
	}
	if p := res.Manifest.Positions[shopPkg+".TestBaselineCheckout"]; p.File != "examples/shop/baseline_test.go" || p.Line == 0 {
		t.Errorf("position %v", p)
	}
	if len(res.Manifest.Tests) != 1 || res.Manifest.Tests[0].Action != "pass" {
		t.Errorf("tests %+v\n%s", res.Manifest.Tests, log.String())
	}
}

// envFakeGo makes the test binary a fake go command (see TestMain): its
// value is the file that records the calls of go test.
const envFakeGo = "LOADGATE_ACTION_FAKE_GO"

// fakeGo makes internal/gotest run the test binary as go for the test.
func fakeGo(t *testing.T, calls string) {
	t.Helper()
	t.Setenv(envFakeGo, calls)
	prev := gotest.Command
	gotest.Command = os.Args[0]
	t.Cleanup(func() { gotest.Command = prev })
}

func TestMain(m *testing.M) {
	if calls := os.Getenv(envFakeGo); calls != "" {
		if err := runFakeGo(calls, os.Args[1:]); err != nil {
			fmt.Fprintln(os.Stderr, "fake go:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runFakeGo plays go for TestGoTestInterleaves: go list names the package
// in the working directory; go test records "side:speed" (the side from
// LOADGATE_OUT, the speed from speed.txt, base or head), writes a result
// and the events of a passing test, or of a failing one on head's second
// run.
func runFakeGo(calls string, args []string) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	if args[0] == "list" {
		return json.NewEncoder(os.Stdout).Encode(gotest.ListedPackage{ImportPath: "example.com/tiny/sub", Dir: wd})
	}
	if want := []string{"test", "-json", "-p", "1", "-count=1", "-run", "Load", "./..."}; !slices.Equal(args, want) {
		return fmt.Errorf("args %q, want %q", args, want)
	}
	speed, err := os.ReadFile(filepath.Join(wd, "speed.txt"))
	if err != nil {
		return err
	}
	out := os.Getenv(loadtest.EnvOut)
	side := filepath.Base(out)
	f, err := os.OpenFile(calls, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(f, "%s:%s\n", side, strings.TrimSpace(string(speed)))
	f.Close()
	data, _ := os.ReadFile(calls)
	n := strings.Count(string(data), "\n")
	r := fake{scenario: "tiny", test: "TestLoadTiny", p50: 1, p99: 2}.result(n)
	r.Package = "example.com/tiny/sub"
	if _, err := loadtest.WriteFile(out, r); err != nil {
		return err
	}
	action := "pass"
	if side == "head" && n == 4 {
		action = "fail"
	}
	for _, e := range []gotest.Event{
		{Action: "run", Package: r.Package, Test: "TestLoadTiny"},
		{Action: "output", Package: r.Package, Test: "TestLoadTiny", Output: "    tiny_test.go:6: slow\n"},
		{Action: action, Package: r.Package, Test: "TestLoadTiny"},
		{Action: action, Package: r.Package},
	} {
		b, _ := json.Marshal(e)
		fmt.Printf("%s\n", b)
	}
	return nil
}

// TestGoTestAddsRunsOnlyWhileNeeded: with the default count (auto), the
// runs stop at the first look (5 a side) when every scenario is settled
// there (issue 13), and the manifest says so.
func TestGoTestAddsRunsOnlyWhileNeeded(t *testing.T) {
	root, baseSHA, headSHA := tinyRepo(t)
	calls := filepath.Join(t.TempDir(), "calls")
	fakeGo(t, calls)
	dir := t.TempDir()
	cfg := &Config{Packages: []string{"./..."}, Run: "Load", Count: 12, Adaptive: true, WorkingDirectory: filepath.Join(root, "sub"),
		Compare: CompareBaseRef, Judge: &baseline.Judge{}, GitHub: GitHub{BaseSHA: baseSHA, HeadSHA: headSHA, PR: 7, Owner: "o", Repo: "r"}}
	if err := (&GoTest{}).Run(t.Context(), cfg, dir); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(calls)
	if n := len(strings.Fields(string(data))); n != 10 {
		t.Errorf("%d go test runs, want 10 (5 a side, settled at the first look)", n)
	}
	res, err := ReadResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	if res.Manifest.Looks != 3 || !slices.ContainsFunc(res.Manifest.Notes, func(n string) bool { return strings.Contains(n, "settled after 5 runs a side (look 1 of 3)") }) {
		t.Errorf("manifest: looks %d, notes %q", res.Manifest.Looks, res.Manifest.Notes)
	}
}

// TestGoTestRerunsBaselineCommit checks compare: auto outside a pull
// request: the commit the stored baselines were recorded at runs again,
// interleaved with the head, and the stored numbers are used only when
// that commit cannot be had.
func TestGoTestRerunsBaselineCommit(t *testing.T) {
	for _, tt := range []struct {
		name      string
		commit    func(baseSHA string) string
		wantCalls []string
		wantNote  string
	}{
		{"the commit is here", func(baseSHA string) string { return baseSHA },
			[]string{"base:base", "head:head", "base:base", "head:head"}, ""},
		{"the commit is not", func(string) string { return "0123456789abcdef0123456789abcdef01234567" },
			[]string{"head:head", "head:head"}, "the commit the stored baselines were recorded at, 0123456789ab, could not be fetched"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root, baseSHA, headSHA := tinyRepo(t)
			data, err := os.ReadFile("../../../testdata/agreement/pass/baselines/pass.json")
			if err != nil {
				t.Fatal(err)
			}
			var b map[string]any
			if err := json.Unmarshal(data, &b); err != nil {
				t.Fatal(err)
			}
			b["commit"] = tt.commit(baseSHA)
			data, _ = json.Marshal(b)
			writeFile(t, filepath.Join(root, "sub", "testdata", "loadgate", "pass.json"), string(data))
			calls := filepath.Join(t.TempDir(), "calls")
			fakeGo(t, calls)
			dir := t.TempDir()
			cfg := &Config{Packages: []string{"./..."}, Run: "Load", Count: 2, WorkingDirectory: filepath.Join(root, "sub"),
				Compare: CompareBaseline, RerunBaselineCommit: true, GitHub: GitHub{EventName: "push", HeadSHA: headSHA}}
			if err := (&GoTest{}).Run(t.Context(), cfg, dir); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(calls)
			if c := strings.Fields(string(got)); !slices.Equal(c, tt.wantCalls) {
				t.Errorf("runs %q, want %q", c, tt.wantCalls)
			}
			res, err := ReadResults(dir)
			if err != nil {
				t.Fatal(err)
			}
			m := res.Manifest
			if tt.wantNote == "" {
				if m.Compare != CompareBaseRef || m.BaseSHA != baseSHA || m.BaseFrom == "" {
					t.Errorf("manifest compare %q, base %q (%q); want base-ref, %s", m.Compare, m.BaseSHA, m.BaseFrom, baseSHA)
				}
				return
			}
			if m.Compare != CompareBaseline || !strings.Contains(strings.Join(m.Notes, "\n"), tt.wantNote) {
				t.Errorf("manifest compare %q, notes %q; want baseline and %q", m.Compare, m.Notes, tt.wantNote)
			}
		})
	}
}

// TestReproduceJudges: the script judges as the action did, with its sla
// and policy files (relative to the working directory, where it runs
// loadgate) and its base: without them a laptop gave another verdict.
func TestReproduceJudges(t *testing.T) {
	cfg := &Config{Compare: CompareBaseRef, Run: "Load", Packages: []string{"./svc"}, Count: 5, WorkingDirectory: ".",
		SLAFile: "load test.sla", PolicyFile: "policy.json", TestFlags: []string{"-timeout", "20m"}}
	m := &Manifest{Compare: CompareBaseRef, BaseSHA: "1a2b3c4d5e6f708192a3b4c5d6e7f80912345678", WorkingDirectory: "api"}
	want := "cd api && go run github.com/loadgate/loadgate/cmd/loadgate run -base 1a2b3c4d5e6f708192a3b4c5d6e7f80912345678 -run Load -count 5 -sla 'load test.sla' -policy policy.json ./svc -- -timeout 20m\n"
	if got := reproduce(cfg, m); !strings.HasSuffix(got, want) {
		t.Errorf("reproduce:\n%s\nwant it to end with\n%s", got, want)
	}
	m.Compare, m.BaseSHA = CompareBaseline, ""
	if got := reproduce(cfg, m); !strings.Contains(got, " run -run Load -count 5 -sla 'load test.sla' -policy policy.json ./svc") {
		t.Errorf("reproduce against stored baselines:\n%s", got)
	}
	// A sharded run's merge job judges the merged result with its own
	// files.
	m.Shard, m.Packages, m.WorkingDirectory = &ShardManifest{Count: 3}, []string{"./svc"}, "api"
	cfg.WorkingDirectory = "api"
	cfg.GitHub.Workspace, _ = os.Getwd() // api is in the repository's root
	r := &Report{Manifest: *m, Scenarios: []*Scenario{{Scenario: &verdict.Scenario{Comparison: &baseline.Comparison{}}}}}
	if got := reproduceJudgement(cfg, r); got != "cd api && go run github.com/loadgate/loadgate/cmd/loadgate compare -sla 'load test.sla' -policy policy.json ./svc/testdata/loadgate \"$out/merged\"\n" {
		t.Errorf("the judgement of a sharded run:\n%s", got)
	}
}

// TestReproduceInheritedJudge: a job that names its SLA or policy only
// through LOADGATE_SLA or LOADGATE_POLICY (absolute on the runner) gets a
// script that passes the same files, relative to where loadgate runs; a
// file outside the checkout is named in a comment, not dropped silently
// (the script judged without it and could give another verdict).
func TestReproduceInheritedJudge(t *testing.T) {
	ws := t.TempDir()
	cfg := &Config{Run: "Load", Packages: []string{"./..."}, Count: 5, WorkingDirectory: filepath.Join(ws, "api"),
		GitHub: GitHub{Workspace: ws},
		Judge:  &baseline.Judge{SLAFile: filepath.Join(ws, "ci", "load.sla"), PolicyFile: filepath.Join(ws, "api", "policy.json")}}
	m := &Manifest{Compare: CompareBaseline, WorkingDirectory: "api"}
	got := reproduce(cfg, m)
	if want := " run -run Load -count 5 -sla ../ci/load.sla -policy policy.json ./...\n"; !strings.HasSuffix(got, want) {
		t.Errorf("reproduce:\n%s\nwant it to end with\n%s", got, want)
	}
	cfg.Judge.SLAFile = "/etc/loadgate/load.sla"
	got = reproduce(cfg, m)
	if want := "# the action judged by LOADGATE_SLA=/etc/loadgate/load.sla, outside the repository: add -sla with your copy of it\n"; !strings.HasPrefix(got, want) {
		t.Errorf("reproduce:\n%s\nwant it to start with\n%s", got, want)
	}
	if !strings.HasSuffix(got, " run -run Load -count 5 -policy policy.json ./...\n") {
		t.Errorf("reproduce without the SLA outside the checkout:\n%s", got)
	}
}

// TestReproduceVersion: the comment's script runs loadgate in a user's
// module at the version that ran (go run …@v0.1.0, which needs no go.sum
// entries there), and the checkout's own command in loadgate's module
// (issue 19).
func TestReproduceVersion(t *testing.T) {
	user := t.TempDir()
	writeFile(t, filepath.Join(user, "go.mod"), "module example.com/yourservice // a comment\n\ngo 1.26\n")
	writeFile(t, filepath.Join(user, "svc", "svc.go"), "package svc\n")
	tests := []struct {
		name    string
		dir     string
		version string
		compare CompareMode
		want    string
	}{
		{"a user's module", user, "v0.1.0", CompareBaseRef,
			"go run github.com/loadgate/loadgate/cmd/loadgate@v0.1.0 run -base 1a2b3c4d5e6f708192a3b4c5d6e7f80912345678 -run Load -count 5 ./...\n"},
		{"a package of a user's module", filepath.Join(user, "svc"), "v0.1.0", CompareBaseline,
			"go run github.com/loadgate/loadgate/cmd/loadgate@v0.1.0 run -run Load -count 5 ./...\n"},
		{"a user's module, a build from a checkout", user, "(devel)", CompareBaseRef,
			"go run github.com/loadgate/loadgate/cmd/loadgate@latest run -base"},
		{"loadgate's own module", ".", "v0.1.0", CompareBaseRef,
			"go run github.com/loadgate/loadgate/cmd/loadgate run -base"},
		// A bare go run of the command in a user's module failed:
		// missing go.sum entry for github.com/sethvargo/go-githubactions.
		{"a user's sharded run: the merge", user, "v0.1.0", CompareBaseline,
			"\ngo run github.com/loadgate/loadgate/cmd/loadgate@v0.1.0 merge -out \"$out/merged\""},
		{"a user's sharded run: the comparison", user, "v0.1.0", CompareBaseline,
			"go run github.com/loadgate/loadgate/cmd/loadgate@v0.1.0 compare ./svc/testdata/loadgate \"$out/merged\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func(f func() version.Info) { buildVersion = f }(buildVersion)
			buildVersion = func() version.Info { return version.Info{Version: tt.version} }
			cfg := &Config{Compare: tt.compare, Run: "Load", Packages: []string{"./..."}, Count: 5, WorkingDirectory: tt.dir}
			m := &Manifest{Compare: tt.compare, BaseSHA: "1a2b3c4d5e6f708192a3b4c5d6e7f80912345678", WorkingDirectory: "."}
			if strings.Contains(tt.name, "sharded") {
				cfg.Packages, cfg.Count, m.Shard = []string{"./svc"}, 1, &ShardManifest{Index: 1, Count: 3}
			}
			got := reproduce(cfg, m)
			if strings.Contains(tt.name, "comparison") {
				m.Packages, m.Shard.Index = cfg.Packages, 0
				got += reproduceJudgement(cfg, &Report{Manifest: *m, Scenarios: []*Scenario{{Scenario: &verdict.Scenario{Comparison: &baseline.Comparison{}}}}})
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("reproduce lacks %q:\n%s", tt.want, got)
			}
		})
	}
}
