package gotest

import (
	"fmt"
	"strings"
)

// Refusal returns the complaint of go test, or of a test binary, about its
// arguments (a flag that neither knows, a bad value), or "" if neither
// complained or a test ran. go test writes "usage: go test ..." after its
// own complaint and exits 2, or, for a build flag's value, writes
// "go: -flag ..." and exits 1 (err is its failure, stderr what it wrote); a
// test binary's flag package writes its complaint, then "Usage of
// <binary>:", and the package fails before any test runs. Binary tells
// which one complained: a test binary may refuse a flag that only some
// packages' tests define, where go test refuses the flag for all.
//
// loadgate run and the Action both call it, so that a bad go test flag is
// bad usage in both, not a failed test.
func Refusal(s *Session, stderr string, err error) (msg string, binary bool) {
	if s != nil && len(s.Order) > 0 {
		return "", false
	}
	if err != nil {
		line, _, _ := strings.Cut(strings.TrimSpace(stderr), "\n")
		// The go command's check of a build flag's value ("go: -p must be
		// a positive integer: 0") exits 1 with no usage line after it.
		if strings.Contains(stderr, "\nusage: go test ") || strings.HasPrefix(line, "go: -") {
			return "go test refused its arguments: " + line, false
		}
	}
	if s == nil {
		return "", false
	}
	for _, p := range s.FailedPackages() {
		if p.FailedBuild {
			continue
		}
		for i, line := range p.Output {
			if strings.HasPrefix(line, "Usage of ") && i > 0 && isFlagComplaint(p.Output[i-1]) {
				return fmt.Sprintf("the test binary of %s refused its arguments: %s", p.Path, strings.TrimSpace(p.Output[i-1])), true
			}
		}
	}
	return "", false
}

// isFlagComplaint tells whether line is how package flag says that it
// cannot parse an argument, or how package testing says that it refuses
// a flag's value ("testing: -parallel can only be given a positive
// integer").
func isFlagComplaint(line string) bool {
	for _, prefix := range []string{"flag provided but not defined: ", "flag needs an argument: ", "invalid value ", "invalid boolean value ", "invalid boolean flag ", "bad flag syntax: ", "testing: -"} {
		if strings.HasPrefix(line, prefix) {
			return true
		}
	}
	return false
}
