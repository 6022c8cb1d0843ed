package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
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
