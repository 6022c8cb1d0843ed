package baseline

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/jsonpos"
	"github.com/loadgate/loadgate/internal/lease"
)

func TestRecordAccumulatesOneSession(t *testing.T) {
	path := Path(t.TempDir(), "checkout")
	for i := range 3 {
		b, err := Record(path, "session-1", result("checkout", time.Millisecond, uint64(i)))
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Runs) != i+1 || b.Latency.Count != int64(1000*(i+1)) {
			t.Fatalf("after run %d: %d runs, %d requests merged; want %d and %d", i+1, len(b.Runs), b.Latency.Count, i+1, 1000*(i+1))
		}
	}
	// A new session replaces the runs: it never mixes old and new code.
	b, err := Record(path, "session-2", result("checkout", 2*time.Millisecond, 9))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Runs) != 1 || b.UpdateID != "session-2" || b.Latency.Count != 1000 {
		t.Errorf("new session: %d runs of %s, %d requests; want 1 run of session-2, 1000", len(b.Runs), b.UpdateID, b.Latency.Count)
	}
	if b.Runs[0].P50NS < int64(1800*time.Microsecond) {
		t.Errorf("new session kept an old run: p50 %v", time.Duration(b.Runs[0].P50NS))
	}
	if _, err := os.Stat(filepath.Dir(path)); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want the baseline alone (no temporary or lock files)", len(entries))
	}
}

func TestRecordCommit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	head := gitHead(".")
	if len(head) != 40 {
		t.Skipf("git rev-parse HEAD here gives %q: not in a git checkout", head)
	}
	// A baseline kept outside the repository still names the commit of
	// the package directory, the current one under go test.
	b, err := Record(Path(filepath.Join(t.TempDir(), "x"), "checkout"), "s", result("checkout", time.Millisecond, 1))
	if err != nil {
		t.Fatal(err)
	}
	if b.Commit != head {
		t.Errorf("commit %q, want %q", b.Commit, head)
	}
	if c := gitCommit(t.TempDir()); c != "" {
		t.Errorf("a directory outside any repository has commit %q", c)
	}
}

// badFiles are baseline files that must be refused and left as they were.
func badFiles(t *testing.T) []struct {
	name string
	give []byte
	want []string // parts of the error
	is   error
} {
	good, err := os.ReadFile(filepath.Join("testdata", "baseline.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	corrupt := bytes.Replace(good, []byte(`"p99_ns": 1491967,`), []byte(`"p99_ns": 14919x67,`), 1)
	line, col := jsonpos.Position(corrupt, int64(bytes.Index(corrupt, []byte("x67"))))
	typo := bytes.Replace(good, []byte(`"requests": 1000,`), []byte(`"requests": "1000",`), 1)
	typoLine, typoCol := jsonpos.Position(typo, int64(bytes.Index(typo, []byte(`"1000"`)))) // the value's start
	return []struct {
		name string
		give []byte
		want []string
		is   error
	}{
		{"corrupted", corrupt, []string{fmt.Sprintf(":%d:%d: invalid character 'x'", line, col)}, nil},
		{"truncated", good[:len(good)/2], []string{fmt.Sprintf(":%d:", bytes.Count(good[:len(good)/2], []byte("\n"))+1), "unexpected end of file (truncated?)"}, nil},
		{"empty", nil, []string{":1:1: empty file"}, nil},
		{"wrong type", typo, []string{fmt.Sprintf(":%d:%d:", typoLine, typoCol), "runs[0].requests: cannot use JSON string as int64"}, nil},
		{"future schema", bytes.Replace(good, []byte(SchemaVersion), []byte("loadgate.baseline/v2"), 1),
			[]string{`unsupported baseline schema "loadgate.baseline/v2"; this loadgate reads loadgate.baseline/v1`}, ErrSchema},
		{"older schema", bytes.Replace(good, []byte(SchemaVersion), []byte("loadgate.baseline/v0"), 1),
			[]string{`unsupported baseline schema "loadgate.baseline/v0": an older layout than loadgate.baseline/v1, which this loadgate reads; record the baseline again (loadgate baseline update)`}, ErrSchema},
		{"no schema", bytes.Replace(good, []byte(`"schema": "loadgate.baseline/v1",`), nil, 1),
			[]string{`no "schema" field; this loadgate reads loadgate.baseline/v1`}, ErrSchema},
		{"no runs", bytes.Replace(good, []byte(`"runs": [`), []byte(`"runs": [], "old": [`), 1), []string{"baseline of checkout: no runs"}, ErrNoRuns},
		{"trailing data", append(append([]byte{}, good...), "{}\n"...), []string{"unexpected data after the baseline object"}, nil},
	}
}

// TestBadBaselinesAreRefusedAndKept shows that a corrupted, truncated or
// future baseline gives a clear error naming the file, line and column, in
// Load, in Record and in both modes of Check, and that the file is left
// byte for byte as it was.
func TestBadBaselinesAreRefusedAndKept(t *testing.T) {
	for _, tt := range badFiles(t) {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := Path(dir, "checkout")
			if err := os.WriteFile(path, tt.give, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil {
				t.Fatal("Load: no error")
			}
			for _, w := range append(tt.want, path) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Load: %v\nwant it to contain %q", err, w)
				}
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Load: %v, want errors.Is %v", err, tt.is)
			}
			var se *SyntaxError
			if tt.is == nil && !errors.As(err, &se) {
				t.Errorf("Load: %T, want a *SyntaxError", err)
			}

			if _, err := Record(path, "s", result("checkout", time.Millisecond, 1)); err == nil || !strings.Contains(err.Error(), "not updating the baseline") {
				t.Errorf("Record: %v, want a refusal", err)
			}
			for _, update := range []bool{true, false} {
				tb := &fakeTB{}
				Check(tb, result("checkout", time.Millisecond, 1), WithDir(dir), WithUpdate(update), WithRuns(1))
				if !tb.failed() || !strings.Contains(tb.errors[0], path) {
					t.Errorf("Check (update %v) did not fail naming the file:\n%s", update, tb.text())
				}
			}
			got, _ := os.ReadFile(path)
			if !bytes.Equal(got, tt.give) {
				t.Errorf("the file changed")
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("directory holds %d entries, want the file alone", len(entries))
			}
		})
	}
}

