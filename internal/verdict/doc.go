// Package verdict is the one decision of what a run of load tests found:
// loadgate run, loadgate compare and the GitHub Action all judge through
// it, and derive what they show from the value it returns — the word
// printed, the exit status, the Action's verdict output and the comment's
// headline.
//
// Data flows in this order:
//
//  1. [Judge] judges one scenario from an [Input]: its head runs against
//     the base's runs or a stored baseline (through [baseline.Judge], so the
//     policy and the SLA file are the run's), the SLA on every head run when
//     there is nothing to compare with, the goroutines its runs leaked, and
//     whether its test failed. The [Scenario] carries a [baseline.Verdict]
//     and the reasons, worst first.
//  2. A [Run] gathers the scenarios and what failed outside any of them
//     (a test or package that failed without a result, go test refusing
//     its arguments, unreadable input, nothing run, an interrupt).
//     [Run.Verdict], [Run.Regressions], [Run.Word] and [Run.ExitCode] are
//     derived from it, each in one place.
package verdict
