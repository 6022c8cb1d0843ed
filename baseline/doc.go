// Package baseline keeps what a load scenario measured on a known version
// of the code and fails a test when a change makes it significantly and
// materially worse, not when the machine had a noisy minute.
//
// Data flows through the package in this order:
//
//  1. A load test gets a *loadtest.Result from loadtest.Run and hands it to
//     [Check]. With LOADGATE_UPDATE=1, Check records it with
//     [RecordSession] into testdata/loadgate/<scenario>.json (schema
//     loadgate.baseline/v1, see schema/baseline.v1.json in the repository):
//     the runs of one go test -count=N process accumulate into one
//     [Baseline], staged beside it until the N-th run replaces the stored
//     one, so an update cut short changes nothing. A run whose test failed
//     is not recorded. Files are written atomically under a lock.
//  2. Otherwise Check loads the baseline ([Load]) and pools this process's
//     runs of the scenario until it has as many as -count asks for.
//  3. Both sides become a [Sample] (per-run values of each metric, the
//     environment) and [Compare] judges them under a [Policy]: per
//     [Metric], a Mann-Whitney U test on the per-run values (as benchstat,
//     through golang.org/x/perf/benchmath), a relative tolerance and an
//     absolute floor; environment differences are flagged; SLA
//     expressions of the assert package are hard limits; an optional
//     [Scorecard] weighs the metrics. [CompareRuns] does the same for two
//     sets of results, such as a pull request's base and head.
//  4. The [Comparison] carries a [Verdict] — pass, warn, inconclusive (the
//     runs were too noisy to tell a change of a rule's tolerance from none,
//     see [Comparison.Conclude]) or fail — with its reasons, and renders as a terminal table ([Comparison.WriteText]),
//     GitHub Markdown ([Comparison.WriteMarkdown]) or JSON
//     ([Comparison.WriteJSON]). Check fails the test on fail and logs
//     otherwise.
//  5. Tools that run the tests themselves judge through a [Judge] (the
//     policy and SLA files of the run), and add runs while a comparison is
//     not [Comparison.Settled], look by look ([DefaultLooks],
//     [Judge.CompareLook]: each look at its share of alpha).
//  6. [WriteBenchmarks] exports samples in the Go benchmark format, for
//     benchstat and the tools that read go test -bench output.
//
// Why several runs and a rank test: on a shared 2-core machine the same
// load test's p99 moves by about 10% from run to run, so a single-run rule
// such as "fail above 115% of the last run" false-alarms on roughly one
// pair of identical runs in four, and teams switch it off. A change here
// fails only when the runs of the two sides differ significantly
// (p <= 0.05) and the medians differ by more than the metric's tolerance.
// With too few runs the rank test cannot confirm anything at alpha 0.05:
// 3 runs against 3 give p >= 0.1 at best (4 against 4, 0.029), one run
// against five p >= 0.33. Such changes warn, unless
// [Policy.FailUnconfirmed] says otherwise; record and compare 5 runs a
// side.
//
// Environment variables:
//
//   - LOADGATE_UPDATE: 1 to record baselines instead of comparing.
//   - LOADGATE_UPDATE_ID: names an update session, so that the tool that
//     runs it can tell which baselines it wrote. A session is one test
//     process's unless its driver holds a lease in its name
//     (LOADGATE_UPDATE_LEASE, as loadgate baseline update does): a fixed
//     id never mixes the runs of two updates.
//   - LOADGATE_UPDATE_LEASE: the lease the command driving an update
//     holds while it runs; Check records only while it is held, and
//     only while the process that started the test binary (go test)
//     runs, so that an update the user stopped replaces nothing.
//   - LOADGATE_BASELINE_DIR, LOADGATE_POLICY, LOADGATE_SLA: the directory
//     of the baselines, a policy file ([LoadPolicy]) and an SLA file for
//     every Check that does not set its own ([WithDir], [WithPolicy]; the
//     SLA file's limits add to [WithSLA]). loadgate run sets them from its
//     -baselines, -policy and -sla flags.
package baseline
