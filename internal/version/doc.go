// Package version says which loadgate a binary is, and how to run that same
// loadgate from someone else's module.
//
// A binary knows its version in one of three ways, tried in this order:
//
//  1. The Action's build was told it: action.yml builds cmd/loadgate from
//     the action's own files, which are not a module download and carry no
//     version, so it links in the ref of `uses: loadgate/loadgate@v0.1.0`
//     (go build -ldflags "-X github.com/loadgate/loadgate/internal/version.ref=v0.1.0").
//  2. go install github.com/loadgate/loadgate/cmd/loadgate@v0.1.0 records
//     the module version in the build information.
//  3. A build from a checkout records the commit (vcs.revision) and whether
//     the tree had changes (vcs.modified), unless -buildvcs=false.
//
// [Read] returns an [Info]; [Info.String] is what loadgate version prints
// and [Info.GoRun] the command a pull request's comment tells a reader to
// reproduce the runs with.
package version
