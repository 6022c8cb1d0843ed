package assert

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/loadgate/loadgate/internal/catalogue"
	"github.com/loadgate/loadgate/internal/quantity"
	"github.com/loadgate/loadgate/loadtest"
)

// Expr is a parsed SLA expression, such as "p99 < 200ms" or
// `error_rate{name="checkout"} < 1%`. Build one with [Parse]; an Expr is
// immutable and safe for concurrent use.
type Expr struct {
	src         string // as written: columns of errors point into it
	terms       []term
	op          string // < <= > >= == !=
	limitNeg    bool
	limit       literal
	unit        Unit // of every term and of the limit
	bareSeconds bool // a bare number counts seconds (cpu_seconds)
	target      bool // the limit is a share of the planned rate: throughput >= 95%
}

// term is one metric or literal of the left side, with its sign.
type term struct {
	neg bool
	col int
	m   *metric
	lit *literal
}

// typecheck checks that the terms and the limit share a unit and that every
// selector fits its metric.
func (e *Expr) typecheck() error {
	var first *metric
	for _, t := range e.terms {
		if t.m != nil {
			first = t.m
			break
		}
	}
	if first == nil {
		return e.errorf(e.terms[0].col, "the left side needs a metric such as p99 or error_rate")
	}
	e.unit, e.bareSeconds = first.unit, true
	for _, t := range e.terms {
		m := t.m
		if m == nil {
			continue
		}
		if m.unit != e.unit {
			return e.errorf(m.col, "%s is %s but %s is %s: the terms of a sum must share a unit",
				m.name, unitNoun[m.unit], first.name, unitNoun[e.unit])
		}
		e.bareSeconds = e.bareSeconds && m.bareSeconds
		if msg := selectorFault(m); msg != "" {
			return e.errorf(m.sel.col, "%s", msg)
		}
	}
	e.target = e.limit.kind == litPercent && e.unit == UnitRate
	if e.target {
		switch {
		case len(e.terms) != 1:
			return e.errorf(e.limit.col, "a share of the planned rate such as 95%% needs a single throughput or rate on the left")
		case e.terms[0].m.sel.label == "name":
			return e.errorf(e.limit.col, "requests of one name have no planned rate; compare with a rate such as 100/s")
		}
	}
	for _, t := range e.terms {
		if t.lit != nil {
			if msg := e.unitFault(*t.lit, first.noun, false); msg != "" {
				return e.errorf(t.lit.col, "%s", msg)
			}
		}
	}
	if !e.target {
		if msg := e.unitFault(e.limit, first.noun, true); msg != "" {
			return e.errorf(e.limit.col, "%s", msg)
		}
	}
	if msg := e.decided(); msg != "" {
		return e.errorf(e.limit.col, "%s", msg)
	}
	return nil
}

// decided says why the limit passes, or fails, whatever the run measures,
// or returns "": the left side has bounds (a latency, a count or a size is
// never negative, a ratio never above 100%, a share of the planned rate
// never negative), and a limit on the wrong side of them decides the
// comparison alone. Such a limit is a typo, or an SLA that guards nothing.
func (e *Expr) decided() string {
	lo, hi := e.bounds()
	limit := e.limitValue() // a share of the plan is a share: so are the bounds then
	var never, always, byHi bool
	switch e.op {
	case "<":
		never, always, byHi = limit <= lo, limit > hi, limit > hi
	case "<=":
		never, always, byHi = limit < lo, limit >= hi, limit >= hi
	case ">":
		never, always, byHi = limit >= hi, limit < lo, limit >= hi
	case ">=":
		never, always, byHi = limit > hi, limit <= lo, limit > hi
	case "==":
		never, byHi = limit < lo || limit > hi, limit > hi
	default: // !=
		always, byHi = limit < lo || limit > hi, limit > hi
	}
	if !never && !always {
		return ""
	}
	subject := "the left side"
	if len(e.terms) == 1 {
		subject = e.terms[0].m.name
		if e.target {
			subject += " as a share of the planned rate"
		}
	}
	format := e.unit.Format
	if e.target {
		format = UnitRatio.Format
	}
	bound := subject + " is never negative"
	switch {
	case byHi && e.unit == UnitRatio:
		bound = subject + " is at most 100%"
	case byHi:
		bound = subject + " is at most " + format(hi)
	case lo != 0:
		bound = subject + " is at least " + format(lo)
	}
	verb := "pass"
	if always {
		verb = "fail"
	}
	return fmt.Sprintf("%s, so %s can never %s", bound, e.String(), verb)
}

