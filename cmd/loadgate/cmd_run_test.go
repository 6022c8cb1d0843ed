package main

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/golden"
)

// outDir hides the result directory, which changes from run to run.
func outDir(dir string) normalizer {
	return normalizer{{regexp.QuoteMeta(dir), "$OUT"}}
}

// TestRunReplay drives loadgate run over recorded go test -json output
// (the fake go command replays it) and compares everything it prints with
// golden files: the plain progress lines, the scenario table, the
// comparison with baselines, leaks, failures and the verdict.
func TestRunReplay(t *testing.T) {
	tests := []struct {
		name    string
		fake    fakeRun
		give    []string
		wantArg string // in the go test command line
	}{
		{
			// The example's load tests: one fails, one leaks in the server.
			name: "run_examples",
			fake: fakeRun{events: "../../testdata/gotest/examples.jsonl", results: "../../testdata/gotest/examples"},
			give: []string{"run", "-progress", "plain", "./examples/..."},
			// Packages run one at a time, load tests only, never cached.
			wantArg: "test -json -p 1 -run Load -count 1 ./examples/...",
		},
		{
			// Five runs of a scenario that got 50% slower: the test's own
			// baseline.Check fails, and so does run's comparison.
			name:    "run_regression",
			fake:    fakeRun{events: "../../testdata/gotest/slow.jsonl", results: "testdata/results/slow"},
			give:    []string{"run", "./examples/shop", "-run", "TestBaselineCheckout", "-count", "5", "-progress", "plain", "-baselines", "testdata/baselines", "-base", "stored", "--", "-timeout", "20m"},
			wantArg: "test -json -p 1 -run TestBaselineCheckout -count 5 ./examples/shop -timeout 20m",
		},
		{
			// A -run that matches nothing fails: CI must not pass on a typo.
			name:    "run_none",
			fake:    fakeRun{events: "../../testdata/gotest/none.jsonl"},
			give:    []string{"run", "-progress", "plain", "-run", "TestLaod", "./examples/shop"},
			wantArg: "test -json -p 1 -run TestLaod -count 1 ./examples/shop",
		},
		{
			name:    "run_quiet_p",
			fake:    fakeRun{events: "../../testdata/gotest/slow.jsonl", results: "testdata/results/slow"},
			give:    []string{"run", "-progress", "off", "-count", "5", "-baselines", "testdata/empty", "./examples/shop", "--", "-p=2"},
			wantArg: "test -json -run Load -count 5 ./examples/shop -p=2",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := tt.fake.install(t)
			out := t.TempDir()
			args := append([]string{tt.give[0], "-out", out}, tt.give[1:]...)
			r := loadgate(context.Background(), args...)
			r.args = tt.give
			golden.Check(t, tt.name+".golden", []byte(outDir(out).apply(r.String())))
			data, _ := os.ReadFile(log)
			if !strings.Contains(string(data), "go "+tt.wantArg) {
				t.Errorf("go was run as\n%s\nwant go %s", data, tt.wantArg)
			}
		})
	}
}

// TestRunDefaultOut checks that without -out, run writes the results into
// a new directory and says which.
func TestRunDefaultOut(t *testing.T) {
	fakeRun{events: "../../testdata/gotest/examples.jsonl", results: "../../testdata/gotest/examples"}.install(t)
	t.Setenv("TMPDIR", t.TempDir())
	r := loadgate(context.Background(), "run", "-progress", "off", "./examples/...")
	m := regexp.MustCompile(`(?m)^loadgate: results in (.*)$`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no results directory in the output:\n%s", r)
	}
	files, _ := filepath.Glob(filepath.Join(m[1], "*.json"))
	if len(files) != 6 {
		t.Errorf("%s holds %d results, want 6", m[1], len(files))
	}
	if !strings.HasSuffix(strings.TrimSpace(r.stdout), "results in "+m[1]) {
		t.Errorf("the last line does not say where the results are:\n%s", r.stdout)
	}
}

