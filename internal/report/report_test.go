package report_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/fixture"
	"github.com/loadgate/loadgate/internal/merge"
	"github.com/loadgate/loadgate/internal/report"
	"github.com/loadgate/loadgate/internal/verdict"
	"github.com/loadgate/loadgate/loadtest"
)

// threeStages is issue 17's 10-minute, 3-stage run at 1,000 req/s, made
// short by scale (a fraction of the seconds of each stage).
func threeStages(scale float64) []fixture.LongStage {
	sec := func(s int) int { return max(2, int(float64(s)*scale)) }
	return []fixture.LongStage{
		{Name: "warm-up 200/s", From: 200, To: 200, Seconds: sec(60)},
		{Name: "ramp to 1000/s", From: 200, To: 1000, Seconds: sec(120)},
		{Name: "hold 1000/s", From: 1000, To: 1000, Seconds: sec(420)},
	}
}

// sample is a judged base and head of one scenario: the head slower, with
// a stall, errors and a leak; its SLA expressions are the report's SLO.
func sample(t testing.TB, scale float64, runs int) report.Input {
	t.Helper()
	return sampleWith(t, scale, runs, nil)
}

// sampleWith is sample, with edit (if not nil) changing the runs before
// they are judged.
func sampleWith(t testing.TB, scale float64, runs int, edit func(base, head []*loadtest.Result)) report.Input {
	t.Helper()
	var base, head []*loadtest.Result
	for i := 1; i <= runs; i++ {
		b := fixture.Long{Scenario: "checkout", Stages: threeStages(scale), P50: 2 * time.Millisecond, P99: 9 * time.Millisecond,
			ErrorRate: 0.001, Seed: 1, Run: i}
		h := b
		h.P50, h.P99, h.ErrorRate, h.Seed = 2300*time.Microsecond, 12*time.Millisecond, 0.004, 2
		h.StallAt, h.StallFor, h.Leak = int(300*scale), 2, true
		base, head = append(base, b.Result()), append(head, h.Result())
	}
	if edit != nil {
		edit(base, head)
	}
	sla := []string{"p99 < 25ms", "p99[10s] < 200ms", "error_rate < 1%", "throughput >= 90%"}
	j := &baseline.Judge{Policy: baseline.DefaultPolicy}
	j.Policy.SLA = sla
	s := verdict.Judge(j, verdict.Input{Name: "checkout", Package: fixture.Package, Test: "TestLoad", Head: head, Base: base})
	run := &verdict.Run{Scenarios: []*verdict.Scenario{s}}
	return report.Input{
		Title:     "loadgate: checkout, base against head",
		Scenarios: []report.Scenario{{Name: "checkout", Package: fixture.Package, Head: head, Base: base, Judged: s}},
		Run:       run,
	}
}

func write(t testing.TB, in report.Input) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := report.Write(&b, in); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestSelfContained checks that the page asks for nothing from elsewhere:
// no script, style, image, font or frame by URL, no fetch, and a content
// security policy that would refuse one anyway.
func TestSelfContained(t *testing.T) {
	page := string(write(t, sample(t, 0.1, 1)))
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`(?i)<(script|img|iframe|link|source|video|audio|embed|object)\b[^>]*\b(src|href|data)\s*=`),
		regexp.MustCompile(`(?i)@import|url\(\s*['"]?(https?:)?//`),
		regexp.MustCompile(`\bfetch\(|XMLHttpRequest|WebSocket|EventSource|sendBeacon`),
	} {
		if m := re.FindString(page); m != "" {
			t.Errorf("the page loads from elsewhere: %q", m)
		}
	}
	if !strings.Contains(page, `content="default-src 'none';`) {
		t.Error("no content security policy refusing the network")
	}
}

