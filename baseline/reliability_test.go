package baseline

// Reliability cases of issue 20 ("nothing lost, nothing passing by
// accident"), each named after the failure it guards.

import (
	"encoding/json"
	"flag"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// setTestCount sets go test's -count for the rest of t, as
// go test -count=n would.
func setTestCount(t *testing.T, n string) {
	t.Helper()
	f := flag.Lookup("test.count")
	if f == nil {
		t.Skip("no -test.count flag outside go test")
	}
	old := f.Value.String()
	if err := f.Value.Set(n); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Value.Set(old) })
}

// TestIssue20SuitePassesUnderCount (failure 2): Check takes the runs of a
// session from -test.count, so the package's own tests that record or
// compare one run into a directory of their own say so with WithRuns(1),
// and pass at go test -count=3 as at -count=1; a Check without it still
// follows -count.
func TestIssue20SuitePassesUnderCount(t *testing.T) {
	setTestCount(t, "3")
	dir := t.TempDir()
	tb := &fakeTB{}
	Check(tb, result("checkout", time.Millisecond, 1), WithDir(dir), WithUpdate(true), WithRuns(1))
	if b, err := Load(Path(dir, "checkout")); err != nil || len(b.Runs) != 1 || tb.failed() {
		t.Fatalf("WithRuns(1) under -count=3: %v\n%s", err, tb.text())
	}
	other := t.TempDir()
	for i := range 3 {
		tb := &fakeTB{}
		Check(tb, result("checkout", time.Millisecond, uint64(i)), WithDir(other), WithUpdate(true), WithUpdateID("count"))
		_, err := Load(Path(other, "checkout"))
		if recorded := err == nil; recorded != (i == 2) || tb.failed() {
			t.Fatalf("run %d of -count=3: recorded %v (%v)\n%s", i+1, recorded, err, tb.text())
		}
	}
}

// TestIssue20ImpossibleRunsRefused (failure 3): the checks of result files
// hold where results and baselines enter a comparison from memory or
// from a baseline file: a negative p99 and a p99 above its p99.9 are
// refused with the field and value.
func TestIssue20ImpossibleRunsRefused(t *testing.T) {
	neg := result("checkout", time.Millisecond, 1)
	neg.Latency.P99NS = -5000000
	if _, err := SampleOf(neg); err == nil || !strings.Contains(err.Error(), "latency.p99_ns = -5000000: negative") {
		t.Errorf("SampleOf a result with p99 -5ms: %v", err)
	}
	huge := result("checkout", time.Millisecond, 2)
	huge.Latency.P99NS = math.MaxInt64
	if _, _, err := RecordSession(filepath.Join(t.TempDir(), "checkout.json"), "u", 1, huge); err == nil || !strings.Contains(err.Error(), "latency.p99_ns = 9223372036854775807: above p999_ns") {
		t.Errorf("recording a result with p99 MaxInt64: %v", err)
	}
	b := &Baseline{Schema: SchemaVersion, Scenario: "checkout", UpdateID: "u", Runs: []Run{run(time.Millisecond, 2*time.Millisecond)}}
	b.Runs[0].P99NS = math.MaxInt64
	data, _ := json.Marshal(b)
	if _, err := Parse(data, "checkout.json"); err == nil || !strings.Contains(err.Error(), "checkout.json: baseline of checkout: run 1: p99_ns = 9223372036854775807 is above p999_ns") {
		t.Errorf("a baseline with p99 MaxInt64: %v", err)
	}
}
