package app

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/golden"
	"github.com/loadgate/loadgate/internal/verdict"
	"github.com/loadgate/loadgate/loadtest"
)

// slaFile parses an SLA file's text.
func slaFile(t *testing.T, text string) *assert.File {
	t.Helper()
	path := t.TempDir() + "/sla.txt"
	writeFile(t, path, text)
	f, err := assert.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Path = "loadgate.sla" // as the sla input names it, for the goldens
	return f
}

var testPositions = map[string]Position{
	shopPkg + ".TestLoadCheckout":  {File: "examples/shop/load_test.go", Line: 160},
	shopPkg + ".TestLoadCatalogue": {File: "examples/shop/load_test.go", Line: 114},
	shopPkg + ".TestLoadMix":       {File: "examples/shop/load_test.go", Line: 131},
}

func baseRefManifest() Manifest {
	m := Manifest{
		Schema: ManifestSchema, Compare: CompareBaseRef, Repository: "loadgate/loadgate", PR: 7,
		HeadSHA: "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432", BaseSHA: "1a2b3c4d5e6f708192a3b4c5d6e7f80912345678",
		PRHeadSHA: "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432",
		Count:     5, Packages: []string{"./examples/shop"}, Run: "Load", WorkingDirectory: ".",
		Positions: testPositions,
	}
	cfg := &Config{Compare: CompareBaseRef, Run: m.Run, Packages: m.Packages, Count: m.Count}
	m.Reproduce = reproduce(cfg, &m)
	for run := 1; run <= 5; run++ {
		for _, side := range []string{"base", "head"} {
			for _, test := range []string{"TestLoadCatalogue", "TestLoadCheckout"} {
				m.Tests = append(m.Tests, TestStatus{Side: side, Run: run, Package: shopPkg, Test: test, Action: "pass"})
			}
		}
	}
	return m
}

// regressionResults is the example: p99 of checkout +23%
// (significant), SLA p99 < 200ms still met, no leaks; the catalogue is
// unchanged.
func regressionResults() *Results {
	checkout := fake{scenario: "checkout", test: "TestLoadCheckout"}
	catalogue := fake{scenario: "catalogue", test: "TestLoadCatalogue"}
	res := &Results{Manifest: baseRefManifest()}
	res.Base = append(res.Base, runs(checkout,
		[]float64{10.0, 10.2, 9.9, 10.1, 10.05}, []float64{130, 128, 132, 131, 129})...)
	// The head's runs keep their slowest requests and a flight recording
	// (issue 15), as with loadgate run -flight.
	slowHead := checkout
	slowHead.slowest, slowHead.flight = 10, true
	res.Head = append(res.Head, runs(slowHead,
		[]float64{10.1, 9.95, 10.15, 10.0, 10.2}, []float64{160, 158, 162, 159, 161})...)
	res.Base = append(res.Base, runs(catalogue,
		[]float64{1.0, 1.02, 0.99, 1.01, 1.0}, []float64{4.0, 4.1, 3.9, 4.05, 3.95})...)
	res.Head = append(res.Head, runs(catalogue,
		[]float64{1.01, 0.99, 1.0, 1.02, 1.0}, []float64{4.02, 3.98, 4.08, 3.92, 4.0})...)
	return res
}

const testSLA = `# every scenario
error_rate < 1%

[checkout]
p99 < 200ms
`

func analyze(t *testing.T, res *Results, sla string) *Report {
	t.Helper()
	j := &baseline.Judge{}
	if sla != "" {
		j.SLA = slaFile(t, sla)
	}
	r, err := Analyze(res, j)
	if err != nil {
		t.Fatal(err)
	}
	setLinks(r)
	return r
}

// setLinks gives r the links of the goldens' repository.
func setLinks(r *Report) {
	r.Marker = Marker("loadgate", "load")
	r.ServerURL = "https://github.com"
	r.Repository = "loadgate/loadgate"
	r.SummaryURL = "https://github.com/loadgate/loadgate/actions/runs/42"
}

