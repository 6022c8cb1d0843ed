package report_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/fixture"
	"github.com/loadgate/loadgate/internal/report"
	"github.com/loadgate/loadgate/internal/verdict"
	"github.com/loadgate/loadgate/loadtest"
)

// chromium is Debian's browser; scripts/install-chromium.sh installs it.
const chromium = "/usr/bin/chromium"

// chromiumFlags run the browser headless with the network cut off: every
// host name resolves to nothing and every connection goes to a proxy on
// the discard port, where nothing listens. The report's own content
// security policy refuses the network besides.
var chromiumFlags = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--mute-audio",
	"--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
	"--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
	"--enable-logging=stderr", "--v=0",
	// Let the page's script and uPlot's drawing run before the dump.
	"--virtual-time-budget=10000",
}

func runChromium(t *testing.T, args ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	all := append(append([]string{"--user-data-dir=" + t.TempDir()}, chromiumFlags...), args...)
	cmd := exec.CommandContext(ctx, chromium, all...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, errb.String())
	}
	return out.String(), errb.String()
}

// TestBrowser opens the report from file:// in headless Chromium with the
// network cut off and reads the DOM after the script ran: no error, each
// chart marked drawn by report.js (its canvas has pixels of its series),
// the SVG bars and the tables there. With LOADGATE_REPORT_SCREENSHOT set
// to a directory it also takes a screenshot there (docs/report.png is
// one).
func TestBrowser(t *testing.T) {
	needChromium(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	if err := os.WriteFile(path, write(t, sample(t, 0.2, 2)), 0o644); err != nil {
		t.Fatal(err)
	}
	url := "file://" + path
	dom, logs := runChromium(t, "--window-size=1400,1000", "--dump-dom", url)

	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, "CONSOLE") || strings.Contains(line, "Refused to") || strings.Contains(line, "Uncaught") {
			t.Errorf("browser console: %s", line)
		}
	}
	body := regexp.MustCompile(`<body[^>]*>`).FindString(dom)
	attr := func(name string) string {
		m := regexp.MustCompile(name + `="([^"]*)"`).FindStringSubmatch(body)
		if m == nil {
			return ""
		}
		return m[1]
	}
	if e := attr("data-errors"); e != "" {
		m := regexp.MustCompile(`id="report-errors"[^>]*>([^<]*)`).FindStringSubmatch(dom)
		t.Errorf("the page reported %s errors: %v", e, m)
	}
	charts, _ := strconv.Atoi(attr("data-charts"))
	drawn, _ := strconv.Atoi(attr("data-drawn"))
	if charts < 8 || drawn != charts {
		t.Errorf("%d of %d charts drawn (body %s)", drawn, charts, body)
	}
	for _, m := range regexp.MustCompile(`<div class="plot[^"]*"[^>]*>`).FindAllString(dom, -1) {
		if !strings.Contains(m, `data-drawn="yes"`) {
			t.Errorf("chart not drawn: %s", m)
		}
	}
	if n := strings.Count(dom, "<canvas"); n != charts {
		t.Errorf("%d canvases for %d charts", n, charts)
	}
	if n := len(regexp.MustCompile(`<svg class="bars"[^>]*>(.*?)</svg>`).FindAllString(dom, -1)); n != 2 {
		t.Errorf("%d bar charts, want 2 (phases, names)", n)
	}
	for _, table := range []string{"slo", "figures", "verdict", "sla", "stages", "phases", "names", "leaks", "slowest"} {
		if !regexp.MustCompile(`<table class="` + table + `">\s*<thead>.*?</thead>\s*<tbody><tr`).MatchString(dom) {
			t.Errorf("table %s missing or empty", table)
		}
	}

	if shots := os.Getenv("LOADGATE_REPORT_SCREENSHOT"); shots != "" {
		png := filepath.Join(shots, "report.png")
		runChromium(t, "--window-size=1400,2300", "--screenshot="+png, url)
		t.Logf("screenshot: %s", png)
	}
}

