package main

// Reliability cases of issue 20 ("nothing lost, nothing passing by
// accident") that the command shows, each named after the failure it
// guards.

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/gotest"
	"github.com/loadgate/loadgate/internal/lease"
)

// TestIssue20CompareRefusesImpossibleResults (failure 3): five results
// with p99_ns -5000000 compared as "-107.43% better", PASS, exit 0. They
// are bad input now, named by file, field and value, exit 2; so is a p99
// of MaxInt64 above its own p99.9 on the base side.
func TestIssue20CompareRefusesImpossibleResults(t *testing.T) {
	same, err := filepath.Glob("testdata/results/same/*.json")
	if err != nil || len(same) != 5 {
		t.Fatalf("fixtures: %v, %v", same, err)
	}
	for _, tt := range []struct {
		name, from, to, want string
	}{
		{"negative p99", `"p99_ns": `, `"p99_ns": -5000000, "x": `, "latency.p99_ns = -5000000: negative"},
		{"p99 of MaxInt64", `"p99_ns": `, `"p99_ns": 9223372036854775807, "x": `, "latency.p99_ns = 9223372036854775807: above 1h0m0s, the longest latency loadtest records"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bad := t.TempDir()
			for _, f := range same {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				// The first p99_ns of a file is its latency's.
				data = []byte(strings.Replace(string(data), tt.from, tt.to, 1))
				if err := os.WriteFile(filepath.Join(bad, filepath.Base(f)), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, args := range [][]string{{"compare", "testdata/results/same", bad}, {"compare", bad, "testdata/results/same"}} {
				r := loadgate(context.Background(), args...)
				if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) || !strings.Contains(r.stderr, bad) {
					t.Errorf("got\n%s\nwant exit status %d and %q", r, exitUsage, tt.want)
				}
			}
		})
	}
}

// TestIssue20ConcurrentBaselineUpdateRefused (failure 1): two loadgate
// baseline update at once both printed success and lost everything. While
// one update holds the lease of a directory of baselines, a second is
// refused before go test starts, naming the first, exit 1; the first
// passes its lease to its tests (LOADGATE_UPDATE_LEASE, failure 8) and
// lets go of it when it ends.
func TestIssue20ConcurrentBaselineUpdateRefused(t *testing.T) {
	dir := t.TempDir()
	first, err := lease.Take(leasePath(dir), lease.Holder{ID: "loadgate-first", Note: "loadgate baseline update, pid 4242"})
	if err != nil {
		t.Fatal(err)
	}
	log := fakeRun{events: "../../testdata/gotest/update.jsonl", results: "testdata/results/base"}.install(t)
	update := func() result {
		return loadgate(context.Background(), "baseline", "update", "-progress", "off", "-out", t.TempDir(), "-baselines", dir, "./examples/shop", "-run", "TestBaselineCheckout")
	}
	r := update()
	want := "loadgate baseline update: another update is recording baselines into " + dir + " (" + leasePath(dir) + ": held by another process: loadgate-first: loadgate baseline update, pid 4242): not started, nothing was sent or recorded"
	if r.code != exitFailed || !strings.Contains(r.stderr, want) {
		t.Errorf("a second update:\n%s\nwant exit status %d and\n%s", r, exitFailed, want)
	}
	if logged, _ := os.ReadFile(log); strings.Contains(string(logged), "go test") {
		t.Errorf("go test ran under a second update:\n%s", logged)
	}
	first.Release()
	r = update()
	logged, _ := os.ReadFile(log)
	if r.code != exitOK || !strings.Contains(string(logged), "env LOADGATE_UPDATE_LEASE="+leasePath(dir)) {
		t.Errorf("the update once the first ended:\n%s\nthe fake logged:\n%s", r, logged)
	}
	if _, err := os.Stat(leasePath(dir)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the lease outlived the update: %v", err)
	}
}

// TestIssue20LeftoverStagingReportedAndCleaned (failure 1): an update that
// stopped before its last run left its staging file behind. It is
// reported, and removed: no later update may add to its runs.
func TestIssue20LeftoverStagingReportedAndCleaned(t *testing.T) {
	pkg := t.TempDir()
	fakeRun{events: "../../testdata/gotest/update.jsonl", results: "testdata/results/base", pkgDir: pkg}.install(t)
	t.Setenv(envFakePartial, "1")
	r := loadgate(context.Background(), "baseline", "update", "-progress", "off", "-out", t.TempDir(), "./examples/shop", "-run", "TestBaselineCheckout")
	staged := baseline.StagedPath(filepath.Join(pkg, "testdata", "loadgate", "checkout_at_150_per_second.json"))
	if !strings.Contains(r.stdout, "NOT RECORDED  checkout at 150 per second") || !strings.Contains(r.stdout, "the staged runs were removed from "+staged) {
		t.Errorf("summary:\n%s", r.stdout)
	}
	if _, err := os.Stat(staged); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the staging file is left: %v", err)
	}
}

