package loadtest

import (
	"fmt"
	"strings"
	"testing"
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
