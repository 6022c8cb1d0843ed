package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/loadgate/loadgate/action"
)

const actionUsage = `usage: loadgate action

Action is the GitHub Action of loadgate (action.yml in the repository's
root runs it): it runs the load tests of a pull request, compares them with
the stored baselines or with the PR's merge base (base and head interleaved
on one runner), and keeps one comment on the PR up to date with the
verdict, a table per scenario and a chart of p99 per second. It also writes
the job summary, sets the step's outputs, annotates the failing tests and
fails the step as the fail-on input says.

It takes no flags: its inputs come from INPUT_* environment variables
(INPUT_COUNT, INPUT_FAIL_ON…, as action.yml passes them) and the workflow's
context from GITHUB_*. See package action and the README.

Exit status: 0 the check passed, 1 it failed (fail-on), 2 a bad input, 4
the action could not do its work (a comment it could not post, a go test
that could not start): not a verdict on the code, as for the other
commands. Any of them but 0 fails the step.
%s`

func cmdAction(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("action", actionUsage, stdout)
	if err := parseFlags(fs, args); err != nil {
		return helpOrErr(err)
	}
	if fs.NArg() > 0 {
		return usageErrorf("action", "takes no arguments: inputs come from INPUT_* variables")
	}
	if os.Getenv("GITHUB_OUTPUT") == "" {
		// Its outputs go where a job's step says: refuse before any load
		// test runs, not after.
		return usageErrorf("action", "runs as a step of a GitHub Actions job (GITHUB_OUTPUT is not set here); on this machine, loadgate run judges the load tests and loadgate compare judges results")
	}
	return actionExit(ctx, action.Run(ctx, stdout))
}

// actionExit is the exit error of action.Run's err: usage for a bad input,
// failed when fail-on failed the check, trouble when the action could not
// do its work.
func actionExit(ctx context.Context, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, action.ErrBadInput):
		return &exitError{code: exitUsage, err: fmt.Errorf("action: %w", err)}
	case ctx.Err() != nil:
		return &exitError{code: exitInterrupted, err: fmt.Errorf("action: interrupted")}
	case errors.Is(err, action.ErrCheckFailed):
		return &exitError{code: exitFailed, err: fmt.Errorf("action: %w", err)}
	}
	return &exitError{code: exitTrouble, err: fmt.Errorf("action: %w", err)}
}