// TestTablesWithoutScript checks that the figures are in HTML tables, which
// a browser shows without running the script.
func TestTablesWithoutScript(t *testing.T) {
	page := string(write(t, sample(t, 0.1, 2)))
	for _, want := range []string{
		`<table class="slo">`, `<table class="verdict">`, `<table class="sla">`, `<table class="stages">`,
		`<table class="phases">`, `<table class="names">`, `<table class="leaks">`, `<table class="figures">`,
		"<th>requests</th><th>errors</th>", // the errors of each request name
		"latency ≤ 25ms for 99% of requests", "worst 10s p99", "<code>p99[10s] &lt; 200ms</code>",
		"example.com/shop.(*Cart).audit.func1", "hold 1000/s",
		`<table class="slowest">`, "checkout-1-", // a slowest request's id
		// The figures are of one run of each side, the comparison's
		// medians of all: the columns say which run.
		" of 2</th><th>head, run ", "<th>base, run ",
		// The SLO view merges all runs: its columns say so, else its
		// share of successful requests read as the figures' run's.
		"<th>objective</th><th>base, all 2 runs</th><th>head, all 2 runs</th>",
		// The comparison of each request name, as compare and the
		// comment show it.
		"<h3>By request name</h3>", `<td>p99{name=&#34;`,
		// The change's column, headed as compare and the comment head it.
		"<th>metric</th><th>base</th><th>head</th><th>" + cell.ChangeHeading + "</th>",
		"<th>request</th><th>base</th><th>head</th><th>" + cell.ChangeHeading + "</th>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// Without the script a chart is an empty box 300 pixels high: eight
	// of them left screens of white between the tables.
	if !strings.Contains(page, "<noscript><style>figure.chart, h3.over-time { display: none; }</style></noscript>") {
		t.Error("without the script the charts' empty boxes are shown")
	}
	for _, id := range []string{"s0-latency", "s0-service", "s0-rate", "s0-errors", "s0-curve", "s0-server-go_goroutines", "s0-server-process_open_fds", "s0-server-heap_inuse_bytes"} {
		if !strings.Contains(page, `data-chart="`+id+`"`) {
			t.Errorf("no chart %s", id)
		}
	}
}

// TestSizeBounded writes the report of issue 17's 10-minute, 3-stage run
// at 1,000 req/s, base and head, and checks it stays under 2 MB;
// docs/REPORT.md gives the figure. A run of an hour must not grow it by
// more than its series' downsampling allows.
func TestSizeBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("draws 900,000 synthetic requests")
	}
	page := write(t, sample(t, 1, 1))
	t.Logf("10-minute run, base and head: %d bytes", len(page))
	if len(page) > 2<<20 {
		t.Errorf("report of a 10-minute run is %d bytes, want under 2 MiB", len(page))
	}
	// LOADGATE_REPORT_SAMPLE=dir keeps the page and the head's result
	// file, for the figures of docs/REPORT.md.
	if dir := os.Getenv("LOADGATE_REPORT_SAMPLE"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "report-10min.html"), page, 0o644); err != nil {
			t.Fatal(err)
		}
		in := sample(t, 1, 1)
		if _, err := loadtest.WriteFile(dir, in.Scenarios[0].Head[0]); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLongRunDownsampled checks that an hour-long timeline is drawn with at
// most MaxPoints points a series.
func TestLongRunDownsampled(t *testing.T) {
	if fixture.Race {
		t.Skip("renders an hour's timeline, no concurrency (12 s under -race): the suite without -race runs it")
	}
	r := fixture.Long{Scenario: "soak", Stages: []fixture.LongStage{{Name: "10/s", From: 10, To: 10, Seconds: 3600}},
		P50: time.Millisecond, P99: 5 * time.Millisecond, Seed: 3}.Result()
	page := string(write(t, report.Input{Scenarios: []report.Scenario{{Name: "soak", Head: []*loadtest.Result{r}}}}))
	m := regexp.MustCompile(`"s0-latency":\{[^}]*?"x":\[([^\]]*)\]`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no x axis for s0-latency")
	}
	if n := strings.Count(m[1], ",") + 1; n > report.MaxPoints {
		t.Errorf("latency chart has %d points, want at most %d", n, report.MaxPoints)
	}
	if !strings.Contains(page, "Each point is the worst second of 4.") {
		t.Error("the chart does not say it is downsampled")
	}
}