// TestRunUsage checks that run's flags are validated, each with a message
// that names the flag, before go test runs.
func TestRunUsage(t *testing.T) {
	notEmpty := t.TempDir()
	os.WriteFile(filepath.Join(notEmpty, "TestLoadX.json"), []byte("{}"), 0o644)
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	tests := []struct {
		name string
		give []string
		want string
	}{
		{"count", []string{"run", "-count", "0"}, "-count 0: must be at least 1"},
		{"count not a number", []string{"run", "-count", "many"}, `invalid value "many" for flag -count`},
		{"run regexp", []string{"run", "-run", "Load["}, `-run "Load[": error parsing regexp: missing closing ]`},
		{"run empty", []string{"run", "-run", ""}, "-run is empty"},
		{"progress", []string{"run", "-progress", "fancy"}, `-progress "fancy": want auto, tty, plain or off`},
		{"count after --", []string{"run", "--", "-count=3"}, "go test flag -count after --: give -count to loadgate run, before --"},
		{"run after --", []string{"run", "--", "-test.run", "X"}, "go test flag -test.run after --: give -run to loadgate run"},
		{"json after --", []string{"run", "--", "-json"}, "go test flag -json after --: go test always runs with -json: loadgate reads its events"},
		{"c after --", []string{"run", "--", "-c"}, "go test flag -c after --: go test -c builds the test binary and runs no test"},
		{"list after --", []string{"run", "--", "-test.list", "."}, "go test flag -test.list after --: -list lists the tests and runs none"},
		{"out is a file", []string{"run", "-out", file}, "not a directory"},
		{"out holds results", []string{"run", "-out", notEmpty}, "already holds 1 result file; give a new or empty directory"},
		{"package missing", []string{"run", "-out", t.TempDir(), "./nope"}, "package ./nope: stat /x/./nope: directory not found"},
		{"bad sla", []string{"run", "-sla", "testdata/badsla.txt"}, "-sla: testdata/badsla.txt:2:1"},
		{"base empty", []string{"run", "-base", ""}, "-base is empty: want auto (the default), stored or a git ref"},
		{"base with update", []string{"run", "-update", "-base", "main"}, "-base main with -update: -update records baselines and compares with nothing"},
		{"update count", []string{"baseline", "update", "-count", "-1"}, "loadgate baseline update: -count -1: must be at least 1"},
		// Was refused only after the whole load, by every scenario's
		// comparison: "open FILE/TestX.json: not a directory", exit 2.
		// Were taken as unset: the results went to a new temporary
		// directory, and no report was written, exit status 0.
		{"out empty", []string{"run", "-out", ""}, "-out is empty: give a dir, or drop -out for its default"},
		{"report empty", []string{"run", "-report", ""}, "-report is empty: give a file"},
		{"update out empty", []string{"baseline", "update", "-out", ""}, "loadgate baseline update: -out is empty"},
		{"baselines is a file", []string{"run", "-baselines", file}, "-baselines " + file + ": not a directory"},
		{"update baselines is a file", []string{"baseline", "update", "-baselines", file}, "loadgate baseline update: -baselines " + file + ": not a directory"},
	}
	log := fakeRun{events: "../../testdata/gotest/examples.jsonl"}.install(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(log)
			r := loadgate(context.Background(), tt.give...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit status %d, stderr:\n%s\nwant status 2 and %q", r.code, r.stderr, tt.want)
			}
			noGoTestRan(t, log)
		})
	}
}

// TestRunBaselineDirEnvIsAFile: a LOADGATE_BASELINE_DIR that names a file
// is refused before any test runs, naming the variable.
func TestRunBaselineDirEnvIsAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	t.Setenv(baseline.EnvDir, file)
	log := fakeRun{events: "../../testdata/gotest/examples.jsonl"}.install(t)
	r := loadgate(context.Background(), "run", "-out", t.TempDir(), "./examples/shop")
	if want := baseline.EnvDir + "=" + file + ": not a directory"; r.code != exitUsage || !strings.Contains(r.stderr, want) {
		t.Errorf("exit status %d, stderr:\n%s\nwant status 2 and %q", r.code, r.stderr, want)
	}
	noGoTestRan(t, log)
}

