package assert_test

// Reliability cases of issue 20 ("nothing lost, nothing passing by
// accident"), each named after the failure it guards.

import (
	"errors"
	"testing"

	"github.com/loadgate/loadgate/assert"
)

// TestIssue20ImpossibleLimitsRefused (failure 6): limits that can never
// fail or never pass were accepted (error_rate < 150% while
// error_rate <= 1.5 was refused; p99 < -1s; status(6xx)), and 1h1h read
// as 2h. Each is refused at parse time with its column and the reason;
// limits on the good side of the same bounds still parse.
func TestIssue20ImpossibleLimitsRefused(t *testing.T) {
	tests := []struct {
		give    string
		wantCol int
		wantMsg string // "" parses
	}{
		{"error_rate < 150%", 14, "error_rate is at most 100%, so error_rate < 150% can never fail"},
		{"error_rate <= 100%", 15, "error_rate is at most 100%, so error_rate <= 100% can never fail"},
		{"error_rate > 100%", 14, "error_rate is at most 100%, so error_rate > 100% can never pass"},
		{"error_rate < -1%", 14, "error_rate is never negative, so error_rate < -1% can never pass"},
		{"error_rate >= 0", 15, "error_rate is never negative, so error_rate >= 0 can never fail"},
		{"p99 < -1s", 7, "p99 is never negative, so p99 < -1s can never pass"},
		{"p99 < 0", 7, "p99 is never negative, so p99 < 0 can never pass"},
		{"heap_peak < -1MiB", 13, "heap_peak is never negative, so heap_peak < -1MiB can never pass"},
		{"errors >= 0", 11, "errors is never negative, so errors >= 0 can never fail"},
		{"status(5xx) != 200%", 16, "status(5xx) is at most 100%, so status(5xx) != 200% can never fail"},
		{"p99 + 10ms < 5ms", 14, "the left side is at least 10ms, so p99 + 10ms < 5ms can never pass"},
		{"throughput >= 0%", 15, "throughput as a share of the planned rate is never negative, so throughput >= 0% can never fail"},
		{"status(6xx) < 1%", 8, "status 6xx is not an HTTP status: codes run from 100 to 599, classes from 1xx to 5xx"},
		{"status(999) < 1%", 8, "status 999 is not an HTTP status: codes run from 100 to 599, classes from 1xx to 5xx"},
		{"p99 < 1h1h", 10, "duration 1h1h gives unit h twice; write it once, as 2h0m0s"},
		{"p99 < 30s1m", 11, "duration 30s1m has its units out of order; write the largest first, as 1m30s"},
		// One letter short of ms: minutes, which passed every run.
		{"p99 < 200m", 10, "200m is 3h20m0s (m is minutes): for milliseconds write 200ms; for minutes past an hour write 3h20m0s"},
		{"p99 < 59m", 0, ""},
		// Limits the bounds do not decide.
		{"error_rate < 100%", 0, ""},
		{"error_rate == 0", 0, ""},
		{"errors <= 0", 0, ""},
		{"p99 > 0", 0, ""},
		{"goroutine_growth < -5", 0, ""},
		{"service.p99 - p99 < 0", 0, ""},
		{"p99 < 1h30m", 0, ""},
		{"status(599) < 1%", 0, ""},
		{"status(1xx) == 0", 0, ""},
		{"throughput >= 95%", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			e, err := assert.Parse(tt.give)
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("Parse(%q): %v", tt.give, err)
				}
				return
			}
			var se *assert.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) = %v, %v; want a *SyntaxError", tt.give, e, err)
			}
			if se.Column != tt.wantCol || se.Msg != tt.wantMsg {
				t.Errorf("Parse(%q):\n got column %d: %s\nwant column %d: %s", tt.give, se.Column, se.Msg, tt.wantCol, tt.wantMsg)
			}
		})
	}
}
