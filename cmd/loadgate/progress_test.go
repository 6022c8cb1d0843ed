package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/golden"
	"github.com/loadgate/loadgate/internal/gotest"
	"github.com/loadgate/loadgate/internal/progress"
	"github.com/loadgate/loadgate/loadtest"
)

// step is one moment of a scripted go test run: an event, or a tick of
// the display when e is nil.
type step struct {
	at time.Duration
	e  *gotest.Event
}

func progressEvent(test string, p progress.Record) *gotest.Event {
	b, _ := json.Marshal(p)
	return &gotest.Event{Action: "output", Package: "example.com/shop", Test: test, Output: "    run.go:72: " + progress.Prefix + string(b) + "\n"}
}

// script is two load tests running side by side: TestLoadBrowse passes,
// TestLoadCheckout fails with errors.
func script() []step {
	const pkg = "example.com/shop"
	ev := func(action, test string, elapsed float64) *gotest.Event {
		return &gotest.Event{Action: action, Package: pkg, Test: test, Elapsed: elapsed}
	}
	browse := progress.Record{Scenario: "TestLoadBrowse", Stage: "200/s", TotalNS: 4e9}
	checkout := progress.Record{Scenario: "checkout", Stage: "ramp", TotalNS: 3e9}
	at := func(p progress.Record, elapsed time.Duration, requests, errors int64, rate float64, p99 time.Duration) progress.Record {
		p.ElapsedNS, p.Requests, p.Errors, p.Rate, p.P99NS = int64(elapsed), requests, errors, rate, int64(p99)
		return p
	}
	ms := time.Millisecond
	return []step{
		{0, &gotest.Event{Action: "start", Package: pkg}},
		{0, ev("run", "TestLoadBrowse", 0)},
		{100 * ms, progressEvent("TestLoadBrowse", at(browse, 100*ms, 0, 0, 0, 0))},
		{250 * ms, nil},
		{300 * ms, ev("run", "TestLoadCheckout", 0)},
		{1100 * ms, progressEvent("TestLoadBrowse", at(browse, 1100*ms, 200, 0, 200, 1500*time.Microsecond))},
		{1350 * ms, nil},
		{1400 * ms, progressEvent("TestLoadCheckout", at(checkout, 1100*ms, 90, 3, 90, 12*ms))},
		{1600 * ms, nil},
		{2100 * ms, progressEvent("TestLoadBrowse", at(browse, 2100*ms, 400, 0, 200, 1600*time.Microsecond))},
		{3500 * ms, nil}, // checkout's load is over: finishing
		{4100 * ms, &gotest.Event{Action: "output", Package: pkg, Test: "TestLoadCheckout", Output: "    load_test.go:40: 3 of 270 requests failed\n"}},
		{4100 * ms, ev("fail", "TestLoadCheckout", 3.8)},
		{4300 * ms, nil},
		{5200 * ms, ev("pass", "TestLoadBrowse", 5.2)},
		{5200 * ms, nil},
		{5300 * ms, &gotest.Event{Action: "fail", Package: pkg, Elapsed: 5.31}},
	}
}

// play runs the script through a session and a display.
func play(d display) *gotest.Session {
	s := gotest.NewSession()
	start := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	results := map[string]*loadtest.Result{
		"TestLoadBrowse":   {Test: "TestLoadBrowse", Requests: 800, Latency: loadtest.Latency{P99NS: 1_610_000}},
		"TestLoadCheckout": {Test: "TestLoadCheckout", Requests: 270, Errors: 3, Latency: loadtest.Latency{P99NS: 12_300_000}},
	}
	for _, st := range script() {
		now := start.Add(st.at)
		if st.e == nil {
			d.tick(s, now)
			continue
		}
		t, c := s.Add(*st.e, now)
		if c == gotest.ChangeTestEnded {
			t.Result = results[t.Test]
		}
		d.update(s, t, c, now)
	}
	d.close(s)
	return s
}

// TestProgressTTY checks the terminal rendering: one line per running
// test, with a bar, redrawn in place (cursor up, clear to the end of the
// screen), and the lines of ended tests kept above them.
func TestProgressTTY(t *testing.T) {
	var b bytes.Buffer
	play(&ttyDisplay{w: &b, width: func() int { return 100 }})
	// Show the escape sequences, and each redraw on a line of its own.
	got := strings.NewReplacer("\x1b", "␛", "\r", "␍").Replace(b.String())
	got = strings.ReplaceAll(got, "␛[J", "␛[J\n")
	golden.Check(t, "progress_tty"+".golden", []byte(got))
}

// TestProgressTTYNarrow checks that no line is wider than the terminal:
// a wrapped line would break the redraw.
func TestProgressTTYNarrow(t *testing.T) {
	var b bytes.Buffer
	play(&ttyDisplay{w: &b, width: func() int { return 40 }})
	for _, line := range strings.Split(b.String(), "\n") {
		if i := strings.LastIndex(line, "\x1b[J"); i >= 0 {
			line = line[i+3:]
		}
		if !strings.HasPrefix(line, "  ") {
			continue // a lasting line may wrap: it is never redrawn
		}
		if n := len([]rune(line)); n >= 40 {
			t.Errorf("line of %d columns on a terminal of 40: %q", n, line)
		}
	}
}

// TestProgressPlain checks the rendering for logs: a line per ended test,
// and the running tests every plainEvery, nothing redrawn.
func TestProgressPlain(t *testing.T) {
	defer func(d time.Duration) { plainEvery = d }(plainEvery)
	plainEvery = time.Second
	var b bytes.Buffer
	play(&plainDisplay{w: &b})
	if strings.Contains(b.String(), "\x1b") {
		t.Errorf("escape sequences in plain output:\n%q", b.String())
	}
	golden.Check(t, "progress_plain"+".golden", []byte(b.String()))
}

func TestBar(t *testing.T) {
	tests := []struct {
		elapsed, total time.Duration
		want           string
	}{
		{0, 4 * time.Second, "░░░░"},
		{time.Second, 4 * time.Second, "█░░░"},
		{5 * time.Second, 4 * time.Second, "████"},
		{time.Second, 0, "████"},
	}
	for _, tt := range tests {
		if got := bar(tt.elapsed, tt.total, 4); got != tt.want {
			t.Errorf("bar(%v, %v) = %q, want %q", tt.elapsed, tt.total, got, tt.want)
		}
	}
}
