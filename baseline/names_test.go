package baseline

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

// named makes result seed of scenario checkout whose requests split into
// the names home and cart, cart's latencies spread around cart.
func named(seed uint64, cart time.Duration) *loadtest.Result {
	r := result("checkout", 10*time.Millisecond, seed)
	r.ByName = map[string]loadtest.NameResult{}
	for name, median := range map[string]time.Duration{"home": 10 * time.Millisecond, "cart": cart} {
		nr := result("checkout", median, seed*7+uint64(len(name)))
		r.ByName[name] = loadtest.NameResult{Requests: 500, Latency: nr.Latency, ServiceTime: nr.Latency}
	}
	return r
}

// TestNameRows: a regression in one request of a mix shows in the
// comparison's rows by request name, worst first, and only warns; the
// totals decide the verdict. A stored baseline keeps no names: none then.
func TestNameRows(t *testing.T) {
	var base, head []*loadtest.Result
	for i := range uint64(5) {
		base = append(base, named(i+1, 10*time.Millisecond))
		head = append(head, named(i+11, 30*time.Millisecond))
	}
	c, err := CompareRuns(base, head, DefaultPolicy)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Names) != 4 || c.Names[0].Metric != `p99{name="cart"}` || c.Names[2].Metric != `p99{name="home"}` {
		t.Fatalf("rows by name %v, want cart's p99 and error rate first, then home's", metricsOfRows(c.Names))
	}
	cart := c.Names[0]
	if !cart.Significant || cart.Change < 1 || cart.Verdict != Warn || !strings.HasSuffix(cart.Note, "(per name: warns only)") {
		t.Errorf("cart's p99: change %+.0f%%, significant %v, %s %q; want a significant rise that warns", 100*cart.Change, cart.Significant, cart.Verdict, cart.Note)
	}
	if home := c.Names[2]; home.Verdict != Pass {
		t.Errorf("home's p99: %s %q, want a pass", home.Verdict, home.Note)
	}
	for _, r := range c.Rows {
		if strings.Contains(r.Metric, "{") {
			t.Errorf("a row by name among the totals: %s", r.Metric)
		}
	}
	var text, md, js bytes.Buffer
	c.WriteText(&text)
	c.WriteMarkdown(&md)
	c.WriteJSON(&js)
	for what, want := range map[string]string{
		text.String(): `by request name (these only warn: the totals above decide), the worst first:`,
		md.String():   "| `p99{name=\"cart\"}` |",
		js.String():   `"metric": "p99{name=\"cart\"}"`,
	} {
		if !strings.Contains(what, want) {
			t.Errorf("the rendering lacks %q:\n%s", want, what)
		}
	}

	stored := sampleP99("baseline", 10, 10, 10, 10, 10)
	stored.Scenario = "checkout"
	h, err := SampleOf(head...)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := Compare(stored, h, DefaultPolicy); err != nil || len(c.Names) != 0 {
		t.Errorf("against a stored baseline: %d rows by name, err %v; want none", len(c.Names), err)
	}
}

func metricsOfRows(rows []Row) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Metric)
	}
	return out
}
