package baseline

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCheckWithoutBaseline(t *testing.T) {
	dir := t.TempDir()
	tb := &fakeTB{}
	if c := Check(tb, result("checkout", time.Millisecond, 1), WithDir(dir), WithUpdate(false)); c != nil || tb.failed() {
		t.Errorf("no baseline: comparison %v, failed %v; want neither\n%s", c, tb.failed(), tb.text())
	}
	if !strings.Contains(tb.text(), "record one with\n\tLOADGATE_UPDATE=1 go test -run '^TestLoad$' -count=5 .") {
		t.Errorf("no instructions to record:\n%s", tb.text())
	}
	tb = &fakeTB{}
	Check(tb, result("checkout", time.Millisecond, 1), WithDir(dir), WithUpdate(false), Strict())
	if !tb.failed() {
		t.Errorf("Strict without baseline passed")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("compare mode wrote %d files", len(entries))
	}
}

// TestCheckRecordThenCompare walks the flow of go test -count=5 twice:
// LOADGATE_UPDATE=1 records five runs, then five runs of unchanged code
// pass and five runs 30% slower fail, after the fifth run only.
func TestCheckRecordThenCompare(t *testing.T) {
	dir := t.TempDir()
	for i := range 5 {
		tb := &fakeTB{}
		Check(tb, result("checkout", time.Millisecond, uint64(i)), WithDir(dir), WithUpdate(true), WithUpdateID("u1"), WithRuns(5))
		if tb.failed() || !strings.Contains(tb.text(), "recorded run "+string(rune('1'+i))) {
			t.Fatalf("update run %d:\n%s", i+1, tb.text())
		}
	}
	for _, tt := range []struct {
		name   string
		median time.Duration
		want   Verdict
	}{
		{"unchanged", time.Millisecond, Pass},
		{"30% slower", 1300 * time.Microsecond, Fail},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for i := range 5 {
				tb := &fakeTB{}
				c := Check(tb, result("checkout", tt.median, uint64(100+i)), WithDir(dir), WithUpdate(false), WithRuns(5))
				if i < 4 {
					if c != nil || tb.failed() || !strings.Contains(tb.text(), "comparing with the baseline after run 5") {
						t.Fatalf("run %d compared early:\n%s", i+1, tb.text())
					}
					continue
				}
				if c == nil || c.Verdict != tt.want || tb.failed() != (tt.want == Fail) {
					t.Fatalf("run 5: comparison %v, want verdict %v\n%s", c, tt.want, tb.text())
				}
				if tt.want == Fail && !strings.Contains(tb.errors[0], "verdict: FAIL") {
					t.Errorf("failure without the table:\n%s", tb.errors[0])
				}
			}
		})
	}
}

func TestCheckUpdateSessions(t *testing.T) {
	dir := t.TempDir()
	path := Path(dir, "checkout")
	record := func(opts ...Option) *Baseline {
		t.Helper()
		tb := &fakeTB{}
		Check(tb, result("checkout", time.Millisecond, 1), append(opts, WithDir(dir), WithUpdate(true), WithRuns(1))...)
		if tb.failed() {
			t.Fatal(tb.text())
		}
		b, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// Without an id, this process is the session: its runs accumulate.
	record()
	if b := record(); len(b.Runs) != 2 || !strings.HasPrefix(b.UpdateID, "pid") {
		t.Errorf("process session: %d runs, id %q; want 2 runs of a pid session", len(b.Runs), b.UpdateID)
	}
	// LOADGATE_UPDATE_ID, as a tool running several processes sets it.
	t.Setenv(EnvUpdateID, "ci-1234")
	if b := record(); len(b.Runs) != 1 || b.UpdateID != "ci-1234" {
		t.Errorf("env session: %d runs, id %q; want a fresh baseline of ci-1234", len(b.Runs), b.UpdateID)
	}
	if b := record(); len(b.Runs) != 2 {
		t.Errorf("env session: %d runs, want 2", len(b.Runs))
	}
}

// TestCheckUpdateKeepsOldBaseline: an update session replaces the stored
// baseline only with its last run, so one cut short (Ctrl-C after 2 of 3
// runs) leaves the old baseline byte for byte.
func TestCheckUpdateKeepsOldBaseline(t *testing.T) {
	dir := t.TempDir()
	path := Path(dir, "checkout")
	record := func(id string, runs int, seed uint64) *fakeTB {
		t.Helper()
		tb := &fakeTB{}
		Check(tb, result("checkout", time.Millisecond, seed), WithDir(dir), WithUpdate(true), WithUpdateID(id), WithRuns(runs))
		if tb.failed() {
			t.Fatal(tb.text())
		}
		return tb
	}
	record("old", 2, 1)
	record("old", 2, 2)
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		tb := record("new", 3, uint64(10+i))
		if want := fmt.Sprintf("recorded run %d of 3; %s is replaced after run 3", i+1, path); !strings.Contains(tb.text(), want) {
			t.Errorf("run %d of the new session logged:\n%s\nwant %q", i+1, tb.text(), want)
		}
		if now, _ := os.ReadFile(path); !bytes.Equal(now, old) {
			t.Fatalf("run %d of 3 of a new session changed the stored baseline", i+1)
		}
	}
	if _, err := os.Stat(StagedPath(path)); err != nil {
		t.Errorf("the session's first runs are not staged: %v", err)
	}
	record("new", 3, 12)
	b, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Runs) != 3 || b.UpdateID != "new" || b.Latency.Count != 3000 {
		t.Errorf("after the session's last run: %d runs of %q, %d requests; want 3 of \"new\", 3000", len(b.Runs), b.UpdateID, b.Latency.Count)
	}
	if _, err := os.Stat(StagedPath(path)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("staging file left after the session completed: %v", err)
	}
	// A session cut short is dropped by the next one, never mixed in.
	record("cut", 5, 20)
	record("next", 1, 21)
	if b, err := Load(path); err != nil || len(b.Runs) != 1 || b.UpdateID != "next" {
		t.Errorf("after a cut session and a complete one: %+v, %v", b, err)
	}
}

