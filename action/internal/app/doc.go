// Package app is the GitHub Action's application behind action.Run.
//
// Data flows through the package in this order:
//
//  1. [ConfigFrom] reads the action's inputs and the GitHub context into a
//     [Config]; a bad input is an error that names it. The policy and sla
//     inputs become the run's one baseline.Judge.
//  2. A [Runner] ([GoTest] runs go test through internal/gotest, as
//     loadgate run does) fills a results directory: head results, and base
//     results (compare: base-ref, base and head interleaved on one runner)
//     or copies of the stored baselines (compare: baseline), with a
//     [Manifest] of what ran, which tests failed and where they are. With
//     from-results, a directory uploaded by an earlier job is used instead:
//     the second half of the fork-PR pattern. In a sharded run (issue 16)
//     each job of a matrix, given shard and start-at, fills its directory
//     with its share of the load and stops there ([Shard]: a job summary,
//     no verdict); the job given all their directories as from-results
//     merges them with [MergeShards] (internal/merge, loadgate merge's
//     code) into one directory, judged from step 3 on like any other.
//  3. [Analyze] reads the directory and judges every scenario through
//     internal/verdict, the judgement loadgate run makes, into a [Report].
//  4. [Report.Markdown] renders it (cells from internal/cell): the hidden
//     marker, the verdict first, a table per scenario with SLA checks and
//     leaks, a Mermaid chart of p99 per second, and collapsed details;
//     [Report.Fit] shortens it to a size limit.
//  5. [Run] does all of the above and then publishes: the job summary, the
//     step outputs, error annotations on the failing tests, and the sticky
//     comment through action/internal/github. It returns a [*CheckError]
//     when the check should fail, as fail-on says.
//
// # Limits it respects
//
// A comment body holds at most 65,536 characters, a job summary 1 MiB a step,
// and a step shows at most 10 annotations of each kind; see FIELD-NOTES in
// the repository's shared notes. Fork PRs get a read-only token: a 403 on
// commenting becomes a notice, not a failure, and the README shows the
// two-workflow pattern that comments from a workflow_run job.
package app
