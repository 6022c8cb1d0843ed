// Package action is the GitHub Action of loadgate: it runs a repository's
// load tests on a pull request, compares them with the PR's base, and keeps
// one comment on the PR up to date with the verdict.
//
// Data flows through the package in this order:
//
//  1. [ConfigFrom] reads the action's inputs and the GitHub context into a
//     [Config]; a bad input is an error that names it.
//  2. A [Runner] ([GoTest] runs go test) fills a results directory: head
//     results, and base results (compare: base-ref, base and head
//     interleaved on one runner) or copies of the stored baselines
//     (compare: baseline), with a [Manifest] of what ran, which tests
//     failed and where they are. With from-results, a directory uploaded by
//     an earlier job is used instead: the second half of the fork-PR pattern.
//  3. [Analyze] reads the directory and judges every scenario with
//     package baseline ([baseline.CompareRuns], [baseline.Compare]) and the
//     SLA file (assert.ParseFile), into a [Report].
//  4. [Report.Markdown] renders it: the hidden marker, the verdict first, a
//     table per scenario with SLA checks and leaks, a Mermaid chart of p99
//     per second, and collapsed details; [Fit] shortens it to a size limit.
//  5. [Run] does all of the above and then publishes: the job summary, the
//     step outputs, error annotations on the failing tests ([Annotations]),
//     and the sticky comment through a small REST [Client]. It returns a
//     [*CheckError] when the check should fail, as fail-on says.
//
// # Why a REST client of its own
//
// The action needs four endpoints (list, create and update issue
// comments, get a pull request). google/go-github would bring a large API
// surface that changes major version several times a year, and it neither
// retries 5xx answers nor waits out secondary rate limits: the caller has to
// write that loop either way. So [Client] is plain net/http: it follows Link
// pagination (only on the API's own host, so the token never leaves it),
// retries idempotent requests on 5xx with backoff, waits as GitHub documents
// for secondary rate limits (Retry-After, then x-ratelimit-reset, else a
// minute), and never prints the token. Creating a comment is not retried
// blindly after a 5xx, which GitHub may have acted on: [Upsert] looks for
// the marker again first, so a retry never leaves two comments.
//
// # Limits it respects
//
// A comment body holds at most 65,536 characters, a job summary 1 MiB a step,
// and a step shows at most 10 annotations of each kind; see FIELD-NOTES in
// the repository's shared notes. Fork PRs get a read-only token: a 403 on
// commenting becomes a notice, not a failure, and the README shows the
// two-workflow pattern that comments from a workflow_run job.
package action
