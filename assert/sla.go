package assert

import (
	"errors"
	"testing"

	"github.com/loadgate/loadgate/loadtest"
)

// TestingT is the part of [testing.TB] the assertions use: *testing.T,
// *testing.B and testify suites provide it. When the value also has a
// Helper method, the assertions call it, so that failures point at the
// caller's line.
type TestingT interface {
	Errorf(format string, args ...any)
}

var _ TestingT = (testing.TB)(nil)

type tHelper interface{ Helper() }

// PreLaunch is the usual bar before a launch, as
// assert.SLA(t, res, assert.PreLaunch...). It allows no dropped arrival:
// error_rate leaves them out, and a service that made the load generator
// drop arrivals did not take the planned load. Copy and extend it rather
// than change it: other packages' tests use it too.
var PreLaunch = []string{
	"p99 <= 200ms",
	"error_rate < 0.1%",
	"dropped == 0",
	"goroutines_peak < 10000",
	"gc_pause_p99 < 50ms",
}

// SLA checks each expression on res and reports every one that does not
// hold through t.Errorf, with the measured value, the limit and the margin:
//
//	scenario checkout: p99 = 231ms, want < 200ms (15.5% over)
//
// A malformed expression, or one that cannot be evaluated on res (a stage
// that did not run), fails too, with the reason. SLA returns true when every
// expression held; with no expressions it returns true.
func SLA(t TestingT, res *loadtest.Result, exprs ...string) bool {
	if h, ok := t.(tHelper); ok {
		h.Helper()
	}
	return check(t, "assert.SLA", res, exprs)
}

// check is SLA under the name fn, for the helpers: their messages are the
// same as SLA's.
func check(t TestingT, fn string, res *loadtest.Result, exprs []string) bool {
	if h, ok := t.(tHelper); ok {
		h.Helper()
	}
	if res == nil {
		t.Errorf("%s: no result (did loadtest.Run fail?)", fn)
		return false
	}
	ok := true
	for _, x := range exprs {
		e, err := Parse(x)
		if err != nil {
			t.Errorf("%s: %v", fn, err)
			ok = false
			continue
		}
		o, err := e.Eval(res)
		switch {
		case err != nil:
			t.Errorf("%s: %v", fn, err)
			ok = false
		case !o.Pass:
			t.Errorf("%s", o.Message)
			ok = false
		}
	}
	return ok
}

// Check evaluates each expression on res and returns their outcomes in
// order, passed or not. It returns an error, and no outcomes, if res is nil
// or any expression is malformed (every [*SyntaxError], joined); an
// expression that cannot be evaluated on res has an Outcome with Err set.
func Check(res *loadtest.Result, exprs ...string) ([]Outcome, error) {
	parsed := make([]*Expr, 0, len(exprs))
	var errs []error
	for _, x := range exprs {
		e, err := Parse(x)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		parsed = append(parsed, e)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if res == nil {
		return nil, errors.New("assert.Check: no result")
	}
	outs := make([]Outcome, len(parsed))
	for i, e := range parsed {
		outs[i], _ = e.Eval(res) // the error is in the outcome
	}
	return outs, nil
}
