package baseline

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/internal/catalogue"
)

// Policy says when a change between two samples is a regression. The zero
// value is [DefaultPolicy]: every field left at zero takes its default, and
// a metric without a rule in Rules takes DefaultPolicy's rule.
type Policy struct {
	// Alpha is the significance level of the rank test (Mann-Whitney U,
	// two-sided, as benchstat): a change is significant when p <= Alpha.
	// Zero means 0.05.
	Alpha float64 `json:"alpha,omitempty"`
	// Rules holds a rule per metric name (see [Metrics]; "ttfb.p99" for a
	// phase). A rule given here replaces the default rule of its metric
	// whole. A phase metric without a rule of its own takes the rule of
	// the latency statistic of the same name ("ttfb.p99" that of "p99"),
	// warning only: give it a rule of its own to make it gate.
	// So Rules needs only the metrics whose rule differs from the default;
	// start from [Policy.RuleFor] to change one field of a rule.
	Rules map[string]Rule `json:"rules,omitempty"`
	// FailUnconfirmed makes a change beyond tolerance fail even when there
	// are too few runs for the rank test to confirm it at Alpha, whose
	// smallest p-value for the two counts is not below Alpha: at 0.05, 3+3
	// (p >= 0.1), 3+4 (p >= 0.057) or 5 against 1 (p >= 0.33); 4+4 (p >=
	// 0.029) and also 3+5 (0.036) or 2+8 (0.044) can confirm one. By
	// default such a change only warns: one run cannot tell a regression
	// from noise.
	FailUnconfirmed bool `json:"fail_unconfirmed,omitempty"`
	// EnvMismatchWarns turns failures into warnings when the two samples
	// come from different machines (CPU model or count, OS, architecture)
	// or a different LOADGATE_SCALE: their absolute values are not
	// comparable. The mismatch is flagged either way.
	EnvMismatchWarns bool `json:"env_mismatch_warns,omitempty"`
	// SLA holds hard limits, as expressions of the assert package
	// ("p99 < 200ms"), checked on every result of the head sample: a
	// breach fails the comparison whatever the baseline says.
	SLA []string `json:"sla,omitempty"`
	// Scorecard, when set, weighs the metrics' verdicts into a score that
	// decides the overall verdict (see [Scorecard]).
	Scorecard *Scorecard `json:"scorecard,omitempty"`

	// slaWhere says where the SLA file's rule of an expression of SLA is
	// written (Judge.PolicyFor); nil for none.
	slaWhere func(expr string) string
}

// Rule is how one metric is judged. Changes are relative to the baseline's
// median, oriented so that a positive change is a worsening.
type Rule struct {
	// Tolerance is the worsening that fails when the rank test finds it
	// significant (0.15: 15% slower). Beyond it without significance, the
	// metric warns.
	Tolerance float64 `json:"tolerance"`
	// Warn is the worsening from which a significant change warns although
	// it is within Tolerance; smaller significant changes pass.
	Warn float64 `json:"warn"`
	// Floor is an absolute change, in the metric's unit (nanoseconds,
	// a fraction for error_rate, requests per second, bytes, a count),
	// below which a change does not count, however large relative to the
	// baseline: 40µs → 60µs is +50% but not a regression.
	Floor float64 `json:"floor"`
	// WarnOnly makes a failure of the metric a warning: it is compared
	// and shown, but does not gate. Every gating metric adds its own
	// chance of a false alarm, so the defaults gate on few.
	WarnOnly bool `json:"warn_only,omitempty"`
	// Ignore leaves the metric out of the comparison.
	Ignore bool `json:"ignore,omitempty"`
}

// DefaultPolicy is the policy of the zero [Policy]. Its rules, which are
// the rows of the metric catalogue (internal/catalogue):
//
//   - p50 and p99 fail at 15% worse, the common pre-launch rule, and warn
//     from 5% when significant (Mann-Whitney p<0.05 and >10% fails, 5-10%
//     warns, is what works in practice). A floor of 50µs keeps scheduler
//     noise on fast services from counting.
//   - p90 is compared with p99's tolerances, and p999, the maximum of a
//     short run, with wider ones (25%, warning from 10%, floor 100µs), but
//     both only warn: each gating metric
//     adds its own chance of a false alarm, and on a shared machine the
//     tails move together with the load of other processes (see
//     scripts/noise-experiment.sh), while a real regression shows in p50
//     or p99 too.
//   - service.p99, the p99 of the time from when each request actually
//     started (free of the queueing in the generator that p99 counts, see
//     loadtest.Result.ServiceTime), has p99's tolerances but only warns.
//     A slower service shows in p99 too, which gates; service.p99 tells
//     whether a p99 regression is the service's own or requests waiting
//     for their turn, and in the closed model it equals p99, so gating
//     on both would add a second chance of a false alarm for one change.
//     Baselines recorded before loadgate kept it have no value, and the
//     metric is left out of their comparisons. A policy may make it gate
//     (a rule without WarnOnly); the default may once the noise
//     experiment has measured its false alarms.
//   - the statistics of HTTP phases (ttfb.p99, connect.p50...) take the
//     tolerances of the latency statistic of the same name but only warn:
//     a slower phase shows in p50 or p99 too, which gate, and ten more
//     gating statistics a scenario would be ten more chances of a false
//     alarm.
//   - error_rate fails at 25% worse, but not under 0.1 percentage point:
//     0.00% → 0.01% is one failed request in ten thousand.
//   - throughput fails at 10% lower: in the open model it follows the
//     planned rate, so a drop means the service fell behind.
//   - dropped arrivals fail at 25% more, from 10 arrivals.
//   - heap_peak fails at 25% more, from 4 MiB (GC timing moves the peak by
//     a few MiB from run to run).
//   - goroutine_growth and gc_pause_p99 only warn, at 50% from 10
//     goroutines and at 100% from 500µs: keep-alive connections come and
//     go, leaks are loadtest's leak check's job, and a p99 of a run's few
//     GC pauses is their maximum, read as runtime histogram bucket bounds
//     that step by up to 40%.
//
// The zero Policy uses these rules whatever is done to DefaultPolicy;
// do not modify DefaultPolicy.Rules, which other tests may read.
var DefaultPolicy = Policy{
	Alpha: defaultAlpha,
	Rules: maps.Clone(defaultRules),
}

