package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/loadgate/loadgate/internal/cell"
)

const versionUsage = `usage: loadgate version

Version prints the version of loadgate (its module version, and the commit
it was built from when the build recorded one), the Go version that built
it and the platform. It has no flags.
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

// versionString is "loadgate v1.2.3 (commit 0123456789ab, modified) go1.26.8 linux/amd64".
func versionString() string {
	version, goVersion := "(devel)", runtime.Version()
	var rev, modified string
	if bi, ok := readBuildInfo(); ok {
		if v := bi.Main.Version; v != "" {
			version = v
		}
		if bi.GoVersion != "" {
			goVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
	}
	out := "loadgate " + version
	if rev != "" {
		out += " (commit " + cell.Commit(rev)
		if modified == "true" {
			out += ", modified"
		}
		out += ")"
	}
	return fmt.Sprintf("%s %s %s/%s", out, goVersion, runtime.GOOS, runtime.GOARCH)
}