// TestObjectivesFromFlags checks that an SLO given explicitly wins over
// the SLA's, and that a run with no objective says how to give one.
func TestObjectivesFromFlags(t *testing.T) {
	in := sample(t, 0.1, 1)
	in.SLO = report.SLO{Objective: 5 * time.Millisecond, Goal: 0.9, SuccessGoal: 0.999, Window: 2 * time.Second}
	page := string(write(t, in))
	for _, want := range []string{"latency ≤ 5ms for 90% of requests", "successful requests ≥ 99.9%", "worst 2s p90"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	r := fixture.Long{Scenario: "plain", Stages: threeStages(0.05), P50: time.Millisecond, P99: 4 * time.Millisecond, Seed: 4}.Result()
	page = string(write(t, report.Input{Scenarios: []report.Scenario{{Name: "plain", Head: []*loadtest.Result{r}}}}))
	if !strings.Contains(page, "No latency objective: give one with -objective") {
		t.Error("a report without objective does not say how to give one")
	}
}

// TestSLOAgreesWithAssert checks that the SLO view and package assert give
// the same attainment and worst window: one computation (internal/slo).
func TestSLOAgreesWithAssert(t *testing.T) {
	in := sample(t, 0.1, 1)
	head := in.Scenarios[0].Head[0]
	outs, err := assert.Check(head, "attainment(25ms) >= 99%", "p99[10s] < 200ms")
	if err != nil {
		t.Fatal(err)
	}
	page := string(write(t, in))
	for _, o := range outs {
		if !strings.Contains(page, o.Unit.Format(o.Actual)) {
			t.Errorf("%s = %s is not on the page", o.Metric, o.Unit.Format(o.Actual))
		}
	}
}

// BenchmarkWrite times writing the report of issue 17's 10-minute,
// 3-stage run at 1,000 req/s, base and head (the results are made once,
// outside the timing).
func BenchmarkWrite(b *testing.B) {
	in := sample(b, 1, 1)
	b.ResetTimer()
	for b.Loop() {
		var buf bytes.Buffer
		if err := report.Write(&buf, in); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(buf.Len()))
	}
}

// TestGeneratorBoundRunLeftOut checks that the report says what the
// comparison did with a generator-bound run: the comparison row judged
// without it, and which run it was and why.
func TestGeneratorBoundRunLeftOut(t *testing.T) {
	why := "the process used 97% of its 2 CPUs and its goroutines waited up to 1.57ms for one at p99 (limits 90% and 1ms)"
	in := sampleWith(t, 0.02, 5, func(_, head []*loadtest.Result) {
		head[2].Generator = &loadtest.Generator{CPUs: 2, Bound: true, Reasons: []string{why}}
	})
	rows := in.Run.Scenarios[0].Comparison.Rows
	left := 0
	for _, r := range rows {
		left = max(left, r.LeftOut())
	}
	if left != 1 {
		t.Fatalf("the comparison left %d runs out, want 1: the fixture no longer tests the report", left)
	}
	page := string(write(t, in))
	// A row's verdict cell ends the table row; a note starts an item of
	// the list of notes.
	for _, want := range []string{
		"without 1 generator-bound run</td></tr>",
		"judged without the generator-bound runs (head run 3: " + template.HTMLEscapeString(why) + ")</li>",
		"<li>head run 3: generator-bound: " + template.HTMLEscapeString(why) + ": ",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the report does not say %q", want)
		}
	}
}

