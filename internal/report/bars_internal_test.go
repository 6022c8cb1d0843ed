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
