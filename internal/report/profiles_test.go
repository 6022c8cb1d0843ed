package report_test

import (
	"html"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/internal/rootcause"
	"github.com/loadgate/loadgate/loadtest"
)

// shopRuns are the recorded profiles of the example shop's checkout, each
// side's five runs merged (internal/rootcause's TestShopRanking).
func shopRuns(t *testing.T, side string) []rootcause.Run {
	t.Helper()
	dir := filepath.Join("../../testdata/rootcause/shop", side)
	r, err := loadtest.ReadFile(filepath.Join(dir, "checkout_at_150_per_second.json"))
	if err != nil {
		t.Fatal(err)
	}
	return []rootcause.Run{{Result: r, Dir: dir}}
}

// profileText is the text of the page's "where the time went", tags
// dropped and spaces folded.
func profileText(t *testing.T, page []byte) string {
	t.Helper()
	s := string(page)
	i := strings.Index(s, `<h3 class="where-the-time-went">`)
	if i < 0 {
		t.Fatal("no where-the-time-went section")
	}
	s = s[i:]
	if j := strings.Index(s, "</section>"); j >= 0 {
		s = s[:j]
	}
	s = html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(s, " "))
	return strings.Join(strings.Fields(s), " ")
}

// TestProfilesAsCompare: the page's "where the time went" reads as
// loadgate compare's. It wrote its own: a function's change to 2 decimals
// (the shop's sign, +38.10%, where compare and the Action's comment wrote
// +38%), the cost per request without its change, and, when nothing grew
// above noise, the head's costliest functions under both sides' totals,
// where compare says that nothing grew.
func TestProfilesAsCompare(t *testing.T) {
	for _, tt := range []struct {
		name       string
		base, head string
		notWant    []string
	}{
		{name: "grew", base: "base", head: "head"},
		{name: "nothing grew", base: "head", head: "head",
			notWant: []string{"costliest"}},
		{name: "no base", head: "head"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var base []rootcause.Run
			if tt.base != "" {
				base = shopRuns(t, tt.base)
			}
			c := rootcause.Explain("checkout", base, shopRuns(t, tt.head))
			in := sample(t, 0.05, 1)
			in.Scenarios[0].Cause = c
			got := profileText(t, write(t, in))
			for _, s := range c.Sections() {
				want := []string{s.Total}
				if s.Note != "" {
					// As compare's Markdown writes it: the page wrote
					// "Total: note." where the comment has "Total; note."
					want = append(want, s.Total+"; "+s.Note+".")
				}
				for _, row := range s.Rows {
					want = append(want, strings.Join(row, " "))
				}
				for _, w := range want {
					if !strings.Contains(got, w) {
						t.Errorf("the page lacks %q of rootcause's section:\n%s", w, got)
					}
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("the page has %q:\n%s", w, got)
				}
			}
		})
	}
}

// TestErrorsAndFlightsShown: the page lists the head runs' errors by kind
// with a message of each, as loadgate run's summary and the Action's
// comment do (http_503, which no base run had, marked new; the base had
// timeouts), and where each run's
// flight recording is; a message from the service is text on the page,
// never markup.
func TestErrorsAndFlightsShown(t *testing.T) {
	in := sampleWith(t, 0.01, 2, func(_, head []*loadtest.Result) {
		head[0].ErrorKinds = map[string]int64{"http_503": 4, "timeout": 1}
		head[0].ErrorSamples = map[string][]string{"http_503": {"<script>alert(1)</script> out of stock"}}
		head[1].ErrorKinds = map[string]int64{"http_503": 2}
		head[1].FlightRecording = &loadtest.FlightRecording{File: "checkout.2.trace", Moment: loadtest.FlightWorstSecond, Second: 3, Reason: "p99 48ms"}
	})
	page := string(write(t, in))
	for _, want := range []string{
		`<h3 class="errors-by-kind">Errors by kind</h3>`,
		`<td><code>http_503</code> <span class="new-kind" title="no base run had this kind of error">(new)</span></td><td>6</td><td>2 of 2</td><td>&lt;script&gt;alert(1)&lt;/script&gt; out of stock</td>`,
		"<td><code>timeout</code></td><td>1</td><td>1 of 2</td><td>-</td>",
		"<li>run 2: at the worst second of the load, &#43;3s to &#43;4s (p99 48ms): checkout.2.trace</li>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(page, "<script>alert(1)") {
		t.Error("an error message became markup")
	}
	if page := string(write(t, sampleWith(t, 0.01, 1, nil))); strings.Contains(page, "errors-by-kind") && !strings.Contains(page, "http_") {
		t.Error("errors by kind shown without kinds")
	}
}
