package main

import (
	"bytes"
	"encoding/json"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/fixture"
	"github.com/loadgate/loadgate/loadtest"
)

// writeLongRuns writes runs of a short synthetic three-stage run into dir;
// slow makes the head slower than the base.
func writeLongRuns(t *testing.T, dir string, runs int, slow bool) {
	t.Helper()
	for i := 1; i <= runs; i++ {
		l := fixture.Long{Scenario: "checkout", P50: 2 * time.Millisecond, P99: 9 * time.Millisecond, Seed: 1, Run: i,
			Stages: []fixture.LongStage{{Name: "warm", From: 50, To: 50, Seconds: 3}, {Name: "ramp", From: 50, To: 200, Seconds: 5}, {Name: "hold", From: 200, To: 200, Seconds: 12}}}
		if slow {
			l.P50, l.P99, l.Seed = 4*time.Millisecond, 30*time.Millisecond, 2
		}
		if _, err := loadtest.WriteFile(dir, l.Result()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReport writes the HTML report of a head against its base and checks
// that it says what loadgate compare says of the same files.
func TestReport(t *testing.T) {
	dir := t.TempDir()
	head, base := filepath.Join(dir, "head"), filepath.Join(dir, "base")
	writeLongRuns(t, base, 6, false)
	writeLongRuns(t, head, 6, true)
	out := filepath.Join(dir, "out", "report.html")

	r := loadgate(t.Context(), "report", "-o", out, "-objective", "20ms", base, head)
	if r.code != 0 || !strings.Contains(r.stdout, "loadgate: HTML report "+out) {
		t.Fatalf("report: %s", r)
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	cmp := loadgate(t.Context(), "compare", base, head)
	if cmp.code != exitFailed || !strings.Contains(cmp.stdout, "FAIL") {
		t.Fatalf("compare: %s", cmp)
	}
	for _, want := range []string{
		`<span class="word verdict-fail">fail</span>`, "1 of 1 scenario failed: checkout",
		"latency ≤ 20ms for 99% of requests", `<table class="verdict">`,
	} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	// Each p99 row of compare's table is in the report's, cell for cell.
	for _, line := range strings.Split(cmp.stdout, "\n") {
		if level, ok := strings.CutPrefix(strings.TrimSpace(line), "± is a "); ok {
			level, _, _ = strings.Cut(level, " ")
			if !strings.Contains(string(page), "± is a "+level+" confidence interval") {
				t.Errorf("compare's intervals are at %s; the report does not say so", level)
			}
		}
		f := strings.Fields(line)
		if len(f) > 0 && f[0] == "p99" {
			for _, c := range f[1:3] {
				if !strings.Contains(string(page), c) {
					t.Errorf("compare's p99 cell %q is not in the report", c)
				}
			}
		}
	}
}

func TestReportErrors(t *testing.T) {
	dir := t.TempDir()
	writeLongRuns(t, dir, 1, false)
	shard := shardResult(t, "testdata/results/slow/checkout_at_150_per_second.2.json")
	tests := []struct {
		name    string
		give    []string
		wantErr string
	}{
		{"no arguments", []string{"report"}, "want RESULTS, or BASE and RESULTS; got 0 arguments"},
		{"three arguments", []string{"report", dir, dir, dir}, "got 3 arguments"},
		{"bad goal", []string{"report", "-goal", "150%", dir}, `-goal "150%": want a share in (0, 1)`},
		{"bad window", []string{"report", "-window", "1.5s", dir}, `-window "1.5s": want whole seconds`},
		{"bad objective", []string{"report", "-objective", "fast", dir}, `-objective "fast": want a duration`},
		{"missing", []string{"report", filepath.Join(dir, "nope")}, "no such file or directory"},
		{"NaN goal", []string{"report", "-goal", "NaN", dir}, `-goal "NaN": want a share in (0, 1)`},
		{"NaN success goal", []string{"report", "-success-goal", "NaN", dir}, `-success-goal "NaN": want a share in (0, 1)`},
		{"empty -o", []string{"report", "-o", "", dir}, `-o is empty`},
		{"a shard's result", []string{"report", shard}, "shard.json: a shard's result: scenario checkout at 150 per second ran as shard 2 of 3"},
		// A base of other scenarios compared nothing, and the report
		// passed every scenario; loadgate compare refused it.
		// The order report took before, RESULTS BASE, the reverse of
		// compare's: a base of baselines given last is named.
		{"base last", []string{"report", "-o", filepath.Join(dir, "r.html"), "testdata/results/slow", "testdata/baselines"},
			"testdata/baselines holds no results, only baselines: a report draws results, and BASE comes first (loadgate report testdata/baselines testdata/results/slow, as loadgate compare BASE NEW)"},
		{"a base of other scenarios", []string{"report", "-o", filepath.Join(dir, "r.html"), "testdata/baselines", dir},
			"no scenario is in both testdata/baselines (checkout at 150 per second) and " + dir + " (checkout)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := loadgate(t.Context(), tt.give...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.wantErr) {
				t.Errorf("got %s\nwant exit 2 and %q", r, tt.wantErr)
			}
		})
	}
}

// TestRunReport checks that loadgate run -report writes the HTML report of
// the run it summarised, judged as the summary judged it.
func TestRunReport(t *testing.T) {
	fake := fakeRun{events: "../../testdata/gotest/slow.jsonl", results: "testdata/results/slow"}
	fake.install(t)
	out := t.TempDir()
	page := filepath.Join(t.TempDir(), "run.html")
	r := loadgate(t.Context(), "run", "-out", out, "-report", page, "./examples/shop", "-run", "TestBaselineCheckout",
		"-count", "5", "-progress", "off", "-baselines", "testdata/baselines", "-base", "stored")
	if r.code != exitFailed || !strings.Contains(r.stdout, "loadgate: HTML report "+page) {
		t.Fatalf("run: %s", r)
	}
	data, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<span class="word verdict-fail">fail</span>`, `<table class="verdict">`, "the stored baseline"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}

// TestRunReportFailedTest: the report of a run whose load test failed
// says why it failed, the test's own message, as the Action's annotation
// does; not the scenario summary loadtest logs before it.
func TestRunReportFailedTest(t *testing.T) {
	fakeRun{events: "../../testdata/gotest/examples.jsonl", results: "../../testdata/gotest/examples"}.install(t)
	page := filepath.Join(t.TempDir(), "run.html")
	r := loadgate(t.Context(), "run", "-out", t.TempDir(), "-report", page, "-count", "1", "-progress", "off", "./examples/...")
	if r.code != exitFailed {
		t.Fatalf("run: %s", r)
	}
	data, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if want := "test TestLoadMix failed: load_test.go:154: checkout: 11 requests, want 9 ± 10%"; !strings.Contains(html.UnescapeString(string(data)), want) {
		t.Errorf("the report lacks %q", want)
	}
}

// TestReportWhereTimeWent checks that the report says where the time went
// when the runs took profiles, as loadgate compare does of the same files
// (internal/rootcause's test data: the shop's checkout, base and head).
func TestReportWhereTimeWent(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.html")
	head, base := "../../testdata/rootcause/shop/head", "../../testdata/rootcause/shop/base"
	if r := loadgate(t.Context(), "report", "-o", out, base, head); r.code != 0 {
		t.Fatalf("report: %s", r)
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	cmp := loadgate(t.Context(), "compare", base, head)
	// The same words, to the same rounding: the page wrote "CPU per
	// request: 2.11ms → 2.67ms" without the change, and shop.sign's
	// change to 2 decimals.
	for _, want := range []string{"Where the time went", "CPU per request 1.97ms → 2.44ms (+24%; 1 base run and 1 head run; loadgate's own generator: 9% of the CPU samples, not shown)",
		"<td><code>shop.sign</code></td><td>1.55ms</td><td>1.91ms</td><td>+23%</td>"} {
		if !strings.Contains(html.UnescapeString(string(page)), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	for _, want := range []string{"CPU per request 1.97ms → 2.44ms (+24%; 1 base run and 1 head run; loadgate's own generator: 9% of the CPU samples, not shown)", "shop.sign  1.55ms → 1.91ms per request (+23%)"} {
		if !strings.Contains(cmp.stdout, want) {
			t.Errorf("compare does not say %q:\n%s", want, cmp.stdout)
		}
	}
}

// shardResult writes a copy of the result file at path as the result of
// shard 2 of 3, and returns its path.
func shardResult(t *testing.T, path string) string {
	t.Helper()
	var m map[string]any
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	m["shard"] = map[string]any{"index": 2, "count": 3, "group": "g", "run": 1, "load_start": m["started"], "busy_ns": 0}
	if data, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "shard.json")
	if err := os.WriteFile(out, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestReportOtherSchemas: a file of a schema loadgate does not read is
// named with what it is. The Action's results directory, downloaded as
// its artifact and given whole, was refused with "schema
// "loadgate.action/v1" is not one loadgate reads", without a word of the
// head/ and base/ beside its manifest; a result of a newer loadgate and
// compare's JSON output the same.
func TestReportOtherSchemas(t *testing.T) {
	result, err := os.ReadFile("testdata/results/base/checkout_at_150_per_second.json")
	if err != nil {
		t.Fatal(err)
	}
	write := func(path string, data []byte) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	artifact := filepath.Join(dir, "results")
	write(filepath.Join(artifact, "loadgate-action.json"), []byte(`{"schema": "loadgate.action/v1", "compare": "base-ref"}`))
	write(filepath.Join(artifact, "head", "checkout.json"), result)
	write(filepath.Join(artifact, "base", "checkout.json"), result)
	newer := filepath.Join(dir, "newer.json")
	write(newer, bytes.Replace(result, []byte(`"loadgate.result/v1"`), []byte(`"loadgate.result/v2"`), 1))
	compared := filepath.Join(dir, "compare.json")
	write(compared, []byte(`{"schema": "loadgate.compare/v1", "verdict": "pass"}`))
	for _, tt := range []struct {
		name, give, want string
	}{
		{"action results", artifact, filepath.Join(artifact, "loadgate-action.json") + ": the GitHub Action's manifest (loadgate.action/v1), not a result: give the results beside it, " +
			filepath.Join(artifact, "base") + " " + filepath.Join(artifact, "head") + " (the base first)"},
		{"newer", newer, newer + `: schema "loadgate.result/v2" is of another version of loadgate; this one reads loadgate.result/v1 or loadgate.baseline/v1`},
		{"compare output", compared, compared + ": the output of loadgate compare -format json (loadgate.compare/v1), not a result"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := loadgate(t.Context(), "report", "-o", filepath.Join(dir, "report.html"), tt.give)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("report %s: exit %d, stderr %q; want %d and %q", tt.give, r.code, r.stderr, exitUsage, tt.want)
			}
		})
	}
}
