package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/gotest"
	"github.com/loadgate/loadgate/internal/verdict"
	"github.com/loadgate/loadgate/loadtest"
)

const shopPkg = "github.com/loadgate/loadgate/examples/shop"

// events writes go test -json events, one a line, to a file for the fake
// go command to replay.
func events(t *testing.T, es ...gotest.Event) string {
	t.Helper()
	var b bytes.Buffer
	for _, e := range es {
		if e.Time.IsZero() {
			e.Time = time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
		}
		data, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
		b.WriteByte('\n')
	}
	path := filepath.Join(t.TempDir(), "events.jsonl")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRunInputErrors checks what run says, and its exit status, when the
// input rather than the code is at fault: a stored baseline that cannot be
// read is no regression, and a go test that fails before running a test
// says why first, not that -run matched nothing.
func TestRunInputErrors(t *testing.T) {
	corrupt := t.TempDir()
	// A baseline of TestLoadCatalogue, cut short by a full disk.
	bad := filepath.Join(corrupt, "TestLoadCatalogue.json")
	if err := os.WriteFile(bad, []byte(`{"schema": "loadgate.baseline/v1", "scenario": "TestLoadCatalogue", "runs": [`), 0o644); err != nil {
		t.Fatal(err)
	}

	pass := []gotest.Event{
		{Action: "start", Package: shopPkg},
		{Action: "run", Package: shopPkg, Test: "TestLoadCatalogue"},
		{Action: "output", Package: shopPkg, Test: "TestLoadCatalogue", Output: "    load_test.go:116: loadtest: result written to $LOADGATE_OUT/TestLoadCatalogue.json\n"},
		{Action: "pass", Package: shopPkg, Test: "TestLoadCatalogue", Elapsed: 1},
		{Action: "pass", Package: shopPkg, Elapsed: 1},
	}
	badFlag := []gotest.Event{
		{Action: "start", Package: shopPkg},
		{Action: "output", Package: shopPkg, Output: "flag provided but not defined: -bogusflag\n"},
		{Action: "output", Package: shopPkg, Output: "Usage of /tmp/go-build1/b001/shop.test:\n"},
		{Action: "output", Package: shopPkg, Output: "  -test.v\n"},
		{Action: "output", Package: shopPkg, Output: "    \tverbose: print additional output\n"},
		{Action: "output", Package: shopPkg, Output: "FAIL\t" + shopPkg + "\t0.005s\n"},
		{Action: "fail", Package: shopPkg, Elapsed: 0.005},
	}
	buildFail := []gotest.Event{
		{Action: "build-output", ImportPath: shopPkg + " [" + shopPkg + ".test]", Output: "# " + shopPkg + "\n"},
		{Action: "build-output", ImportPath: shopPkg + " [" + shopPkg + ".test]", Output: "load_test.go:3:2: undefined: y\n"},
		{Action: "build-fail", ImportPath: shopPkg + " [" + shopPkg + ".test]"},
		{Action: "start", Package: shopPkg},
		{Action: "output", Package: shopPkg, Output: "FAIL\t" + shopPkg + " [build failed]\n"},
		{Action: "fail", Package: shopPkg, FailedBuild: shopPkg + " [" + shopPkg + ".test]"},
	}
	tests := []struct {
		name     string
		events   []gotest.Event
		args     []string
		wantCode int
		want     []string
		forbid   []string
	}{
		{
			name:     "unreadable baseline",
			events:   pass,
			args:     []string{"-run", "TestLoadCatalogue", "-baselines", corrupt},
			wantCode: exitUsage,
			want: []string{
				"ERROR  TestLoadCatalogue: " + bad + ":1:",
				"unexpected end of file (truncated?)",
				"FAIL: 1 test passed; 1 baseline could not be read or compared (see baselines above)",
			},
			forbid: []string{"regression"},
		},
		{
			name:     "test binary refuses a flag",
			events:   badFlag,
			args:     []string{"-run", "TestLoadCatalogue", "--", "-bogusflag"},
			wantCode: exitUsage,
			want: []string{
				"\nno scenario ran: the test binary of " + shopPkg + " refused its arguments: flag provided but not defined: -bogusflag\n",
				"FAIL: the test binary of " + shopPkg + " refused its arguments: flag provided but not defined: -bogusflag; results in",
			},
			forbid: []string{"matched no test"},
		},
		{
			name:     "build failure",
			events:   buildFail,
			args:     []string{"-run", "TestLoadCatalogue"},
			wantCode: exitFailed,
			want: []string{
				"\nno scenario ran: package " + shopPkg + " did not build (see failures below)\n",
				"undefined: y",
				"FAIL: package " + shopPkg + " did not build (see failures below); results in",
			},
			forbid: []string{"matched no test"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fakeRun{events: events(t, tt.events...), results: "../../testdata/gotest/examples"}.install(t)
			args := append([]string{"run", "-progress", "off", "-out", t.TempDir(), "./examples/shop"}, tt.args...)
			r := loadgate(context.Background(), args...)
			ok := r.code == tt.wantCode
			for _, w := range tt.want {
				ok = ok && strings.Contains(r.stdout, w)
			}
			for _, f := range tt.forbid {
				ok = ok && !strings.Contains(r.stdout, f)
			}
			if !ok {
				t.Errorf("got\n%s\nwant exit status %d, stdout with %q and without %q", r, tt.wantCode, tt.want, tt.forbid)
			}
		})
	}
}

// TestLeaksListed checks which leaks the summary lists: those the harness
// found in the test process, and a server's goroutine growth only when the
// test failed on it, not growth a passing test allowed.
func TestLeaksListed(t *testing.T) {
	wd, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	s := gotest.NewSession()
	now := time.Now()
	test := func(name, status string, output ...string) {
		s.Add(gotest.Event{Action: "run", Package: shopPkg, Test: name}, now)
		for _, o := range output {
			s.Add(gotest.Event{Action: "output", Package: shopPkg, Test: name, Output: o}, now)
		}
		s.Add(gotest.Event{Action: status, Package: shopPkg, Test: name}, now)
	}
	test("TestLoadRemote/healthy", gotest.StatusPass)
	test("TestLoadRemote/leak", gotest.StatusFail,
		"    remote_test.go:74: assert.ServerSettled: scenario TestLoadRemote/leak: the server's go_goroutines = 203 after the cool-down, 3 before the load (+200, tolerance 5)\n")
	test("TestLoadSlow", gotest.StatusFail, "    load_test.go:80: p99 = 30ms, want < 20ms\n")
	test("TestLoadReportOnly", gotest.StatusPass)
	grew := func(fn string, before, after int) *loadtest.ServerStats {
		return &loadtest.ServerStats{GoroutineGrowth: []loadtest.GoroutineDelta{{Function: fn, Before: before, After: after}}}
	}
	results := &inputSet{Results: map[scenarioKey][]resultFile{}}
	add := func(r *loadtest.Result) {
		r.Package = shopPkg
		results.Results[scenarioKey{shopPkg, r.Scenario}] = []resultFile{{Path: r.Scenario + ".json", Result: r}}
	}
	add(&loadtest.Result{Scenario: "TestLoadRemote/healthy", Test: "TestLoadRemote/healthy", Server: grew("net.(*netFD).accept", 0, 1)})
	add(&loadtest.Result{Scenario: "TestLoadRemote/leak", Test: "TestLoadRemote/leak", Server: grew("shop.(*Server).listProducts.func1", 0, 200)})
	add(&loadtest.Result{Scenario: "TestLoadSlow", Test: "TestLoadSlow", Server: grew("net/http.(*conn).serve", 2, 3)})
	add(&loadtest.Result{Scenario: "TestLoadReportOnly", Test: "TestLoadReportOnly",
		Leaks: []loadtest.Leak{{Function: "shop.(*Server).listProducts.func1", Count: 3, CreatedAt: filepath.Join(wd, "examples", "shop", "shop.go") + ":120"}}})

	var b strings.Builder
	writeLeaks(&b, &runOutcome{side: side{Session: s, Results: results}})
	got := b.String()
	for _, want := range []string{
		"TestLoadRemote/leak: the server's goroutines in shop.(*Server).listProducts.func1 grew from 0 to 200",
		// An absolute file is written relative to where loadgate runs.
		"TestLoadReportOnly: 3 goroutines in shop.(*Server).listProducts.func1 (created at " + filepath.Join("examples", "shop", "shop.go") + ":120)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("leaks lack %q:\n%s", want, got)
		}
	}
	for _, noise := range []string{"accept", "TestLoadSlow"} {
		if strings.Contains(got, noise) {
			t.Errorf("leaks list %q, which no test failed on:\n%s", noise, got)
		}
	}
}

