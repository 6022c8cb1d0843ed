package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/verdict"
	"github.com/loadgate/loadgate/internal/worktree"
	"github.com/loadgate/loadgate/loadtest"
)

// inGit skips the test outside a git checkout (a source archive) and
// returns the commit checked out.
func inGit(t *testing.T) string {
	t.Helper()
	g := worktree.Git{}
	root, _, err := g.Root(t.Context(), ".")
	if err != nil {
		t.Skipf("not in a git checkout: %v", err)
	}
	head, err := g.Resolve(t.Context(), root, "HEAD")
	if err != nil {
		t.Skipf("no HEAD: %v", err)
	}
	return head
}

// TestRunBaseRef checks that -base REF runs base and head in turn, the
// base in a worktree of REF that is removed at the end, and compares the
// head with the base's runs.
func TestRunBaseRef(t *testing.T) {
	head := inGit(t)
	log := fakeRun{events: "../../testdata/gotest/baseline_pass.jsonl", results: "testdata/results/same"}.install(t)
	out := t.TempDir()
	r := loadgate(t.Context(), "run", "-progress", "off", "-count", "2", "-out", out, "-base", "HEAD", "./examples/shop")
	if r.code == exitUsage || r.code == exitFailed {
		// The replayed runs are identical on both sides, but too noisy
		// to settle: INCONCLUSIVE.
		t.Fatalf("exit status %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"compared with " + cell.Commit(head) + " (-base HEAD), base and head run in turn",
		// The fake replays 5 runs a go test: 2 go tests a side.
		"checkout at 150 per second: 10 runs against the 10 of base " + cell.Commit(head),
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the summary does not say %q:\n%s", want, r.stdout)
		}
	}
	data, _ := os.ReadFile(log)
	dirs := regexp.MustCompile(`(?m)^in (.*)$`).FindAllStringSubmatch(string(data), -1)
	if n := strings.Count(string(data), "go test "); n != 4 {
		t.Fatalf("go test ran %d times, want 4 (base, head, base, head):\n%s", n, data)
	}
	wd, _ := os.Getwd()
	wd, _ = filepath.EvalSymlinks(wd)
	var sides []string
	for _, d := range dirs[1:] { // the first is go list's
		dir := d[1]
		if r, err := filepath.EvalSymlinks(dir); err == nil {
			dir = r
		}
		switch {
		case dir == wd:
			sides = append(sides, "head")
		case strings.Contains(dir, "loadgate-base-"):
			sides = append(sides, "base")
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("the base's worktree %s is still there", dir)
			}
		default:
			sides = append(sides, dir)
		}
	}
	if got := strings.Join(sides, " "); got != "base head base head" {
		t.Errorf("go test ran in %s, want base head base head", got)
	}
	for dir, want := range map[string]int{out: 10, filepath.Join(out, "base"): 10} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		if len(files) != want {
			t.Errorf("%s holds %d results, want %d", dir, len(files), want)
		}
	}
}

// TestRunBaseFailed checks that a base that fails to build does not pass
// the head unseen: with no stored baseline the scenario is inconclusive
// and the summary gives go's reason; with one, the stored numbers stand
// in and a note says why.
func TestRunBaseFailed(t *testing.T) {
	head := inGit(t)
	for _, tt := range []struct {
		name, baselines string
		code            int
		want            []string
	}{
		{"no stored baseline", t.TempDir(), verdict.ExitInconclusive, []string{
			"INCONCLUSIVE  checkout at 150 per second: not compared: package github.com/loadgate/loadgate/examples/shop failed on the base " + cell.Commit(head) +
				": load_test.go:12:2: example.com/x@v0.0.0: replacement directory ../loadgate does not exist",
			"INCONCLUSIVE: ",
		}},
		{"a stored baseline", "testdata/baselines", -1, []string{
			"note: checkout at 150 per second compared with its stored baseline: package github.com/loadgate/loadgate/examples/shop failed on the base " + cell.Commit(head) + ": load_test.go:12:2:",
			"checkout at 150 per second: 5 runs against the 5 of ",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fakeRun{events: "../../testdata/gotest/baseline_pass.jsonl", results: "testdata/results/same"}.install(t)
			t.Setenv(envFakeBaseGo, mustAbs(t, "../../testdata/gotest/setup_failed.jsonl"))
			r := loadgate(t.Context(), "run", "-progress", "off", "-count", "1", "-out", t.TempDir(), "-base", "HEAD", "-baselines", tt.baselines, "./examples/shop")
			if tt.code >= 0 && r.code != tt.code || r.code == exitOK {
				t.Errorf("exit status %d, want %d (never 0)", r.code, tt.code)
			}
			for _, want := range tt.want {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("the summary does not say %q:\n%s", want, r.stdout)
				}
			}
		})
	}
}