// TestBrowserOneSecond: a run shorter than two seconds (a load that
// LOADGATE_SCALE shortened, as CI runs them) has one point a series over
// time. uPlot draws no line through one point and made its x axis 0 to
// 100: the charts were empty grids, yet marked drawn, since the grid was
// counted as ink. Each chart now has pixels of its series' colours.
func TestBrowserOneSecond(t *testing.T) {
	needChromium(t)
	r := fixture.Long{Scenario: "short", Stages: []fixture.LongStage{{Name: "200/s", From: 200, To: 200, Seconds: 1}},
		P50: time.Millisecond, P99: 5 * time.Millisecond, ErrorRate: 0.01, Seed: 1, Run: 1}.Result()
	j := &baseline.Judge{Policy: baseline.DefaultPolicy}
	s := verdict.Judge(j, verdict.Input{Name: "short", Package: fixture.Package, Test: "TestLoad", Head: []*loadtest.Result{r}, NoBase: "no base"})
	path := filepath.Join(t.TempDir(), "report.html")
	page := write(t, report.Input{Scenarios: []report.Scenario{{Name: "short", Package: fixture.Package, Head: []*loadtest.Result{r}, Judged: s}},
		Run: &verdict.Run{Scenarios: []*verdict.Scenario{s}}})
	if err := os.WriteFile(path, page, 0o644); err != nil {
		t.Fatal(err)
	}
	dom, _ := runChromium(t, "--window-size=1400,1000", "--dump-dom", "file://"+path)
	plots := regexp.MustCompile(`<div class="plot[^"]*"[^>]*>`).FindAllString(dom, -1)
	if len(plots) < 4 {
		t.Fatalf("%d charts, want latency, service time, rates, errors and the curve", len(plots))
	}
	for _, m := range plots {
		if !strings.Contains(m, `data-drawn="yes"`) {
			t.Errorf("chart drew none of its series: %s", m)
		}
	}
}

// harnessJS runs after report.js has drawn the charts: it reads what a
// reader sees but the DOM does not hold (the latency axis's tick labels
// are drawn on the canvas) and logs it on the console as one line,
// "loadgate-test {json}". The uPlot constructor is wrapped, before
// report.js runs, to keep the charts it makes.
const (
	harnessCapture = `<script>(function(){var U=window.uPlot;window.uPlot=function(o,d,t){var u=new U(o,d,t);(window.lgPlots=window.lgPlots||[]).push(u);return u};Object.assign(window.uPlot,U);})()</script>`
	harnessCheck   = `<script>setTimeout(function(){
var out={};
var u=window.lgPlots[0];
out.ticks=u.axes[1].values(u,[0,0.0005,0.5,0.9997,2,6,12.5,1500,7200],1,0,0);
var c=window.lgPlots.filter(function(p){return p.scales.y.distr===3})[0];
out.logTicks=c.axes[1].values(c,[1,null,null,10],1,0,0);
function overflow(w){var o=[];document.querySelectorAll("main *").forEach(function(e){var r=e.getBoundingClientRect(),p=e.parentElement.getBoundingClientRect();if(r.width>0&&r.right>w+1&&p.right<=w+1&&!e.closest("details:not([open])"))o.push(e.tagName.toLowerCase()+(e.className?"."+e.className:""))});return o}
out.overflow=overflow(document.documentElement.clientWidth);
// Print, emulated: a page 718 pixels wide (A4 with Chromium's margins),
// with the rules of print and of a window that narrow, on charts drawn
// for the window.
var css="";
for(var i=0;i<document.styleSheets.length;i++){var rs=document.styleSheets[i].cssRules;for(var j=0;j<rs.length;j++){var r=rs[j];if(!r.media)continue;var m=r.media.mediaText,mw=/max-width:\s*(\d+)px/.exec(m);if(m.indexOf("print")>=0||mw&&+mw[1]>=718)for(var k=0;k<r.cssRules.length;k++)css+=r.cssRules[k].cssText+"\n"}}
var st=document.createElement("style");st.textContent=css;document.head.appendChild(st);
document.body.style.width="718px";
out.print=overflow(718);
console.log("loadgate-test "+JSON.stringify(out));
},2000)</script>`
)

