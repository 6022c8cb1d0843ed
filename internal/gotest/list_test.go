package gotest

import (
	"path/filepath"
	"testing"
)

// TestListNotStarted: a go command that cannot be started is told from a
// package that does not exist, which is the caller's bad input.
func TestListNotStarted(t *testing.T) {
	prev := Command
	Command = filepath.Join(t.TempDir(), "no-go")
	t.Cleanup(func() { Command = prev })
	_, err := List(t.Context(), "", []string{"./..."})
	if err == nil || !NotStarted(err) {
		t.Errorf("List without a go command: %v, want an error for which NotStarted is true", err)
	}
	_, err = Start("", []string{"test"}, nil)
	if err == nil || !NotStarted(err) {
		t.Errorf("Start without a go command: %v, want an error for which NotStarted is true", err)
	}
}
