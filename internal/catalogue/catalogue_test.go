package catalogue_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/catalogue"
	"github.com/loadgate/loadgate/internal/promexport"
	"github.com/loadgate/loadgate/loadtest"
)

// fixture is a result in which every value a metric reads differs from
// the others, so that a reader of the wrong field shows.
func fixture() *loadtest.Result {
	lat := func(base int64) loadtest.Latency {
		return loadtest.Latency{Count: 990, MinNS: base, MeanNS: base + 3, P50NS: base + 5, P90NS: base + 9,
			P95NS: base + 95, P99NS: base + 99, P999NS: base + 999, MaxNS: base + 5000}
	}
	return &loadtest.Result{
		Schema: loadtest.SchemaVersion, Scenario: "checkout", Package: "example.com/shop", RunID: "r1",
		Started: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), DurationNS: 9.9e9, // rates within what the requests allow
		Requests: 1000, Errors: 10, ErrorRate: 0.01, Dropped: 3, Abandoned: 2, Rate: 100.5, Throughput: 99.25,
		Latency: lat(1_000_000), ServiceTime: lat(2_000_000),
		Phases: map[string]loadtest.Latency{"dns": lat(10_000), "connect": lat(20_000), "tls": lat(30_000),
			"ttfb": lat(40_000), "total": lat(50_000)},
		Runtime: loadtest.RuntimeStats{GoroutinesStart: 11, GoroutinesPeak: 57, GoroutinesEnd: 13,
			HeapPeakBytes: 9 << 20, GCPauseP99NS: 310_000, GCPauseMaxNS: 920_000, NumGC: 17, CPUSeconds: 1.5},
	}
}

// want holds what each metric of the catalogue reads from the fixture.
func want(r *loadtest.Result) map[string]float64 {
	w := map[string]float64{
		"p50": float64(r.Latency.P50NS), "p90": float64(r.Latency.P90NS),
		"p99": float64(r.Latency.P99NS), "p999": float64(r.Latency.P999NS),
		"service.p99": float64(r.ServiceTime.P99NS),
		"error_rate":  r.ErrorRate, "throughput": r.Throughput, "dropped": float64(r.Dropped),
		"goroutine_growth": 2, "heap_peak": 9 << 20, "gc_pause_p99": 310_000,
		"requests": 1000, "errors": 10, "abandoned": 2, "rate": 100.5,
		"goroutines_start": 11, "goroutines_peak": 57, "goroutines_end": 13,
		"gc_pause_max": 920_000, "num_gc": 17, "cpu_seconds": 1.5e9,
	}
	for _, ph := range catalogue.Phases() {
		w[ph+".p50"] = float64(r.Phases[ph].P50NS)
		w[ph+".p99"] = float64(r.Phases[ph].P99NS)
	}
	return w
}

// rows returns the rows of the catalogue and the statistics of every HTTP
// phase.
func rows(t *testing.T) []catalogue.Metric {
	ms := catalogue.All()
	for _, ph := range catalogue.Phases() {
		for _, st := range catalogue.PhaseStats() {
			m, ok := catalogue.Lookup(ph + "." + st)
			if !ok {
				t.Fatalf("Lookup(%s.%s) found nothing", ph, st)
			}
			ms = append(ms, m)
		}
	}
	return ms
}