// needChromium skips t without Chromium, and under -short: the race
// step of .ci/run, where Chromium's runs (JavaScript, no Go to race) took
// a minute of the 20; the full run tests the page in it.
func needChromium(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the report is tested in Chromium by the full run")
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("no %s: run scripts/install-chromium.sh to test the report in a browser", chromium)
	}
}

// runHarness opens page, with the harness, in Chromium in screenshot mode
// (which resizes the window once the page has drawn, so every chart is
// drawn twice, as when a reader resizes it) and returns what the harness
// logged and every other console line.
func runHarness(t *testing.T, page []byte, width int) (map[string]any, []string) {
	t.Helper()
	needChromium(t)
	s := string(page)
	i := strings.LastIndex(s, "<script>")
	s = s[:i] + harnessCapture + s[i:]
	i = strings.LastIndex(s, "</body>")
	s = s[:i] + harnessCheck + s[i:]
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	_, logs := runChromium(t, fmt.Sprintf("--window-size=%d,1200", width), "--screenshot="+filepath.Join(dir, "shot.png"), "file://"+path)
	var got map[string]any
	var other []string
	for _, line := range strings.Split(logs, "\n") {
		if _, js, ok := strings.Cut(line, `"loadgate-test `); ok {
			js = js[:strings.LastIndex(js, `", source:`)]
			if err := json.Unmarshal([]byte(strings.ReplaceAll(js, `\"`, `"`)), &got); err != nil {
				t.Fatalf("harness line %q: %v", js, err)
			}
			continue
		}
		if strings.Contains(line, "CONSOLE") || strings.Contains(line, "Refused to") || strings.Contains(line, "Uncaught") {
			other = append(other, line)
		}
	}
	if got == nil {
		t.Fatalf("the harness logged nothing:\n%s", logs)
	}
	return got, other
}

// TestBrowserWide opens the page in a window 1920 pixels wide, once, and
// checks what a reader sees there, and in print.
func TestBrowserWide(t *testing.T) {
	got, console := runHarness(t, write(t, sample(t, 0.05, 1)), 1920)

	// The latency axis wrote its ticks with toPrecision, "0.00 µs",
	// "2.00 ms", "10.0 ms", where every table and the command line write
	// "0s", "2ms", "10ms". It now writes durations as they do.
	t.Run("axes", func(t *testing.T) {
		want := []any{"0s", "500ns", "500µs", "1ms", "2ms", "6ms", "12.5ms", "1.5s", "7.2s"}
		if fmt.Sprint(got["ticks"]) != fmt.Sprint(want) {
			t.Errorf("latency ticks %v, want %v", got["ticks"], want)
		}
		// The percentile curve's logarithmic axis labels its decades
		// only: it wrote "—" at each of the 2…9 between, struck
		// through "1s".
		if want := []any{"1ms", nil, nil, "10ms"}; fmt.Sprint(got["logTicks"]) != fmt.Sprint(want) {
			t.Errorf("logarithmic ticks %v, want %v", got["logTicks"], want)
		}
	})

	// A window resized after the page drew (as the screenshot does)
	// redraws every chart, and report.js read each canvas's pixels back
	// again to mark it drawn: Chromium wrote a warning per chart on the
	// console ("Multiple readback operations using getImageData…"). The
	// console stays quiet now.
	t.Run("resized", func(t *testing.T) {
		for _, line := range console {
			t.Errorf("browser console: %s", line)
		}
	})

	// A chart is drawn as wide as the window, and a page printed from a
	// wide window cut every chart's right side off: the charts ran 70
	// pixels past an A4 page from a window 1920 pixels wide. The page,
	// printed (emulated), fits.
	t.Run("print", func(t *testing.T) {
		if o, _ := got["print"].([]any); len(o) > 0 {
			t.Errorf("wider than the printed page: %v", o)
		}
	})
}

// TestBrowserNarrow: on a window 800 pixels wide nothing is wider than the
// window. The slowest requests' table, with its request and trace ids of
// 32 characters, ran 85 pixels past it.
func TestBrowserNarrow(t *testing.T) {
	got, _ := runHarness(t, write(t, sample(t, 0.05, 2)), 800)
	if o, _ := got["overflow"].([]any); len(o) > 0 {
		t.Errorf("wider than the window: %v", o)
	}
}