// TestRunUpdateEnvIgnoredSaysSo: LOADGATE_UPDATE=1 in the environment
// recorded nothing (loadgate run sets it to 0 unless -update) and said
// nothing of it; it warns, naming the flag that records.
func TestRunUpdateEnvIgnoredSaysSo(t *testing.T) {
	t.Setenv(baseline.EnvUpdate, "1")
	fakeRun{events: "../../testdata/gotest/examples.jsonl"}.install(t)
	r := loadgate(context.Background(), "run", "-out", t.TempDir(), "./examples/shop")
	if want := "loadgate run: warning: " + baseline.EnvUpdate + "=1 in the environment is ignored: loadgate run compares unless -update"; !strings.Contains(r.stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
	}
}

// TestBaselineUpdate checks that baseline update runs the tests with
// LOADGATE_UPDATE=1 and a session id, and lists the baselines recorded
// under that id, not older ones.
func TestBaselineUpdate(t *testing.T) {
	pkg := t.TempDir()
	old := filepath.Join(pkg, "testdata", "loadgate")
	os.MkdirAll(old, 0o755)
	data, _ := os.ReadFile("testdata/baselines/checkout_at_150_per_second.json")
	os.WriteFile(filepath.Join(old, "older.json"), []byte(strings.Replace(string(data), `"checkout at 150 per second"`, `"older"`, 1)), 0o644)
	log := fakeRun{events: "../../testdata/gotest/update.jsonl", results: "testdata/results/base", pkgDir: pkg}.install(t)
	out := t.TempDir()
	r := loadgate(context.Background(), "baseline", "update", "-progress", "off", "-out", out, "./examples/shop", "-run", "TestBaselineCheckout")
	norm := append(outDir(out), normalizer{
		{regexp.QuoteMeta(pkg), "$PKG"},
		{`loadgate-\d{8}T\d{6}Z-[0-9a-f]{8}`, "$UPDATE_ID"},
		{`recorded \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC`, "recorded $TIME"},
	}...)
	golden.Check(t, "baseline_update.golden", []byte(norm.apply(r.String())))
	logged, _ := os.ReadFile(log)
	if !strings.Contains(string(logged), "go test -json -p 1 -run TestBaselineCheckout -count 5 ./examples/shop") {
		t.Errorf("go was run as\n%s\nwant -count 5", logged)
	}
}

// TestBaselineUpdateDir: -baselines reaches the tests (LOADGATE_BASELINE_DIR),
// so they record there and the package's own baselines are left alone.
func TestBaselineUpdateDir(t *testing.T) {
	pkg := t.TempDir()
	dir := filepath.Join(t.TempDir(), "elsewhere")
	fakeRun{events: "../../testdata/gotest/update.jsonl", results: "testdata/results/base", pkgDir: pkg}.install(t)
	r := loadgate(context.Background(), "baseline", "update", "-progress", "off", "-out", t.TempDir(), "-baselines", dir, "./examples/shop", "-run", "TestBaselineCheckout")
	if r.code != 0 {
		t.Fatalf("exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(pkg, "testdata", "loadgate")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the package's testdata/loadgate was written: %v", err)
	}
	want := filepath.Join(dir, "checkout_at_150_per_second.json")
	if _, err := baseline.Load(want); err != nil {
		t.Fatalf("no baseline in the -baselines directory: %v", err)
	}
	if !strings.Contains(r.stdout, want) {
		t.Errorf("the summary does not list %s:\n%s", want, r.stdout)
	}
}