// bounds returns the least and the greatest value the left side can take:
// a signed metric any, a ratio one in [0, 1], every other metric one in
// [0, +Inf); a literal its value.
func (e *Expr) bounds() (lo, hi float64) {
	for _, t := range e.terms {
		var tlo, thi float64
		switch {
		case t.lit != nil:
			v := t.lit.value(e.unit, e.bareSeconds)
			tlo, thi = v, v
		case t.m.signed:
			tlo, thi = math.Inf(-1), math.Inf(1)
		case t.m.unit == UnitRatio:
			tlo, thi = 0, 1
		default:
			tlo, thi = 0, math.Inf(1)
		}
		if t.neg {
			tlo, thi = -thi, -tlo
		}
		lo, hi = lo+tlo, hi+thi
	}
	return lo, hi
}

var unitNoun = map[Unit]string{
	UnitDuration: "a duration", UnitRatio: "a ratio", UnitCount: "a count", UnitBytes: "a size", UnitRate: "a rate",
}

// unitFault says why literal l cannot be compared with the expression's
// unit, or returns "". noun names the metric's kind: "a latency".
func (e *Expr) unitFault(l literal, noun string, isLimit bool) string {
	if l.kind == litBare && l.num == 0 {
		return "" // 0 needs no unit
	}
	switch e.unit {
	case UnitDuration:
		if l.kind == litDuration || l.kind == litBare && e.bareSeconds {
			return ""
		}
		if e.bareSeconds {
			return noun + " needs a duration such as 30s or a number of seconds"
		}
		return noun + " needs a duration such as 200ms"
	case UnitRatio:
		if l.kind == litPercent || l.kind == litBare && l.num <= 1 {
			return ""
		}
		if l.kind == litBare {
			return fmt.Sprintf("%s is a ratio: write a fraction in [0, 1] such as 0.01, or a percentage such as %s%%", noun, fnum(l.num))
		}
		return noun + " needs a percentage such as 1% or a fraction such as 0.01"
	case UnitCount:
		if l.kind == litBare {
			return ""
		}
		return noun + " needs a bare number such as 10"
	case UnitBytes:
		if l.kind == litBytes {
			return ""
		}
		return noun + " needs a size such as 512MB or 1GiB"
	case UnitRate:
		if isLimit && l.kind == litBare && l.num < 1 {
			// A bare fraction is a share elsewhere: k6's thresholds write
			// rate<0.01 on http_req_failed, and throughput >= 0.95 reads as
			// 95% of the plan. Here each read as that many requests a
			// second, and failed or passed every run by far.
			n := fnum(l.num)
			if len(e.terms) == 1 && e.terms[0].m != nil && e.terms[0].m.name == "rate" {
				return fmt.Sprintf("rate is requests per second: for the share of requests that failed (k6's http_req_failed: rate<%s) write error_rate < %s; for %s requests a second write %s/s", n, n, n, n)
			}
			return fmt.Sprintf("%s is requests per second: for a share of the planned rate write %s%%; for %s requests a second write %s/s", noun, fnum(tidy(100*l.num)), n, n)
		}
		if l.kind == litRate || l.kind == litBare {
			return ""
		}
		if isLimit {
			return noun + " needs requests per second such as 1000/s, or a share of the planned rate such as 95%"
		}
		return noun + " needs requests per second such as 1000/s"
	}
	return ""
}

// selectorFault says why m's selector does not fit it, or returns "".
func selectorFault(m *metric) string {
	switch {
	case m.sel.label == "stage" && m.where&catalogue.InStage == 0 || m.sel.label == "name" && m.where&catalogue.InName == 0:
	default:
		return ""
	}
	switch {
	case m.where == catalogue.InRun:
		return m.name + " is measured for the whole run only: drop the selector"
	case m.sel.label == "name":
		return m.name + " is not recorded per request name"
	default:
		return m.name + " is not recorded per stage"
	}
}

