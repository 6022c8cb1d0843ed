package main

import (
	"context"
	"fmt"

	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/worktree"
)

// dirtyNote says, for baseline update, when the checkout at dir has
// uncommitted changes to tracked files: the baselines name the commit
// checked out, which does not hold what was measured, and loadgate run
// runs that commit again as the base (-base auto). "" when the checkout
// is clean, or not a git checkout. The baseline files the update itself
// wrote (written, absolute paths) are left out: re-recording a committed
// baseline changes a tracked file, and that change is the point of the
// update, not something to commit before it.
func dirtyNote(ctx context.Context, dir string, written ...string) string {
	g := worktree.Git{}
	args := []string{"status", "--porcelain", "--untracked-files=no", "--", ":/"}
	for _, w := range written {
		args = append(args, ":(exclude)"+w)
	}
	status, err := g.Run(ctx, dir, args...)
	if err != nil || status == "" {
		return ""
	}
	head, err := g.Run(ctx, dir, "rev-parse", "HEAD")
	if err != nil {
		return ""
	}
	return fmt.Sprintf("the checkout has uncommitted changes (git status): the baselines name commit %s, which does not hold them, and loadgate run runs that commit again as the base; commit the changes and record again for a base that is what was measured", cell.Commit(head))
}
