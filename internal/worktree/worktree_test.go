package worktree

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// repo makes a repository with two commits of a/file.txt ("one", then
// "two") and returns its directory and the first commit.
func repo(t *testing.T) (dir, first string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir = t.TempDir()
	g := Git{}
	run := func(args ...string) string {
		t.Helper()
		out, err := g.Run(t.Context(), dir, args...)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	run("init", "-q")
	if err := os.MkdirAll(filepath.Join(dir, "a"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, content := range []string{"one", "two"} {
		if err := os.WriteFile(filepath.Join(dir, "a", "file.txt"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		run("add", ".")
		run("-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-q", "-m", content)
		if first == "" {
			first = run("rev-parse", "HEAD")
		}
	}
	return dir, first
}

func TestCheckout(t *testing.T) {
	dir, first := repo(t)
	g := Git{}
	root, rel, err := g.Root(t.Context(), filepath.Join(dir, "a"))
	if err != nil {
		t.Fatal(err)
	}
	if rel != "a" {
		t.Errorf("rel = %q, want a", rel)
	}
	c, err := g.Resolve(t.Context(), root, "HEAD~1")
	if err != nil || c != first {
		t.Fatalf("Resolve(HEAD~1) = %q, %v; want %s", c, err, first)
	}
	tree, err := g.Checkout(t.Context(), root, rel, c, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(tree.Dir, "file.txt"))
	if err != nil || string(got) != "one" {
		t.Errorf("the base's a/file.txt = %q, %v; want one", got, err)
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "a", "file.txt")); string(now) != "two" {
		t.Errorf("the checkout's own file changed: %q", now)
	}
	tree.Remove()
	tree.Remove() // twice is fine
	if _, err := os.Stat(tree.Dir); !os.IsNotExist(err) {
		t.Errorf("the worktree is still there: %v", err)
	}
	if list, _ := g.Run(t.Context(), root, "worktree", "list"); strings.Count(list, "\n") != 0 {
		t.Errorf("git still lists the worktree:\n%s", list)
	}
}

func TestResolveRefusesOptions(t *testing.T) {
	dir, _ := repo(t)
	for _, ref := range []string{"--all", "nope", "HEAD~9"} {
		if c, err := (Git{}).Resolve(t.Context(), dir, ref); err == nil {
			t.Errorf("Resolve(%q) = %q, want an error", ref, c)
		}
	}
}

func TestRootOutsideARepository(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	t.Setenv("GIT_CEILING_DIRECTORIES", os.TempDir())
	if _, _, err := (Git{}).Root(t.Context(), t.TempDir()); err == nil {
		t.Error("Root outside a repository: no error")
	}
}