// TestCheckDoesNotRecordFailedRun: a run whose test failed (here an SLA
// breach) is no baseline.
func TestCheckDoesNotRecordFailedRun(t *testing.T) {
	dir := t.TempDir()
	tb := &fakeTB{}
	Check(tb, result("checkout", time.Millisecond, 1), WithDir(dir), WithUpdate(true), WithSLA("p99 < 1ms"))
	if !strings.Contains(tb.text(), "not recording this run into "+Path(dir, "checkout")+": the test has failed") {
		t.Errorf("a failed run was not refused:\n%s", tb.text())
	}
	if _, err := Load(Path(dir, "checkout")); !errors.Is(err, ErrNoBaseline) {
		t.Errorf("a failed run was recorded: %v", err)
	}
}

// TestCheckDirFromEnv: LOADGATE_BASELINE_DIR (loadgate run -baselines)
// moves the baselines of tests that do not pass WithDir.
func TestCheckDirFromEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvDir, dir)
	tb := &fakeTB{}
	Check(tb, result("checkout", time.Millisecond, 1), WithUpdate(true), WithRuns(1))
	if _, err := Load(Path(dir, "checkout")); err != nil || tb.failed() {
		t.Errorf("%s=%s did not move the baseline: %v\n%s", EnvDir, dir, err, tb.text())
	}
	other := t.TempDir()
	Check(tb, result("checkout", time.Millisecond, 1), WithUpdate(true), WithDir(other), WithRuns(1))
	if _, err := Load(Path(other, "checkout")); err != nil {
		t.Errorf("WithDir lost to %s: %v", EnvDir, err)
	}
}

func TestCheckUpdateFromEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvUpdate, "1")
	tb := &fakeTB{}
	Check(tb, result("checkout", time.Millisecond, 1), WithDir(dir), WithRuns(1))
	if _, err := Load(Path(dir, "checkout")); err != nil || tb.failed() {
		t.Errorf("LOADGATE_UPDATE=1 did not record: %v\n%s", err, tb.text())
	}
	t.Setenv(EnvUpdate, "yes please")
	tb = &fakeTB{}
	Check(tb, result("checkout", time.Millisecond, 1), WithDir(dir))
	if !tb.failed() || !strings.Contains(tb.errors[0], `LOADGATE_UPDATE="yes please": want 1 to record or 0 to compare`) {
		t.Errorf("bad LOADGATE_UPDATE:\n%s", tb.text())
	}
}

func TestCheckSLA(t *testing.T) {
	dir := t.TempDir()
	res := result("checkout", time.Millisecond, 1)                     // p99 about 1.5ms
	Check(&fakeTB{}, res, WithDir(dir), WithUpdate(true), WithRuns(1)) // a baseline to compare with
	for _, update := range []bool{true, false} {
		tb := &fakeTB{}
		c := Check(tb, res, WithDir(dir), WithUpdate(update), WithRuns(1), WithSLA("p99 < 1ms"))
		if !tb.failed() || !strings.Contains(tb.errors[0], "SLA breached: scenario checkout: p99 = 1.") {
			t.Errorf("update %v: SLA breach not reported:\n%s", update, tb.text())
		}
		if !update && (c == nil || c.Verdict != Fail) {
			t.Errorf("the comparison does not fail on the SLA breach: %v", c)
		}
		// Nothing regressed: the same run as the baseline's.
		if !update && (!strings.Contains(tb.text(), "baseline.Check: checkout breached its SLA; compared with ") || strings.Contains(tb.text(), "regressed")) {
			t.Errorf("an SLA breach is reported as a regression:\n%s", tb.text())
		}
	}
	tb := &fakeTB{}
	Check(tb, res, WithDir(dir), WithUpdate(false), WithSLA("p99 <"))
	if !tb.failed() || !strings.Contains(tb.errors[0], "SLA") {
		t.Errorf("malformed SLA:\n%s", tb.text())
	}
}