// TestRowsComplete checks that every row has each column it needs and
// that names and export names are unique.
func TestRowsComplete(t *testing.T) {
	units := []catalogue.Unit{catalogue.Duration, catalogue.Ratio, catalogue.Count, catalogue.Bytes, catalogue.Rate}
	names, benches := map[string]bool{}, map[string]bool{}
	for _, m := range rows(t) {
		switch {
		case m.Name == "" || names[m.Name]:
			t.Errorf("%q: empty or repeated name", m.Name)
		case !slices.Contains(units, m.Unit):
			t.Errorf("%s: unit %q is not one of %v", m.Name, m.Unit, units)
		case m.Where == 0 || m.Noun == "" || m.Read == nil:
			t.Errorf("%s: no scope, noun or reader", m.Name)
		case m.Rule != nil && m.Bench == "":
			t.Errorf("%s: compared, but no benchmark unit", m.Name)
		case m.Bench != "" && benches[m.Bench]:
			t.Errorf("%s: benchmark unit %s repeated", m.Name, m.Bench)
		case m.BareSeconds && m.Unit != catalogue.Duration:
			t.Errorf("%s: bare seconds, but unit %s", m.Name, m.Unit)
		}
		names[m.Name], benches[m.Bench] = true, m.Bench != ""
		if r := m.Rule; r != nil && (r.Tolerance <= 0 || r.Warn < 0 || r.Warn > r.Tolerance || r.Floor < 0) {
			t.Errorf("%s: rule %+v: want 0 <= warn <= tolerance, tolerance > 0, floor >= 0", m.Name, *r)
		}
		if f := m.Prom.Family; f != nil {
			summary := f.Kind == catalogue.Summary
			if !strings.HasPrefix(f.Name, "loadgate_") || f.Help == "" {
				t.Errorf("%s: family %q needs the loadgate_ prefix and help", m.Name, f.Name)
			}
			qs := slices.IndexFunc(catalogue.Quantiles(), func(q catalogue.Quantile) bool { return q.Q == m.Prom.Quantile })
			if summary != (qs >= 0) || summary && m.Unit != catalogue.Duration {
				t.Errorf("%s: family %s of kind %v with quantile %v", m.Name, f.Name, f.Kind, m.Prom.Quantile)
			}
		}
	}
	for _, name := range []string{"ttfb.p90", "nope.p99", "ttfb", "service.p50", ""} {
		if _, ok := catalogue.Lookup(name); ok {
			t.Errorf("Lookup(%q) found a metric", name)
		}
	}
}

// TestReaders checks each reader against the fixture, and that a result
// without requests has no latency and no error rate.
func TestReaders(t *testing.T) {
	res, w := fixture(), want(fixture())
	ms := rows(t)
	for _, m := range ms {
		want, ok := w[m.Name]
		if !ok {
			t.Errorf("%s: the test has no value for it; add it to want", m.Name)
			continue
		}
		if got, ok := m.Read(res); !ok || got != want {
			t.Errorf("%s: Read = %v, %v; want %v", m.Name, got, ok, want)
		}
	}
	if len(w) != len(ms) {
		t.Errorf("want has %d values for %d metrics", len(w), len(ms))
	}
	// A result without requests, or from before a distribution was
	// recorded, has none of its statistics.
	empty := &loadtest.Result{}
	for _, m := range ms {
		_, ok := m.Read(empty)
		if stat := m.Prom.Family != nil && m.Prom.Family.Kind == catalogue.Summary; (stat || m.Name == "error_rate") && ok {
			t.Errorf("%s: Read of a result without requests reports a value", m.Name)
		}
	}
}

// TestAssertReadsTheCatalogue checks that assert parses every name, with
// the row's unit and scope, and reads the row's value.
func TestAssertReadsTheCatalogue(t *testing.T) {
	res := fixture()
	for _, m := range rows(t) {
		o, err := assert.Check(res, m.Name+" == 0")
		if err != nil {
			t.Errorf("%s: %v", m.Name, err)
			continue
		}
		want, _ := m.Read(res)
		if o[0].Actual != want || o[0].Unit != assert.Unit(m.Unit) {
			t.Errorf("%s: assert reads %v %s, the catalogue %v %s", m.Name, o[0].Actual, o[0].Unit, want, m.Unit)
		}
		for _, sel := range []struct {
			label string
			scope catalogue.Scope
		}{{"stage", catalogue.InStage}, {"name", catalogue.InName}} {
			_, err := assert.Parse(m.Name + "{" + sel.label + `="x"} == 0`)
			if (err == nil) != (m.Where&sel.scope != 0) {
				t.Errorf("%s{%s=...}: parse error %v, but the catalogue's scope is %b", m.Name, sel.label, err, m.Where)
			}
		}
	}
	for _, u := range []assert.Unit{assert.UnitDuration, assert.UnitRatio, assert.UnitCount, assert.UnitBytes, assert.UnitRate} {
		if !slices.ContainsFunc(catalogue.All(), func(m catalogue.Metric) bool { return assert.Unit(m.Unit) == u }) {
			t.Errorf("no metric of the catalogue has assert's unit %s", u)
		}
	}
}

