package version

import (
	"cmp"
	"regexp"
	"runtime"
	"runtime/debug"
)

// Module is loadgate's module path.
const Module = "github.com/loadgate/loadgate"

// ref is the version the build was told; see the package doc. It is a var,
// not a const, so that the linker's -X can set it.
var ref string

// Info is what a binary knows about the loadgate it was built from.
type Info struct {
	// Version is the module version ("v0.1.0"), "(devel)" for a build
	// from a checkout, or, since Go 1.24, a pseudo-version such as
	// "v0.1.1-0.20260101120000-0123456789ab+dirty".
	Version string
	// Commit is the VCS revision the build recorded, if any.
	Commit string
	// Modified says the checkout had uncommitted changes.
	Modified bool
	// GoVersion is the Go toolchain that built the binary ("go1.26.8").
	GoVersion string
}

// Read returns what the running binary knows about itself.
func Read() Info {
	return FromBuildInfo(debug.ReadBuildInfo())
}

// FromBuildInfo is [Read] over the given build information, as
// debug.ReadBuildInfo returns it (ok false: none), for tests.
func FromBuildInfo(bi *debug.BuildInfo, ok bool) Info {
	info := Info{Version: "(devel)", GoVersion: runtime.Version()}
	if ok && bi != nil {
		if bi.Main.Version != "" {
			info.Version = bi.Main.Version
		}
		if bi.GoVersion != "" {
			info.GoVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				info.Commit = s.Value
			case "vcs.modified":
				info.Modified = s.Value == "true"
			}
		}
	}
	if ref != "" {
		info.Version = ref
	}
	return info
}

var (
	// A release, as semver and go.mod spell it: v1.2.3, v1.2.3-rc.1.
	releaseRE = regexp.MustCompile(`^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$`)
	// The tail of a pseudo-version: a timestamp and a 12-digit commit.
	pseudoRE = regexp.MustCompile(`[-.][0-9]{14}-[0-9a-f]{12}$`)
	// A full commit hash, which `uses:` may pin and go run can fetch.
	commitRE = regexp.MustCompile(`^[0-9a-f]{40}$`)
	// A major or minor version tag (v0, v1.2), which the Action's users
	// pin (docs/RELEASING.md moves it to the newest release), and which go
	// run reads as a version prefix: the newest v0.x.y release.
	prefixRE = regexp.MustCompile(`^v(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?$`)
)

// Published returns the version go install or go run can fetch this
// loadgate at: a release tag ("v0.1.0"), the major or minor version tag of
// `uses: loadgate/loadgate@v0` ("v0", which go run reads as the newest
// v0.x.y release, the one the tag names) or a full commit hash. It returns ""
// for a build from a checkout, a pseudo-version (its commit may exist only
// on the machine that built it) and a branch name (it moves).
func (i Info) Published() string {
	v := i.Version
	if commitRE.MatchString(v) || prefixRE.MatchString(v) || releaseRE.MatchString(v) && !pseudoRE.MatchString(v) {
		return v
	}
	return ""
}

// GoRun returns the command that runs this loadgate from a shell in a
// module. In loadgate's own module (inLoadgate) it is
// "go run github.com/loadgate/loadgate/cmd/loadgate": the code of the
// checkout. Elsewhere the version is named, "…/cmd/loadgate@v0.1.0", as go
// run needs to run a command of a module other than the current one (the
// go.sum of a module that only imports loadgate's packages lacks the
// command's dependencies, and its go.mod may require another version);
// "@latest" when this build does not know a published version.
func (i Info) GoRun(inLoadgate bool) string {
	cmd := "go run " + Module + "/cmd/loadgate"
	switch v := i.Published(); {
	case inLoadgate:
		return cmd
	case v != "":
		return cmd + "@" + v
	}
	return cmd + "@latest"
}

// String is what loadgate version prints before the platform:
// "loadgate v0.1.0 go1.26.8", or with the commit of a build from a checkout,
// "loadgate (devel) (commit 0123456789ab, modified) go1.26.8".
func (i Info) String() string {
	out := "loadgate " + i.Version
	if i.Commit != "" {
		c := i.Commit
		if len(c) > 12 {
			c = c[:12] // as cell.Commit writes commits; loadtest imports this package and must stay light
		}
		out += " (commit " + c
		if i.Modified {
			out += ", modified"
		}
		out += ")"
	}
	return out + " " + i.GoVersion
}

// InBinary returns the version of loadgate's module that the running binary
// was built with, as the results of a user's load test record it: the
// module version its go.mod requires ("v0.1.0"), a replacement's version,
// or "(devel)" for loadgate's own module and a replacement by a directory;
// "" when the binary holds no build information.
func InBinary() string {
	return inBinary(debug.ReadBuildInfo())
}

func inBinary(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return ""
	}
	if bi.Main.Path == Module {
		return cmp.Or(bi.Main.Version, "(devel)")
	}
	for _, d := range bi.Deps {
		if d.Path != Module {
			continue
		}
		if r := d.Replace; r != nil {
			return cmp.Or(r.Version, "(devel)")
		}
		return d.Version
	}
	return ""
}