// TestStoppedRunNoted: a run that stopped early (a failed gate, the abort
// rule, its data, a canceled test) is noted on the page without a base too,
// as the summary notes it. Only a comparison's warnings said so, and the
// report of a run alone read as if every stage had run.
func TestStoppedRunNoted(t *testing.T) {
	r := fixture.Long{Scenario: "checkout", Stages: threeStages(0.01), P50: 2 * time.Millisecond, P99: 9 * time.Millisecond, Seed: 1, Run: 1}.Result()
	r.Stopped = &loadtest.Stop{Cause: "gate", Stage: "ramp to 1000/s", Reason: "p95 = 80ms, want < 50ms (60% over)"}
	s := verdict.Judge(&baseline.Judge{Policy: baseline.DefaultPolicy}, verdict.Input{Name: "checkout", Package: fixture.Package, Test: "TestLoad", Head: []*loadtest.Result{r}})
	page := string(write(t, report.Input{
		Scenarios: []report.Scenario{{Name: "checkout", Package: fixture.Package, Head: []*loadtest.Result{r}, Judged: s}},
		Run:       &verdict.Run{Scenarios: []*verdict.Scenario{s}},
	}))
	want := "<li>head run 1 stopped early (gate) in stage ramp to 1000/s: p95 = 80ms, want &lt; 50ms (60% over)</li>"
	if !strings.Contains(page, want) {
		t.Errorf("the page lacks %q", want)
	}
	if full := string(write(t, sampleWith(t, 0.01, 1, func(_, head []*loadtest.Result) { head[0].Stopped = r.Stopped }))); strings.Count(full, "stopped early") != 1 {
		t.Errorf("with a base, the run that stopped early is noted %d times, want once (the comparison's note)", strings.Count(full, "stopped early"))
	}
}

// TestHeadlineNotJudged: a run given without a base or SLA limits was held
// to nothing but goroutine leaks; the headline says NOT JUDGED instead of
// PASS and "all passed", and says them once an SLA limit was checked.
func TestHeadlineNotJudged(t *testing.T) {
	r := fixture.Long{Scenario: "checkout", Stages: threeStages(0.01), P50: 2 * time.Millisecond, P99: 9 * time.Millisecond, ErrorRate: 0.2, Seed: 1, Run: 1}.Result()
	for _, tt := range []struct {
		sla        []string
		word, want string
	}{
		{nil, "NOT JUDGED", "1 scenario: no base or matching SLA limit (no goroutine leak found)"},
		{[]string{"p99 < 25ms"}, "PASS", "1 scenario, all passed"},
	} {
		j := &baseline.Judge{Policy: baseline.DefaultPolicy}
		j.Policy.SLA = tt.sla
		s := verdict.Judge(j, verdict.Input{Name: "checkout", Package: fixture.Package, Test: "TestLoad", Head: []*loadtest.Result{r}})
		page := string(write(t, report.Input{
			Scenarios: []report.Scenario{{Name: "checkout", Package: fixture.Package, Head: []*loadtest.Result{r}, Judged: s}},
			Run:       &verdict.Run{Scenarios: []*verdict.Scenario{s}},
		}))
		if !strings.Contains(page, "<b>"+tt.word+":</b> "+tt.want+"</p>") {
			t.Errorf("SLA %q: the headline is not %q", tt.sla, tt.word+": "+tt.want)
		}
	}
}

// TestLegendAsCompare: the page explains its table's ± and ~ in the words
// loadgate compare's text and Markdown use (cell.Legend). Each of the
// three had its own: "(alpha 0.05)" in text, "(Mann-Whitney U, α = 0.05)"
// in Markdown, and "… of the median over the runs …" here.
func TestLegendAsCompare(t *testing.T) {
	in := sample(t, 0.02, 5)
	c := in.Run.Scenarios[0].Comparison
	var text, md strings.Builder
	c.WriteText(&text)
	c.WriteMarkdown(&md)
	const want = "± is a 90% confidence interval of the median; ~ is no significant change (Mann-Whitney U, α = 0.05)."
	page := string(write(t, in))
	for name, got := range map[string]string{"text": text.String(), "markdown": md.String(), "html": page} {
		if !strings.Contains(got, want+"\n") && !strings.Contains(got, want+" ") {
			t.Errorf("the %s comparison does not explain ± and ~ as %q", name, want)
		}
	}
}