// TestIssue20NoFalseNoCheck (failure 1): when baseline.Check refused to
// record (another update ran), the summary said "no test that ran called
// baseline.Check". It points at the failed tests instead.
func TestIssue20NoFalseNoCheck(t *testing.T) {
	s := gotest.NewSession()
	s.Order = append(s.Order, &gotest.Test{Key: gotest.Key{Package: "example.com/shop", Test: "TestBaselineCheckout"}, Failed: true,
		FailedOutput: []string{"    baseline_test.go:80: baseline.Check: not recording into x.json: another update of this baseline is running: ..."}})
	o := &runOutcome{Config: runConfig{Update: true, Run: "TestBaselineCheckout"}, side: side{Session: s}}
	var b strings.Builder
	writeWritten(&b, o)
	if got := b.String(); strings.Contains(got, "no test that ran called baseline.Check") || !strings.Contains(got, "none: baseline.Check refused to record (see the failed tests above)") {
		t.Errorf("summary:\n%s", got)
	}
}

// TestIssue20StagingOfAKilledUpdateDropped (failures 1 and 7): staged runs
// of an update whose loadgate was killed stay in the directory until the
// next run of their scenario. The next update drops and reports them
// before it starts, so that nothing adds to them.
func TestIssue20StagingOfAKilledUpdateDropped(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile("testdata/baselines/checkout_at_150_per_second.json")
	if err != nil {
		t.Fatal(err)
	}
	staged := baseline.StagedPath(filepath.Join(dir, "checkout_at_150_per_second.json"))
	if err := os.WriteFile(staged, []byte(strings.Replace(string(data), `"update_id": "fixture"`, `"update_id": "killed"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	fakeRun{events: "../../testdata/gotest/update.jsonl", results: "testdata/results/base"}.install(t)
	r := loadgate(context.Background(), "baseline", "update", "-progress", "off", "-out", t.TempDir(), "-baselines", dir, "./examples/shop", "-run", "TestBaselineCheckout")
	if want := "loadgate: dropped " + staged + ": 5 runs of update session killed, which stopped before its last run"; !strings.Contains(r.stdout, want) || r.code != exitOK {
		t.Errorf("got\n%s\nwant %q", r, want)
	}
	if _, err := os.Stat(staged); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the staging file is left: %v", err)
	}
}

// TestUpdateRefusesFileForBaselines: a file where a package's baselines go
// (testdata/loadgate, or testdata above it) is refused before any load is
// sent, naming the file; the update ran every test's load, then each failed
// to record. With testdata a file, Windows says "path not found" where Unix
// says ENOTDIR, and the refusal named testdata/loadgate, not the file.
func TestUpdateRefusesFileForBaselines(t *testing.T) {
	for _, tt := range []struct {
		name string
		file []string // the file, under the package
	}{
		{"testdata/loadgate is a file", []string{"testdata", "loadgate"}},
		{"testdata is a file", []string{"testdata"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pkg := t.TempDir()
			log := fakeRun{events: "../../testdata/gotest/update.jsonl", results: "testdata/results/base", pkgDir: pkg}.install(t)
			file := filepath.Join(append([]string{pkg}, tt.file...)...)
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, []byte("not baselines\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			r := loadgate(context.Background(), "baseline", "update", "-progress", "off", "-out", t.TempDir(), "./examples/shop", "-run", "TestBaselineCheckout")
			if want := file + " is a file, not a directory, where the baselines are recorded (" + filepath.Join(pkg, "testdata", "loadgate") + "): nothing was sent or recorded"; r.code != exitUsage || !strings.Contains(r.stderr, want) {
				t.Errorf("update:\n%s\nwant exit status %d and %q", r, exitUsage, want)
			}
			if logged, _ := os.ReadFile(log); strings.Contains(string(logged), "go test") {
				t.Errorf("go test ran:\n%s", logged)
			}
		})
	}
}