func (e *Expr) errorf(col int, format string, args ...any) error {
	return &SyntaxError{Expr: e.src, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// String returns the expression in canonical form: single spaces around
// operators, p(99.9) as p999, med as p50, durations as time.Duration
// writes them ("1m0s"), selectors without spaces. Parse(e.String())
// yields an equal Expr.
func (e *Expr) String() string {
	var b strings.Builder
	b.WriteString(e.lhs(true))
	b.WriteString(" " + e.op + " ")
	if e.limitNeg {
		b.WriteByte('-')
	}
	b.WriteString(e.limit.String())
	return b.String()
}

// lhs writes the left side, with or without the selectors.
func (e *Expr) lhs(selectors bool) string {
	var b strings.Builder
	for i, t := range e.terms {
		switch {
		case i == 0 && t.neg:
			b.WriteByte('-')
		case i > 0 && t.neg:
			b.WriteString(" - ")
		case i > 0:
			b.WriteString(" + ")
		}
		switch {
		case t.lit != nil:
			b.WriteString(t.lit.String())
		case selectors:
			b.WriteString(t.m.String())
		default:
			b.WriteString(t.m.name)
		}
	}
	return b.String()
}

// scoped returns the selector shared by every metric of the expression, if
// they share one, so that messages can name the stage once.
func (e *Expr) scoped() (selector, bool) {
	var sel selector
	n := 0
	for _, t := range e.terms {
		if t.m == nil {
			continue
		}
		if n > 0 && !t.m.sel.same(sel) {
			return selector{}, false
		}
		sel = t.m.sel
		n++
	}
	return sel, sel.label != ""
}

// Eval evaluates the expression on a whole result. The error, also in the
// Outcome's Err, says why a metric could not be read: a stage that did not
// run, phases from a target that reports none, a rate share in a
// closed-model run. A false Pass with a nil error is a failed SLA.
func (e *Expr) Eval(res *loadtest.Result) (Outcome, error) {
	if res == nil {
		return e.eval("", func(selector) (*view, error) { return nil, errors.New("no result (did loadtest.Run fail?)") })
	}
	if len(res.Shards) > 0 && e.readsProcess() {
		return e.evalShards(res)
	}
	o, err := e.eval(res.Scenario, func(sel selector) (*view, error) { return resolve(res, sel) })
	if err == nil && !o.Pass && e.readsGenerator() {
		if why := res.Generator.Warning(); why != "" {
			o.Message += "; " + why
		}
	}
	return o, err
}

// readsProcess tells whether the expression reads a statistic of the test
// process's runtime (goroutines, heap, GC, CPU).
func (e *Expr) readsProcess() bool { return e.reads(func(m *metric) bool { return m.perProcess }) }

// reads tells whether the expression reads a metric for which is returns true.
func (e *Expr) reads(is func(*metric) bool) bool {
	for _, t := range e.terms {
		if t.m != nil && is(t.m) {
			return true
		}
	}
	return false
}

// evalShards evaluates an expression that reads a statistic of the test
// process's runtime on a merged result of a sharded run. The statistics of
// several processes do not add up, so the merged result keeps them per
// shard, and the expression holds when it holds on every shard's process;
// the outcome is the first shard that breaks it, or the one nearest its
// limit, and says which.
func (e *Expr) evalShards(res *loadtest.Result) (Outcome, error) {
	var worst Outcome
	var at loadtest.ShardRun
	for i, sh := range res.Shards {
		one := *res
		one.Shards, one.Runtime = nil, sh.Runtime
		o, err := e.eval(res.Scenario, func(sel selector) (*view, error) { return resolve(&one, sel) })
		if err != nil {
			o.Message += fmt.Sprintf(" (shard %d)", sh.Index)
			o.Err = errors.New(o.Message)
			return o, o.Err
		}
		if i == 0 || !o.Pass && worst.Pass || o.Pass == worst.Pass && e.overBy(o) > e.overBy(worst) {
			worst, at = o, sh
		}
	}
	count := len(res.Shards)
	if res.Shard != nil && res.Shard.Count > 0 {
		count = res.Shard.Count
	}
	worst.Message += fmt.Sprintf(" in shard %d of %d, the worst of the shards' processes", at.Index, count)
	return worst, nil
}

// overBy is how far an outcome is on the wrong side of its limit (negative
// when it holds with room to spare); 0 for == and !=.
func (e *Expr) overBy(o Outcome) float64 {
	switch e.op {
	case "<", "<=":
		return o.Actual - o.Limit
	case ">", ">=":
		return o.Limit - o.Actual
	}
	return 0
}

// readsGenerator tells whether the expression reads a metric that a load
// generator short of CPU distorts (a latency, throughput). Only a failure
// of such an expression in a generator-bound run says so: the generator's
// delays only make latencies longer and throughput lower, so a limit they
// did not break the service does not break either.
func (e *Expr) readsGenerator() bool { return e.reads(func(m *metric) bool { return m.generator }) }

// evalStage evaluates the expression on the stage a gate sees; the caller
// has checked it with gateFault.
func (e *Expr) evalStage(s *loadtest.StageResult) (Outcome, error) {
	return e.eval("", func(selector) (*view, error) { return stageView("", s), nil })
}

func (e *Expr) eval(scenario string, resolve func(selector) (*view, error)) (Outcome, error) {
	o := Outcome{
		Expr: e.String(), Scenario: scenario, Metric: e.lhs(true), Op: e.op, Unit: e.unit,
	}
	fail := func(err error) (Outcome, error) {
		prefix := quoteExpr(o.Expr) + ": "
		if scenario != "" {
			prefix = "scenario " + scenario + ": " + prefix
		}
		o.Err = fmt.Errorf("%s%w", prefix, err) // a gate's ErrGateInvalid stays visible
		o.Message = o.Err.Error()
		return o, o.Err
	}
	var sum float64
	var first *view
	for _, t := range e.terms {
		var x float64
		if t.lit != nil {
			x = t.lit.value(e.unit, e.bareSeconds)
		} else {
			v, err := resolve(t.m.sel)
			if err != nil {
				return fail(err)
			}
			if first == nil {
				first = v
			}
			if x, err = t.m.get(v); err != nil {
				return fail(err)
			}
		}
		if t.neg {
			x = -x
		}
		sum += x
	}
	limit := e.limit.value(e.unit, e.bareSeconds)
	if e.limitNeg {
		limit = -limit
	}
	var planned float64
	if e.target {
		var err error
		if planned, err = first.plannedRate(); err != nil {
			return fail(err)
		}
		limit *= planned
	}
	o.Actual, o.Limit = sum, limit
	o.Pass = compare(sum, e.op, limit)
	o.Message = e.message(scenario, first, sum, limit, planned)
	return o, nil
}

// limitValue is the limit in the base of the expression's unit, with its
// sign; a share of the planned rate (throughput >= 95%) as a fraction.
func (e *Expr) limitValue() float64 {
	v := e.limit.value(e.unit, e.bareSeconds)
	if e.target {
		v = e.limit.num / 100
	}
	if e.limitNeg {
		v = -v
	}
	return v
}

func compare(a float64, op string, b float64) bool {
	switch op {
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	case ">=":
		return a >= b
	case "==":
		return a == b
	default: // !=
		return a != b
	}
}

// message writes `scenario checkout, stage ramp: p99 = 231ms, want < 200ms
// (15.5% over)`.
func (e *Expr) message(scenario string, v *view, actual, limit, planned float64) string {
	var b strings.Builder
	var where []string
	if scenario != "" {
		where = append(where, "scenario "+scenario)
	}
	_, scoped := e.scoped()
	if scoped && v.where != "" {
		where = append(where, v.where)
	}
	if len(where) > 0 {
		b.WriteString(strings.Join(where, ", ") + ": ")
	}
	b.WriteString(e.lhs(!scoped))
	b.WriteString(" = " + e.formatActual(actual))
	b.WriteString(", want " + e.op + " " + e.formatLimit(limit, planned))
	b.WriteString(margin(actual, limit, func(d float64) string { return e.formatActual(d) }))
	return b.String()
}

// formatActual writes a measured value to three significant digits; sizes
// in the unit of the limit, when it has one.
func (e *Expr) formatActual(v float64) string {
	if e.unit == UnitBytes && e.limit.kind == litBytes {
		return formatBytes(v, e.limit.suffix)
	}
	return e.unit.Format(v)
}

// formatLimit writes the limit as exactly as it was written, in the unit's
// notation: ratios as percentages, rates per second.
func (e *Expr) formatLimit(limit, planned float64) string {
	sign := ""
	if e.limitNeg {
		sign = "-"
	}
	l := e.limit
	switch {
	case e.target:
		return fmt.Sprintf("%s%s of the planned %s = %s", sign, l, UnitRate.Format(planned), UnitRate.Format(limit))
	case l.kind == litBare && l.num == 0:
		return e.unit.Format(0)
	case e.unit == UnitRatio && l.kind == litBare:
		return quantity.Sig(100*limit, 6) + "%"
	case e.unit == UnitRate && l.kind == litBare:
		return sign + fnum(l.num) + "/s"
	case e.unit == UnitDuration && l.kind == litBare: // seconds of cpu_seconds
		return time.Duration(limit).String()
	}
	return sign + l.String()
}

// margin writes how far actual is from limit, a percentage of the limit
// written as every percentage is (quantity.Sig: three significant
// digits, "error_rate = 2%, want < 0.5% (300% over)"): " (15.5% over)",
// " (4% under)", or in the unit when the limit is 0: " (3 over)".
func margin(actual, limit float64, format func(float64) string) string {
	d := actual - limit
	if d == 0 || math.IsNaN(d) || math.IsInf(d, 0) {
		return ""
	}
	dir := "over"
	if d < 0 {
		dir, d = "under", -d
	}
	if limit == 0 {
		return " (" + format(d) + " " + dir + ")"
	}
	return " (" + quantity.Percent(d/math.Abs(limit)) + " " + dir + ")"
}