// oneStalledOfThree makes three 40-second runs of checkout at 50/s, the
// first with a stall at second 30 for 3 seconds, and so the highest p99:
// not the median run the charts draw.
func oneStalledOfThree() []*loadtest.Result {
	var head []*loadtest.Result
	for i := 1; i <= 3; i++ {
		l := fixture.Long{Scenario: "checkout", Stages: []fixture.LongStage{{Name: "50/s", From: 50, To: 50, Seconds: 40}},
			P50: 2 * time.Millisecond, P99: 9 * time.Millisecond, Seed: 1, Run: i}
		if i == 1 {
			l.StallAt, l.StallFor = 30, 3
		}
		head = append(head, l.Result())
	}
	return head
}

// TestWorstWindowOfChartedRun: with several runs a side the latency chart
// draws one of them (the median p99), but it shaded the worst window of
// any run: the stall of another run was shaded over seconds where the
// charted run had none, or past its end, where nothing showed but a
// clipped label. The band is now the charted run's worst window, and says
// which run that is; the SLO view still gives the worst of all runs.
func TestWorstWindowOfChartedRun(t *testing.T) {
	head := oneStalledOfThree()
	page := string(write(t, report.Input{Scenarios: []report.Scenario{{Name: "checkout", Head: head}}}))
	if !strings.Contains(page, "the charts over time show run 2") {
		t.Fatal("the charts do not show run 2: the fixture no longer tests the band")
	}
	if !regexp.MustCompile(`worst 10s p99</td><td></td><td>[^<]*\(seconds \d+–\d+, run 1\)`).MatchString(page) {
		t.Error("the SLO view does not give run 1's stall as the worst window")
	}
	m := regexp.MustCompile(`"s0-latency":\{.*?"band":\{"from":([0-9.]+),"to":([0-9.]+),"label":"([^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no band on the latency chart")
	}
	from, _ := strconv.ParseFloat(m[1], 64)
	to, _ := strconv.ParseFloat(m[2], 64)
	if to > 30 && from < 33 || !strings.HasPrefix(m[3], "worst 10s of run 2: ") {
		t.Errorf("band %g–%g %q, want run 2's worst window, not run 1's stall (seconds 30–33)", from, to, m[3])
	}
}

// TestSLOLeavesOutBoundRuns: the SLO view's latency rows leave out the
// generator-bound runs, as the charts and the comparison do: its worst
// window was a bound run's (43.5 ms in a run that the charts and the
// summary's median left out, beside a chart saying 5.18 ms), and says so.
func TestSLOLeavesOutBoundRuns(t *testing.T) {
	head := oneStalledOfThree()
	head[0].Generator = &loadtest.Generator{Bound: true, Reasons: []string{"one send in ten left more than 2ms late (p90 3.1ms)"}}
	page := string(write(t, report.Input{Scenarios: []report.Scenario{{Name: "checkout", Head: head}}}))
	if regexp.MustCompile(`worst 10s p99</td><td></td><td>[^<]*\(seconds \d+–\d+, run 1\)`).MatchString(page) {
		t.Error("the SLO view gives the generator-bound run 1's stall as the worst window")
	}
	if !regexp.MustCompile(`worst 10s p99</td><td></td><td>[^<]*\(seconds \d+–\d+, run [23]\)`).MatchString(page) {
		t.Error("the SLO view gives no worst window of the runs left")
	}
	if !strings.Contains(page, "The latency rows leave out the head&#39;s 1 generator-bound run, as the charts and the comparison do.") ||
		!strings.Contains(page, "head, 3 runs (latencies of 2)") {
		t.Error("the SLO view does not say it left the bound run out, in its note and its column's heading")
	}
}

// TestHeadlineWord: the page's headline is the line loadgate compare ends
// with, its verdict's word first. The page showed the headline alone,
// under an icon, and only its colour told a failure from a warning.
func TestHeadlineWord(t *testing.T) {
	in := sample(t, 0.02, 2)
	page := string(write(t, in))
	m := regexp.MustCompile(`<p class="headline[^"]*">(.*?)</p>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no headline")
	}
	got := html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(m[1], ""))
	want := in.Run.Word() + ": " + in.Run.Headline()
	if got != want || !strings.HasPrefix(got, "FAIL: ") {
		t.Errorf("headline %q, want %q, as loadgate compare ends", got, want)
	}
}

