package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/loadgate/loadgate/internal/verdict"
)

// Exit statuses.
const (
	exitOK          = verdict.ExitPass
	exitFailed      = verdict.ExitFail        // a test failed, or a comparison found a regression
	exitUsage       = verdict.ExitBadInput    // bad usage or unreadable input
	exitTrouble     = verdict.ExitTrouble     // loadgate could not finish: not a verdict on the code
	exitInterrupted = verdict.ExitInterrupted // 128 + SIGINT, as shells report an interrupted command
)

// exitError carries the exit status of a failed command. Its message, if
// any, is printed by main; a command that already explained itself (a
// summary that ends in FAIL) returns one without a message.
type exitError struct {
	code int
	err  error // nil: nothing to add to what the command printed
	top  bool  // err is loadgate's own, of no command: "loadgate: …"
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageErrorf is bad usage: a wrong flag value, a missing argument, input
// that cannot be read. It names the command, and -h shows how to use it.
func usageErrorf(cmd, format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf("%s: %s\nrun 'loadgate %s -h' for usage", cmd, fmt.Sprintf(format, args...), cmd)}
}

// inputError is input that cannot be used: a missing file, a broken
// result. The error itself names the file.
func inputError(cmd string, err error) error {
	return &exitError{code: exitUsage, err: fmt.Errorf("%s: %w", cmd, err)}
}

// failed is a command that ran and found a failure it already reported.
var failed = &exitError{code: exitFailed}

// exitStatus maps the error of run to an exit status, printing its message
// to stderr. An error that carries no status is trouble (exit status 4):
// loadgate could not finish, which a CI job must not read as a regression
// (1) or as bad input (2).
func exitStatus(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		switch {
		case ee.err != nil && ee.top:
			fmt.Fprintf(stderr, "loadgate: %v\n", ee.err)
		case ee.err != nil:
			fmt.Fprintf(stderr, "loadgate %v\n", ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "loadgate: %v\n", err)
	return exitTrouble
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"run", "run load tests with live progress, a summary and the comparison with baselines", cmdRun},
		{"compare", "compare two sets of results or baselines; exit 1 on a regression", cmdCompare},
		{"report", "write one self-contained HTML report of results, base against head", cmdReport},
		{"merge", "merge the results of the shards of a sharded run into one result per scenario", cmdMerge},
		{"baseline", "record baselines (update) or list them (show)", cmdBaseline},
		{"export", "write results as Go benchmark lines or Prometheus metrics", cmdExport},
		{"action", "run load tests on a pull request and keep one comment up to date (the GitHub Action)", cmdAction},
		{"version", "print the version of loadgate", cmdVersion},
	}
}

const usageText = `loadgate runs the load tests of a Go module and judges them against baselines.
Load scenarios are go test functions (package loadtest); loadgate runs them
with go test -json, shows their progress and summarises them.

Usage:

	loadgate <command> [arguments]

Commands:

%s
Exit status: 0 all passed, 1 a test failed or a regression, 2 bad usage or
unreadable input, 3 inconclusive (too noisy, or generator-bound runs),
4 loadgate could not finish (an output it could not write, a service it
could not reach: no verdict on the code), 130 interrupted (143 terminated,
141 when the reader of the output went away).

Run 'loadgate <command> -h' for the flags of a command and an example.

Example:

	loadgate run ./...
`

func writeUsage(w io.Writer) {
	var b strings.Builder
	for _, c := range commands() {
		fmt.Fprintf(&b, "\t%-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, usageText, b.String())
}

// run is the whole command: main only calls it and exits with the status
// its error maps to (see [exitStatus]). Tests drive it in-process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		writeUsage(stderr)
		return &exitError{code: exitUsage}
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		if name == "help" && len(args) > 1 {
			// "loadgate help run" is "loadgate run -h".
			return run(ctx, []string{args[1], "-h"}, stdout, stderr)
		}
		writeUsage(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	return &exitError{code: exitUsage, top: true, err: fmt.Errorf("%q is not a command; the commands are %s ('loadgate help' says what each does)", name, strings.Join(names, ", "))}
}

// newFlagSet returns a flag set for the command whose -h writes usage (a
// text with the command's synopsis, a "%s" for the flags and an example)
// to stdout. Parse errors are not printed: the command returns them.
func newFlagSet(name, usage string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned, not printed by the flag package
	fs.Usage = func() { writeFlagUsage(fs, usage, stdout) }
	return fs
}

// writeFlagUsage writes the usage of a command: the text, whose "%s"
// receives the flags, as [flag.FlagSet.PrintDefaults] writes them.
func writeFlagUsage(fs *flag.FlagSet, usage string, w io.Writer) {
	var b strings.Builder
	fs.SetOutput(&b)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	fmt.Fprintf(w, usage, b.String())
}

// parseFlags parses args with fs. -h writes the usage to stdout and
// returns errHelp, which the command returns as success; any other error
// is bad usage naming the flag.
func parseFlags(fs *flag.FlagSet, args []string) error {
	// The flag package calls Usage on every error; loadgate writes usage
	// only for -h and says what was wrong otherwise.
	usage := fs.Usage
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.Usage = usage
	if errors.Is(err, flag.ErrHelp) {
		usage()
		return errHelp
	}
	if err != nil {
		return usageErrorf(fs.Name(), "%v", err)
	}
	return nil
}

// errHelp is returned by parseFlags after -h: the command ends, with
// success.
var errHelp = errors.New("help shown")

// helpOrErr turns errHelp into success.
func helpOrErr(err error) error {
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}
