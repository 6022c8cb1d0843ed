// Package worktree checks out the base side of an interleaved comparison:
// another commit of the repository, in a git worktree outside it, so that
// base and head can run one after the other on the same machine (base,
// head, base, head…) and a noisy minute hits both alike. loadgate run
// (-base) and the Action (compare: auto, base-ref) both take their base
// from here, and both run again the commit stored baselines were recorded
// at ([BaselineCommit]) rather than trust numbers of another session.
package worktree

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/filename"
	"github.com/loadgate/loadgate/internal/lease"
)

// Git runs git commands in a repository.
type Git struct {
	// Cmd is the git command; "" means "git".
	Cmd string
}

// Run runs git with args in dir and returns its output, trimmed. Its
// error carries what git wrote to stderr.
func (g Git) Run(ctx context.Context, dir string, args ...string) (string, error) {
	name := g.Cmd
	if name == "" {
		name = "git"
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("git %s: %s", args[0], msg)
	}
	return strings.TrimSpace(stdout.String()), nil
}

// Root returns the top directory of the repository holding dir, with
// symbolic links resolved, and dir relative to it ("." at the top).
func (g Git) Root(ctx context.Context, dir string) (root, rel string, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", err
	}
	root, err = g.Run(ctx, abs, "rev-parse", "--show-toplevel")
	if err != nil {
		return "", "", err
	}
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	if a, err := filepath.EvalSymlinks(abs); err == nil {
		abs = a
	}
	rel, err = filepath.Rel(root, abs)
	if err != nil || strings.HasPrefix(rel, "..") {
		rel = "."
	}
	return root, rel, nil
}

// Resolve returns the full hash of the commit ref names in the repository
// at root, or an error when the repository does not have it.
func (g Git) Resolve(ctx context.Context, root, ref string) (string, error) {
	if strings.HasPrefix(ref, "-") {
		return "", fmt.Errorf("%q is not a commit", ref)
	}
	return g.Run(ctx, root, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{commit}")
}

// Tree is a checked-out base: Dir is where the base's copy of the
// caller's directory is (the worktree joined with the directory's path in
// the repository), Commit the full hash checked out.
type Tree struct {
	Dir, Commit string
	remove      func()
}

// Remove deletes the worktree. It is safe to call more than once.
func (h *Tree) Remove() {
	if h.remove != nil {
		h.remove()
		h.remove = nil
	}
}

// Checkout checks commit out, detached, into a new worktree of the
// repository at root, in a new directory under tmp ("" for the system's
// temporary directory): outside the repository, so that ./... there does
// not find the base's packages. rel is the caller's directory in the
// repository (see [Git.Root]). The caller must Remove the worktree.
//
// A process killed before it could Remove its worktree (kill -9, a
// canceled CI job) leaves it behind; the next Checkout in the repository
// removes it (see removeAbandoned).
func (g Git) Checkout(ctx context.Context, root, rel, commit, tmp string) (*Tree, error) {
	g.removeAbandoned(ctx, root)
	dir, err := os.MkdirTemp(tmp, dirPrefix)
	if err != nil {
		return nil, err
	}
	// The lease says, for as long as this process lives, that the
	// worktree is in use: the kernel drops it however the process ends.
	l, err := lease.Take(filepath.Join(dir, leaseFile), lease.Holder{ID: "loadgate base checkout", Note: fmt.Sprintf("pid %d", os.Getpid())})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	wt := filepath.Join(dir, "src")
	if _, err := g.Run(ctx, root, "worktree", "add", "--detach", wt, commit); err != nil {
		l.Release()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("checking out the base %s: %w", short(commit), err)
	}
	remove := func() {
		g.remove(root, wt)
		l.Release()
		os.RemoveAll(dir)
	}
	return &Tree{Dir: filepath.Join(wt, rel), Commit: commit, remove: remove}, nil
}

const (
	// dirPrefix starts the name of the directory of a base's worktree.
	dirPrefix = "loadgate-base-"
	// leaseFile, beside the worktree, is held while it is in use.
	leaseFile = "lease"
)

// remove removes the worktree wt of the repository at root.
func (g Git) remove(root, wt string) {
	// A fresh context: the caller's may be canceled, and the worktree must
	// go either way.
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := g.Run(c, root, "worktree", "remove", "--force", wt); err != nil {
		os.RemoveAll(wt)
		g.Run(c, root, "worktree", "prune")
	}
}

// removeAbandoned removes the worktrees of the repository at root that a
// Checkout made and whose process is gone: those at <dir>/src of a
// directory named loadgate-base-* whose lease no live process holds. A
// worktree of anyone else, or one without a lease, is left alone; so is
// everything when git cannot list them, or where leases cannot be told
// apart (a system without file locks counts every lease as held).
func (g Git) removeAbandoned(ctx context.Context, root string) {
	list, err := g.Run(ctx, root, "worktree", "list", "--porcelain")
	if err != nil {
		return
	}
	for line := range strings.Lines(list) {
		wt, ok := strings.CutPrefix(strings.TrimRight(line, "\r\n"), "worktree ")
		if !ok || filepath.Base(wt) != "src" || !strings.HasPrefix(filepath.Base(filepath.Dir(wt)), dirPrefix) {
			continue
		}
		dir := filepath.Dir(wt)
		path := filepath.Join(dir, leaseFile)
		if _, err := os.Stat(path); err != nil {
			continue
		}
		if _, held, err := lease.Check(path); err != nil || held {
			continue
		}
		g.remove(root, wt)
		os.RemoveAll(dir)
	}
}

// short is a commit as people read it: its first 7 characters.
func short(commit string) string {
	if len(commit) > 7 {
		return commit[:7]
	}
	return commit
}

// BaselineCommit returns the commit that the newest stored baseline in
// dirs was recorded at, and how many different commits the baselines
// there name. Baselines that cannot be read or name no commit are left
// out: they are reported where they are compared.
func BaselineCommit(dirs []string) (newest string, commits int) {
	var latest *baseline.Baseline
	seen := map[string]bool{}
	for _, dir := range dirs {
		files, _ := filename.JSONFiles(dir)
		for _, f := range files {
			b, err := baseline.Load(f)
			if err != nil || b.Commit == "" {
				continue
			}
			seen[b.Commit] = true
			if latest == nil || b.Recorded.After(latest.Recorded) {
				latest = b
			}
		}
	}
	if latest == nil {
		return "", 0
	}
	return latest.Commit, len(seen)
}