// TestRunPassesJudgeToTests: -policy and -sla reach the tests'
// baseline.Check, as absolute paths, so that loadgate and the tests judge
// alike.
func TestRunPassesJudgeToTests(t *testing.T) {
	log := fakeRun{events: "../../testdata/gotest/examples.jsonl", results: "testdata/results/base"}.install(t)
	dir := t.TempDir()
	policy := filepath.Join(dir, "policy.json")
	sla := filepath.Join(dir, "sla.txt")
	os.WriteFile(policy, []byte(`{"alpha": 0.05}`), 0o644)
	os.WriteFile(sla, []byte("p99 < 1s\n"), 0o644)
	t.Chdir(dir)
	r := loadgate(context.Background(), "run", "-progress", "off", "-out", t.TempDir(), "-policy", "policy.json", "-sla", "sla.txt", "./examples/shop")
	logged, _ := os.ReadFile(log)
	for _, want := range []string{"env LOADGATE_POLICY=" + policy, "env LOADGATE_SLA=" + sla} {
		if !strings.Contains(string(logged), want) {
			t.Errorf("go test was not run with %s; the fake logged:\n%s\nloadgate said:\n%s%s", want, logged, r.stdout, r.stderr)
		}
	}
	if strings.Contains(string(logged), "LOADGATE_BASELINE_DIR") {
		t.Errorf("LOADGATE_BASELINE_DIR set without -baselines:\n%s", logged)
	}
}

// TestBaselineUpdateCutShort: an update that stopped before its last run
// replaced nothing, and says so instead of "no test called baseline.Check".
func TestBaselineUpdateCutShort(t *testing.T) {
	pkg := t.TempDir()
	fakeRun{events: "../../testdata/gotest/update.jsonl", results: "testdata/results/base", pkgDir: pkg}.install(t)
	t.Setenv(envFakePartial, "1")
	r := loadgate(context.Background(), "baseline", "update", "-progress", "off", "-out", t.TempDir(), "./examples/shop", "-run", "TestBaselineCheckout")
	staged := baseline.StagedPath(filepath.Join(pkg, "testdata", "loadgate", "checkout_at_150_per_second.json"))
	want := "NOT RECORDED  checkout at 150 per second: the update stopped after 5 runs; the stored baseline is unchanged (the staged runs were removed from " + staged + ")"
	if !strings.Contains(r.stdout, want) || strings.Contains(r.stdout, "no test that ran called baseline.Check") {
		t.Errorf("summary of an update cut short:\n%s\nwant the line\n%s", r.stdout, want)
	}
}

// TestBaselineUpdateRecordsNothing: an update in which no test called
// baseline.Check recorded nothing, and says so with exit status 2 (was:
// "PASS: … 0 baselines recorded", exit 0).
// run -update, which its help says records "as baseline update", exited 0
// after "PASS: … 0 baselines recorded"; it ends as baseline update does.
func TestBaselineUpdateRecordsNothing(t *testing.T) {
	for _, give := range [][]string{{"baseline", "update"}, {"run", "-update"}} {
		t.Run(strings.Join(give, " "), func(t *testing.T) {
			fakeRun{events: "../../testdata/gotest/baseline_pass.jsonl", results: "testdata/results/base"}.install(t)
			t.Setenv(envFakeNoCheck, "1")
			r := loadgate(context.Background(), append(give, "-progress", "off", "-out", t.TempDir(), "./examples/shop")...)
			if r.code != exitUsage || !strings.Contains(r.stderr, "no baseline recorded: no test that ran called baseline.Check") {
				t.Errorf("an update that recorded nothing: %s\nwant exit 2 and \"no baseline recorded\"", r)
			}
		})
	}
}