func TestMarkdownRegression(t *testing.T) {
	r := analyze(t, regressionResults(), testSLA)
	if r.Verdict != baseline.Fail || r.Regressions != 1 {
		t.Errorf("verdict %v with %d regressions, want fail with 1 (p99)", r.Verdict, r.Regressions)
	}
	md := r.Markdown(Full)
	golden.Check(t, "regression.md.golden", []byte(md))
	// The sentence, as the verdict line of the scenario.
	want := "p99 of `checkout` +23.08% (over 15% tolerance), SLA `error_rate < 1%` and `p99 < 200ms` still met, no leaks"
	if !strings.Contains(md, want) {
		t.Errorf("the verdict line lacks %q", want)
	}
	if !strings.HasPrefix(md, "<!-- loadgate-action: loadgate / load -->\n## ❌") {
		t.Errorf("the body must start with the marker, then the verdict:\n%.200s", md)
	}
}

// TestMarkdownLegend: the comment's tables write ± and ~ as loadgate
// compare's do, and say what they mean in compare's words under each
// table (cell.Legend); the comment explained neither.
func TestMarkdownLegend(t *testing.T) {
	r := analyze(t, regressionResults(), testSLA)
	md := r.Markdown(Full)
	var compared strings.Builder
	r.Scenarios[0].Comparison.WriteMarkdown(&compared)
	legend := "± is a 90% confidence interval of the median; ~ is no significant change (Mann-Whitney U, α = 0.05).\n"
	if !strings.Contains(compared.String(), legend) {
		t.Fatalf("loadgate compare's Markdown no longer says %q: change the test", legend)
	}
	if n := strings.Count(md, "|\n\n"+legend); n != len(r.Scenarios) {
		t.Errorf("%d of the %d scenarios' tables are followed by %q", n, len(r.Scenarios), legend)
	}
}

// TestGistChangeAsCell: the headline's line of a scenario writes its most
// telling change as the table's cell does: "~" when the rank test found
// no significant change. It said "p99 of `checkout` +20.00% (inconclusive:
// …)" above a table whose p99 change was "~".
func TestGistChangeAsCell(t *testing.T) {
	checkout := fake{scenario: "checkout", test: "TestLoadCheckout"}
	res := &Results{Manifest: baseRefManifest()}
	res.Base = runs(checkout, []float64{10, 10.2, 9.9, 10.1, 10.05}, []float64{100, 200, 100, 200, 100})
	res.Head = runs(checkout, []float64{10.1, 9.95, 10.15, 10, 10.2}, []float64{120, 250, 110, 240, 220})
	r := analyze(t, res, "")
	row, ok := r.Scenarios[0].telling()
	if !ok || !row.Tested || row.Significant {
		t.Fatalf("the most telling row is not a tested, not significant one: the test tests nothing\n%s", r.Markdown(Full))
	}
	md := r.Markdown(Full)
	want := row.Metric + " of `checkout` ~ ("
	if !strings.Contains(md, "| "+row.Metric+" | ") || !strings.Contains(md, want) {
		t.Errorf("the headline lacks %q:\n%s", want, md)
	}
}

// TestMarkdownKey: the comment-key input names the matrix entry in the
// heading as text: a matrix value such as "@team" or "<b>" must not
// mention anyone or become markup.
func TestMarkdownKey(t *testing.T) {
	r := analyze(t, regressionResults(), testSLA)
	r.Key = "go-1.27 @octocat <b>x</b> linux_amd64"
	want := "## ❌ loadgate (go-1.27 @\u200boctocat &lt;b&gt;x&lt;/b&gt; linux\\_amd64): 1 regression\n"
	if md := r.Markdown(Full); !strings.Contains(md, want) {
		t.Errorf("heading:\n%.200s\nwant %q", md, want)
	}
}

// TestMarkdownTestLink: a test's link to its declaration holds its file's
// path as text and as a URL's path: a directory "load (old)" must not end
// the link early, and a path from the results of a fork's job
// (from-results) must not mention anyone, show an image or link elsewhere.
func TestMarkdownTestLink(t *testing.T) {
	res := regressionResults()
	res.Manifest.Positions = map[string]Position{
		shopPkg + ".TestLoadCheckout":  {File: "load (old)/load_test.go", Line: 160},
		shopPkg + ".TestLoadCatalogue": {File: "x) @octocat ![p](https://evil.example/p.png) [y", Line: 1},
	}
	md := analyze(t, res, testSLA).Markdown(Full)
	for _, want := range []string{
		"`TestLoadCheckout` ([load (old)/load\\_test.go:160](https://github.com/loadgate/loadgate/blob/9f8e7d6c5b4a39281706f5e4d3c2b1a098765432/load%20%28old%29/load_test.go#L160))",
		"([x) @\u200boctocat !\\[p\\](https://evil.example/p.png) \\[y:1](https://github.com/loadgate/loadgate/blob/9f8e7d6c5b4a39281706f5e4d3c2b1a098765432/x%29%20@octocat%20%21%5Bp%5D%28https://evil.example/p.png%29%20%5By#L1))",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the comment lacks %s", want)
		}
	}
}

