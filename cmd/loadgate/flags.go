package main

import (
	"errors"
	"flag"
	"regexp"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/internal/gotest"
)

// splitPassthrough splits args at the first "--": what follows is for go
// test, not for loadgate.
func splitPassthrough(args []string) (own, rest []string) {
	for i, a := range args {
		if a == "--" {
			return args[:i], args[i+1:]
		}
	}
	return args, nil
}

// parseInterleaved parses args with fs, letting flags come before, between
// and after the positional arguments (loadgate run ./... -count 5), and
// returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// misplacedTestFlag returns the error for parseInterleaved's err when the
// flag it did not know is a go test flag given among loadgate's own (run
// -timeout 20m ./...): the flag package said only "flag provided but not
// defined: -timeout", and the user had to find -- in the usage line.
// Otherwise it returns err.
func misplacedTestFlag(cmd string, err error, own []string) error {
	var undefined string
	for e := err; e != nil; e = errors.Unwrap(e) {
		if _, name, ok := strings.Cut(e.Error(), "flag provided but not defined: -"); ok {
			undefined, _, _ = strings.Cut(name, "\n")
			break
		}
	}
	if !gotest.IsTestFlag(undefined) {
		return err
	}
	for i, a := range own {
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != undefined {
			continue
		}
		given := a
		if !hasValue && !gotest.IsBoolFlag(name) && i+1 < len(own) {
			given += " " + own[i+1]
		}
		return usageErrorf(cmd, "-%s is a go test flag: give go test flags after --, as loadgate %s ./... -- %s", name, cmd, given)
	}
	return err
}

// checkTestFlags refuses go test flags after -- that loadgate sets itself
// (gotest.CheckFlags).
func checkTestFlags(cmd string, flags []string) error {
	e := gotest.CheckFlags(flags)
	switch {
	case e == nil:
		return nil
	case e.Own == "":
		return usageErrorf(cmd, "go test flag -%s after --: %s", e.Flag, e.Why)
	}
	return usageErrorf(cmd, "go test flag -%s after --: give -%s to loadgate %s, before --", e.Flag, e.Own, cmd)
}

// checkRunRegexp validates a -run value the way go test reads it: a
// slash-separated list of regular expressions, one per level of subtest.
func checkRunRegexp(cmd, expr string) error {
	if expr == "" {
		return usageErrorf(cmd, "-run is empty: give a regular expression such as Load")
	}
	for _, part := range splitRegexp(expr) {
		if _, err := regexp.Compile(part); err != nil {
			return usageErrorf(cmd, "-run %q: %v", expr, err)
		}
	}
	return nil
}

// splitRegexp splits a -run expression at the slashes outside brackets
// and parentheses, as the testing package does.
func splitRegexp(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[', '(':
			depth++
		case ']', ')':
			depth--
		case '\\':
			i++
		case '/':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

// oneOf validates a flag whose value is one of a few words.
func oneOf(cmd, flagName, value string, allowed ...string) error {
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return usageErrorf(cmd, "-%s %q: want %s", flagName, value, orList(allowed))
}

// orList writes "a, b or c".
func orList(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// quoteArgs writes a command line for display, quoting what a shell would
// need quoted.
func quoteArgs(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$`|&;<>()*?[]{}!#~") {
			out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		} else {
			out[i] = a
		}
	}
	return strings.Join(out, " ")
}

// refuseEmpty refuses the flags of names that fs was given with an empty
// value (-out "$DIR" with DIR unset): left to their default, the output
// the user asked for went elsewhere, or nowhere, and the run passed.
func refuseEmpty(cmd string, fs *flag.FlagSet, names ...string) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		if err == nil && slices.Contains(names, f.Name) && f.Value.String() == "" {
			err = usageErrorf(cmd, "-%s is empty: give a %s, or drop -%s for its default", f.Name, flagNoun(f), f.Name)
		}
	})
	return err
}

// flagNoun is the noun of f's usage (`dir`ectory, `file`), "value" if it
// has none.
func flagNoun(f *flag.Flag) string {
	noun, _ := flag.UnquoteUsage(f)
	if noun == "" {
		return "value"
	}
	return noun
}