// TestUpdateDirtyNote: baselines recorded from a checkout with uncommitted
// changes name a commit that does not hold them. baseline update said so;
// run -update, "as baseline update", did not.
func TestUpdateDirtyNote(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	for _, give := range [][]string{{"baseline", "update"}, {"run", "-update"}} {
		t.Run(strings.Join(give, " "), func(t *testing.T) {
			pkg := t.TempDir()
			git := func(args ...string) {
				t.Helper()
				cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@localhost"}, args...)...)
				cmd.Dir = pkg
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("git %v: %v\n%s", args, err, out)
				}
			}
			git("init", "-q")
			os.WriteFile(filepath.Join(pkg, "svc.go"), []byte("package svc\n"), 0o644)
			git("add", ".")
			git("commit", "-q", "-m", "one")
			os.WriteFile(filepath.Join(pkg, "svc.go"), []byte("package svc // changed\n"), 0o644)
			fakeRun{events: "../../testdata/gotest/update.jsonl", results: "testdata/results/base", pkgDir: pkg}.install(t)
			r := loadgate(context.Background(), append(give, "-progress", "off", "-out", t.TempDir(), "./examples/shop", "-run", "TestBaselineCheckout")...)
			if r.code != 0 || !strings.Contains(r.stdout, "note: the checkout has uncommitted changes") {
				t.Errorf("an update from a changed checkout: %s\nwant exit 0 and a note of the uncommitted changes", r)
			}
		})
	}
}

// TestRunAddsRunsStopsOnFailedTest: a scenario whose test failed gets no
// more runs, and its line says so; it said "INCONCLUSIVE … (settled at
// look 1 of 3)", as if the comparison, still inconclusive, had settled.
func TestRunAddsRunsStopsOnFailedTest(t *testing.T) {
	data, err := os.ReadFile("../../testdata/gotest/baseline_pass.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	// Its last run fails.
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], `"Action":"pass","Package":"github.com/loadgate/loadgate/examples/shop","Test":"TestBaselineCheckout"`) {
			lines[i] = strings.Replace(lines[i], `"Action":"pass"`, `"Action":"fail"`, 1)
			break
		}
	}
	events := filepath.Join(t.TempDir(), "failed.jsonl")
	if err := os.WriteFile(events, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	log := fakeRun{events: events, results: "testdata/results/same"}.install(t)
	r := loadgate(t.Context(), "run", "-progress", "off", "-out", t.TempDir(), "-baselines", "testdata/baselines", "-base", "stored", "./examples/shop")
	want := "INCONCLUSIVE  checkout at 150 per second: 5 runs against the 5 of testdata/baselines/checkout_at_150_per_second.json (stopped at look 1 of 3: test TestBaselineCheckout failed)"
	if !strings.Contains(r.stdout, want) || strings.Contains(r.stdout, "settled at look") {
		t.Errorf("the summary does not say\n%s\n%s", want, r.stdout)
	}
	if r.code != exitFailed {
		t.Errorf("exit status %d, want %d", r.code, exitFailed)
	}
	if logged, _ := os.ReadFile(log); strings.Count(string(logged), "go test ") != 1 {
		t.Errorf("go test ran again after the test failed:\n%s", logged)
	}
}

// TestRunAddsRuns: without -count, loadgate run adds runs to a scenario
// compared with a stored baseline while its verdict is unclear (issue 13),
// look by look, and says why it stopped. The recorded runs of the same
// code are too noisy to settle: loadgate runs the test again at looks 2
// and 3 (only that test) and concludes; the slow ones settle at look 1.
// The last line of an inconclusive run said "no regression (1 scenario
// compared with baselines)" above exit status 3; it says what compare
// says: no regression confirmed, too noisy, more or longer runs.
func TestRunAddsRuns(t *testing.T) {
	for _, tt := range []struct {
		name, events, results, want, wantWord, wantLast string
		wantRuns                                        []string
	}{
		// The fake replays the five recorded runs whatever -count asks.
		{"same", "../../testdata/gotest/baseline_pass.jsonl", "testdata/results/same", "(not settled after 15 runs, the most loadgate adds)", "INCONCLUSIVE",
			"no regression confirmed (1 scenario compared with baselines); too noisy to judge checkout at 150 per second (more or longer runs)",
			[]string{"-run ^(TestBaselineCheckout)$ -count 3", "-run ^(TestBaselineCheckout)$ -count 2"}},
		{"slow", "../../testdata/gotest/baseline_pass.jsonl", "testdata/results/slow", "(settled at look 1 of 3)", "FAIL", "1 regression against baselines", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			log := fakeRun{events: tt.events, results: tt.results}.install(t)
			r := loadgate(t.Context(), "run", "-progress", "off", "-out", t.TempDir(), "-baselines", "testdata/baselines", "-base", "stored", "./examples/shop")
			if !strings.Contains(r.stdout, tt.want) {
				t.Errorf("the summary does not say %q:\n%s", tt.want, r.stdout)
			}
			lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
			if last := lines[len(lines)-1]; !strings.HasPrefix(last, tt.wantWord+":") || !strings.Contains(last, tt.wantLast) {
				t.Errorf("last line %q, want %s and %q", last, tt.wantWord, tt.wantLast)
			}
			data, _ := os.ReadFile(log)
			calls := strings.Count(string(data), "go test ")
			if calls != 1+len(tt.wantRuns) {
				t.Errorf("go test ran %d times, want %d:\n%s", calls, 1+len(tt.wantRuns), data)
			}
			for _, want := range tt.wantRuns {
				if !strings.Contains(string(data), want) {
					t.Errorf("go was not run with %s:\n%s", want, data)
				}
			}
			if !strings.Contains(string(data), "env LOADGATE_BASELINE_DIR") {
				t.Errorf("no baseline directory for the tests:\n%s", data)
			}
		})
	}
}