// TestMarkdownManifestText: what the manifest says in words is written
// as text: the workflow_run job comments from a manifest a fork's job
// wrote (from-results).
func TestMarkdownManifestText(t *testing.T) {
	res := regressionResults()
	res.Manifest.BaseFrom = "@octocat [job summary](https://evil.example)"
	md := analyze(t, res, testSLA).Markdown(Full)
	if want := "against `1a2b3c4d5e6f`, @\u200boctocat \\[job summary\\](https://evil.example), 5 runs a side"; !strings.Contains(md, want) {
		t.Errorf("the context line lacks %q:\n%.400s", want, md)
	}
}

func TestMarkdownPass(t *testing.T) {
	res := regressionResults()
	// Head as the base: nothing changed.
	var head []*loadtest.Result
	for _, b := range res.Base {
		c := *b
		head = append(head, &c)
	}
	res.Head = head
	r := analyze(t, res, testSLA)
	if r.Verdict != baseline.Pass || r.Changed() {
		t.Errorf("verdict %v, changed %v; want pass, unchanged", r.Verdict, r.Changed())
	}
	golden.Check(t, "pass.md.golden", []byte(r.Markdown(Full)))
}

func TestMarkdownFailures(t *testing.T) {
	m := baseRefManifest()
	m.Tests = append(m.Tests,
		TestStatus{Side: "head", Run: 1, Package: shopPkg, Test: "TestLoadMix", Action: "fail",
			Output: "=== RUN   TestLoadMix\n    load_test.go:133: \n        scenario mix: 174 requests in 1.001s (173.9 req/s sent, 173.8 ok/s), 0 errors (0.00%), 0 dropped\n" +
				"    load_test.go:133: loadtest: result written to /tmp/out/mix.json\n" +
				"    load_test.go:150: scenario mix: 3 goroutines leaked\n--- FAIL: TestLoadMix (3.00s)\n"},
		TestStatus{Side: "head", Run: 1, Package: "github.com/loadgate/loadgate/examples/broken", Action: "fail",
			Output: "# github.com/loadgate/loadgate/examples/broken\nexamples/broken/x.go:3:1: syntax error: non-declaration statement outside function body\n"},
		TestStatus{Side: "base", Run: 2, Package: shopPkg, Test: "TestLoadCatalogue", Action: "fail",
			Output: "    load_test.go:120: p99 = 210ms, want < 200ms\n"},
	)
	// The stack's file is the runner's; the comment shows it from the
	// repository's root.
	m.Root = "/home/runner/work/shop/shop"
	res := &Results{Manifest: m}
	mix := fake{scenario: "mix", test: "TestLoadMix", leaks: []loadtest.Leak{{
		Function: "github.com/loadgate/loadgate/examples/shop.(*Server).products.func1", CreatedAt: "/home/runner/work/shop/shop/examples/shop/shop.go:123",
		Count: 3, State: "chan receive"}}}
	res.Base = append(res.Base, runs(fake{scenario: "mix", test: "TestLoadMix"},
		[]float64{2, 2, 2, 2, 2}, []float64{9, 9.1, 8.9, 9.05, 8.95})...)
	res.Head = append(res.Head, runs(mix, []float64{2, 2, 2, 2, 2}, []float64{9, 9.1, 8.9, 9.05, 8.95})[:1]...)
	breach := fake{scenario: "checkout", test: "TestLoadCheckout", errorRate: 0.02}
	res.Base = append(res.Base, runs(fake{scenario: "checkout", test: "TestLoadCheckout"},
		[]float64{10, 10, 10, 10, 10}, []float64{130, 128, 132, 131, 129})...)
	res.Head = append(res.Head, runs(breach, []float64{10, 10, 10, 10, 10}, []float64{130, 128, 132, 131, 129})...)
	r := analyze(t, res, testSLA)
	if r.Verdict != baseline.Fail {
		t.Errorf("verdict %v, want fail", r.Verdict)
	}
	// The headline names every kind of failure: it said "1 regression"
	// alone, hiding the SLA breach and the failed tests that fail-on sla
	// fails on.
	if want := "## ❌ loadgate: 1 regression, SLA breached, load tests failed\n"; !strings.Contains(r.Markdown(HeadlineOnly), want) {
		t.Errorf("the headline lacks %q:\n%.200s", want, r.Markdown(HeadlineOnly))
	}
	golden.Check(t, "failures.md.golden", []byte(r.Markdown(Full)))

	got := r.Annotations()
	var lines []string
	for _, a := range got {
		lines = append(lines, fmt.Sprintf("%s %s:%d %s: %s", a.Level, a.File, a.Line, a.Title, a.Message))
	}
	golden.Check(t, "failures.annotations.golden", []byte(strings.Join(lines, "\n")+"\n"))
}

