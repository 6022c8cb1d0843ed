package worktree

import (
	"fmt"
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

// TestRemoveAbandoned: a loadgate killed while its base was checked out
// (kill -9, a canceled CI job) left the worktree and its directory behind,
// listed by git for ever; the next Checkout removes them, and leaves alone
// the worktree of a process still running and any worktree of the user's.
func TestRemoveAbandoned(t *testing.T) {
	if dir := os.Getenv("LOADGATE_WORKTREE_CHILD"); dir != "" {
		// The child: check the base out, then die without removing it.
		root, rel, err := Git{}.Root(t.Context(), dir)
		if err != nil {
			t.Fatal(err)
		}
		tree, err := Git{}.Checkout(t.Context(), root, rel, "HEAD~1", os.Getenv("LOADGATE_WORKTREE_TMP"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println(tree.Dir)
		os.Exit(0)
	}
	dir, _ := repo(t)
	g := Git{}
	tmp := t.TempDir()
	mine := filepath.Join(t.TempDir(), "mine")
	if _, err := g.Run(t.Context(), dir, "worktree", "add", "--detach", mine, "HEAD"); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRemoveAbandoned$")
	cmd.Env = append(os.Environ(), "LOADGATE_WORKTREE_CHILD="+dir, "LOADGATE_WORKTREE_TMP="+tmp)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the child: %v\n%s", err, out)
	}
	abandoned := strings.TrimSpace(string(out))
	if _, err := os.Stat(abandoned); err != nil {
		t.Fatalf("the child left no worktree: %v", err)
	}
	live, err := g.Checkout(t.Context(), dir, ".", "HEAD", tmp)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Remove()
	if _, err := os.Stat(abandoned); !os.IsNotExist(err) {
		t.Errorf("the abandoned worktree %s is still there: %v", abandoned, err)
	}
	// A second Checkout while the first is in use leaves it alone.
	second, err := g.Checkout(t.Context(), dir, ".", "HEAD", tmp)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Remove()
	list, _ := g.Run(t.Context(), dir, "worktree", "list", "--porcelain")
	for _, want := range []string{mine, live.Dir, second.Dir} { // rel is ".": Dir is the worktree
		if !strings.Contains(list, "worktree "+want+"\n") {
			t.Errorf("git no longer lists %s:\n%s", want, list)
		}
	}
	if strings.Contains(list, filepath.Dir(abandoned)) {
		t.Errorf("git still lists the abandoned worktree:\n%s", list)
	}
	entries, _ := os.ReadDir(tmp)
	if len(entries) != 2 {
		t.Errorf("%d directories in the temporary directory, want the two in use", len(entries))
	}
}
