package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/baseline"
)

// TestOrphanedBaselineNoted: a scenario renamed in its test leaves its old
// baseline behind, which nothing compares with any more; the summary said
// only "no baseline … for" the new name. It now notes the old file, the
// test that ran without writing its scenario, and what to do. A -run that
// picks subtests may leave scenarios out on purpose: no note then.
func TestOrphanedBaselineNoted(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile("testdata/baselines/checkout_at_150_per_second.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "checkout_at_150_per_second.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	old := strings.Replace(string(data), `"scenario": "checkout at 150 per second"`, `"scenario": "checkout"`, 1)
	if err := os.WriteFile(baseline.Path(dir, "checkout"), []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, run string
		want      bool
	}{
		{"tests", "TestBaselineCheckout", true},
		{"subtests", "TestBaselineCheckout/checkout", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fakeRun{events: "../../testdata/gotest/baseline_pass.jsonl", results: "testdata/results/same"}.install(t)
			r := loadgate(t.Context(), "run", "-progress", "off", "-out", t.TempDir(), "-baselines", dir, "-base", "stored", "-count", "5", "-run", tt.run, "./examples/shop")
			note := "note: " + relPath(baseline.Path(dir, "checkout")) + ` was compared with nothing: TestBaselineCheckout ran and passed but wrote no result of scenario "checkout" (renamed or removed? delete the file, or record the scenario's new name with loadgate baseline update)`
			if got := strings.Contains(r.stdout, note); got != tt.want {
				t.Errorf("note shown: %v, want %v\n%s\n%s", got, tt.want, note, r)
			}
			if !strings.Contains(r.stdout, "checkout at 150 per second: 5 runs against the 5 of") {
				t.Errorf("the scenario with a baseline was not compared:\n%s", r.stdout)
			}
		})
	}
}
