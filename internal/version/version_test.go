package version

import (
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	commit := []debug.BuildSetting{{Key: "vcs.revision", Value: "25b6ca6b97f0e2d3c4b5a6978899aabbccddeeff"}, {Key: "vcs.modified", Value: "true"}}
	tests := []struct {
		name          string
		give          *debug.BuildInfo
		ref           string
		want          string
		wantPublished string
		wantGoRun     string
	}{
		{
			name:          "go install at a release",
			give:          &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.1.0"}},
			want:          "loadgate v0.1.0 go1.26.8",
			wantPublished: "v0.1.0",
			wantGoRun:     "go run github.com/loadgate/loadgate/cmd/loadgate@v0.1.0",
		},
		{
			name:          "go install at a pre-release",
			give:          &debug.BuildInfo{GoVersion: "go1.27.0", Main: debug.Module{Version: "v0.2.0-rc.1"}},
			want:          "loadgate v0.2.0-rc.1 go1.27.0",
			wantPublished: "v0.2.0-rc.1",
			wantGoRun:     "go run github.com/loadgate/loadgate/cmd/loadgate@v0.2.0-rc.1",
		},
		{
			name:      "a checkout",
			give:      &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: commit},
			want:      "loadgate (devel) (commit 25b6ca6b97f0, modified) go1.26.8",
			wantGoRun: "go run github.com/loadgate/loadgate/cmd/loadgate@latest",
		},
		{
			name:      "a checkout stamped with a pseudo-version",
			give:      &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.1.1-0.20260101120000-25b6ca6b97f0"}, Settings: commit[:1]},
			want:      "loadgate v0.1.1-0.20260101120000-25b6ca6b97f0 (commit 25b6ca6b97f0) go1.26.8",
			wantGoRun: "go run github.com/loadgate/loadgate/cmd/loadgate@latest",
		},
		{
			name:      "a modified checkout stamped with a pseudo-version",
			give:      &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.1.1-0.20260101120000-25b6ca6b97f0+dirty"}, Settings: commit},
			want:      "loadgate v0.1.1-0.20260101120000-25b6ca6b97f0+dirty (commit 25b6ca6b97f0, modified) go1.26.8",
			wantGoRun: "go run github.com/loadgate/loadgate/cmd/loadgate@latest",
		},
		{
			name:          "the Action's build, uses: loadgate/loadgate@v0.1.0",
			give:          &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			ref:           "v0.1.0",
			want:          "loadgate v0.1.0 go1.26.8",
			wantPublished: "v0.1.0",
			wantGoRun:     "go run github.com/loadgate/loadgate/cmd/loadgate@v0.1.0",
		},
		{
			name:          "the Action's build, pinned to a commit",
			give:          &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			ref:           "25b6ca6b97f0e2d3c4b5a6978899aabbccddeeff",
			want:          "loadgate 25b6ca6b97f0e2d3c4b5a6978899aabbccddeeff go1.26.8",
			wantPublished: "25b6ca6b97f0e2d3c4b5a6978899aabbccddeeff",
			wantGoRun:     "go run github.com/loadgate/loadgate/cmd/loadgate@25b6ca6b97f0e2d3c4b5a6978899aabbccddeeff",
		},
		{
			// docs/RELEASING.md's step 6 moves a major tag for the Action's
			// users to pin. The build knew "v0" and the reproduce script
			// said @latest, which becomes v1 when it is released; go run
			// reads @v0 as the newest v0.x.y release, as the tag is moved.
			name:          "the Action's build, pinned to the major tag",
			give:          &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			ref:           "v0",
			want:          "loadgate v0 go1.26.8",
			wantPublished: "v0",
			wantGoRun:     "go run github.com/loadgate/loadgate/cmd/loadgate@v0",
		},
		{
			name:          "the Action's build, pinned to a minor version",
			give:          &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			ref:           "v1.2",
			want:          "loadgate v1.2 go1.26.8",
			wantPublished: "v1.2",
			wantGoRun:     "go run github.com/loadgate/loadgate/cmd/loadgate@v1.2",
		},
		{
			name:      "the Action's build, on a branch whose name looks like a version",
			give:      &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			ref:       "v01",
			want:      "loadgate v01 go1.26.8",
			wantGoRun: "go run github.com/loadgate/loadgate/cmd/loadgate@latest",
		},
		{
			name:      "the Action's build, on a branch",
			give:      &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			ref:       "main",
			want:      "loadgate main go1.26.8",
			wantGoRun: "go run github.com/loadgate/loadgate/cmd/loadgate@latest",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func(r string) { ref = r }(ref)
			ref = tt.ref
			info := FromBuildInfo(tt.give, true)
			if got := info.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			if got := info.Published(); got != tt.wantPublished {
				t.Errorf("Published() = %q, want %q", got, tt.wantPublished)
			}
			if got := info.GoRun(false); got != tt.wantGoRun {
				t.Errorf("GoRun(false) = %q, want %q", got, tt.wantGoRun)
			}
			if got, want := info.GoRun(true), "go run github.com/loadgate/loadgate/cmd/loadgate"; got != want {
				t.Errorf("GoRun(true) = %q, want %q", got, want)
			}
		})
	}
}

func TestFromBuildInfoNone(t *testing.T) {
	if got := FromBuildInfo(nil, false); got.Version != "(devel)" || got.GoVersion == "" || got.Published() != "" {
		t.Errorf("FromBuildInfo(nil, false) = %+v", got)
	}
}

// TestInBinary: the version of loadgate a user's test binary holds, as its
// results record it.
func TestInBinary(t *testing.T) {
	dep := func(v string, r *debug.Module) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Path: "example.com/shop"}, Deps: []*debug.Module{
			{Path: "github.com/stretchr/testify", Version: "v1.11.1"},
			{Path: Module, Version: v, Replace: r},
		}}
	}
	for _, tt := range []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"required", dep("v0.1.0", nil), true, "v0.1.0"},
		{"replaced by a directory", dep("v0.1.0", &debug.Module{Path: "../loadgate"}), true, "(devel)"},
		{"replaced by a fork's version", dep("v0.1.0", &debug.Module{Path: "example.com/fork", Version: "v0.1.1-fix"}), true, "v0.1.1-fix"},
		{"loadgate's own tests", &debug.BuildInfo{Main: debug.Module{Path: Module, Version: "(devel)"}}, true, "(devel)"},
		{"not a dependency", &debug.BuildInfo{Main: debug.Module{Path: "example.com/shop"}}, true, ""},
		{"no build information", nil, false, ""},
	} {
		if got := inBinary(tt.bi, tt.ok); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