func TestBaselineOfAnotherScenarioIsRefused(t *testing.T) {
	dir := t.TempDir()
	// filename.Safe maps both names to checkout_v2.json.
	path := Path(dir, "checkout v2")
	if _, err := Record(path, "s", result("checkout v2", time.Millisecond, 1)); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	if _, err := Record(Path(dir, "checkout/v2"), "s", result("checkout/v2", time.Millisecond, 1)); !errors.Is(err, ErrScenarioMismatch) {
		t.Errorf("Record: %v, want ErrScenarioMismatch", err)
	}
	tb := &fakeTB{}
	Check(tb, result("checkout/v2", time.Millisecond, 1), WithDir(dir), WithUpdate(false))
	if !tb.failed() || !strings.Contains(tb.errors[0], `it is the baseline of "checkout v2", not "checkout/v2"`) {
		t.Errorf("Check:\n%s", tb.text())
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("the file changed")
	}
}

// TestRecordConcurrentGoroutines records from many goroutines at once, as
// parallel tests of one package would: no run is lost.
func TestRecordConcurrentGoroutines(t *testing.T) {
	path := Path(t.TempDir(), "checkout")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 5 {
				if _, err := Record(path, "s", result("checkout", time.Millisecond, uint64(10*g+i))); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	b, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Runs) != 40 || b.Latency.Count != 40000 {
		t.Errorf("%d runs, %d requests merged; want 40 and 40000", len(b.Runs), b.Latency.Count)
	}
}

// TestRecordConcurrentProcesses records from several test processes of
// one update session at once, as go test -p runs packages under loadgate
// baseline update, which holds the session's lease: the file lock keeps
// every run. (Without a lease, each process is a session of its own: see
// TestIssue20FixedUpdateIDDoesNotMix.)
func TestRecordConcurrentProcesses(t *testing.T) {
	if path := os.Getenv("BASELINE_TEST_RECORD"); path != "" {
		// The helper process: record 10 runs.
		for i := range 10 {
			if _, err := Record(path, "shared-session", result("checkout", time.Millisecond, uint64(i))); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
		return
	}
	if testing.Short() {
		t.Skip("starts processes")
	}
	path := Path(t.TempDir(), "checkout")
	l, err := lease.Take(filepath.Join(t.TempDir(), "update.lease"), lease.Holder{ID: "shared-session"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	const procs = 4
	var wg sync.WaitGroup
	for p := range procs {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRecordConcurrentProcesses$", "-test.count=1")
		cmd.Env = append(os.Environ(), "BASELINE_TEST_RECORD="+path, "BASELINE_TEST_PROC="+strconv.Itoa(p), EnvUpdateLease+"="+l.Path())
		wg.Go(func() {
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("helper process: %v\n%s", err, out)
			}
		})
	}
	wg.Wait()
	b, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Runs) != 10*procs {
		t.Errorf("%d runs, want %d", len(b.Runs), 10*procs)
	}
}

func TestLockTimesOut(t *testing.T) {
	dir := t.TempDir()
	unlock, err := lockDir(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if _, err := lockDir(dir, 50*time.Millisecond); !errors.Is(err, ErrLocked) {
		t.Errorf("second lock: %v, want ErrLocked", err)
	}
}

// TestDir: one rule for where a package's baselines live, for Check,
// loadgate and the Action (issue 12: the Action ignored
// LOADGATE_BASELINE_DIR).
func TestDir(t *testing.T) {
	pkg := filepath.FromSlash("/src/shop")
	for _, tt := range []struct {
		name, env, pkgDir, want string
	}{
		{"default", "", pkg, filepath.FromSlash("/src/shop/testdata/loadgate")},
		{"default in the package", "", "", filepath.FromSlash("testdata/loadgate")},
		{"relative", "perf/baselines", pkg, filepath.FromSlash("/src/shop/perf/baselines")},
		{"absolute", filepath.FromSlash("/var/baselines"), pkg, filepath.FromSlash("/var/baselines")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvDir, tt.env)
			if got := Dir(tt.pkgDir); got != tt.want {
				t.Errorf("Dir(%q) with %s=%q = %q, want %q", tt.pkgDir, EnvDir, tt.env, got, tt.want)
			}
		})
	}
}