// TestNotJudgedIsNotAPass: a run with no base and no SLA limits passes
// (nothing failed) but was not judged; the page said so under a green
// headline and a ✅ on each scenario, the look of a run that met its
// limits; and its title then showed no icon at all.
func TestNotJudgedIsNotAPass(t *testing.T) {
	head := []*loadtest.Result{fixture.Long{Scenario: "checkout", Stages: threeStages(0.02), P50: 2 * time.Millisecond, P99: 9 * time.Millisecond, Seed: 1, Run: 1}.Result()}
	s := verdict.Judge(&baseline.Judge{}, verdict.Input{Name: "checkout", Package: fixture.Package, Test: "TestLoad", Head: head})
	run := &verdict.Run{Scenarios: []*verdict.Scenario{s}}
	if run.Judged() || s.Verdict != baseline.Pass {
		t.Fatalf("fixture: judged %v, verdict %v; want an unjudged pass", run.Judged(), s.Verdict)
	}
	page := string(write(t, report.Input{Scenarios: []report.Scenario{{Name: "checkout", Package: fixture.Package, Head: head, Judged: s}}, Run: run}))
	if !strings.Contains(page, "<b>NOT JUDGED:</b>") {
		t.Error("the headline must say the run was not judged")
	}
	// The title shows the not-judged icon, as the Action's comment's
	// headline does ("## ⚪ loadgate: not judged …"); it showed none.
	if want := "<h1>" + cell.Icon(run.Shown()) + " loadgate report</h1>"; !strings.Contains(page, want) {
		t.Errorf("an unjudged page lacks %q", want)
	}
	for _, bad := range []string{`class="headline verdict-pass"`, `word verdict-pass`, cell.Icon("pass")} {
		if strings.Contains(page, bad) {
			t.Errorf("an unjudged page shows %q, the look of a pass", bad)
		}
	}
	// A judged pass keeps both.
	j := &baseline.Judge{Policy: baseline.DefaultPolicy}
	j.Policy.SLA = []string{"p99 < 1s"}
	s = verdict.Judge(j, verdict.Input{Name: "checkout", Package: fixture.Package, Test: "TestLoad", Head: head})
	page = string(write(t, report.Input{Scenarios: []report.Scenario{{Name: "checkout", Package: fixture.Package, Head: head, Judged: s}}, Run: &verdict.Run{Scenarios: []*verdict.Scenario{s}}}))
	if s.Verdict != baseline.Pass || !strings.Contains(page, `class="headline verdict-pass"`) || !strings.Contains(page, cell.Icon("pass")) {
		t.Errorf("a judged pass (%v) must show its colour and icon", s.Verdict)
	}
}

// TestNotJudgedScenarioShown: beside a judged scenario, one that nothing
// judged (new in the head, no SLA limits) shows the not-judged icon and
// says "not judged", as the Action's comment shows it (⚪): the page showed
// its name bare in the list and the heading, between a ❌ and a ✅.
func TestNotJudgedScenarioShown(t *testing.T) {
	head := []*loadtest.Result{fixture.Long{Scenario: "export", Stages: threeStages(0.02), P50: 2 * time.Millisecond, P99: 9 * time.Millisecond, Seed: 1, Run: 1}.Result()}
	j := &baseline.Judge{Policy: baseline.DefaultPolicy}
	j.Policy.SLA = []string{"p99 < 1s"}
	judged := verdict.Judge(j, verdict.Input{Name: "checkout", Package: fixture.Package, Test: "TestLoad", Head: head})
	unjudged := verdict.Judge(&baseline.Judge{}, verdict.Input{Name: "export", Package: fixture.Package, Test: "TestLoad", Head: head})
	run := &verdict.Run{Scenarios: []*verdict.Scenario{judged, unjudged}}
	if !run.Judged() || unjudged.Judged() {
		t.Fatalf("fixture: run judged %v, export judged %v; want a judged run beside an unjudged scenario", run.Judged(), unjudged.Judged())
	}
	page := string(write(t, report.Input{Scenarios: []report.Scenario{
		{Name: "checkout", Package: fixture.Package, Head: head, Judged: judged},
		{Name: "export", Package: fixture.Package, Head: head, Judged: unjudged},
	}, Run: run}))
	icon := cell.Icon(unjudged.Shown())
	if !regexp.MustCompile(`<a href="#s1"[^>]*>` + icon + ` export</a>`).MatchString(page) {
		t.Errorf("the list of scenarios does not show export with %s", icon)
	}
	if !regexp.MustCompile(`<h2>` + icon + ` export <span class="word">not judged</span></h2>`).MatchString(page) {
		t.Errorf("export's heading does not show %s and not judged:\n%s", icon, regexp.MustCompile(`<h2>.*export.*</h2>`).FindString(page))
	}
}