func TestMarkdownStoredBaseline(t *testing.T) {
	other := testEnv
	other.CPUs, other.CPUModel = 4, "Laptop CPU"
	m := baseRefManifest()
	m.Compare, m.BaseSHA = CompareBaseline, ""
	m.Reproduce = reproduce(&Config{Compare: CompareBaseline, Run: m.Run, Packages: m.Packages, Count: m.Count}, &m)
	res := &Results{Manifest: m}
	stored := runs(fake{scenario: "checkout", test: "TestLoadCheckout", env: &other},
		[]float64{10.0, 10.2, 9.9, 10.1, 10.05}, []float64{100, 101, 99, 100.5, 99.5})
	s, err := baseline.SampleOf(stored...)
	if err != nil {
		t.Fatal(err)
	}
	res.Baselines = []*baseline.Baseline{{Schema: baseline.SchemaVersion, Scenario: "checkout", Package: shopPkg,
		Test: "TestLoadCheckout", Commit: "0123456789abcdef", Env: other, Runs: s.Runs}}
	res.Head = append(res.Head, runs(fake{scenario: "checkout", test: "TestLoadCheckout"},
		[]float64{10.1, 9.95, 10.15, 10.0, 10.2}, []float64{160, 158, 162, 159, 161})...)
	res.Head = append(res.Head, runs(fake{scenario: "catalogue", test: "TestLoadCatalogue"},
		[]float64{1, 1, 1, 1, 1}, []float64{4, 4, 4, 4, 4})...)
	// The Action judges as loadgate run does: by default a regression
	// against a baseline of another machine fails, flagged; a policy with
	// env_mismatch_warns (the policy input) makes it warn.
	if r := analyze(t, res, ""); r.Verdict != baseline.Fail {
		t.Errorf("default policy: verdict %v, want fail, as loadgate run gives", r.Verdict)
	}
	r, err := Analyze(res, &baseline.Judge{Policy: baseline.Policy{EnvMismatchWarns: true}})
	if err != nil {
		t.Fatal(err)
	}
	setLinks(r)
	if r.Verdict != baseline.Warn {
		t.Errorf("env_mismatch_warns: verdict %v, want warn", r.Verdict)
	}
	golden.Check(t, "stored-baseline.md.golden", []byte(r.Markdown(Full)))
}

func TestMarkdownShortDetails(t *testing.T) {
	r := analyze(t, regressionResults(), testSLA)
	golden.Check(t, "regression-short.md.golden", []byte(r.Markdown(ShortDetails)))
}

