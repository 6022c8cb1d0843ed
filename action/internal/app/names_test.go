package app

import (
	"strings"
	"testing"

	"github.com/loadgate/loadgate/loadtest"
)

// TestMarkdownNames: the comment shows which request of a mix a change of
// the scenario comes from, in a table of the rows by request name below
// the totals; shortened, it keeps the rows that warn.
func TestMarkdownNames(t *testing.T) {
	res := regressionResults()
	for i, r := range append(res.Base, res.Head...) {
		if r.Scenario != "checkout" {
			continue
		}
		cart := r.Latency
		if i >= len(res.Base) { // a head run: cart got 3 times slower
			for _, p := range []*int64{&cart.MinNS, &cart.MeanNS, &cart.P50NS, &cart.P90NS, &cart.P95NS, &cart.P99NS, &cart.P999NS, &cart.MaxNS} {
				*p *= 3
			}
		}
		cart.Count = r.Requests / 2
		home := res.Base[0].Latency // the same in every run: unchanged
		home.Count = r.Requests - cart.Count
		r.ByName = map[string]loadtest.NameResult{
			"GET /home":  {Requests: home.Count, Latency: home, ServiceTime: home},
			"POST /cart": {Requests: cart.Count, Latency: cart, ServiceTime: cart},
		}
	}
	r := analyze(t, res, "")
	for _, level := range []Level{Full, FailingOnly} {
		md := r.Markdown(level)
		for _, want := range []string{
			"By request name (these only warn: the totals above decide), the worst first:",
			"| `p99{name=\"POST /cart\"}` |",
		} {
			if !strings.Contains(md, want) {
				t.Errorf("level %v: the comment lacks %q:\n%s", level, want, md)
			}
		}
		if home := strings.Contains(md, "`p99{name=\"GET /home\"}`"); home != (level == Full) {
			t.Errorf("level %v: GET /home's row shown %v; want it only in full", level, home)
		}
	}
}

// TestMarkdownScenarioNameInText: a scenario name holding | or a backtick
// reads as it is in the comment's running text (the headline's list, the
// scenario's heading, the runs' details), where a table cell's escape
// (\|) would show its backslash and a backtick became a quote.
func TestMarkdownScenarioNameInText(t *testing.T) {
	res := regressionResults()
	const name = "GET /a|b `x`"
	for _, r := range append(res.Base, res.Head...) {
		if r.Scenario == "checkout" {
			r.Scenario = name
		}
	}
	md := analyze(t, res, "").Markdown(Full)
	for _, want := range []string{"### ❌ `` GET /a|b `x` ``", "- ❌ p99 of `` GET /a|b `x` ``"} {
		if !strings.Contains(md, want) {
			t.Errorf("the comment lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, `a\|b`) {
		t.Errorf("the comment shows a table's escape in running text:\n%s", md)
	}
}
