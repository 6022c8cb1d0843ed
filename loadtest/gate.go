package loadtest

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
// Any function of this type is a gate too.
type Gate func(s *StageResult) error