func TestCheckBadOptions(t *testing.T) {
	tests := []struct {
		name string
		give Option
		want string
	}{
		{"runs", WithRuns(0), "baseline.WithRuns(0): want at least 1 run"},
		{"dir", WithDir(""), "baseline.WithDir: empty directory"},
		{"policy", WithPolicy(Policy{Alpha: 2}), "baseline.WithPolicy: policy: alpha 2"},
		{"update id", WithUpdateID(""), "baseline.WithUpdateID: empty id"},
		{"nil", nil, "nil option"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := &fakeTB{}
			Check(tb, result("checkout", time.Millisecond, 1), tt.give)
			if !tb.failed() || !strings.Contains(tb.errors[0], tt.want) {
				t.Errorf("got:\n%s\nwant error %q", tb.text(), tt.want)
			}
		})
	}
	tb := &fakeTB{}
	Check(tb, nil)
	if !tb.failed() {
		t.Error("nil result passed")
	}
}

func TestTestCount(t *testing.T) {
	// go test sets -test.count; this binary runs with the default or the
	// caller's value.
	if n := testCount(); n < 1 {
		t.Errorf("testCount() = %d", n)
	}
}

var _ TB = (testing.TB)(nil)

// TestCheckPolicyAndSLAFromEnv: LOADGATE_POLICY and LOADGATE_SLA, as
// loadgate run -policy and -sla set them, judge every test that does not
// choose for itself.
func TestCheckPolicyAndSLAFromEnv(t *testing.T) {
	dir := t.TempDir()
	for i := range 5 {
		Check(&fakeTB{}, result("checkout", time.Millisecond, uint64(i)), WithDir(dir), WithUpdate(true), WithUpdateID("u1"), WithRuns(5))
	}
	compare := func(opts ...Option) (*Comparison, *fakeTB) {
		t.Helper()
		var c *Comparison
		tb := &fakeTB{}
		for i := range 5 {
			c = Check(tb, result("checkout", 1300*time.Microsecond, uint64(100+i)), append(opts, WithDir(dir), WithUpdate(false), WithRuns(5))...)
		}
		return c, tb
	}
	lenient := filepath.Join(t.TempDir(), "policy.json")
	os.WriteFile(lenient, []byte(`{"rules": {"p50": {"tolerance": 1}, "p90": {"tolerance": 1}, "p99": {"tolerance": 1}, "p999": {"tolerance": 1}}}`), 0o644)
	t.Setenv(EnvPolicy, lenient)
	if c, tb := compare(); c == nil || c.Verdict == Fail || tb.failed() {
		t.Errorf("30%% slower under a 100%% tolerance from %s: %v\n%s", EnvPolicy, c, tb.text())
	}
	if c, _ := compare(WithPolicy(DefaultPolicy)); c == nil || c.Verdict != Fail {
		t.Errorf("WithPolicy lost to %s: %v", EnvPolicy, c)
	}

	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte("{\n  \"rules\": {\"p99\": {\"tolerance\": \"10%\"}}\n}\n"), 0o644)
	t.Setenv(EnvPolicy, bad)
	if _, tb := compare(); !strings.Contains(tb.text(), "LOADGATE_POLICY: "+bad+":2:") || !strings.Contains(tb.text(), "rules.p99.tolerance") {
		t.Errorf("a malformed policy file is not named with its line and field:\n%s", tb.text())
	}
	t.Setenv(EnvPolicy, "")

	sla := filepath.Join(t.TempDir(), "sla.txt")
	os.WriteFile(sla, []byte("[other]\np99 < 1ns\n[checkout]\np99 < 1ms\n"), 0o644)
	t.Setenv(EnvSLA, sla)
	if _, tb := compare(WithPolicy(Policy{Rules: map[string]Rule{P50: {Tolerance: 1}, P90: {Tolerance: 1}, P99: {Tolerance: 1}, P999: {Tolerance: 1}}})); !strings.Contains(tb.text(), "SLA breached: scenario checkout: p99 = ") || strings.Contains(tb.text(), "1ns") {
		t.Errorf("the SLA file's section for checkout was not checked, or another's was:\n%s", tb.text())
	}
}
