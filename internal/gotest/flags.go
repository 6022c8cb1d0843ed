package gotest

import (
	"strings"
)

// ownedFlags are the go test flags loadgate sets itself, with the flag or
// input of loadgate that sets them ("" when none may): given by the user
// too, they would silently fight with loadgate's own. Those that make go
// test run no test are refused too ("", and refusedWhy says why).
var ownedFlags = map[string]string{
	"run":        "run",
	"test.run":   "run",
	"count":      "count",
	"test.count": "count",
	"json":       "",
	// The run would end in "no test matched", and -c leaves a .test
	// binary in the directory.
	"c":         "",
	"n":         "",
	"list":      "",
	"test.list": "",
}

// refusedWhy says why each flag of ownedFlags that no flag or input of
// loadgate sets is refused.
var refusedWhy = map[string]string{
	"json":      "go test always runs with -json: loadgate reads its events",
	"c":         "go test -c builds the test binary and runs no test",
	"n":         "go test -n prints the commands and runs no test",
	"list":      "-list lists the tests and runs none",
	"test.list": "-list lists the tests and runs none",
}

// testFlags are flags of go test and go build that a user who runs
// loadgate as go test passes first (-timeout, -race, -tags, -v): loadgate
// takes them after --, and says so when one comes before it. The value
// tells whether the flag takes a value (-timeout 20m) or none (-race).
var testFlags = map[string]bool{
	"timeout": true, "tags": true, "cpu": true, "parallel": true, "shuffle": true,
	"coverprofile": true, "coverpkg": true, "covermode": true, "benchtime": true, "bench": true,
	"vet": true, "ldflags": true, "gcflags": true, "mod": true, "p": true, "exec": true, "skip": true,
	"v": false, "race": false, "short": false, "failfast": false, "cover": false, "benchmem": false,
	"trimpath": false, "msan": false, "asan": false, "fullpath": false,
}

// IsTestFlag tells whether name (without its dashes or value) is a flag of
// go test or go build that loadgate passes on after -- on its command line.
func IsTestFlag(name string) bool {
	_, ok := testFlags[name]
	return ok
}

// IsBoolFlag tells whether the go test or go build flag name takes no
// value (-race, -v).
func IsBoolFlag(name string) bool {
	takesValue, ok := testFlags[name]
	return ok && !takesValue
}

// FlagError is a go test flag the user gave that loadgate sets itself;
// each front end words it for its own flag or input.
type FlagError struct {
	Flag string // as given, without its dashes or value: "count"
	// Own is loadgate's flag or input that sets it ("count"), "" when
	// the user cannot choose it; Why then says why it is refused
	// ("go test -c builds the test binary and runs no test").
	Own string
	Why string
}

// CheckFlags refuses go test flags that loadgate sets itself. It is the one
// rule for the flags a user passes to go test, after -- on the command
// line and in the Action's go-test-flags input.
func CheckFlags(flags []string) *FlagError {
	for _, f := range flags {
		if !strings.HasPrefix(f, "-") || f == "-" {
			continue
		}
		if f == "--" || f == "-args" || f == "--args" {
			return nil // what follows is for the test binary
		}
		name := strings.TrimLeft(f, "-")
		name, _, _ = strings.Cut(name, "=")
		if own, ok := ownedFlags[name]; ok {
			return &FlagError{Flag: name, Own: own, Why: refusedWhy[name]}
		}
	}
	return nil
}

// HasFlag tells whether the go test flags set flag name (without its
// dash), as -name, --name, -name=v or -test.name.
func HasFlag(flags []string, name string) bool {
	for _, f := range flags {
		if !strings.HasPrefix(f, "-") {
			continue
		}
		n := strings.TrimLeft(f, "-")
		n, _, _ = strings.Cut(n, "=")
		if n == name || n == "test."+name {
			return true
		}
	}
	return false
}