func mustAbs(t *testing.T, path string) string {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// TestRunBaseAutoMissingCommit checks that a stored baseline whose commit
// the checkout lacks is compared with its numbers, and the summary says
// why and what it risks.
func TestRunBaseAutoMissingCommit(t *testing.T) {
	inGit(t)
	fakeRun{events: "../../testdata/gotest/baseline_pass.jsonl", results: "testdata/results/same"}.install(t)
	// Recorded at 0123456…, which no repository has.
	out := t.TempDir()
	r := loadgate(t.Context(), "run", "-progress", "off", "-count", "5", "-out", out, "-baselines", "../../testdata/agreement/pass/baselines", "./examples/shop")
	want := "note: compared with the stored numbers: the commit they were recorded at, 0123456789ab, is not in this checkout"
	if !strings.Contains(r.stdout, want) {
		t.Errorf("the summary does not say %q:\n%s", want, r.stdout)
	}
	if _, err := os.Stat(filepath.Join(out, "base")); !os.IsNotExist(err) {
		t.Errorf("a base ran: %v", err)
	}
}

func TestRunBaseUsage(t *testing.T) {
	inGit(t)
	log := fakeRun{events: "../../testdata/gotest/baseline_pass.jsonl", results: "testdata/results/same"}.install(t)
	r := loadgate(t.Context(), "run", "-progress", "off", "-out", t.TempDir(), "-base", "no-such-ref-anywhere", "./examples/shop")
	want := "-base no-such-ref-anywhere: no such commit in this repository (want auto, stored or a git ref)"
	if r.code != exitUsage || !strings.Contains(r.stderr, want) {
		t.Errorf("exit status %d, stderr:\n%s\nwant status 2 and %q", r.code, r.stderr, want)
	}
	noGoTestRan(t, log)
}

// TestRunBaseTarget: with -target both sides would load the same service,
// so a base commit is not run: -base REF is refused before any test runs,
// and -base auto compares with the stored numbers, saying why.
func TestRunBaseTarget(t *testing.T) {
	inGit(t)
	log := fakeRun{events: "../../testdata/gotest/baseline_pass.jsonl", results: "testdata/results/same"}.install(t)
	r := loadgate(t.Context(), "run", "-progress", "off", "-out", t.TempDir(), "-base", "HEAD", "-target", "http://127.0.0.1:1", "./examples/shop")
	if want := "-base HEAD with -target (or LOADGATE_TARGET): both sides would load the same service"; r.code != exitUsage || !strings.Contains(r.stderr, want) {
		t.Errorf("exit status %d, stderr:\n%s\nwant status 2 and %q", r.code, r.stderr, want)
	}
	noGoTestRan(t, log)
	out := t.TempDir()
	r = loadgate(t.Context(), "run", "-progress", "off", "-count", "5", "-out", out, "-target", "http://127.0.0.1:1", "-baselines", "testdata/baselines", "./examples/shop")
	if want := "note: compared with the stored numbers: with -target the load goes to the service there"; !strings.Contains(r.stdout, want) {
		t.Errorf("the summary does not say %q:\n%s", want, r.stdout)
	}
	if _, err := os.Stat(filepath.Join(out, "base")); !os.IsNotExist(err) {
		t.Errorf("a base ran: %v", err)
	}
}

// catalogueBaseline stores a baseline of TestLoadCatalogue, recorded at
// commit, in a directory of its own, and returns the directory.
func catalogueBaseline(t *testing.T, commit string) string {
	t.Helper()
	r, err := loadtest.ReadFile("../../testdata/gotest/examples/TestLoadCatalogue.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := baseline.SampleOf(r)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	b := &baseline.Baseline{Schema: baseline.SchemaVersion, Scenario: r.Scenario, Package: r.Package, Test: r.Test,
		UpdateID: "t", Recorded: r.Started, Commit: commit, Env: s.Env, Runs: s.Runs}
	if err := baseline.Save(baseline.Path(dir, r.Scenario), b); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestRunBaseAutoOnlyStored: -base auto runs the commit the stored
// baselines were recorded at, and compares with it the scenarios that have
// a baseline; the others are judged as without one, and get no more runs.
func TestRunBaseAutoOnlyStored(t *testing.T) {
	head := inGit(t)
	log := fakeRun{events: "../../testdata/gotest/examples.jsonl", results: "../../testdata/gotest/examples"}.install(t)
	dir := catalogueBaseline(t, head)
	res := loadgate(t.Context(), "run", "-progress", "off", "-out", t.TempDir(), "-baselines", dir, "./examples/...")
	for _, want := range []string{
		"compared with " + cell.Commit(head) + " (the commit the baselines were recorded at)",
		"TestLoadCatalogue: ",
		"no baseline in " + dir + " for ",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("the summary does not say %q:\n%s", want, res.stdout)
		}
	}
	if strings.Contains(res.stdout, "TestLoadMix: 5 runs against") || strings.Contains(res.stdout, "not run on the base") {
		t.Errorf("TestLoadMix, which has no baseline, was compared with the base:\n%s", res.stdout)
	}
	data, _ := os.ReadFile(log)
	lines := strings.Split(string(data), "\n")
	baseRuns := 0
	for i, l := range lines {
		if strings.HasPrefix(l, "go test ") && strings.Contains(l, "-run ^(") && !strings.Contains(l, "-run ^(TestLoadCatalogue)$") {
			t.Errorf("more runs of another test than the compared one: %s", l)
		}
		// The base runs only the test that has a baseline: it ran all of
		// ./examples/... at the first look, compared with nothing.
		if strings.HasPrefix(l, "go test ") && i+1 < len(lines) && strings.Contains(lines[i+1], "loadgate-base-") {
			baseRuns++
			if !strings.Contains(l, " -run ^(TestLoadCatalogue)$ ") {
				t.Errorf("the base ran more than the test with a baseline: %s", l)
			}
		}
	}
	if baseRuns == 0 {
		t.Errorf("the base never ran:\n%s", data)
	}
}

// TestRunBaseAutoNothingStoredSelected: with -base auto and a baseline
// stored for a test that -run does not select, the base runs nothing: no
// base run would be compared.
func TestRunBaseAutoNothingStoredSelected(t *testing.T) {
	head := inGit(t)
	log := fakeRun{events: "../../testdata/gotest/examples.jsonl", results: "../../testdata/gotest/examples"}.install(t)
	dir := catalogueBaseline(t, head)
	loadgate(t.Context(), "run", "-progress", "off", "-out", t.TempDir(), "-baselines", dir, "-run", "TestLoadMix", "./examples/...")
	data, _ := os.ReadFile(log)
	lines := strings.Split(string(data), "\n")
	headRuns := 0
	for i, l := range lines {
		if !strings.HasPrefix(l, "go test ") || !strings.Contains(l, " -run TestLoadMix ") || i+1 >= len(lines) {
			continue // the fake replays TestLoadCatalogue too, which loadgate adds runs of
		}
		if strings.Contains(lines[i+1], "loadgate-base-") {
			t.Errorf("the base ran -run TestLoadMix, though the test has no baseline:\n%s", data)
		} else {
			headRuns++
		}
	}
	if headRuns != 1 {
		t.Errorf("the head ran -run TestLoadMix %d times, want 1:\n%s", headRuns, data)
	}
}

// TestRunGoTestFlagBeforeDashes: a user wrote loadgate run -timeout 20m
// ./..., as go test takes it, and was told only "flag provided but not
// defined: -timeout"; the error now says to give it after --, with its
// value. A flag that is no go test flag keeps the flag package's words.
func TestRunGoTestFlagBeforeDashes(t *testing.T) {
	inGit(t)
	log := fakeRun{events: "../../testdata/gotest/baseline_pass.jsonl", results: "testdata/results/same"}.install(t)
	for _, tt := range []struct {
		give []string
		want string
	}{
		{[]string{"run", "-timeout", "20m", "./examples/shop"}, "loadgate run: -timeout is a go test flag: give go test flags after --, as loadgate run ./... -- -timeout 20m"},
		{[]string{"run", "./examples/shop", "-race"}, "loadgate run: -race is a go test flag: give go test flags after --, as loadgate run ./... -- -race"},
		{[]string{"run", "-tags=integration", "./examples/shop"}, "as loadgate run ./... -- -tags=integration"},
		{[]string{"baseline", "update", "-short", "./examples/shop"}, "loadgate baseline update: -short is a go test flag: give go test flags after --, as loadgate baseline update ./... -- -short"},
		{[]string{"run", "-bogus", "./examples/shop"}, "loadgate run: flag provided but not defined: -bogus"},
	} {
		t.Run(strings.Join(tt.give, " "), func(t *testing.T) {
			r := loadgate(t.Context(), tt.give...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit status %d, stderr:\n%s\nwant status 2 and %q", r.code, r.stderr, tt.want)
			}
			noGoTestRan(t, log)
		})
	}
}
