package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/internal/fixture"
	"github.com/loadgate/loadgate/internal/schematest"
)

// TestCompareJSONSchema checks loadgate compare -format json against
// schema/compare.v1.json, with every key documented, on inputs that
// between them write every part of it: a regression, a baseline, an SLA,
// generator-bound runs, scenarios only one side has. Each metric row has
// the interval of its change, change_lo and change_hi (it had none,
// though loadgate run stops adding runs by it), null where infinite.
func TestCompareJSONSchema(t *testing.T) {
	renamed := func(dir, name string) string { // its last run renamed
		return editResults(t, dir, func(_, file string, doc map[string]any) {
			if file == "checkout_at_150_per_second.5.json" {
				doc["scenario"] = name
			}
		})
	}
	bound := withBoundRuns(t, "testdata/results/slow", "checkout_at_150_per_second.json", "checkout_at_150_per_second.3.json", "checkout_at_150_per_second.5.json")
	tests := []struct {
		name string
		give []string
	}{
		{"regression", []string{"testdata/results/base", "testdata/results/slow"}},
		{"baseline and SLA", []string{"-sla", "testdata/sla.txt", "testdata/baselines", "testdata/results/same"}},
		{"generator-bound", []string{"testdata/results/base", bound}},
		{"one run", []string{"testdata/results/base", "testdata/results/slow/checkout_at_150_per_second.2.json"}},
		{"only one side", []string{renamed("testdata/results/base", "gone"), renamed("testdata/results/slow", "new")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := loadgate(context.Background(), append([]string{"compare", "-format", "json"}, tt.give...)...)
			if r.code == exitUsage {
				t.Fatalf("compare refused its input: %s", r)
			}
			schematest.Validate(t, "../../schema/compare.v1.json", []byte(r.stdout))
			var doc struct {
				Comparisons []struct {
					Metrics []map[string]any `json:"metrics"`
				} `json:"comparisons"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
				t.Fatal(err)
			}
			for _, c := range doc.Comparisons {
				for _, m := range c.Metrics {
					for _, key := range []string{"change_lo", "change_hi"} {
						if _, ok := m[key]; !ok {
							t.Errorf("row %v has no %s", m["metric"], key)
						}
					}
				}
			}
		})
	}
}

// TestCompareJudgesNewScenarios: a scenario only in NEW has nothing to
// compare with, but its SLA limits still judge it, as loadgate run, the
// report and the Action judge one without a baseline. compare left it
// out: a new scenario that breached its SLA passed, and the SLA file's
// section for it was said to match no scenario.
func TestCompareJudgesNewScenarios(t *testing.T) {
	head := t.TempDir()
	for _, side := range []struct{ dir, scenario string }{{"testdata/results/base", ""}, {"testdata/results/slow", "new"}} {
		files, _ := filepath.Glob(filepath.Join(side.dir, "*.json"))
		for i, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.Base(f)
			if side.scenario != "" {
				var doc map[string]any
				if err := json.Unmarshal(data, &doc); err != nil {
					t.Fatal(err)
				}
				doc["scenario"] = side.scenario
				data, _ = json.Marshal(doc)
				name = fmt.Sprintf("%s.%d.json", side.scenario, i+1)
			}
			fixture.WriteFile(t, filepath.Join(head, name), string(data))
		}
	}
	sla := filepath.Join(t.TempDir(), "sla.txt")
	fixture.WriteFile(t, sla, "[new]\np99 < 1us\n")

	r := loadgate(t.Context(), "compare", "-sla", sla, "testdata/results/base", head)
	if r.code != exitFailed {
		t.Errorf("exit status %d, want %d (the new scenario breached its SLA)\n%s", r.code, exitFailed, r)
	}
	for _, want := range []string{"only in NEW, not compared: new\n", "new (only in NEW): FAIL\n  - SLA breached: scenario new: p99 = ", "\nFAIL: "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stderr, "matches no scenario") {
		t.Errorf("the SLA's section for the new scenario is said to match none:\n%s", r.stderr)
	}
	md := loadgate(t.Context(), "compare", "-format", "markdown", "-sla", sla, "testdata/results/base", head)
	if !strings.Contains(md.stdout, "- ❌ `new`: SLA breached: scenario new: p99 = ") {
		t.Errorf("markdown lacks the new scenario's breach:\n%s", md.stdout)
	}
	js := loadgate(t.Context(), "compare", "-format", "json", "-sla", sla, "testdata/results/base", head)
	schematest.Validate(t, "../../schema/compare.v1.json", []byte(js.stdout))
	var doc struct {
		Verdict   string
		OnlyInNew []struct{ Scenario, Verdict string } `json:"only_in_new"`
	}
	if err := json.Unmarshal([]byte(js.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Verdict != "fail" || len(doc.OnlyInNew) != 1 || doc.OnlyInNew[0].Verdict != "fail" {
		t.Errorf("json: verdict %q, only_in_new %+v; want fail and new: fail", doc.Verdict, doc.OnlyInNew)
	}
}

// TestCompareNotJudged: NEW alone with an SLA file none of whose limits
// matches its scenario was judged by nothing but its leaks; compare exits
// 0 but says NOT JUDGED, not PASS, of the run and of each scenario, and
// its JSON says judged: false.
func TestCompareNotJudged(t *testing.T) {
	sla := filepath.Join(t.TempDir(), "sla.txt")
	fixture.WriteFile(t, sla, "[other]\np99 < 1s\n")
	r := loadgate(t.Context(), "compare", "-sla", sla, "testdata/results/base")
	if r.code != exitOK {
		t.Errorf("exit status %d, want %d\n%s", r.code, exitOK, r)
	}
	if strings.Contains(r.stdout, "PASS") || !strings.Contains(r.stdout, ": NOT JUDGED (no SLA limit matches it)\n") ||
		!strings.Contains(r.stdout, "\nNOT JUDGED: 1 scenario: no base or matching SLA limit (no goroutine leak found)\n") {
		t.Errorf("stdout:\n%s\nwant NOT JUDGED for the scenario and the run, no PASS", r.stdout)
	}
	// An SLA file was given: the headline said "no base or SLA limits
	// given" of it.
	if strings.Contains(r.stdout, "SLA limits given") {
		t.Errorf("stdout:\n%s\nsays no SLA limits were given, beside -sla", r.stdout)
	}
	js := loadgate(t.Context(), "compare", "-format", "json", "-sla", sla, "testdata/results/base")
	schematest.Validate(t, "../../schema/compare.v1.json", []byte(js.stdout))
	var doc struct {
		Verdict   string
		Judged    *bool
		OnlyInNew []struct {
			Verdict string
			Judged  *bool
		} `json:"only_in_new"`
	}
	if err := json.Unmarshal([]byte(js.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Verdict != "pass" || doc.Judged == nil || *doc.Judged || len(doc.OnlyInNew) != 1 || doc.OnlyInNew[0].Judged == nil || *doc.OnlyInNew[0].Judged {
		t.Errorf("json: %s\nwant verdict pass, judged false for the whole and the scenario", js.stdout)
	}
}

// TestCompareRefusesCopiedRuns: a result file copied into a directory
// under another name was counted as a run of its own. Two runs a side,
// copied to make five, failed p50 and p99 at p=0.008 where the two runs
// that were made cannot confirm any change (n=2: a warning at most). Each
// run counts once: the copies are bad input, named.
func TestCompareRefusesCopiedRuns(t *testing.T) {
	copied := func(dir string) string {
		out := t.TempDir()
		for _, c := range []struct{ from, to string }{
			{"checkout_at_150_per_second.json", "checkout_at_150_per_second.json"},
			{"checkout_at_150_per_second.2.json", "checkout_at_150_per_second.2.json"},
			{"checkout_at_150_per_second.json", "copy-a.json"},
			{"checkout_at_150_per_second.2.json", "copy-b.json"},
			{"checkout_at_150_per_second.json", "copy-c.json"},
		} {
			data, err := os.ReadFile(filepath.Join(dir, c.from))
			if err != nil {
				t.Fatal(err)
			}
			fixture.WriteFile(t, filepath.Join(out, c.to), string(data))
		}
		return out
	}
	for _, side := range []string{"BASE", "NEW"} {
		t.Run(side, func(t *testing.T) {
			base, head := "testdata/results/base", "testdata/results/slow"
			if side == "BASE" {
				base = copied(base)
			} else {
				head = copied(head)
			}
			r := loadgate(t.Context(), "compare", base, head)
			if r.code != exitUsage {
				t.Fatalf("exit status %d, want %d (a run given twice)\n%s", r.code, exitUsage, r)
			}
			for _, want := range []string{side + ": ", "copy-", "the same run twice of scenario \"checkout at 150 per second\" (run_id "} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
		})
	}
}

// TestJudgeRefusesCopiedRuns: a run given twice was refused only where it
// was compared. Judged by its SLA alone (compare -sla FILE NEW, a scenario
// new in NEW, report without a base), the copy counted: 6 runs where 5
// ran, each breach and leak once more, and no figures in the report (the
// sample that makes them refused the copy, unsaid).
func TestJudgeRefusesCopiedRuns(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ from, to string }{
		{"checkout_at_150_per_second.json", "checkout_at_150_per_second.json"},
		{"checkout_at_150_per_second.2.json", "checkout_at_150_per_second.2.json"},
		{"checkout_at_150_per_second.json", "copy.json"},
	} {
		data, err := os.ReadFile(filepath.Join("testdata/results/slow", c.from))
		if err != nil {
			t.Fatal(err)
		}
		fixture.WriteFile(t, filepath.Join(dir, c.to), string(data))
	}
	sla := filepath.Join(t.TempDir(), "sla.txt")
	fixture.WriteFile(t, sla, "error_rate < 1%\n")
	other := t.TempDir() // a base without the scenario: it is new in NEW
	data, err := os.ReadFile("testdata/results/base/checkout_at_150_per_second.json")
	if err != nil {
		t.Fatal(err)
	}
	fixture.WriteFile(t, filepath.Join(other, "other.json"), strings.Replace(string(data), `"checkout at 150 per second"`, `"other"`, 1))
	fixture.WriteFile(t, filepath.Join(dir, "other.json"), strings.Replace(string(data), `"checkout at 150 per second"`, `"other"`, 1))
	for _, c := range []struct {
		name string
		args []string
	}{
		{"compare NEW", []string{"compare", "-sla", sla, dir}},
		{"compare, new in NEW", []string{"compare", other, dir}},
		{"report without a base", []string{"report", "-o", filepath.Join(t.TempDir(), "r.html"), dir}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := loadgate(t.Context(), c.args...)
			if r.code != exitUsage {
				t.Fatalf("exit status %d, want %d (a run given twice)\n%s", r.code, exitUsage, r)
			}
			for _, want := range []string{"copy.json", "the same run twice of scenario \"checkout at 150 per second\""} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
		})
	}
}

// TestCompareNamesFilesOfMixedScales: a directory whose runs of one
// scenario ran at two LOADGATE_SCALEs (or against two targets) is refused,
// but the refusal named no file: "the first result ran at
// LOADGATE_SCALE=1, the result 2 at LOADGATE_SCALE=0.5", in a directory of
// five files whose order the user does not see. It names both.
func TestCompareNamesFilesOfMixedScales(t *testing.T) {
	for _, c := range []struct {
		name, give, want string
	}{
		{"scale", `"cpu_model": "AMD EPYC",
    "scale": 0.5`, "LOADGATE_SCALE=0.5"},
		{"target", `"cpu_model": "AMD EPYC",
    "target": "http://127.0.0.1:8080"`, "LOADGATE_TARGET=http://127.0.0.1:8080"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			src := "testdata/results/slow"
			entries, err := os.ReadDir(src)
			if err != nil {
				t.Fatal(err)
			}
			const odd = "checkout_at_150_per_second.4.json"
			for _, e := range entries {
				data, err := os.ReadFile(filepath.Join(src, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				text := string(data)
				if e.Name() == odd {
					text = strings.Replace(text, `"cpu_model": "AMD EPYC"`, c.give, 1)
					if text == string(data) {
						t.Fatalf("fixture: %s has no cpu_model to follow", odd)
					}
				}
				fixture.WriteFile(t, filepath.Join(dir, e.Name()), text)
			}
			r := loadgate(t.Context(), "compare", "testdata/results/base", dir)
			if r.code != exitUsage {
				t.Fatalf("exit status %d, want %d (runs of two loads)\n%s", r.code, exitUsage, r)
			}
			for _, want := range []string{"NEW: ", filepath.Join(dir, odd), "checkout_at_150_per_second", c.want} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
		})
	}
}

// TestCompareNamesPackagesOfOneScenarioName: two packages' scenarios of
// one name (each package's TestLoad) are compared apart, and each says its
// package: the text printed "scenario TestLoad" twice.
func TestCompareNamesPackagesOfOneScenarioName(t *testing.T) {
	dir := t.TempDir()
	for _, side := range []string{"base", "head"} {
		for _, pkg := range []string{"example.com/cart", "example.com/orders"} {
			f := fixture.Fake{Scenario: "TestLoad", Test: "TestLoad", Package: pkg}
			for i, r := range fixture.Runs(f, []float64{5, 5, 5}, []float64{20, 21, 19}) {
				r.RunID = fmt.Sprintf("%s-%s-%d", side, pkg, i)
				b, err := json.Marshal(r)
				if err != nil {
					t.Fatal(err)
				}
				fixture.WriteFile(t, filepath.Join(dir, side, filepath.Base(pkg)+fmt.Sprint(i)+".json"), string(b))
			}
		}
	}
	for _, format := range []string{"text", "markdown"} {
		r := loadgate(context.Background(), "compare", "-format", format, filepath.Join(dir, "base"), filepath.Join(dir, "head"))
		for _, pkg := range []string{"example.com/cart", "example.com/orders"} {
			if !strings.Contains(r.stdout, pkg) {
				t.Errorf("%s: no %s in\n%s", format, pkg, r.stdout)
			}
		}
	}
	// Only one package's TestLoad in the base: "only in NEW: TestLoad"
	// names which.
	if err := os.RemoveAll(filepath.Join(dir, "base")); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		src := filepath.Join(dir, "head", fmt.Sprintf("cart%d.json", i))
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		fixture.WriteFile(t, filepath.Join(dir, "base", fmt.Sprintf("cart%d.json", i)), strings.Replace(string(data), `"run_id":"head-`, `"run_id":"base-`, 1))
	}
	r := loadgate(context.Background(), "compare", filepath.Join(dir, "base"), filepath.Join(dir, "head"))
	if want := "only in NEW, not compared: TestLoad (orders)"; !strings.Contains(r.stdout, want) {
		t.Errorf("want %q in\n%s", want, r.stdout)
	}
	// One package: no package line.
	r = loadgate(context.Background(), "compare", filepath.Join(dir, "base", "cart0.json"), filepath.Join(dir, "head", "cart0.json"))
	if strings.Contains(r.stdout, "package ") {
		t.Errorf("one package named:\n%s", r.stdout)
	}
}
