// Package rootcause says where the CPU time and the allocations of load
// runs went, per request, from the profiles loadtest took of their
// measured load (loadtest.Scenario.Profile); and, between two sets of runs
// of a scenario (base and head), which functions' cost per request grew
// most.
//
// The parts fit in the order the data flows:
//
//  1. [Load] reads the profiles that the results of a scenario's runs name
//     (Result.Profiles, files beside each result file) with
//     github.com/google/pprof/profile and merges them: the CPU profiles of
//     all runs into one; for allocations, each run's heap profile at the
//     end of its load minus the one at its start, then those deltas.
//  2. The merged profile becomes a [Table]: for every function its flat
//     cost (in the function itself), its cumulative cost (in it and all it
//     called) and its own cost (in it and in the standard library it
//     called, as go tool pprof shows after hiding the standard library's
//     frames), over the requests the profiles cover.
//  3. [Explain] divides by those requests and makes the one [Report] of a
//     scenario: its costliest functions per request, and, with a base, the
//     functions whose own cost per request grew most. loadgate compare,
//     loadgate run's summary and the Action's comment render it
//     ([Report.WriteText], [Report.WriteMarkdown]); none computes its own.
//
// Own cost is what the ranking of changes uses because it points at the
// code that changed: a checkout that signs with twice the rounds of
// SHA-256 grows the flat cost of the hash's assembly and the cumulative
// cost of every caller up to the server's loop by the same amount, but
// only the own cost of the function that calls the hash.
package rootcause