// TestBaselineReadsTheCatalogue checks that baseline compares the rows
// with a rule, in their order, under those rules.
func TestBaselineReadsTheCatalogue(t *testing.T) {
	var compared []string
	for _, m := range catalogue.All() {
		if m.Rule != nil {
			compared = append(compared, m.Name)
		}
	}
	var got []string
	for _, m := range baseline.Metrics() {
		got = append(got, m.Name)
		c, ok := catalogue.Lookup(m.Name)
		if !ok {
			t.Errorf("baseline metric %s is not in the catalogue", m.Name)
			continue
		}
		if m.Unit != assert.Unit(c.Unit) || (m.Better == baseline.HigherIsBetter) != c.HigherIsBetter {
			t.Errorf("%s: baseline has %s, %s better; the catalogue %s", m.Name, m.Unit, m.Better, c.Unit)
		}
	}
	if !slices.Equal(got, compared) {
		t.Errorf("baseline compares %v, the catalogue %v", got, compared)
	}
	for name, r := range baseline.DefaultPolicy.Rules {
		c, ok := catalogue.Lookup(name)
		if !ok || c.Rule == nil {
			t.Errorf("DefaultPolicy has a rule for %s, which the catalogue does not compare", name)
			continue
		}
		if want := (baseline.Rule{Tolerance: c.Rule.Tolerance, Warn: c.Rule.Warn, Floor: c.Rule.Floor, WarnOnly: c.Rule.WarnOnly}); r != want {
			t.Errorf("DefaultPolicy's rule for %s is %+v, the catalogue's %+v", name, r, want)
		}
	}
	if len(baseline.DefaultPolicy.Rules) != len(compared) {
		t.Errorf("DefaultPolicy has %d rules for %d compared metrics", len(baseline.DefaultPolicy.Rules), len(compared))
	}
	scored := map[string]string{}
	for _, d := range baseline.DefaultScorecard.Dimensions {
		for _, name := range d.Metrics {
			scored[name] = d.Name
		}
	}
	var vetoes []string
	for _, m := range rows(t) {
		if scored[m.Name] != m.Dimension || m.Dimension != "" && m.Rule == nil {
			t.Errorf("%s: DefaultScorecard scores it in %q, the catalogue in %q (rule %v)", m.Name, scored[m.Name], m.Dimension, m.Rule)
		}
		if m.Veto {
			vetoes = append(vetoes, m.Name)
		}
	}
	if !slices.Equal(vetoes, baseline.DefaultScorecard.Vetoes) {
		t.Errorf("DefaultScorecard vetoes %v, the catalogue %v", baseline.DefaultScorecard.Vetoes, vetoes)
	}
	var zero baseline.Policy
	for _, m := range rows(t) {
		if m.Rule == nil {
			continue
		}
		r := zero.RuleFor(m.Name)
		if r.Tolerance != m.Rule.Tolerance || r.WarnOnly != m.Rule.WarnOnly {
			t.Errorf("RuleFor(%s) = %+v, the catalogue's %+v", m.Name, r, *m.Rule)
		}
	}
}

// TestBaselineKeys checks that a baseline's run keeps each compared metric
// under the row's key, or in its metrics map when the row has none.
func TestBaselineKeys(t *testing.T) {
	res := fixture()
	data, err := json.Marshal(baseline.RunOf(res))
	if err != nil {
		t.Fatal(err)
	}
	var run map[string]any
	if err := json.Unmarshal(data, &run); err != nil {
		t.Fatal(err)
	}
	metrics, _ := run["metrics"].(map[string]any)
	for _, m := range catalogue.All() {
		if m.Rule == nil {
			if m.BaselineKey != "" {
				t.Errorf("%s: not compared, but kept under %s", m.Name, m.BaselineKey)
			}
			continue
		}
		got, ok := metrics[m.Name]
		if m.BaselineKey != "" {
			got, ok = run[m.BaselineKey]
		}
		if want, _ := m.Read(res); !ok || got != want {
			t.Errorf("%s: the run keeps %v under %q (found %v), want %v", m.Name, got, m.BaselineKey, ok, want)
		}
	}
}

