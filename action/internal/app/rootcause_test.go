package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMarkdownWhereTheTimeWent (issue 15): when the runs took CPU profiles
// (LOADGATE_PROFILE in the job's environment), the scenario's section of
// the comment says which functions' CPU per request grew most: here the
// example shop's checkout, whose signing was slowed in the head, with
// profiles recorded from it (see internal/rootcause's TestShopRanking).
func TestMarkdownWhereTheTimeWent(t *testing.T) {
	res := regressionResults()
	res.Dir = t.TempDir()
	for _, side := range []string{BaseDir, HeadDir} {
		prof, err := os.ReadFile(filepath.Join("../../../testdata/rootcause/shop", side, "checkout_at_150_per_second.cpu.pprof"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(res.Dir, side), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(res.Dir, side, "checkout.cpu.pprof"), prof, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range append(res.Base, res.Head...) {
		if r.Scenario == "checkout" {
			r.Profiles = map[string]string{"cpu": "checkout.cpu.pprof"}
		}
	}
	r := analyze(t, res, testSLA)
	md := r.Markdown(Full)
	_, section, ok := strings.Cut(md, "**Where the time went** in `checkout`")
	if !ok {
		t.Fatalf("no where-the-time-went section:\n%s", md)
	}
	if !strings.Contains(section, "|:--|--:|--:|--:|\n| `shop.sign` |") {
		t.Errorf("shop.sign is not the function that grew most:\n%s", section)
	}
	if strings.Count(md, "**Where the time went**") != 1 {
		t.Errorf("want one section, for checkout only (catalogue took no profiles):\n%s", md)
	}
	// It stays when the comment is cut down to failing scenarios.
	if short := r.Markdown(FailingOnly); !strings.Contains(short, "| `shop.sign` |") {
		t.Errorf("the failing-only comment lost the section:\n%s", short)
	}
}