// TestFitComment guards the 65,536-character limit of a comment: a
// report of many scenarios steps down the levels and says where the rest
// is.
func TestFitComment(t *testing.T) {
	tests := []struct {
		name      string
		scenarios int
		limit     int
		wantLevel Level
	}{
		{"small fits whole", 2, MaxCommentChars, Full},
		{"details go first", 2, -1, ShortDetails}, // limit: just under the full size
		{"many scenarios", 400, MaxCommentChars, HeadlineOnly},
		{"not even the headline", 400, 5000, HeadlineOnly},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := analyze(t, manyScenarios(tt.scenarios), testSLA)
			limit := tt.limit
			if limit < 0 {
				limit = Chars(r.Markdown(Full)) - 1
			}
			md, level := r.Fit(limit, Chars)
			if n := Chars(md); n > limit {
				t.Fatalf("%d characters, over the limit of %d", n, limit)
			}
			if level != tt.wantLevel {
				t.Errorf("level %v, want %v", level, tt.wantLevel)
			}
			if !strings.HasPrefix(md, r.Marker+"\n") {
				t.Errorf("a shortened body must keep its marker")
			}
			if level > Full && !strings.Contains(md, "[job summary](https://github.com/loadgate/loadgate/actions/runs/42)") {
				t.Errorf("a shortened body must point to the job summary")
			}
		})
	}
}

// TestFitCommentSummaryShortened: when the job summary is shortened too,
// a shortened comment points to the full report file for what it left
// out, not to the summary (was: "the full report is in the job summary",
// which lacked it as well).
func TestFitCommentSummaryShortened(t *testing.T) {
	for _, tt := range []struct {
		name      string
		scenarios int
		limit     int
	}{
		{"details", 2, -1}, // limit: just under the full size
		{"headline cut", 400, 5000},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := analyze(t, manyScenarios(tt.scenarios), testSLA)
			r.ArtifactsURL = r.SummaryURL
			r.SummaryShortened = true
			limit := tt.limit
			if limit < 0 {
				limit = Chars(r.Markdown(Full)) - 1
			}
			md, level := r.Fit(limit, Chars)
			if level == Full {
				t.Fatalf("level %v, want it shortened", level)
			}
			if want := "in `report.md`, in the results directory the workflow uploads ([this run's artifacts](https://github.com/loadgate/loadgate/actions/runs/42#artifacts))"; !strings.Contains(md, want) || strings.Contains(md, "in the [job summary]") {
				t.Errorf("level %v: the comment must point to the report file, not the job summary:\n%s", level, md[max(0, len(md)-600):])
			}
		})
	}
}

// TestFitFailingTables: when the tables of every scenario that did not
// pass are too long for a comment, it keeps as many as fit, worst first,
// and counts the rest, before it falls back to the headline alone (was:
// at 200 scenarios, from 84k characters of failing tables straight to a
// headline without any table).
func TestFitFailingTables(t *testing.T) {
	r := analyze(t, manyScenarios(200), testSLA) // 20 regressions
	failing, headline := Chars(r.Markdown(FailingOnly)), Chars(r.Markdown(HeadlineOnly))
	limit := (failing + headline) / 2
	md, level := r.Fit(limit, Chars)
	if level != FailingOnly || Chars(md) > limit {
		t.Fatalf("level %v, %d characters; want failing only within %d", level, Chars(md), limit)
	}
	tables := strings.Count(md, "| metric |")
	if tables == 0 || tables >= 20 {
		t.Fatalf("%d tables of 20, want some but not all", tables)
	}
	if want := fmt.Sprintf("✂️ The tables of %d more scenarios are left out to fit", 20-tables); !strings.Contains(md, want) {
		t.Errorf("the comment lacks %q", want)
	}
	if more := r.markdown(FailingOnly, tables+1); Chars(more) <= limit {
		t.Errorf("%d tables fit in %d characters, but only %d were kept", tables+1, limit, tables)
	}
}

// TestFitKeepsFailuresFirst: a headline too long for a comment is cut at
// a line; a package that failed to build is news, and must not be the
// line cut while hundreds of passing scenarios' lines are kept.
func TestFitKeepsFailuresFirst(t *testing.T) {
	res := manyScenarios(700)
	res.Manifest.Tests = append(res.Manifest.Tests, TestStatus{Side: "head", Run: 1, Package: "github.com/loadgate/loadgate/examples/broken", Action: "fail",
		Output: "# github.com/loadgate/loadgate/examples/broken\nexamples/broken/x.go:3:1: syntax error: non-declaration statement outside function body\n"})
	r := analyze(t, res, testSLA)
	md, level := r.Fit(MaxCommentChars, Chars)
	if level != HeadlineOnly || Chars(md) > MaxCommentChars {
		t.Fatalf("level %v, %d characters; want the headline cut to fit", level, Chars(md))
	}
	if !strings.Contains(md, "- ❌ `github.com/loadgate/loadgate/examples/broken` failed to build or run") {
		t.Errorf("the cut headline lost the package that failed to build")
	}
	if i, j := strings.Index(md, "- ❌"), strings.Index(md, "- ✅"); j >= 0 && strings.LastIndex(md, "- ❌") > j {
		t.Errorf("a failing line (first at %d) after a passing one (first at %d)", i, j)
	}
}

