package verdict

import (
	"cmp"
	"slices"

	"github.com/loadgate/loadgate/baseline"
)

// Exit statuses of the loadgate command, derived from a [Run].
const (
	ExitPass        = 0
	ExitFail        = 1 // a regression, a breach, a leak, a failed test
	ExitBadInput    = 2 // bad usage, or input the verdict cannot rest on
	ExitInterrupted = 130
)

// Run is the verdict of a whole run: every scenario's judgement, and
// what failed outside any of them.
type Run struct {
	// Scenarios are worst first: by verdict, then by severity, then by
	// package, test and name (see [Run.Sort]).
	Scenarios []*Scenario
	// Failures are failures that belong to no scenario: a test or package
	// that failed without writing a result, go test failing to run, result
	// files that cannot be read, no test run at all. Each fails the run.
	Failures []string
	// BadInput are problems of the input the verdict would rest on (go
	// test refusing its arguments); with a scenario's Err, they make the
	// exit status 2.
	BadInput []string
	// Interrupted says the run was stopped before its end.
	Interrupted bool
}

// Verdict is the run's verdict: the worst of its scenarios', and fail
// when anything failed outside them.
func (r *Run) Verdict() baseline.Verdict {
	v := baseline.Pass
	if len(r.Failures) > 0 || len(r.BadInput) > 0 {
		v = baseline.Fail
	}
	for _, s := range r.Scenarios {
		v = max(v, s.Verdict)
	}
	return v
}

// Regressions counts the metrics that regressed (failed their comparison),
// over all scenarios: the Action's regressions output and loadgate run's
// count.
func (r *Run) Regressions() int {
	n := 0
	for _, s := range r.Scenarios {
		n += s.Regressions()
	}
	return n
}

// Regressed counts the scenarios with a metric that regressed.
func (r *Run) Regressed() int {
	n := 0
	for _, s := range r.Scenarios {
		if s.Regressions() > 0 {
			n++
		}
	}
	return n
}

// badInput tells whether the verdict rests on input that could not be
// read or used.
func (r *Run) badInput() bool {
	if len(r.BadInput) > 0 {
		return true
	}
	for _, s := range r.Scenarios {
		if s.Err != nil {
			return true
		}
	}
	return false
}

// Word is the verdict as the command prints it: PASS, WARN, FAIL or
// INTERRUPTED.
func (r *Run) Word() string {
	if r.Interrupted {
		return "INTERRUPTED"
	}
	switch r.Verdict() {
	case baseline.Fail:
		return "FAIL"
	case baseline.Warn:
		return "WARN"
	}
	return "PASS"
}

// ExitCode is the verdict as an exit status: interrupted; bad input, which
// wins over a failure since the verdict cannot be trusted; failed; or 0 (a
// warning does not fail).
func (r *Run) ExitCode() int {
	switch {
	case r.Interrupted:
		return ExitInterrupted
	case r.badInput():
		return ExitBadInput
	case r.Verdict() == baseline.Fail:
		return ExitFail
	}
	return ExitPass
}

// Sort puts the worst scenarios first: by verdict, then by severity, then
// by package, test and name.
func (r *Run) Sort() {
	slices.SortStableFunc(r.Scenarios, func(a, b *Scenario) int {
		return cmp.Or(cmp.Compare(b.Verdict, a.Verdict), cmp.Compare(b.Severity(), a.Severity()),
			cmp.Compare(a.Package, b.Package), cmp.Compare(a.Test, b.Test), cmp.Compare(a.Name, b.Name))
	})
}
