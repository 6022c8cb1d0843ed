package gotest

import (
	"errors"
	"testing"
)

// TestRefusal: a value of a go test flag that go test or the test binary
// refuses is a refusal of loadgate's arguments (bad input, exit status 2),
// not a failed test. Guards the walkthrough's `loadgate run ./examples/shop
// -- -p=0` and `-- -parallel=0`, which exited 1 saying FAIL: the go
// command's own check of -p writes no usage line, and the testing
// package's check of -parallel starts with "testing: ".
func TestRefusal(t *testing.T) {
	const pkg = "example.com/shop"
	binary := func(complaint string) *Session {
		return sessionOf(
			Event{Action: "start", Package: pkg},
			Event{Action: "output", Package: pkg, Output: complaint + "\n"},
			Event{Action: "output", Package: pkg, Output: "Usage of /tmp/go-build1/b001/shop.test:\n"},
			Event{Action: "output", Package: pkg, Output: "  -test.v\n"},
			Event{Action: "fail", Package: pkg},
		)
	}
	tests := []struct {
		name       string
		give       *Session
		stderr     string
		err        error
		want       string
		wantBinary bool
	}{
		{
			name:   "go test usage",
			give:   NewSession(),
			stderr: "invalid value \"abc\" for flag -timeout: parse error\nusage: go test [build/test flags] [packages] [build/test flags & test binary flags]\n",
			err:    errors.New("exit status 2"),
			want:   `go test refused its arguments: invalid value "abc" for flag -timeout: parse error`,
		},
		{
			name:   "go command checks -p",
			give:   NewSession(),
			stderr: "go: -p must be a positive integer: 0\n",
			err:    errors.New("exit status 1"),
			want:   "go test refused its arguments: go: -p must be a positive integer: 0",
		},
		{
			name:       "test binary: unknown flag",
			give:       binary("flag provided but not defined: -bogus"),
			err:        errors.New("exit status 1"),
			want:       "the test binary of " + pkg + " refused its arguments: flag provided but not defined: -bogus",
			wantBinary: true,
		},
		{
			name:       "testing checks -parallel",
			give:       binary("testing: -parallel can only be given a positive integer"),
			err:        errors.New("exit status 1"),
			want:       "the test binary of " + pkg + " refused its arguments: testing: -parallel can only be given a positive integer",
			wantBinary: true,
		},
		{
			name:   "go command fails for another reason",
			give:   NewSession(),
			stderr: "go: updates to go.mod needed; to update it:\n\tgo mod tidy\n",
			err:    errors.New("exit status 1"),
		},
		{
			name: "test binary logs before failing",
			give: binary("main_test.go:12: setup failed"),
			err:  errors.New("exit status 1"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, gotBinary := Refusal(tt.give, tt.stderr, tt.err)
			if got != tt.want || gotBinary != tt.wantBinary {
				t.Errorf("Refusal = %q, %v; want %q, %v", got, gotBinary, tt.want, tt.wantBinary)
			}
		})
	}
}