// TestRunCountDefault: run's usage gave -count "(default 1)", but -count 1
// turns off the runs run adds while a verdict is unclear; without -count
// the first look is still one run.
func TestRunCountDefault(t *testing.T) {
	r := loadgate(context.Background(), "run", "-h")
	_, help, _ := strings.Cut(r.stdout, "  -count n\n")
	if help, _, _ = strings.Cut(help, "\n"); help == "" || strings.Contains(help, "(default") {
		t.Errorf("-count's usage is %q, want no default (without -count, run adds runs)", help)
	}
	log := fakeRun{events: "../../testdata/gotest/examples.jsonl", results: "testdata/results/base"}.install(t)
	loadgate(context.Background(), "run", "-progress", "off", "-out", t.TempDir(), "./examples/shop")
	if logged, _ := os.ReadFile(log); !strings.Contains(string(logged), "-run Load -count 1 ./examples/shop") {
		t.Errorf("go was run as\n%s\nwant -count 1 for the first look", logged)
	}
}

// TestRunUpdateRecordsFive: run -update without -count recorded baselines of
// one run, against which the rank test can confirm no change; it records
// five, as baseline update does.
func TestRunUpdateRecordsFive(t *testing.T) {
	log := fakeRun{events: "../../testdata/gotest/update.jsonl", results: "testdata/results/base"}.install(t)
	loadgate(context.Background(), "run", "-update", "-progress", "off", "-out", t.TempDir(), "./examples/shop", "-run", "TestBaselineCheckout")
	if logged, _ := os.ReadFile(log); !strings.Contains(string(logged), "-run TestBaselineCheckout -count 5 ./examples/shop") {
		t.Errorf("go was run as\n%s\nwant -count 5", logged)
	}
}

// TestRunUpdateReportRecorded: the HTML report of a run that recorded
// baselines and was judged by nothing else says RECORDED, as the run's
// last line does (it said NOT JUDGED beside the terminal's RECORDED).
func TestRunUpdateReportRecorded(t *testing.T) {
	pkg := t.TempDir()
	fakeRun{events: "../../testdata/gotest/update.jsonl", results: "testdata/results/base", pkgDir: pkg}.install(t)
	report := filepath.Join(t.TempDir(), "report.html")
	r := loadgate(context.Background(), "run", "-update", "-progress", "off", "-out", t.TempDir(), "-report", report, "./examples/shop", "-run", "TestBaselineCheckout")
	if r.code != 0 || !strings.Contains(r.stdout, "\nRECORDED: ") {
		t.Fatalf("exit %d, want 0 and a last line of RECORDED:\n%s", r.code, r)
	}
	page, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "<b>RECORDED:</b> 1 scenario: 1 baseline recorded") {
		t.Errorf("the report's headline is not RECORDED:\n%s", regexp.MustCompile(`<p class="headline[^\n]*`).Find(page))
	}
}