// TestBenchUnits checks that the bench export writes every compared metric
// under the row's unit, with the row's value and direction.
func TestBenchUnits(t *testing.T) {
	res := fixture()
	s, err := baseline.SampleOf(res)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := baseline.WriteBenchmarks(&out, s); err != nil {
		t.Fatal(err)
	}
	values, better := map[string]float64{}, map[string]string{}
	for line := range strings.Lines(out.String()) {
		f := strings.Fields(line)
		switch {
		case len(f) == 3 && f[0] == "Unit":
			better[f[1]] = f[2]
		case len(f) > 2 && strings.HasPrefix(f[0], "Benchmark"):
			for i := 2; i+1 < len(f); i += 2 {
				v, err := strconv.ParseFloat(f[i], 64)
				if err != nil {
					t.Fatalf("%q: %v", line, err)
				}
				values[f[i+1]] = v
			}
		}
	}
	n := 0
	for _, m := range rows(t) {
		if m.Bench == "" {
			continue
		}
		n++
		want, _ := m.Read(res)
		if got, ok := values[m.Bench]; !ok || got != want {
			t.Errorf("%s: the bench export writes %v %s (%v), want %v", m.Name, got, m.Bench, ok, want)
		}
		if dir := map[bool]string{false: "better=lower", true: "better=higher"}[m.HigherIsBetter]; better[m.Bench] != dir {
			t.Errorf("%s: unit %s is %q, want %s", m.Name, m.Bench, better[m.Bench], dir)
		}
	}
	if n != len(values) {
		t.Errorf("the bench export writes %d units, the catalogue has %d:\n%s", len(values), n, out.String())
	}
}

// TestPrometheusFamilies checks that the Prometheus export writes every
// row that has a family, with the row's value, in the family's kind and
// help.
func TestPrometheusFamilies(t *testing.T) {
	res := fixture()
	families := map[string]*dto.MetricFamily{}
	for _, mf := range promexport.Families([]*loadtest.Result{res}) {
		families[mf.GetName()] = mf
	}
	kinds := map[catalogue.Kind]dto.MetricType{catalogue.Counter: dto.MetricType_COUNTER,
		catalogue.Gauge: dto.MetricType_GAUGE, catalogue.Summary: dto.MetricType_SUMMARY}
	for _, m := range rows(t) {
		f := m.Prom.Family
		if f == nil {
			continue
		}
		mf := families[f.Name]
		if mf == nil {
			t.Errorf("%s: no family %s in the export", m.Name, f.Name)
			continue
		}
		if mf.GetHelp() != f.Help || mf.GetType() != kinds[f.Kind] {
			t.Errorf("%s: family %s is a %v (%q), want a %v (%q)", m.Name, f.Name, mf.GetType(), mf.GetHelp(), kinds[f.Kind], f.Help)
		}
		v, _ := m.Read(res)
		want := m.Unit.PromValue(v)
		got, found := promValue(mf, m.Prom)
		if !found || got != want {
			t.Errorf("%s: %s%v = %v (found %v), want %v", m.Name, f.Name, m.Prom.Label, got, found, want)
		}
	}
}

// promValue finds the series of s in mf and returns its value.
func promValue(mf *dto.MetricFamily, s catalogue.Series) (float64, bool) {
	for _, m := range mf.Metric {
		if s.Label[0] != "" && !slices.ContainsFunc(m.Label, func(l *dto.LabelPair) bool {
			return l.GetName() == s.Label[0] && l.GetValue() == s.Label[1]
		}) {
			continue
		}
		switch {
		case m.Summary != nil:
			for _, q := range m.Summary.Quantile {
				if q.GetQuantile() == s.Quantile {
					return q.GetValue(), true
				}
			}
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		}
	}
	return 0, false
}

// TestMergedRuntime checks that the runtime statistics of the test
// process are not read from a merged result of a sharded run, which keeps
// them per shard: several processes' heaps and GC pauses do not add up
// (issue 16).
func TestMergedRuntime(t *testing.T) {
	r := &loadtest.Result{Requests: 10, Runtime: loadtest.RuntimeStats{HeapPeakBytes: 1 << 20, CPUSeconds: 1},
		Shards: []loadtest.ShardRun{{Index: 1}, {Index: 2}}}
	for _, name := range []string{"heap_peak", "gc_pause_p99", "gc_pause_max", "goroutine_growth", "goroutines_peak", "num_gc", "cpu_seconds"} {
		m, ok := catalogue.Lookup(name)
		if !ok {
			t.Fatalf("no metric %s", name)
		}
		if v, ok := m.Read(r); ok {
			t.Errorf("%s of a merged result = %g, want not available", name, v)
		}
	}
	if m, _ := catalogue.Lookup("requests"); m.Read != nil {
		if v, ok := m.Read(r); !ok || v != 10 {
			t.Errorf("requests of a merged result = %g, %v", v, ok)
		}
	}
}
