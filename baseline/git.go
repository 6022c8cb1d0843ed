package baseline

import (
	"context"
	"os/exec"
	"strings"
	"time"
)

// gitTimeout bounds the git call; a baseline without a commit is fine.
const gitTimeout = 2 * time.Second

// gitCommit returns the commit checked out in the repository holding the
// first of dirs that is in one (the baseline's directory, then the current
// one: the package directory under go test), or "" if git is missing,
// no dir is in a repository, or git is slow.
func gitCommit(dirs ...string) string {
	for _, dir := range dirs {
		if c := gitHead(dir); c != "" {
			return c
		}
	}
	return ""
}

func gitHead(dir string) string {
	ctx, cancel := context.WithTimeout(context.Background(), gitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "rev-parse", "HEAD")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
