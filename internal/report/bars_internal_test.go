package report

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/loadgate/loadgate/loadtest"
)

// TestNameBarsUnicode: the bar chart's label of a long request name in
// another script is clipped between characters. It was cut at 23 bytes,
// inside a character, and the report was not valid UTF-8.
func TestNameBarsUnicode(t *testing.T) {
	lat := loadtest.Latency{Count: 1, P50NS: 1e6, P99NS: 2e6, MaxNS: 2e6}
	long := "xоформление заказа/日本語のステップ" // 27 characters, 59 bytes: byte 23 is inside "з"
	head := &loadtest.Result{ByName: map[string]loadtest.NameResult{
		long:    {Requests: 2, Latency: lat},
		"short": {Requests: 1, Latency: lat},
	}}
	bc := nameBars(sides{head: head})
	if bc == nil {
		t.Fatal("no chart")
	}
	svg := string(bc.SVG)
	if !utf8.ValidString(svg) {
		t.Fatalf("the chart is not valid UTF-8: %q", svg)
	}
	if want := ">xоформление заказа/日本語の…</text>"; !strings.Contains(svg, want) {
		t.Errorf("chart lacks the clipped label %q:\n%s", want, svg)
	}
	if !strings.Contains(svg, ">short</text>") || bc.Rows[0].Name != long {
		t.Errorf("a short label is whole, and the table has the whole name: rows %+v", bc.Rows)
	}
}

// TestNameBarsErrors: the table of request names gives each name's errors,
// as the summary and the result's by_name do, so that a Flow's failing
// step shows on the page (it had only latencies).
func TestNameBarsErrors(t *testing.T) {
	lat := loadtest.Latency{Count: 20, P50NS: 1e6, P99NS: 2e6, MaxNS: 2e6}
	head := &loadtest.Result{ByName: map[string]loadtest.NameResult{
		"login":    {Requests: 20, Latency: lat},
		"checkout": {Requests: 20, Errors: 5, ErrorRate: 0.25, Latency: lat},
	}}
	bc := nameBars(sides{head: head})
	got := map[string]string{}
	for _, r := range bc.Rows {
		got[r.Name] = r.Errors
	}
	if got["checkout"] != "5 (25%)" || got["login"] != "0 (0%)" {
		t.Errorf("errors by name %q, want checkout 5 (25%%) and login 0 (0%%)", got)
	}
	if phases := phaseBars(sides{head: &loadtest.Result{Phases: map[string]loadtest.Latency{"ttfb": lat}}}); phases.Rows[0].Errors != "" {
		t.Errorf("a phase has errors %q, want none", phases.Rows[0].Errors)
	}
}