// TestBaseDashedInHeadsHue: each base series is drawn in the hue of the
// head's series of the same statistic, dashed, as the percentiles over
// time are. The percentile curve drew the base's latency and service time
// in two greys, and the requests per second drew the base's sent requests
// in the grey of the plan, both dashed: a reader could not tell them
// apart.
func TestBaseDashedInHeadsHue(t *testing.T) {
	page := string(write(t, sample(t, 0.02, 1)))
	m := regexp.MustCompile(`<script type="application/json" id="report-data">(.*?)</script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no chart data")
	}
	var data struct {
		Charts map[string]struct {
			Series []struct {
				Label, Color string
				Dash         bool
			}
		}
	}
	if err := json.Unmarshal([]byte(m[1]), &data); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"s0-latency", "s0-service", "s0-rate", "s0-curve"} {
		c, ok := data.Charts[id]
		if !ok {
			t.Fatalf("no chart %s", id)
		}
		colors := map[string]string{}
		for _, s := range c.Series {
			colors[s.Label] = s.Color
		}
		for _, s := range c.Series {
			stat, ok := strings.CutPrefix(s.Label, "base ")
			if !ok {
				continue
			}
			if head, ok := colors["head "+stat]; !s.Dash || ok && s.Color != head {
				t.Errorf("%s: %q is %s (dashed %v), want the head's %s, dashed", id, s.Label, s.Color, s.Dash, head)
			}
			for _, o := range c.Series {
				if o.Label != s.Label && o.Dash && o.Color == s.Color {
					t.Errorf("%s: %q and %q are both dashed %s", id, s.Label, o.Label, s.Color)
				}
			}
		}
	}
}

// TestShardsTable: the page of a merged result (loadgate merge) shows its
// shards, a row each as loadgate merge prints them, so that a late or
// slow generator shows. It showed the merged figures alone: a shard that
// began 2 s late, or ran on a starved runner, was on the merge's output
// and the Action's comment but not on the report of the same result.
func TestShardsTable(t *testing.T) {
	var files []merge.File
	for i := 1; i <= 3; i++ {
		f := fixture.ShardFake{Scenario: "checkout", Index: i, Count: 3, Commit: "abc"}
		if i == 3 {
			f.LateBy = 40 * time.Millisecond
		}
		files = append(files, merge.File{Path: fmt.Sprintf("shard-%d.json", i), Result: f.Result()})
	}
	r, err := merge.Merge(files, merge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := verdict.Judge(&baseline.Judge{Policy: baseline.DefaultPolicy}, verdict.Input{Name: "checkout", Package: fixture.Package, Test: "TestLoad", Head: []*loadtest.Result{r}})
	page := string(write(t, report.Input{
		Scenarios: []report.Scenario{{Name: "checkout", Package: fixture.Package, Head: []*loadtest.Result{r}, Judged: s}},
		Run:       &verdict.Run{Scenarios: []*verdict.Scenario{s}},
	}))
	for _, want := range []string{
		`<h3 class="shards">Shards</h3>`,
		"One load split over 3 generators and merged",
		"<th>" + strings.Join(loadtest.ShardRunColumns, "</th><th>") + "</th>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, sh := range r.Shards {
		row := "<tr><td>" + strings.Join(sh.Cells(), "</td><td>") + "</td></tr>"
		if !strings.Contains(page, html.EscapeString(row)) && !strings.Contains(page, row) {
			t.Errorf("the page lacks shard %d's row %q", sh.Index, row)
		}
	}
	if !strings.Contains(page, "<td>40.05ms</td>") {
		t.Errorf("the page lacks shard 3's start skew, 40.05ms")
	}
	if plain := string(write(t, sample(t, 0.01, 1))); strings.Contains(plain, `class="shards"`) {
		t.Error("the page of an unsharded run has a table of shards")
	}
}

// TestRunWarningsNoted: the findings a run recorded (Result.Warnings) are
// on the page, as loadgate run's summary lists them. The page left them
// out, so that a chart of "(other names)" had nothing saying that 30 names
// past loadtest.MaxNames were counted under it, nor a run that dropped
// arrivals or fell behind its schedule why.
func TestRunWarningsNoted(t *testing.T) {
	names := `the requests had more than 100 names: 30 more were counted together as "(other names)"; name requests by route or by step, not by their parameters`
	dropped := "2411 arrivals were dropped because 4 requests were already in flight (MaxInFlight)"
	page := string(write(t, sampleWith(t, 0.01, 1, func(base, head []*loadtest.Result) {
		head[0].Warnings = []string{names, dropped}
		base[0].Warnings = []string{names}
	})))
	for _, want := range []string{
		"<li>head run 1: " + template.HTMLEscapeString(names) + "</li>",
		"<li>head run 1: " + template.HTMLEscapeString(dropped) + "</li>",
		"<li>base run 1: " + template.HTMLEscapeString(names) + "</li>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// A generator-bound run's warning is among its result's warnings
	// (loadtest.Run puts it there): it is noted once.
	var why string
	page = string(write(t, sampleWith(t, 0.01, 1, func(_, head []*loadtest.Result) {
		head[0].Generator = &loadtest.Generator{CPUs: 2, Bound: true, Reasons: []string{"the process used 97% of its 2 CPUs"}}
		why = head[0].Generator.Warning()
		head[0].Warnings = []string{why}
	})))
	if n := strings.Count(page, "<li>head run 1: "+template.HTMLEscapeString(why)+"</li>"); n != 1 {
		t.Errorf("the generator-bound run is noted %d times, want once", n)
	}
}

// TestNavNamesPackages: two packages with a scenario of the same name are
// told apart in the page's list of scenarios by their packages; a name no
// other package has stays as it is. The list named both TestLoadG1 alike.
// (Nothing judged them: each shows the not-judged icon.)
func TestNavNamesPackages(t *testing.T) {
	r := fixture.Long{Scenario: "TestLoadG1", Stages: threeStages(0.01), P50: 2 * time.Millisecond, P99: 9 * time.Millisecond, Seed: 1, Run: 1}.Result()
	var in report.Input
	for _, s := range []struct{ name, pkg string }{
		{"TestLoadG1", "example.com/a/shop"},
		{"TestLoadG1", "example.com/b/shop"},
		{"TestLoadG1", "example.com/cart"},
		{"TestLoadG2", "example.com/cart"},
	} {
		in.Scenarios = append(in.Scenarios, report.Scenario{Name: s.name, Package: s.pkg, Head: []*loadtest.Result{r}})
	}
	nav := regexp.MustCompile(`(?s)<nav>.*?</nav>`).FindString(string(write(t, in)))
	for _, want := range []string{
		`title="example.com/a/shop">⚪ TestLoadG1 (example.com/a/shop)</a>`,
		`title="example.com/b/shop">⚪ TestLoadG1 (example.com/b/shop)</a>`,
		`title="example.com/cart">⚪ TestLoadG1 (cart)</a>`,
		`title="example.com/cart">⚪ TestLoadG2</a>`,
	} {
		if !strings.Contains(nav, want) {
			t.Errorf("the list of scenarios lacks %q:\n%s", want, nav)
		}
	}
}