// defaultRules are the rules of the catalogue's compared metrics (the
// statistics of HTTP phases aside: see [Policy.RuleFor]).
var defaultRules = func() map[string]Rule {
	rules := map[string]Rule{}
	for _, m := range catalogue.All() {
		if r := m.Rule; r != nil {
			rules[m.Name] = Rule{Tolerance: r.Tolerance, Warn: r.Warn, Floor: r.Floor, WarnOnly: r.WarnOnly}
		}
	}
	return rules
}()

// defaultAlpha is the alpha of the zero Policy.
const defaultAlpha = 0.05

func (p *Policy) alpha() float64 {
	if p.Alpha == 0 {
		return defaultAlpha
	}
	return p.Alpha
}

// RuleFor returns the rule p applies to the metric name: its own, or the
// default one. To loosen one field:
//
//	r := p.RuleFor(baseline.P99)
//	r.Tolerance = 0.25
//	p.Rules = map[string]baseline.Rule{baseline.P99: r}
func (p *Policy) RuleFor(name string) Rule {
	if r, ok := p.Rules[name]; ok {
		return r
	}
	if r, ok := defaultRules[name]; ok {
		return r
	}
	if _, stat, ok := strings.Cut(name, "."); ok {
		// An HTTP phase's statistic: its latency statistic's tolerances,
		// warning only (see DefaultPolicy), unless a rule of its own says
		// otherwise.
		r := p.RuleFor(stat)
		r.WarnOnly = true
		return r
	}
	return Rule{}
}

// Validate reports what is wrong with p, every problem joined.
func (p *Policy) Validate() error {
	probs := p.problems()
	if len(probs) == 0 {
		return nil
	}
	errs := make([]error, len(probs))
	for i, pr := range probs {
		errs[i] = pr.err
	}
	return fmt.Errorf("policy: %w", errors.Join(errs...))
}

// problem is one thing wrong with a policy, and where a policy file
// written as JSON holds the value at fault: its path of keys (string) and
// indices (int), for jsonpos.Find.
type problem struct {
	at  []any
	err error
}

// problems lists what is wrong with p, rules in the order of their names.
func (p *Policy) problems() []problem {
	var probs []problem
	if a := p.Alpha; a < 0 || a >= 1 || math.IsNaN(a) {
		probs = append(probs, problem{[]any{"alpha"}, fmt.Errorf("alpha %g: must be in range (0, 1)", a)})
	}
	for _, name := range slices.Sorted(maps.Keys(p.Rules)) {
		r := p.Rules[name]
		if err := checkMetric(name); err != nil {
			probs = append(probs, problem{[]any{"rules", name}, fmt.Errorf("rule: %w", err)})
			continue
		}
		bad := false
		for _, v := range []struct {
			field string
			v     float64
		}{{"tolerance", r.Tolerance}, {"warn", r.Warn}, {"floor", r.Floor}} {
			if v.v < 0 || math.IsNaN(v.v) || math.IsInf(v.v, 0) {
				bad = true
				probs = append(probs, problem{[]any{"rules", name, v.field}, fmt.Errorf("rule %s: %s %g: must be a number >= 0", name, v.field, v.v)})
			}
		}
		// A warn over a tolerance that is itself refused would repeat
		// that problem (warn 0 is over tolerance -0.1).
		if !bad && r.Warn > r.Tolerance {
			probs = append(probs, problem{[]any{"rules", name, "warn"}, fmt.Errorf("rule %s: warn %g is over tolerance %g", name, r.Warn, r.Tolerance)})
		}
	}
	for i, e := range p.SLA {
		if _, err := assert.Parse(e); err != nil {
			probs = append(probs, problem{[]any{"sla", i}, fmt.Errorf("sla[%d]: %w", i, err)})
		}
	}
	if p.Scorecard != nil {
		for _, pr := range p.Scorecard.problems() {
			probs = append(probs, problem{append([]any{"scorecard"}, pr.at...), pr.err})
		}
	}
	return probs
}