// TestGistCorrected: over many scenarios a change significant on its own
// may not be once corrected for them (verdict.Run.Correct); the row says
// "not significant over 200 scenarios", and the headline must not say
// "(significant)" of it.
func TestGistCorrected(t *testing.T) {
	r := analyze(t, manyScenarios(200), "")
	s := r.Scenarios[0]
	if s.Verdict != baseline.Warn {
		t.Fatalf("verdict %v, want the failure demoted to a warning", s.Verdict)
	}
	want := "p99 of `scenario-000 with a long descriptive name` +30.00% (not significant over 200 scenarios)"
	if got := s.gist(); !strings.HasPrefix(got, want) {
		t.Errorf("gist %q, want it to start %q", got, want)
	}
}

// TestWriteSummaryShortened: a job summary shortened to fit what is left
// of the step's 1 MiB points to the full report, not to the job summary,
// itself.
func TestWriteSummaryShortened(t *testing.T) {
	r := analyze(t, regressionResults(), testSLA)
	e := newActionEnv(t, "http://127.0.0.1:1", nil)
	r.SummaryURL, r.inSummary = "", true
	full := Bytes(r.Markdown(Full))
	r.SummaryURL, r.inSummary = "https://github.com/loadgate/loadgate/actions/runs/42", false
	// What the step wrote before leaves room for all but the details.
	before := strings.Repeat("x", MaxSummaryBytes-full)
	writeFile(t, e.vars["GITHUB_STEP_SUMMARY"], before)
	level, err := WriteSummary(e.action(), r)
	if err != nil || level != ShortDetails {
		t.Fatalf("level %v, %v; want %v", level, err, ShortDetails)
	}
	data, err := os.ReadFile(e.vars["GITHUB_STEP_SUMMARY"])
	if err != nil {
		t.Fatal(err)
	}
	md := strings.TrimPrefix(string(data), before)
	if len(data) > MaxSummaryBytes || strings.Contains(md, "are in the job summary") || !strings.Contains(md, "are in the full report, the file of the action's report output.") {
		t.Errorf("%d bytes; the shortened summary must point to the report output, not to itself:\n%s", len(data), md)
	}
}

func TestFitSummary(t *testing.T) {
	r := analyze(t, manyScenarios(400), testSLA)
	md, level := r.Fit(MaxSummaryBytes, Bytes)
	if len(md) > MaxSummaryBytes || level != Full {
		t.Errorf("summary of 400 scenarios: %d bytes at level %v, want the full report under 1 MiB", len(md), level)
	}
}

// manyScenarios makes n scenarios, one in ten regressed.
func manyScenarios(n int) *Results {
	res := &Results{Manifest: baseRefManifest()}
	for i := range n {
		f := fake{scenario: fmt.Sprintf("scenario-%03d with a long descriptive name", i), test: "TestLoadCheckout", seconds: 60}
		res.Base = append(res.Base, runs(f, []float64{10, 10.1, 9.9, 10, 10}, []float64{100, 101, 99, 100.5, 99.5})...)
		head := []float64{100, 101, 99, 100.5, 99.5}
		if i%10 == 0 {
			head = []float64{130, 131, 129, 130.5, 129.5}
		}
		res.Head = append(res.Head, runs(f, []float64{10, 10.1, 9.9, 10, 10}, head)...)
	}
	return res
}

func TestAnalyzeNoResults(t *testing.T) {
	m := baseRefManifest()
	m.Tests = nil
	_, err := Analyze(&Results{Manifest: m}, nil)
	if !errors.Is(err, ErrNoResults) {
		t.Errorf("err = %v, want ErrNoResults", err)
	}
}

