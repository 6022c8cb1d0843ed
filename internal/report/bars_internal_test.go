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
	if want := "<title>" + long + "</title>xоформление заказа/日本語…</text>"; !strings.Contains(svg, want) {
		t.Errorf("chart lacks the clipped label, the whole name its tooltip, %q:\n%s", want, svg)
	}
	if !strings.Contains(svg, ">short</text>") || bc.Rows[0].Name != long {
		t.Errorf("a short label is whole, and the table has the whole name: rows %+v", bc.Rows)
	}
}

// TestClipLabelFits: a label is clipped to the width of its column, not
// to a count of characters. "POST /api/v1/orders/{orderID}" (29
// characters) was clipped to 24 and still ran off the chart's left edge;
// a name in Japanese ran off at half that.
func TestClipLabelFits(t *testing.T) {
	room := (labelWidth - labelGap) / labelFontPx
	for _, name := range []string{
		"POST /api/v1/orders/{orderID}/items/{itemID}",
		"注文を確定する注文を確定する注文を確定する注文を確定する",
		"MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM",
		"checkout 🛒🛒🛒🛒🛒🛒🛒🛒🛒🛒🛒🛒🛒🛒🛒🛒🛒🛒🛒",
		// The signs are drawn wider than letters (0.84 em in DejaVu Sans):
		// counted as letters, a label of them ran off the edge.
		"GET /search?q=a+b+c+d+e+f+g+h+i+j+k+l+m+n+o+p+q+r+s+t+u+v+w",
	} {
		got := clipLabel(name)
		if !strings.HasSuffix(got, "…") || !strings.HasPrefix(name, strings.TrimSuffix(got, "…")) || !utf8.ValidString(got) {
			t.Errorf("clipLabel(%q) = %q, want a prefix of whole characters and …", name, got)
		}
		if w := labelEms(got); w > room {
			t.Errorf("clipLabel(%q) = %q, %.1f em wide, want at most %.1f", name, got, w, room)
		}
	}
	for _, name := range []string{"POST /api/v1/orders/{id}", "checkout", ""} {
		if got := clipLabel(name); got != name {
			t.Errorf("clipLabel(%q) = %q, want it whole", name, got)
		}
	}
	// The estimate errs wide of DejaVu Sans, the font the page falls back
	// to: its advance widths, in ems, of "POST /api/v1/orders/{id}".
	if w := labelEms("POST /api/v1/orders/{id}"); w < 12.1 {
		t.Errorf("labelEms = %.2f em, narrower than the font draws it (12.1)", w)
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
