package loadtest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/texttable"
)

// TestSummaryByName checks the summary's rows per request name: sorted,
// with their status codes (HTTP numbers and gRPC names alike) and, when a
// name reports them, their messages; at most maxSummaryNames of them.
func TestSummaryByName(t *testing.T) {
	lat := Latency{Count: 3, P50NS: 2e6, P99NS: 9e6, MaxNS: 12e6}
	r := &Result{Scenario: "mixed", ByName: map[string]NameResult{
		"GET /cart": {Requests: 3, Latency: lat, StatusCodes: map[string]int64{"200": 2, "503": 1}, Errors: 1},
		"/shop.Cart/Add": {Requests: 3, Latency: lat, StatusCodes: map[string]int64{"OK": 2, "UNAVAILABLE": 1}, Errors: 1,
			Messages: &Messages{Sent: 3, Received: 2, SentBytes: 60, ReceivedBytes: 40}},
	}}
	got := Summary(r)
	for _, want := range []string{
		"name            requests  errors  p50  p99  max   status               messages sent/received (bytes)",
		"/shop.Cart/Add  3         1       2ms  9ms  12ms  OK 2, UNAVAILABLE 1  3/2 (60/40)",
		"GET /cart       3         1       2ms  9ms  12ms  200 2, 503 1",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if strings.Index(got, "/shop.Cart/Add") > strings.Index(got, "GET /cart") {
		t.Errorf("names not sorted:\n%s", got)
	}

	many := &Result{ByName: map[string]NameResult{}}
	for i := range maxSummaryNames + 3 {
		many.ByName[fmt.Sprintf("step %02d", i)] = NameResult{Requests: 1, Latency: lat}
	}
	got = Summary(many)
	if !strings.Contains(got, "… and 3 more names (in the result's by_name)") || strings.Contains(got, "step 20") || strings.Contains(got, "messages") {
		t.Errorf("summary of %d names:\n%s", len(many.ByName), got)
	}
}

// TestSummaryServer checks the line of a watched service: a value that no
// scrape gave after the cool-down (the service died) is "?", not 0, and
// the watcher's first error is shown (a wrong URL printed nothing).
func TestSummaryServer(t *testing.T) {
	const src = "http://127.0.0.1:8080/metrics"
	tests := []struct {
		name string
		give ServerStats
		want []string
	}{
		{name: "settled", give: ServerStats{Source: src,
			Before: map[string]float64{"go_goroutines": 4, "process_open_fds": 7},
			After:  map[string]float64{"go_goroutines": 5, "process_open_fds": 7},
			Peak:   map[string]float64{"go_goroutines": 9}},
			want: []string{"server " + src + ": goroutines 4→5 after the cool-down (peak 9), open files 7→7"}},
		{name: "died", give: ServerStats{Source: src,
			Before: map[string]float64{"go_goroutines": 4, "process_open_fds": 7},
			After:  map[string]float64{},
			Peak:   map[string]float64{"go_goroutines": 5},
			Errors: []string{"connect: connection refused (2 times)", "no go_gc_duration_seconds (2 times)"}},
			want: []string{
				"server " + src + ": goroutines 4→? after the cool-down (peak 5), open files 7→?",
				"server " + src + ": the watcher's errors: connect: connection refused (2 times) (and 1 more in the result's server.errors)",
			}},
		{name: "wrong URL", give: ServerStats{Source: src, Errors: []string{src + ": 404 Not Found (4 times)"}},
			want: []string{"server " + src + ": the watcher's errors: " + src + ": 404 Not Found (4 times)"}},
		// A metrics URL that answers 404 where the goroutine profile is
		// served: the groups were printed first, under no line naming
		// the service.
		{name: "wrong URL, profile served", give: ServerStats{Source: src, Errors: []string{src + ": 404 Not Found (4 times)"},
			GoroutineGrowth: []GoroutineDelta{{Function: "main.leakyWorker", Before: 0, After: 50}}},
			want: []string{"server " + src + ": goroutines not counted before the load; groups that grew:\n  server goroutines in main.leakyWorker: 0→50\nserver " + src + ": the watcher's errors: "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Summary(&Result{Scenario: "watched", Server: &tt.give})
			for _, want := range tt.want {
				if !strings.Contains(got, want) {
					t.Errorf("summary lacks %q:\n%s", want, got)
				}
			}
			if tt.name == "settled" && strings.Contains(got, "errors:") {
				t.Errorf("summary of a watcher without errors:\n%s", got)
			}
		})
	}
}

// TestSummaryStageColumns: the stage table shows the arrivals each stage
// dropped when some were (the result had them, the log did not), and the
// gate column only when a stage has a gate (it was an empty column).
func TestSummaryStageColumns(t *testing.T) {
	lat := Latency{Count: 3, P50NS: 2e6, P99NS: 9e6, MaxNS: 12e6}
	plain := &Result{Scenario: "plain", Requests: 3, Latency: lat, Stages: []StageResult{{Name: "100/s", Requests: 3, Latency: lat}}}
	if got := Summary(plain); !strings.Contains(got, "  stage  requests  errors  rate  p50  p90  p99  p99.9   max\n") {
		t.Errorf("a run without drops or gates shows their columns:\n%s", got)
	}
	short := &Result{Scenario: "short", Requests: 3, Dropped: 16, Latency: lat, Stages: []StageResult{
		{Name: "100/s", Requests: 1, Latency: lat, Gate: &GateResult{Passed: true}},
		{Name: "400/s", Requests: 2, Dropped: 16, Latency: lat, Gate: &GateResult{Passed: false}},
	}}
	got := Summary(short)
	for _, want := range []string{"stage  requests  errors  dropped", "gate", "400/s         2       0       16", "FAIL", "total         3       0       16"} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
}

// TestSummaryRates: the summary writes a rate as every other output of
// loadgate does (quantity.Rate: "200/s", as loadgate run's table, the
// comparison's throughput cell and the HTML report); it wrote "199.9 req/s"
// in its first line and "199.9" in its table, while loadgate run wrote
// "200" and the comparison "200/s" for the same run. Its error rate reads
// as theirs too (quantity.Percent: "2%"; it wrote "2.00%").
func TestSummaryRates(t *testing.T) {
	lat := Latency{Count: 300, P50NS: 2e6, P99NS: 9e6, MaxNS: 12e6}
	r := &Result{Scenario: "rates", Requests: 300, Errors: 6, ErrorRate: 0.02, Rate: 199.93, Throughput: 195.8, Latency: lat,
		Stages: []StageResult{{Name: "200/s", Requests: 300, Errors: 6, Rate: 199.93, Latency: lat}}}
	got := Summary(r)
	for _, want := range []string{"(200/s sent, 196/s ok), 6 errors (2%), 0 dropped", "  200/s       300       6  200/s  "} {
		if !strings.Contains(got, want) {
			t.Errorf("the summary lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "req/s") || strings.Contains(got, "199.9") || strings.Contains(got, "2.00%") {
		t.Errorf("the summary writes a rate another way than the other outputs:\n%s", got)
	}
	cells := ShardRun{Index: 1, Rate: 133.33}.Cells()
	if cells[3] != "133/s" {
		t.Errorf("a shard's rate cell = %q, want 133/s", cells[3])
	}
}

// TestSummaryMergedGenerator: a merged result's generator line holds the
// worst shard's CPU share and lags (internal/merge), and says so; it read
// as one machine's.
func TestSummaryMergedGenerator(t *testing.T) {
	g := &Generator{CPUs: 2, CPUShare: 0.4, Sends: 300, SendLagP90NS: 1e5, SendLagP99NS: 2e5}
	one := &Result{Scenario: "one", Requests: 300, Generator: g}
	merged := &Result{Scenario: "merged", Requests: 300, Generator: g, Shards: []ShardRun{{Index: 1}, {Index: 2}}}
	if got := Summary(one); strings.Contains(got, "worst shard") || !strings.Contains(got, "generator: 40% of 2 CPUs") {
		t.Errorf("one run's generator line:\n%s", got)
	}
	if got := Summary(merged); !strings.Contains(got, "generator: 40% of 2 CPUs, send lag p90 100µs p99 200µs, scheduler latency p99 0s (the worst shard's CPU share and lags)") {
		t.Errorf("a merged result's generator line must say whose figures they are:\n%s", got)
	}
}

// TestSummaryWarmup: the summary says what the warm-up sent and how much of
// it failed. It said nothing: a warm-up against a service that failed every
// request, or that sent nothing, looked like none at all.
func TestSummaryWarmup(t *testing.T) {
	lat := Latency{Count: 3, P50NS: 2e6, P99NS: 9e6, MaxNS: 12e6}
	r := &Result{Scenario: "warm", Requests: 3, Latency: lat, Stages: []StageResult{{Name: "100/s", Requests: 3, Latency: lat}},
		Warmup: &Warmup{DurationNS: int64(500 * time.Millisecond), Requests: 50, Errors: 50}}
	if got, want := Summary(r), "\nwarm-up 500ms before the load: 50 requests, 50 errors (not in the figures below)\n"; !strings.Contains(got, want) {
		t.Errorf("summary lacks %q:\n%s", want, got)
	}
	r.Warmup = nil
	if got := Summary(r); strings.Contains(got, "warm-up") {
		t.Errorf("a run without a warm-up mentions one:\n%s", got)
	}
}

// TestSummaryWideNames: a stage or request named in Chinese, two terminal
// columns a character, shifted every column after it (text/tabwriter
// counts runes); the summary's tables now line up on a terminal.
func TestSummaryWideNames(t *testing.T) {
	lat := Latency{Count: 3, P50NS: 2e6, P99NS: 9e6, MaxNS: 12e6}
	r := &Result{Scenario: "登录", Requests: 6,
		Stages: []StageResult{{Name: "高峰", Requests: 6, Rate: 200, Latency: lat}},
		ByName: map[string]NameResult{
			"登录":       {Requests: 3, Latency: lat, StatusCodes: map[string]int64{"200": 3}},
			"checkout": {Requests: 3, Latency: lat, StatusCodes: map[string]int64{"200": 3}},
		}}
	got := Summary(r)
	// Where each table's p99 column ends (stages, right-aligned) or starts
	// (names, left-aligned), in terminal columns: the same on every row.
	for _, table := range []struct {
		first string
		right bool
	}{{"stage", true}, {"name", false}} {
		at := map[int][]string{}
		in := false
		for line := range strings.Lines(got) {
			line = strings.TrimRight(line, "\n")
			cell := "9ms"
			if strings.HasPrefix(strings.TrimSpace(line), table.first+" ") {
				in, cell = true, "p99"
			} else if !in || !strings.Contains(line, cell) {
				in = false
				continue
			}
			i := strings.Index(line, cell)
			if table.right {
				i += len(cell)
			}
			at[texttable.Width(line[:i])] = append(at[texttable.Width(line[:i])], line)
		}
		if len(at) != 1 {
			t.Errorf("the %s table's p99 column is not in one place: %v\n%s", table.first, at, got)
		}
	}
}

// TestSummaryErrorKinds: the summary lists the kinds of error the most
// frequent first (by name among equals), as loadgate run and the Action
// do, each with a message when the run kept one.
func TestSummaryErrorKinds(t *testing.T) {
	r := &Result{Scenario: "checkout", Requests: 20, Errors: 9,
		ErrorKinds:   map[string]int64{"connection_refused": 1, "http_5xx": 6, "timeout": 1, "eof": 1},
		ErrorSamples: map[string][]string{"http_5xx": {"GET /checkout: unexpected status 503 Service Unavailable"}}}
	got := Summary(r)
	want := `errors http_5xx: 6  e.g. "GET /checkout: unexpected status 503 Service Unavailable"
errors connection_refused: 1
errors eof: 1
errors timeout: 1
`
	if !strings.Contains(got, want) {
		t.Errorf("summary lacks\n%s\ngot\n%s", want, got)
	}
}
