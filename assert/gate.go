package assert

import (
	"errors"
	"fmt"

	"github.com/loadgate/loadgate/internal/catalogue"
	"github.com/loadgate/loadgate/loadtest"
)

// Gate returns a [loadtest.Gate] that lets the run go on after a stage only
// if every expression holds on that stage's result; its error lists each
// failure, as "p99 = 231ms, want < 200ms (15.5% over)" (the run's Stopped
// field names the stage). A gate sees one stage, so selectors, the
// whole-run metrics (runtime statistics, abandoned, HTTP phases) and the
// percentiles a stage's result does not keep (p96, p(99.5): it keeps p50,
// p90, p95, p99, p999, min, max and mean) are not allowed. A share of the
// planned rate ("throughput >= 95%") means the stage's own plan: the mean
// rate of a ramp, over the part of the stage that ran. A closed-model stage, or one planned by a Pacer of its own, has no
// planned rate: such a gate stops the run after the stage with an error
// wrapping [loadtest.ErrGateInvalid], and loadtest.Run fails the test.
// A gate sees the requests that completed: those still in flight when the
// stage ends are missing from its throughput, which so reads low by about
// the latency's share of the stage (100 ms in a 1 s stage: 90%). Give gated
// stages many times their latency, or leave room in the share.
//
// Gate never panics. If an expression is malformed or not allowed in a
// gate, the returned gate's error (for any stage, and for the nil stage
// loadtest.Run asks every gate about before the load) names the
// expression, its column and the fault, and wraps [loadtest.ErrGateInvalid]:
// loadtest.Run then fails the test before it sends anything. Elsewhere
// such a gate fails every stage. [MustGate] panics instead.
func Gate(exprs ...string) loadtest.Gate {
	g, err := newGate("assert.Gate", exprs)
	if err != nil {
		err = invalidGate{err}
		return func(*loadtest.StageResult) error { return err }
	}
	return g
}

// invalidGate is the error of a gate that cannot be checked: its own
// message, and [loadtest.ErrGateInvalid] for errors.Is.
type invalidGate struct{ err error }

func (e invalidGate) Error() string   { return e.err.Error() }
func (e invalidGate) Unwrap() []error { return []error{e.err, loadtest.ErrGateInvalid} }

// MustGate is like [Gate] but panics if an expression is malformed or not
// allowed in a gate. It is meant for tests, where the panic fails the test
// at the line that built the gate.
func MustGate(exprs ...string) loadtest.Gate {
	g, err := newGate("assert.MustGate", exprs)
	if err != nil {
		panic(err)
	}
	return g
}

func newGate(fn string, exprs []string) (loadtest.Gate, error) {
	parsed := make([]*Expr, 0, len(exprs))
	var errs []error
	for _, x := range exprs {
		e, err := Parse(x)
		if err == nil {
			err = e.gateFault()
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", fn, err))
			continue
		}
		parsed = append(parsed, e)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return func(s *loadtest.StageResult) error {
		if s == nil {
			return nil // loadtest.Run asking whether the gate can be checked: it can
		}
		var errs []error
		for _, e := range parsed {
			o, err := e.evalStage(s)
			switch {
			case err != nil:
				errs = append(errs, err)
			case !o.Pass:
				errs = append(errs, errors.New(o.Message))
			}
		}
		return errors.Join(errs...)
	}, nil
}

// gateFault says why the expression cannot be checked on a single stage.
func (e *Expr) gateFault() error {
	for _, t := range e.terms {
		m := t.m
		switch {
		case m == nil:
		case m.sel.label != "":
			return e.errorf(m.sel.col, "a gate sees only the stage it guards: drop the selector")
		case m.where == catalogue.InRun:
			return e.errorf(m.col, "%s is measured for the whole run only, so a gate cannot check it", m.name)
		case m.where&catalogue.InStage == 0:
			return e.errorf(m.col, "%s is not recorded per stage, so a gate cannot check it", m.name)
		case m.stat != nil && !stageKeeps(*m.stat):
			// Refused here, not on the stage: there it stopped the run
			// like a slow service, and the test passed.
			return e.errorf(m.col, "%s needs the full latency histogram, which a stage's result does not carry; use p50, p90, p95, p99, p999, min, max or mean", m.name)
		}
	}
	return nil
}

// stageKeeps reports whether a stage's result keeps the statistic s
// itself (p99, mean), not only in a histogram it does not carry.
func stageKeeps(s stat) bool {
	_, ok := catalogue.StatNS(loadtest.Latency{}, s.String())
	return ok
}
