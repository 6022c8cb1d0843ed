package baseline

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/golden"
	"github.com/loadgate/loadgate/internal/schematest"
	"github.com/loadgate/loadgate/loadtest"
)

// renderCases are comparisons that together use every part of the
// renderings.
func renderCases(t *testing.T) map[string]*Comparison {
	t.Helper()
	var base, head []*loadtest.Result
	for i := range 5 {
		b := result("checkout", time.Millisecond, uint64(i))
		h := result("checkout", 1300*time.Microsecond, uint64(10+i))
		b.Phases = map[string]loadtest.Latency{"ttfb": {Count: 1000, P50NS: 900e3 + int64(i)*1e3, P99NS: 1400e3 + int64(i)*1e3}}
		h.Phases = map[string]loadtest.Latency{"ttfb": {Count: 1000, P50NS: 910e3 + int64(i)*1e3, P99NS: 1420e3 + int64(i)*1e3}}
		h.Errors, h.ErrorRate, h.Throughput = 3, 0.003, 997 // a run counts them so
		h.Runtime.HeapPeakBytes += int64(i) << 10
		h.Env.CPUs = 4
		base, head = append(base, b), append(head, h)
	}
	bs, err := SampleOf(base...)
	if err != nil {
		t.Fatal(err)
	}
	bs.Label, bs.Commit = "baseline", "0123456789abcdef0123456789abcdef01234567"
	hs, err := SampleOf(head...)
	if err != nil {
		t.Fatal(err)
	}
	sc := DefaultScorecard
	fail, err := Compare(bs, hs, Policy{SLA: []string{"p99 < 2ms", "error_rate < 0.2%"}, Scorecard: &sc})
	if err != nil {
		t.Fatal(err)
	}

	one, err := SampleOf(result("checkout", 1250*time.Microsecond, 42))
	if err != nil {
		t.Fatal(err)
	}
	unconfirmed, err := Compare(bs, one, Policy{})
	if err != nil {
		t.Fatal(err)
	}

	same := make([]*loadtest.Result, 5)
	for i := range same {
		same[i] = result("checkout", time.Millisecond, uint64(20+i))
	}
	ss, _ := SampleOf(same...)
	pass, err := Compare(bs, ss, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]*Comparison{"fail": fail, "unconfirmed": unconfirmed, "pass": pass}
}

func TestRenderGolden(t *testing.T) {
	cases := renderCases(t)
	wantVerdict := map[string]Verdict{"fail": Fail, "unconfirmed": Warn, "pass": Pass}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if c.Verdict != wantVerdict[name] {
				t.Errorf("verdict %v, want %v\n%s", c.Verdict, wantVerdict[name], c)
			}
			for _, f := range []struct {
				ext   string
				write func(*bytes.Buffer) error
			}{
				{"txt", func(b *bytes.Buffer) error { return c.WriteText(b) }},
				{"md", func(b *bytes.Buffer) error { return c.WriteMarkdown(b) }},
				{"json", func(b *bytes.Buffer) error { return c.WriteJSON(b) }},
			} {
				var b bytes.Buffer
				if err := f.write(&b); err != nil {
					t.Fatal(err)
				}
				golden.Check(t, "compare_"+name+"."+f.ext+".golden", b.Bytes())
			}
		})
	}
}

// TestMarkdownHeadingSLABreach: a comparison that fails on its SLA alone
// is headed "SLA breached", as the Action's comment and loadgate compare's
// last line say it; it was headed "regression", though no metric
// regressed.
func TestMarkdownHeadingSLABreach(t *testing.T) {
	var runs []*loadtest.Result
	for i := range 5 {
		runs = append(runs, result("checkout", time.Millisecond, uint64(i)))
	}
	s, err := SampleOf(runs...)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Compare(s, s, Policy{SLA: []string{"p99 < 1us"}})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := c.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	if head, _, _ := strings.Cut(b.String(), "\n"); c.Verdict != Fail || head != "### ❌ loadgate: `checkout` — SLA breached" {
		t.Errorf("verdict %v, heading %q; want fail and SLA breached", c.Verdict, head)
	}
}

// TestRenderJSONIsValid checks the JSON of every rendered comparison
// against schema/compare.v1.json, and that every row has the interval of
// its change (change_lo, change_hi: the JSON had none, though loadgate
// run decides by it when to stop adding runs), null where it is infinite.
func TestRenderJSONIsValid(t *testing.T) {
	for name, c := range renderCases(t) {
		var b bytes.Buffer
		if err := c.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		schematest.Validate(t, "../schema/compare.v1.json#/$defs/comparison", b.Bytes())
		var v struct {
			Schema  string           `json:"schema"`
			Verdict string           `json:"verdict"`
			CILevel float64          `json:"ci_level"`
			Metrics []map[string]any `json:"metrics"`
		}
		if err := json.Unmarshal(b.Bytes(), &v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if v.Schema != ComparisonSchema || v.Verdict != c.Verdict.String() || len(v.Metrics) != len(c.Rows) || v.CILevel != CILevel {
			t.Errorf("%s: decoded %+v", name, v)
		}
		for i, m := range v.Metrics {
			r := c.Rows[i]
			for _, f := range []struct {
				key  string
				want float64
			}{{"change_lo", r.ChangeLo}, {"change_hi", r.ChangeHi}} {
				got, ok := m[f.key]
				switch {
				case !ok:
					t.Errorf("%s: row %s has no %s", name, r.Metric, f.key)
				case math.IsInf(f.want, 0) && got != nil:
					t.Errorf("%s: row %s: %s = %v, want null (%v)", name, r.Metric, f.key, got, f.want)
				case !math.IsInf(f.want, 0) && got != f.want:
					t.Errorf("%s: row %s: %s = %v, want %v", name, r.Metric, f.key, got, f.want)
				}
			}
		}
	}
}

func TestMarkdownEscapes(t *testing.T) {
	c := renderCases(t)["pass"]
	c.Scenario = "a|b `c`"
	c.Base.Label = "<script>"
	var b bytes.Buffer
	c.WriteMarkdown(&b)
	md := b.String()
	if strings.Contains(md, "<script>") {
		t.Errorf("markdown contains a label unescaped:\n%s", md)
	}
	if !strings.Contains(md, "loadgate: `a|b 'c'`") {
		t.Errorf("scenario not kept in one code span:\n%s", md)
	}
	if !strings.Contains(md, "| metric | &lt;script&gt; | head |") {
		t.Errorf("table header broken:\n%s", md)
	}
}
