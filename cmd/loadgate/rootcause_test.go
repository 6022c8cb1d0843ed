package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorded are CPU profiles of the example shop's TestBaselineCheckout,
// five runs a side merged, the head with LOADGATE_SHOP_SLOWDOWN=0.4 (see
// internal/rootcause's TestShopRanking).
const recorded = "../../testdata/rootcause/shop"

// withProfile copies the results in dir to a new directory, each naming a
// copy of the CPU profile side of recorded beside it, as loadtest writes
// them, and returns the directory.
func withProfile(t *testing.T, dir, side string) string {
	t.Helper()
	prof, err := os.ReadFile(filepath.Join(recorded, side, "checkout_at_150_per_second.cpu.pprof"))
	if err != nil {
		t.Fatal(err)
	}
	return editResults(t, dir, func(out, name string, doc map[string]any) {
		pprof := strings.TrimSuffix(name, ".json") + ".cpu.pprof"
		doc["profiles"] = map[string]string{"cpu": pprof}
		if err := os.WriteFile(filepath.Join(out, pprof), prof, 0o644); err != nil {
			t.Fatal(err)
		}
	})
}

// TestCompareWhereTheTimeWent (issue 15): when the runs took CPU profiles,
// loadgate compare says which functions' CPU per request grew most, the
// checkout's slowed signing first, in text and Markdown.
func TestCompareWhereTheTimeWent(t *testing.T) {
	base, head := withProfile(t, "testdata/results/base", "base"), withProfile(t, "testdata/results/slow", "head")
	r := loadgate(context.Background(), "compare", base, head)
	_, section, ok := strings.Cut(r.stdout, "where the time went in checkout at 150 per second")
	if !ok {
		t.Fatalf("no where-the-time-went section:\n%s", r.stdout)
	}
	_, grew, _ := strings.Cut(section, "own CPU per request grew most in:\n")
	if !strings.HasPrefix(strings.TrimSpace(grew), "shop.sign ") {
		t.Errorf("the function that grew most is not shop.sign:\n%s", section)
	}
	md := loadgate(context.Background(), "compare", "-format", "markdown", base, head)
	if !strings.Contains(md.stdout, "**Where the time went** in `checkout at 150 per second`") ||
		!strings.Contains(md.stdout, "|:--|--:|--:|--:|\n| `shop.sign` |") {
		t.Errorf("the Markdown does not show shop.sign first:\n%s", md.stdout)
	}
	// Without profiles, nothing is said.
	if plain := loadgate(context.Background(), "compare", "testdata/results/base", "testdata/results/slow"); strings.Contains(plain.stdout, "where the time went") {
		t.Errorf("a section without profiles:\n%s", plain.stdout)
	}
}

// TestRunWhereTheTimeWent (issue 15): -profile reaches the tests as
// LOADGATE_PROFILE, and the summary of runs that took profiles says where
// the time went.
func TestRunWhereTheTimeWent(t *testing.T) {
	t.Setenv("LOADGATE_PROFILE", "")
	os.Unsetenv("LOADGATE_PROFILE")
	log := fakeRun{events: "../../testdata/gotest/slow.jsonl", results: withProfile(t, "testdata/results/slow", "head")}.install(t)
	r := loadgate(context.Background(), "run", "-progress", "off", "-out", t.TempDir(), "-count", "5",
		"-baselines", "testdata/baselines", "-base", "stored", "-profile", "CPU, heap", "./examples/shop", "-run", "TestBaselineCheckout")
	if logged, _ := os.ReadFile(log); !strings.Contains(string(logged), "env LOADGATE_PROFILE=cpu,heap\n") {
		t.Errorf("go test was not run with LOADGATE_PROFILE=cpu,heap; the fake logged:\n%s", logged)
	}
	_, section, ok := strings.Cut(r.stdout, "\n== where the time went (profiles of the measured load)\n")
	if !ok {
		t.Fatalf("no where-the-time-went section:\n%s", r.stdout)
	}
	_, table, _ := strings.Cut(section, "    function ")
	lines := strings.Split(table, "\n")
	if len(lines) < 2 || !strings.HasPrefix(strings.TrimSpace(lines[1]), "shop.sign ") {
		t.Errorf("the costliest function is not shop.sign:\n%s", section)
	}
}
