// Package action is the GitHub Action of loadgate: it runs a repository's
// load tests on a pull request, compares them with the PR's base, and keeps
// one comment on the PR up to date with the verdict.
//
// action.yml in the repository's root runs it as loadgate action, which
// calls [Run]. Its machinery is internal: the application (inputs, the
// results directory, the report) in action/internal/app and the REST client
// in action/internal/github. It judges through the same pipeline as the
// loadgate command (go test through internal/gotest, the verdict through
// internal/verdict, the cells through internal/cell), so that the PR
// comment and loadgate run agree.
package action
