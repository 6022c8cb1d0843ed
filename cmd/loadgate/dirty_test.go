package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDirtyNote: baseline update in a checkout with uncommitted changes
// says the baselines name a commit that does not hold them; a clean
// checkout, an untracked file and a directory outside git get no note,
// nor does a committed baseline that the update itself rewrote (a user
// who re-recorded after committing was told to commit and record again,
// forever).
func TestDirtyNote(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@localhost"}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if note := dirtyNote(t.Context(), dir); note != "" {
		t.Errorf("outside git: %q", note)
	}
	git("init", "-q")
	write("svc.go", "package svc\n")
	git("add", ".")
	git("commit", "-q", "-m", "one")
	write("new.go", "package svc\n")
	if note := dirtyNote(t.Context(), dir); note != "" {
		t.Errorf("clean but for an untracked file: %q", note)
	}
	if err := os.MkdirAll(filepath.Join(dir, "testdata", "loadgate"), 0o755); err != nil {
		t.Fatal(err)
	}
	write("testdata/loadgate/hello.json", "{}\n")
	git("add", ".")
	git("commit", "-q", "-m", "baseline")
	write("testdata/loadgate/hello.json", "{\"recorded\": 2}\n")
	written := filepath.Join(dir, "testdata", "loadgate", "hello.json")
	if note := dirtyNote(t.Context(), filepath.Join(dir, "testdata", "loadgate"), written); note != "" {
		t.Errorf("only the baseline the update wrote changed: %q", note)
	}
	write("svc.go", "package svc // changed\n")
	if note := dirtyNote(t.Context(), filepath.Join(dir, "testdata", "loadgate"), written); !strings.Contains(note, "uncommitted changes") {
		t.Errorf("a changed file beside the rewritten baseline: %q, want a note", note)
	}
	if note := dirtyNote(t.Context(), dir); !strings.Contains(note, "uncommitted changes") || !strings.Contains(note, "the baselines name commit ") {
		t.Errorf("a changed file: %q, want a note naming the commit", note)
	}
}
