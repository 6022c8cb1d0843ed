package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/action"
)

// TestActionBadInput: a bad input is bad usage (exit status 2), reported as
// an error annotation that names the input.
func TestActionBadInput(t *testing.T) {
	t.Setenv("INPUT_COUNT", "many")
	t.Setenv("INPUT_FAIL_ON", "sometimes")
	t.Setenv("GITHUB_EVENT_PATH", "")
	t.Setenv("GITHUB_OUTPUT", filepath.Join(t.TempDir(), "output"))
	var stdout, stderr bytes.Buffer
	err := run(t.Context(), []string{"action"}, &stdout, &stderr)
	if code := exitStatus(err, &stderr); code != exitUsage {
		t.Fatalf("exit status %d, want %d; stderr:\n%s", code, exitUsage, stderr.String())
	}
	for _, want := range []string{`::error::loadgate: input count: "many"`, `::error::loadgate: input fail-on: "sometimes"`} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %s:\n%s", want, stdout.String())
		}
	}
}

func TestActionNoArguments(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(t.Context(), []string{"action", "extra"}, &stdout, &stderr)
	if code := exitStatus(err, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "takes no arguments") {
		t.Errorf("exit status %d, stderr %q", code, stderr.String())
	}
}

// TestActionBadInputAgrees: the bad input loadgate run refuses with exit
// status 2, the Action refuses with 2 too, naming its input, before any
// test runs (was: exit status 1, and a results-dir that is a file was
// reported without naming the input).
func TestActionBadInputAgrees(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, input, value string
		runArgs            []string
		wantRun, want      string
	}{
		{name: "packages", input: "INPUT_PACKAGES", value: "./nonexistent", runArgs: []string{"./nonexistent"},
			wantRun: "loadgate run: package ./nonexistent: ", want: "loadgate action: bad input: input packages: package ./nonexistent: "},
		{name: "results-dir", input: "INPUT_RESULTS_DIR", value: file, runArgs: []string{"-out", file, "./examples/shop"},
			wantRun: "loadgate run: -out " + file + ": not a directory", want: `loadgate action: bad input: input results-dir: "` + file + `": not a directory`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// The packages are listed by the real go list, which finds no
			// ./nonexistent (the fake go lists any package).
			log := ""
			if tt.name != "packages" {
				log = fakeRun{events: "../../testdata/gotest/baseline_pass.jsonl", results: "testdata/results/same"}.install(t)
			}
			r := loadgate(t.Context(), append([]string{"run", "-progress", "off", "-count", "1"}, tt.runArgs...)...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.wantRun) {
				t.Errorf("run: exit status %d, stderr %q; want 2 and %q", r.code, r.stderr, tt.wantRun)
			}
			t.Setenv("GITHUB_OUTPUT", filepath.Join(t.TempDir(), "output"))
			t.Setenv("GITHUB_EVENT_NAME", "push")
			t.Setenv("GITHUB_EVENT_PATH", "")
			t.Setenv("RUNNER_TEMP", t.TempDir())
			t.Setenv("INPUT_COMMENT", "false")
			t.Setenv("INPUT_COMPARE", "baseline")
			t.Setenv(tt.input, tt.value)
			r = loadgate(t.Context(), "action")
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("action: exit status %d, stderr %q; want 2 and %q", r.code, r.stderr, tt.want)
			}
			noGoTestRan(t, log)
		})
	}
}

// TestActionExit: a check that fail-on failed exits 1, and the action that
// could not do its work (a comment it could not post) 4, as the other
// commands do: it exited 1 for both, a regression to a reader of the
// status.
func TestActionExit(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{fmt.Errorf("%w: fail-on regression", action.ErrCheckFailed), exitFailed},
		{fmt.Errorf("%w: input count", action.ErrBadInput), exitUsage},
		{errors.New("commenting on pull request #7: GitHub API: 502"), exitTrouble},
	} {
		if got := exitStatus(actionExit(t.Context(), tt.err), io.Discard); got != tt.want {
			t.Errorf("exit status of %v = %d, want %d", tt.err, got, tt.want)
		}
	}
}