// addRuns adds rs to results as the runs of scenario name of the shop
// package, in files out/<name>.<run>.json.
func addRuns(results *inputSet, name string, rs ...*loadtest.Result) {
	for i, r := range rs {
		r.Scenario, r.Package = name, shopPkg
		results.Results[scenarioKey{shopPkg, name}] = append(results.Results[scenarioKey{shopPkg, name}],
			resultFile{Path: filepath.Join("out", fmt.Sprintf("%s.%d.json", name, i+1)), Result: r})
	}
}

// TestSlowestListed checks the summary's table of each scenario's slowest
// requests (issue 15): the slowest over its runs with their ids, and where
// a run's flight recording is; a scenario without either is left out.
func TestSlowestListed(t *testing.T) {
	ms := func(v float64) int64 { return int64(v * float64(time.Millisecond)) }
	results := &inputSet{Results: map[scenarioKey][]resultFile{}}
	add := func(name string, rs ...*loadtest.Result) { addRuns(results, name, rs...) }
	add("checkout",
		&loadtest.Result{Slowest: []loadtest.SlowRequest{
			{Name: "POST /checkout/{user}", Stage: "200/s", RequestID: "ab12-41", TraceID: "ab12000000000000f00dfeedbeefcafe", StartNS: ms(3210), LatencyNS: ms(48.2), ServiceTimeNS: ms(47.9), Status: 200},
		}},
		&loadtest.Result{
			Slowest: []loadtest.SlowRequest{
				{Name: "POST /checkout/{user}", Stage: "200/s", RequestID: "cd34-7", StartNS: ms(5), LatencyNS: ms(51), ServiceTimeNS: ms(20), ErrorKind: "timeout"},
			},
			FlightRecording: &loadtest.FlightRecording{File: "checkout.2.trace", Moment: loadtest.FlightWorstSecond, Second: 3, Reason: "p99 48ms"},
		})
	add("catalogue", &loadtest.Result{})

	var b strings.Builder
	writeSlowest(&b, &runOutcome{side: side{Results: results}})
	got := b.String()
	want := `
== slowest requests (find them by request id in the service's logs, by trace id in its tracing backend)
checkout:
run  latency  service      at  stage  name                   status   request id  trace id
  2     51ms     20ms    +5ms  200/s  POST /checkout/{user}  timeout  cd34-7      -
  1   48.2ms   47.9ms  +3.21s  200/s  POST /checkout/{user}  200      ab12-41     ab12000000000000f00dfeedbeefcafe
run 2: flight recording at the worst second of the load, +3s to +4s (p99 48ms): out/checkout.2.trace
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestErrorsListed checks the summary's errors by kind: a user who saw an
// error rate learns what the errors were without opening the result
// files, as vegeta's status codes and error set tell. Kinds are summed
// over the runs, the most frequent first, with one message each; a
// scenario without errors is left out.
func TestErrorsListed(t *testing.T) {
	results := &inputSet{Results: map[scenarioKey][]resultFile{}}
	add := func(name string, rs ...*loadtest.Result) { addRuns(results, name, rs...) }
	add("checkout",
		&loadtest.Result{ErrorKinds: map[string]int64{"http_503": 7, "timeout": 1},
			ErrorSamples: map[string][]string{"http_503": {"503 Service Unavailable:\n  out of stock"}}},
		&loadtest.Result{ErrorKinds: map[string]int64{"http_503": 5}})
	add("catalogue", &loadtest.Result{ErrorKinds: map[string]int64{}})

	var b strings.Builder
	writeErrors(&b, &runOutcome{side: side{Results: results}})
	want := `
== errors by kind (a message of each; the result files keep more)
checkout:
kind      errors    runs  e.g.
http_503      12  2 of 2  503 Service Unavailable: out of stock
timeout        1  1 of 2  -
`
	if got := b.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}

	// Compared with a base that had no timeout: the kind is marked new,
	// as the Action's comment and the HTML report mark it.
	compared := &verdict.Run{Scenarios: []*verdict.Scenario{{Name: "checkout", Package: shopPkg,
		Comparison: &baseline.Comparison{NewErrorKinds: []string{"timeout"}}}}}
	b.Reset()
	writeErrors(&b, &runOutcome{side: side{Results: results}, Verdict: compared})
	if !strings.Contains(b.String(), "\ntimeout (new)  ") {
		t.Errorf("a kind no base run had is not marked new:\n%s", b.String())
	}
}

// TestScenarioRatesAsCompared: the scenario table's rate is written as
// every other rate loadgate writes (three significant digits and the unit,
// as compare's throughput, the HTML report and the test's own summary
// show): a run at 0.04 req/s read "0.0", one at 9.96 read "10.0", and
// then "200" where every other output wrote "200/s".
func TestScenarioRatesAsCompared(t *testing.T) {
	results := &inputSet{Results: map[scenarioKey][]resultFile{}}
	for _, r := range []*loadtest.Result{
		{Scenario: "slow poll", Rate: 0.04}, {Scenario: "trickle", Rate: 9.96},
		{Scenario: "steady", Rate: 149.85}, {Scenario: "busy", Rate: 1234.5},
	} {
		r.Package = shopPkg
		results.Results[scenarioKey{shopPkg, r.Scenario}] = []resultFile{{Path: r.Scenario + ".json", Result: r}}
	}
	var b strings.Builder
	writeScenarios(&b, &runOutcome{side: side{Session: gotest.NewSession(), Results: results}})
	for name, want := range map[string]string{"slow poll": "0.04/s", "trickle": "9.96/s", "steady": "150/s", "busy": "1234/s"} {
		line := ""
		for _, l := range strings.Split(b.String(), "\n") {
			if strings.HasPrefix(l, name+" ") {
				line = l
			}
		}
		if f := strings.Fields(strings.TrimPrefix(line, name)); len(f) < 5 || f[4] != want {
			t.Errorf("%s: rate in %q, want %s\n%s", name, line, want, b.String())
		}
		if got := assert.UnitRate.Format(results.Results[scenarioKey{shopPkg, name}][0].Rate); got != want {
			t.Errorf("%s: compare writes %s, the table %s", name, got, want)
		}
	}
}

// TestTargetIgnoredNoted: a user ran loadgate run -target with tests that
// start their own server and never call loadtest.TargetURL; the run passed
// with no word that the service at -target was never loaded.
func TestTargetIgnoredNoted(t *testing.T) {
	t.Setenv(loadtest.EnvTarget, "")
	results := &inputSet{Results: map[scenarioKey][]resultFile{}}
	for _, r := range []*loadtest.Result{
		{Scenario: "catalogue", Env: loadtest.Env{Target: "http://127.0.0.1:8080"}},
		{Scenario: "登录"}, {Scenario: "checkout/v2"},
	} {
		r.Package = shopPkg
		results.Results[scenarioKey{shopPkg, r.Scenario}] = []resultFile{{Path: r.Scenario + ".json", Result: r}}
	}
	for _, tt := range []struct {
		name, target, want string
	}{
		{"no -target", "", ""},
		{"-target", "http://127.0.0.1:8080", "note: -target http://127.0.0.1:8080 was not loaded by checkout/v2, 登录 (their tests loaded a server of their own): a test sends its load to -target (LOADGATE_TARGET) only when it takes its base URL from loadtest.TargetURL\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			o := &runOutcome{Config: runConfig{Target: tt.target}, side: side{Session: gotest.NewSession(), Results: results}}
			writeScenarios(&b, o)
			got := b.String()
			if tt.want == "" && strings.Contains(got, "-target") || !strings.Contains(got, tt.want) {
				t.Errorf("got\n%s\nwant the line\n%s", got, tt.want)
			}
		})
	}
}

// TestRunWarnings: the runs' own warnings reach loadgate run's summary
// (only go test -v showed a Flow that sent no step, or request names over
// the limit), each written once for the runs that say the same, figures
// apart.
func TestRunWarnings(t *testing.T) {
	rs := []resultFile{
		{Result: &loadtest.Result{Warnings: []string{"the generator fell behind its schedule by up to 46ms: the machine was short of CPU"}}},
		{Result: &loadtest.Result{}},
		{Result: &loadtest.Result{Warnings: []string{
			"the Flow ran 40 iterations and none sent a step with Iteration.Do",
			"the generator fell behind its schedule by up to 12.5ms: the machine was short of CPU",
		}}},
		{Result: &loadtest.Result{Warnings: []string{"the generator fell behind its schedule by up to 3ms: the machine was short of CPU"}}},
	}
	want := []string{
		"mix run 1: the generator fell behind its schedule by up to 46ms: the machine was short of CPU (runs 3, 4 alike)",
		"mix run 3: the Flow ran 40 iterations and none sent a step with Iteration.Do",
	}
	if got := runWarnings("mix", rs); !slices.Equal(got, want) {
		t.Errorf("runWarnings =\n%q\nwant\n%q", got, want)
	}
	one := rs[2:3]
	if got := runWarnings("mix", one); len(got) != 2 || !strings.HasPrefix(got[0], "mix: the Flow ran") {
		t.Errorf("runWarnings of one run = %q, want no run number", got)
	}
}

// TestRunWarningsOfOneRunAlike: two warnings of one run that differ in
// their figures alone are both written. The stages "10 users" and "50
// users" of one run, both cut short by their bound, were written as one
// line ending "(run 1 alike)", the second stage's warning lost.
func TestRunWarningsOfOneRunAlike(t *testing.T) {
	one := "stage 1 (10 users) reached its bound of 1s after 80 of its 100 iterations: give it a longer one with For"
	two := "stage 2 (50 users) reached its bound of 1s after 90 of its 500 iterations: give it a longer one with For"
	rs := []resultFile{{Result: &loadtest.Result{Warnings: []string{one, two}}}}
	if got, want := runWarnings("ramp", rs), []string{"ramp: " + one, "ramp: " + two}; !slices.Equal(got, want) {
		t.Errorf("runWarnings =\n%q\nwant\n%q", got, want)
	}
	// One stage's warning in one run and another's in the next are not
	// alike: "(run 2 alike)" said run 2 warned of stage 1.
	rs = []resultFile{{Result: &loadtest.Result{Warnings: []string{one}}}, {Result: &loadtest.Result{Warnings: []string{two}}}}
	if got, want := runWarnings("ramp", rs), []string{"ramp run 1: " + one, "ramp run 2: " + two}; !slices.Equal(got, want) {
		t.Errorf("runWarnings of two runs, each of its own stage =\n%q\nwant\n%q", got, want)
	}
	rs = []resultFile{{Result: &loadtest.Result{Warnings: []string{one, two}}}, {Result: &loadtest.Result{Warnings: []string{one, two}}}}
	want := []string{"ramp run 1: " + one + " (run 2 alike)", "ramp run 1: " + two + " (run 2 alike)"}
	if got := runWarnings("ramp", rs); !slices.Equal(got, want) {
		t.Errorf("runWarnings of two runs =\n%q\nwant\n%q", got, want)
	}
}

// TestScenarioMedianLeavesOutBoundRuns: the table's rate and latencies are
// the median of the runs not generator-bound, as the comparison's and the
// HTML report's are, and a note says so: of 3 runs with one bound, the
// table said p99 30ms (the bound run's) where the comparison said 2ms.
func TestScenarioMedianLeavesOutBoundRuns(t *testing.T) {
	results := &inputSet{Results: map[scenarioKey][]resultFile{}}
	key := scenarioKey{shopPkg, "hello"}
	for i, p99 := range []time.Duration{2 * time.Millisecond, 30 * time.Millisecond, 40 * time.Millisecond} {
		r := &loadtest.Result{Scenario: "hello", Package: shopPkg, Requests: 100, Rate: 100}
		r.Latency.P99NS = int64(p99)
		if i > 0 {
			r.Generator = &loadtest.Generator{Bound: true}
		}
		results.Results[key] = append(results.Results[key], resultFile{Path: fmt.Sprintf("hello-%d.json", i), Result: r})
	}
	var b strings.Builder
	writeScenarios(&b, &runOutcome{side: side{Session: gotest.NewSession(), Results: results}})
	if !strings.Contains(b.String(), " 2ms ") || !strings.Contains(b.String(), "hello: rate, p50, p99 and max leave out the 2 of these 3 runs that were generator-bound, as the comparison leaves out the bound runs of either side") {
		t.Errorf("want p99 2ms, the run not bound, and a note saying so:\n%s", b.String())
	}
	// Every run bound: the median of them all, said of nothing.
	for _, r := range results.Results[key] {
		r.Generator = &loadtest.Generator{Bound: true}
	}
	b.Reset()
	writeScenarios(&b, &runOutcome{side: side{Session: gotest.NewSession(), Results: results}})
	if !strings.Contains(b.String(), " 30ms ") || strings.Contains(b.String(), "leave out") {
		t.Errorf("every run bound: want the median of all, p99 30ms, and no note:\n%s", b.String())
	}
}
