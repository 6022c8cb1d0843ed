// Package github is the Action's small REST client for the GitHub API: the
// four endpoints it needs (list, create and update issue comments, get a
// pull request) and [Upsert], which keeps one sticky comment per marker.
//
// # Why a REST client of its own
//
// google/go-github would bring a large API surface that changes major
// version several times a year, and it neither retries 5xx answers nor
// waits out secondary rate limits: the caller has to write that loop either
// way. So [Client] is plain net/http: it follows Link pagination (only on
// the API's own host, so the token never leaves it), retries idempotent
// requests on 5xx with backoff, waits as GitHub documents for secondary
// rate limits (Retry-After, then x-ratelimit-reset, else a minute), and
// never prints the token. Creating a comment is not retried blindly after a
// 5xx, which GitHub may have acted on: [Upsert] looks for the marker again
// first, so a retry never leaves two comments.
package github
