package loadtest

import (
	"errors"
	"fmt"
)

// Gate decides, when a stage ends, whether the run may go on to the next
// stage. It sees the stage's result so far (requests still in flight are not
// in it yet) and returns an error saying what is wrong, or nil to go on.
//
// Build one from SLA expressions with package assert, which checks them on
// the stage as it checks a whole result; the gate passes while every
// expression holds and reports each one that does not:
//
//	Rate(50).RampTo(500).For(20 * time.Second).
//		Gated(assert.Gate("p95 < 50ms", "error_rate < 1%", "dropped == 0"))
//
// Any function of this type is a gate too. Before it sends anything, [Run]
// asks each gate whether it can be checked at all by calling it with a
// nil stage: a gate that answers with an error wrapping [ErrGateInvalid]
// (assert.Gate of a malformed expression does) fails the test at once,
// and no load is sent. Any other answer to a nil stage, a panic included,
// is ignored, so a gate written by hand need not expect one. A gate that
// finds only on its stage that it cannot be checked there (assert.Gate's
// "throughput >= 95%" on a stage of users, which plans no rate) returns an
// error wrapping ErrGateInvalid too: the run stops after the stage and Run
// fails the test, since a stop alone would let it pass on part of its load.
// A gate that panics on a stage fails it: the run stops there, with the
// panic as the reason, as it would for an error.
type Gate func(s *StageResult) error

// ErrGateInvalid is wrapped by the error of a gate that can never be
// checked, such as one built from an expression that does not parse: a
// gate that failed every stage would stop the run after its first stage,
// and a test that did not look at Result.Stopped would pass.
var ErrGateInvalid = errors.New("the gate cannot be checked")

// probeGate asks g whether it can be checked (see [Gate]), and returns its
// error if it cannot.
func probeGate(g Gate) (err error) {
	defer func() {
		if recover() != nil {
			err = nil // a gate that expects a stage: it says nothing of itself
		}
	}()
	if err := g(nil); errors.Is(err, ErrGateInvalid) {
		return fmt.Errorf("gate: %w", err)
	}
	return nil
}

// checkGate asks g whether the run may go on after the stage sr. A panic
// is the gate's failure, not the test binary's: unrecovered, it would end
// every test of the process mid-load, with no result written.
func checkGate(g Gate, sr *StageResult) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("the gate panicked: %v", v)
		}
	}()
	return g(sr)
}
