package baseline

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

// results makes n results of the checkout scenario around median.
func results(n int, median time.Duration) []*loadtest.Result {
	var rs []*loadtest.Result
	for i := range n {
		rs = append(rs, result("checkout", median, uint64(i+1)))
	}
	return rs
}

// TestServiceP99 checks that service.p99 (issue 12) is compared, warn
// only, when both sides have it, and left out, without failing, when one
// side lacks it: a baseline recorded before loadgate kept it, or results
// with no service time.
func TestServiceP99(t *testing.T) {
	const name = "service.p99"
	slower := results(5, 2*time.Millisecond)
	c, err := CompareRuns(results(5, time.Millisecond), slower, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if r := rowOf(t, c, name); r.Verdict != Warn || !r.Rule.WarnOnly || !strings.Contains(r.Note, "warn only") {
		t.Errorf("service.p99 twice as slow: %s %q, want a warning only", r.Verdict, r.Note)
	}

	// A baseline recorded before service.p99 joined: its runs, read back
	// from a file written without the metrics field.
	old := Baseline{Schema: SchemaVersion, Scenario: "checkout", Env: testEnv}
	for _, r := range results(5, time.Millisecond) {
		run := RunOf(r)
		run.Metrics = nil
		old.Runs = append(old.Runs, run)
	}
	data, err := json.Marshal(old)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(`"metrics"`)) {
		t.Fatalf("the old baseline has metrics: %s", data)
	}
	parsed, err := Parse(data, "old.json")
	if err != nil {
		t.Fatal(err)
	}
	head, err := SampleOf(slower...)
	if err != nil {
		t.Fatal(err)
	}
	noService := results(5, 2*time.Millisecond)
	for _, r := range noService {
		r.ServiceTime = loadtest.Latency{}
	}
	for _, tt := range []struct {
		name       string
		base, head func() (Sample, error)
	}{
		{"old baseline", func() (Sample, error) { return parsed.Sample(), nil }, func() (Sample, error) { return head, nil }},
		{"old baseline as head", func() (Sample, error) { return head, nil }, func() (Sample, error) { return parsed.Sample(), nil }},
		{"results without service time", func() (Sample, error) { return SampleOf(results(5, time.Millisecond)...) },
			func() (Sample, error) { return SampleOf(noService...) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			base, err := tt.base()
			if err != nil {
				t.Fatal(err)
			}
			h, err := tt.head()
			if err != nil {
				t.Fatal(err)
			}
			c, err := Compare(base, h, Policy{})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range c.Rows {
				if r.Metric == name {
					t.Errorf("service.p99 compared although one side lacks it: %+v", r)
				}
			}
			rowOf(t, c, P99) // the other metrics are still compared
			var out bytes.Buffer
			if err := WriteBenchmarks(&out, h); err != nil {
				t.Fatal(err)
			}
			if h.Runs[0].Metrics == nil && strings.Contains(out.String(), "service-p99") {
				t.Errorf("the bench export writes service.p99 of runs without it:\n%s", out.String())
			}
		})
	}
}

// TestRuleForOwnDefault checks that a statistic with a default rule of its
// own (service.p99) keeps it, while an HTTP phase's takes that of the
// latency statistic of the same name, from the policy if it has one.
func TestRuleForOwnDefault(t *testing.T) {
	loose := Rule{Tolerance: 0.5, Warn: 0.2}
	p := Policy{Rules: map[string]Rule{P99: loose}}
	if r := p.RuleFor("service.p99"); !r.WarnOnly || r == loose {
		t.Errorf("RuleFor(service.p99) = %+v, want its own default, warn only", r)
	}
	warnOnly := func(r Rule) Rule { r.WarnOnly = true; return r }
	if r := p.RuleFor("ttfb.p99"); r != warnOnly(loose) {
		t.Errorf("RuleFor(ttfb.p99) = %+v, want the policy's p99 rule, warn only %+v", r, warnOnly(loose))
	}
	if r := (&Policy{}).RuleFor("ttfb.p50"); r != warnOnly(DefaultPolicy.Rules[P50]) {
		t.Errorf("RuleFor(ttfb.p50) = %+v, want the default p50 rule, warn only", r)
	}
	if err := (&Policy{Rules: map[string]Rule{"service.p99": loose, "ttbf.p99": loose}}).Validate(); err == nil ||
		!strings.Contains(err.Error(), `unknown metric "ttbf.p99"`) || strings.Contains(err.Error(), `"service.p99"`) {
		t.Errorf("Validate: %v; want only ttbf.p99 unknown", err)
	}
}
