package action

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/loadgate/loadgate/action/internal/app"
)

// ErrCheckFailed is what Run's error matches (errors.Is) when the verdict
// met the fail-on input: the step fails.
var ErrCheckFailed = app.ErrCheckFailed

// ErrBadInput is what Run's error matches when an input, or a result or
// baseline file, is bad: the error names it.
var ErrBadInput = app.ErrBadInput

// Run is the Action, as action.yml runs it through loadgate action: it
// reads its inputs (INPUT_*) and the workflow's context (GITHUB_*) from the
// environment, runs the load tests with go test (or reads the results of
// an earlier run: from-results), judges them, and publishes the report to
// the job summary, the step's outputs, annotations and the pull request's
// sticky comment, writing workflow commands to stdout. It returns an error
// matching [ErrCheckFailed] when fail-on says the check fails,
// [ErrBadInput] for bad input, and ctx's error when it is canceled.
func Run(ctx context.Context, stdout io.Writer) error {
	gha := githubactions.New(githubactions.WithWriter(stdout))
	cfg, err := app.ConfigFrom(gha)
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			gha.Errorf("loadgate: %s", line)
		}
		return fmt.Errorf("%w: %w", ErrBadInput, err)
	}
	runner := &app.GoTest{
		Log: stdout,
		Group: func(title string) func() {
			gha.Group(title)
			return gha.EndGroup
		},
	}
	_, err = app.Run(ctx, cfg, app.Deps{Action: gha, Runner: runner})
	switch {
	case err == nil || errors.Is(err, ErrCheckFailed):
		return err
	case ctx.Err() != nil:
		return ctx.Err()
	}
	gha.Errorf("loadgate: %v", err)
	return err
}
