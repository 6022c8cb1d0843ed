package baseline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
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
// totals decide the verdict; a stored baseline compares them too.
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

	// A stored baseline keeps each run's names (Run.Names): the default
	// path, a test's check against its stored baseline, compares them too.
	path := filepath.Join(t.TempDir(), "checkout.json")
	if _, err := Record(path, "u1", base...); err != nil {
		t.Fatal(err)
	}
	stored, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := SampleOf(head...)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := Compare(stored.Sample(), h, DefaultPolicy)
	if err != nil || len(c2.Names) != 4 || c2.Names[0].Metric != `p99{name="cart"}` || c2.Names[0].Verdict != Warn {
		t.Errorf("against a stored baseline: rows by name %v, err %v; want cart's warning first", metricsOfRows(c2.Names), err)
	}
	// A baseline recorded before names were kept compares the totals only.
	old := sampleP99("baseline", 10, 10, 10, 10, 10)
	old.Scenario = "checkout"
	if c, err := Compare(old, h, DefaultPolicy); err != nil || len(c.Names) != 0 {
		t.Errorf("against a baseline without names: %d rows by name, err %v; want none", len(c.Names), err)
	}
}

// TestStoredNamesBounded: a run keeps its MaxStoredNames busiest names,
// and a baseline whose names hold impossible figures is refused naming
// the run and the name.
func TestStoredNamesBounded(t *testing.T) {
	r := named(1, 10*time.Millisecond)
	for i := range MaxStoredNames + 20 {
		r.ByName[fmt.Sprintf("item-%03d", i)] = loadtest.NameResult{Requests: int64(i + 1)}
	}
	r.ByName["cart"] = loadtest.NameResult{Requests: 1000, Latency: r.Latency}
	run := RunOf(r)
	if len(run.Names) != MaxStoredNames {
		t.Fatalf("%d names kept, want %d", len(run.Names), MaxStoredNames)
	}
	if _, ok := run.Names["cart"]; !ok {
		t.Error("the busiest name was not kept")
	}
	if _, ok := run.Names["item-000"]; ok {
		t.Error("the least busy name was kept")
	}
	b := &Baseline{Schema: SchemaVersion, Scenario: "checkout", UpdateID: "u1", Runs: []Run{run}}
	b.Runs[0].Names["cart"] = NameRun{Requests: 10, P99NS: 1, ErrorRate: 1.5}
	data, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(data, "checkout.json"); err == nil || !strings.Contains(err.Error(), `run 1: names["cart"]`) {
		t.Errorf("Parse of an error rate of 1.5: %v, want it refused naming the run and the name", err)
	}
}

// TestNameRowsLeaveOutOtherNames: the requests a run counted together
// past loadtest.MaxNames are not one request to compare: which names
// they hold depends on the order the names first came, run by run, so
// their p99 compared a different mix on each side (a warning row, the
// worst first, that named no request).
func TestNameRowsLeaveOutOtherNames(t *testing.T) {
	var base, head []*loadtest.Result
	for i := range uint64(5) {
		b, h := named(i+1, 10*time.Millisecond), named(i+11, 10*time.Millisecond)
		b.ByName[loadtest.OtherNames] = b.ByName["cart"]
		slow := named(i+21, 40*time.Millisecond)
		h.ByName[loadtest.OtherNames] = slow.ByName["cart"]
		base, head = append(base, b), append(head, h)
	}
	c, err := CompareRuns(base, head, DefaultPolicy)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range c.Names {
		if strings.Contains(r.Metric, loadtest.OtherNames) {
			t.Errorf("rows by name %v, want none of %q", metricsOfRows(c.Names), loadtest.OtherNames)
			break
		}
	}
	if len(c.Names) != 4 {
		t.Errorf("rows by name %v, want home's and cart's", metricsOfRows(c.Names))
	}
}

func metricsOfRows(rows []Row) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Metric)
	}
	return out
}