func TestChart(t *testing.T) {
	s := &Scenario{Scenario: &verdict.Scenario{BaseRuns: 1, HeadRuns: 1}, BaseCharted: 1, HeadCharted: 1, BaseP99: []float64{1e6, 2e6}, HeadP99: []float64{1.5e6, 2.5e6, 3.25e6}}
	got := p99Chart(s)
	for _, want := range []string{"xychart-beta", `x-axis "second of the load" [1, 2, 3]`, "line [1, 2, 0]", "line [1.5, 2.5, 3.25]", "grey: base (1 run) · red: head (1 run)"} {
		if !strings.Contains(got, want) {
			t.Errorf("chart lacks %q:\n%s", want, got)
		}
	}
	// Generator-bound runs are left out of the median while others
	// remain, as the comparison leaves them out, and the caption says so.
	bound := func(p99 float64, isBound bool) *loadtest.Result {
		return &loadtest.Result{Timeline: []loadtest.Second{{Second: 0, Requests: 10, P99NS: int64(p99)}}, Generator: &loadtest.Generator{Bound: isBound}}
	}
	p99, n := p99PerSecond([]*loadtest.Result{bound(9e6, true), bound(1e6, false), bound(2e6, false), bound(8e6, true)})
	if n != 2 || p99[0] != 1.5e6 {
		t.Errorf("p99PerSecond = %v of %d runs, want [1.5e6] of the 2 not generator-bound", p99, n)
	}
	if _, n := p99PerSecond([]*loadtest.Result{bound(9e6, true)}); n != 1 {
		t.Errorf("every run bound: charted %d runs, want all 1", n)
	}
	s.HeadP99, s.HeadRuns, s.HeadCharted = p99, 4, 2
	if got := p99Chart(s); !strings.Contains(got, "red: head (median of 2 runs, leaving out 2 of 4 generator-bound)") {
		t.Errorf("caption must say what was left out:\n%s", got)
	}
	// Every run bound: all are charted, as nothing else is left, and the
	// caption says whose latencies these are.
	if !allBound([]*loadtest.Result{bound(9e6, true), bound(8e6, true)}) || allBound([]*loadtest.Result{bound(9e6, true), bound(1e6, false)}) || allBound(nil) {
		t.Error("allBound must hold of runs that were every one generator-bound, and of no others")
	}
	every := &Scenario{Scenario: &verdict.Scenario{HeadRuns: 2}, HeadCharted: 2, HeadAllBound: true, HeadP99: []float64{9e6}}
	if got := p99Chart(every); !strings.Contains(got, "head: median of 2 runs, every one generator-bound: the load generator set these latencies too") {
		t.Errorf("a chart of generator-bound runs only must say so:\n%s", got)
	}
	// A long run is bucketed to at most maxChartPoints points.
	long := &Scenario{Scenario: &verdict.Scenario{HeadRuns: 3}, HeadCharted: 3, HeadP99: make([]float64, 600)}
	got = p99Chart(long)
	if n := strings.Count(strings.SplitN(got, "line [", 2)[1], ","); n+1 > maxChartPoints {
		t.Errorf("%d points, want at most %d", n+1, maxChartPoints)
	}
	if !strings.Contains(got, "each point is the worst second of 10") {
		t.Errorf("a bucketed chart must say so:\n%s", got)
	}
}

// TestFence: code and Markdown cells are internal/cell's (tested there).
func TestFence(t *testing.T) {
	if got := fence("text", "a\n```\nb"); !strings.HasPrefix(got, "````text\n") {
		t.Errorf("fence must outlast the fences inside: %q", got)
	}
}

// TestFitCountsCutHeadline: a headline cut to fit says how many of its
// lines it left out. It said only "Shortened", and a comment that listed
// 3 failing tests of 40 read as if there were 3.
func TestFitCountsCutHeadline(t *testing.T) {
	r := analyze(t, manyScenarios(400), testSLA)
	md, level := r.Fit(5000, Chars)
	if level != HeadlineOnly || Chars(md) > 5000 {
		t.Fatalf("level %v, %d characters; want the headline cut under 5000", level, Chars(md))
	}
	shown := strings.Count(md, "\n- ")
	want := fmt.Sprintf(" Left out: %d more lines of the headline.\n", 400-shown)
	if !strings.Contains(md, want) {
		t.Errorf("%d headline lines shown; the comment lacks %q:\n%s", shown, want, md)
	}
}
