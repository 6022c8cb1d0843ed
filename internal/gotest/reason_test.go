package gotest

import (
	"os"
	"strings"
	"testing"
	"time"
)

// TestReason: the line that says why a load test failed is the test's own
// message, not the scenario summary and result path loadtest logs first.
func TestReason(t *testing.T) {
	summary := "=== RUN   TestLoadMix\n" +
		"    load_test.go:133: \n" +
		"        scenario TestLoadMix: 174 requests in 1.001s (173.9 req/s sent, 173.8 ok/s), 0 errors (0.00%), 0 dropped\n" +
		"                  stage  requests  errors  req/s    p50\n" +
		"    load_test.go:133: loadtest: result written to /tmp/out/TestLoadMix.json\n"
	tests := []struct {
		name, give, want string
	}{
		{"after the summary", summary + "    load_test.go:154: checkout: 11 requests, want 9 ± 10%\n--- FAIL: TestLoadMix (1.01s)\n",
			"load_test.go:154: checkout: 11 requests, want 9 ± 10%"},
		{"message on the next line", summary + "    load_test.go:160: \n        p99 too high:\n        12ms\n--- FAIL: TestLoadMix (1.01s)\n",
			"load_test.go:160: p99 too high:"},
		{"baseline.Check", summary +
			"    load_test.go:170: baseline.Check: TestLoadMix: run 2 of 5; comparing with the baseline after run 5\n" +
			"    load_test.go:170: baseline.Check: TestLoadMix regressed against testdata/loadgate/mix.json:\n        p99 ...\n",
			"load_test.go:170: baseline.Check: TestLoadMix regressed against testdata/loadgate/mix.json:"},
		{"subtest", "=== RUN   TestLoad/fast\n        load_test.go:20: loadtest: result written to x.json\n        load_test.go:21: error rate 3%, want < 1%\n    --- FAIL: TestLoad/fast (0.20s)\n",
			"load_test.go:21: error rate 3%, want < 1%"},
		{"panic after the summary", summary + "panic: runtime error: index out of range [3] with length 3\n\ngoroutine 7 [running]:\n",
			"panic: runtime error: index out of range [3] with length 3"},
		{"only loadgate's messages", summary + "--- FAIL: TestLoadMix (1.01s)\n",
			"load_test.go:133: scenario TestLoadMix: 174 requests in 1.001s (173.9 req/s sent, 173.8 ok/s), 0 errors (0.00%), 0 dropped"},
		// Progress lines of this loadtest and of one before v0.1.0 (a
		// module may require another version than the command's).
		{"progress lines", "=== RUN   TestLoadX\n" +
			"    timeline.go:225: loadtest: TestLoadX  5s/40s  stage 50/s  49.5/s  p99 1.33ms  0 errors\n" +
			"    timeline.go:225: loadtest: TestLoadX  10s/40s  stage 50/s  50 req/s  p99 1.19ms  errors 0 (0.00%)\n" +
			"    load_test.go:30: too slow\n--- FAIL: TestLoadX (10.00s)\n",
			"load_test.go:30: too slow"},
		{"a fatal of loadtest", "=== RUN   TestLoadX\n    load_test.go:9: loadtest: scenario \"x\": Rate 0: want a positive rate\n--- FAIL: TestLoadX (0.00s)\n",
			`load_test.go:9: loadtest: scenario "x": Rate 0: want a positive rate`},
		{"build failure", "# example.com/x\nx_test.go:3:2: undefined: y\nFAIL\texample.com/x [build failed]\n",
			"x_test.go:3:2: undefined: y"},
		{"nothing but framing", "=== RUN   TestX\n--- FAIL: TestX (0.00s)\nFAIL\nexit status 1\n", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Reason(tt.give); got != tt.want {
				t.Errorf("Reason =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
	long := "    x_test.go:1: " + strings.Repeat("é", 300) + "\n"
	if got := Reason(long); len([]rune(got)) != ReasonLimit || !strings.HasSuffix(got, "…") {
		t.Errorf("Reason of a long line = %d runes, want %d with its ellipsis", len([]rune(got)), ReasonLimit)
	}
}

// TestReasonRecorded: on the recorded run of the examples, the reason
// TestLoadMix failed is its own check, not its summary.
func TestReasonRecorded(t *testing.T) {
	f, err := os.Open("../../testdata/gotest/examples.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := NewSession()
	if err := ReadEvents(f, func(e Event) { s.Add(e, time.Now()) }); err != nil {
		t.Fatal(err)
	}
	mix := s.Tests[Key{"github.com/loadgate/loadgate/examples/shop", "TestLoadMix"}]
	got := Reason(strings.Join(s.FailedOutput(mix), ""))
	if want := "load_test.go:154: checkout: "; !strings.HasPrefix(got, want) {
		t.Errorf("Reason = %q, want it to start with %q", got, want)
	}
}
