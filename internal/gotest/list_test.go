package gotest

import (
	"os"
	"path/filepath"
	"strings"
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

// TestListNoGoFiles: a directory with no Go files is bad input naming it,
// refused before go test runs, with the pattern of the packages below it
// when it has some. Guards the walkthrough's `loadgate run ./examples`
// (for ./examples/...), which ran go test and ended "FAIL: package
// ./examples did not build", exit status 1, as a failed build would.
func TestListNoGoFiles(t *testing.T) {
	root := t.TempDir()
	for name, data := range map[string]string{
		"go.mod":                 "module example.com/m\n\ngo 1.26\n",
		"empty/.keep":            "",
		"parent/child/c.go":      "package child\n",
		"parent/child/c_test.go": "package child\n",
	} {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		give    string
		want    []string
		wantNot string
	}{
		{give: "./empty", want: []string{"package ./empty: no Go files in " + filepath.Join(root, "empty")}, wantNot: "/..."},
		{give: "./parent", want: []string{"package ./parent: no Go files in " + filepath.Join(root, "parent"), "./parent/... names the packages below it"}},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			_, err := List(t.Context(), root, []string{tt.give})
			if err == nil {
				t.Fatalf("List(%s) = nil error, want one naming the directory", tt.give)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("List(%s): %v\nwant %q in it", tt.give, err, w)
				}
			}
			if tt.wantNot != "" && strings.Contains(err.Error(), tt.wantNot) {
				t.Errorf("List(%s): %v\nwant no %q in it", tt.give, err, tt.wantNot)
			}
		})
	}
	pkgs, err := List(t.Context(), root, []string{"./..."})
	if err != nil || len(pkgs) != 1 {
		t.Errorf("List(./...) = %v, %v; want the one package, whatever directories hold no Go files", pkgs, err)
	}
}
