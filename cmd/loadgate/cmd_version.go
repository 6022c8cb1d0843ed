package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/loadgate/loadgate/internal/version"
)

const versionUsage = `usage: loadgate version

Version prints the version of loadgate (the module version it was installed
at, go install github.com/loadgate/loadgate/cmd/loadgate@vX.Y.Z; or, built
from a checkout, the commit, when the build recorded one), the Go version
that built it and the platform. It has no flags.
%s
Example:

	loadgate version
`

// readBuildInfo is debug.ReadBuildInfo; tests replace it.
var readBuildInfo = debug.ReadBuildInfo

func cmdVersion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", versionUsage, stdout)
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return helpOrErr(err)
	}
	if len(rest) > 0 {
		return usageErrorf("version", "unexpected arguments %q", rest)
	}
	fmt.Fprintln(stdout, versionString())
	return nil
}

// versionString is "loadgate v1.2.3 go1.26.8 linux/amd64" for a release,
// "loadgate (devel) (commit 0123456789ab, modified) go1.26.8 linux/amd64"
// for a build from a checkout.
func versionString() string {
	return fmt.Sprintf("%s %s/%s", version.FromBuildInfo(readBuildInfo()), runtime.GOOS, runtime.GOARCH)
}
