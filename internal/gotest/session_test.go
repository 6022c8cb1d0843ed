package gotest

import (
	"os"
	"strings"
	"testing"
	"time"
)

// TestSessionReplay folds a recorded go test -json run of the example's
// load tests into a session.
func TestSessionReplay(t *testing.T) {
	f, err := os.Open("../../testdata/gotest/examples.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := NewSession()
	progress := 0
	if err := ReadEvents(f, func(e Event) {
		if _, c := s.Add(e, time.Now()); c == ChangeProgress {
			progress++
		}
	}); err != nil {
		t.Fatal(err)
	}
	if got := s.Counts(); got[StatusPass] != 5 || got[StatusFail] != 1 {
		t.Errorf("counts = %v, want 5 passed and 1 failed (parents not counted)", got)
	}
	if progress == 0 {
		t.Error("no progress record was read")
	}
	mix := s.Tests[Key{"github.com/loadgate/loadgate/examples/shop", "TestLoadMix"}]
	if mix == nil || mix.Outcome() != StatusFail {
		t.Fatalf("TestLoadMix = %+v, want failed", mix)
	}
	out := strings.Join(mix.Output, "")
	if strings.Contains(out, "loadgate:progress") {
		t.Errorf("progress records kept in the output of TestLoadMix:\n%s", out)
	}
	if !strings.Contains(out, "--- FAIL: TestLoadMix") {
		t.Errorf("output of TestLoadMix lacks its failure:\n%s", out)
	}
	if len(s.Running()) != 0 {
		t.Errorf("tests still running after the end: %v", s.Running())
	}
	if got := s.FailedPackages(); len(got) != 0 {
		t.Errorf("failedPackages = %v, want none: the failed test explains the package", got)
	}
	if !s.Failed() {
		t.Error("failed() = false")
	}
}

func TestDecodeEvent(t *testing.T) {
	tests := []struct {
		name       string
		give       string
		wantAction string
	}{
		{"event", `{"Action":"pass","Package":"p","Test":"TestX","Elapsed":1.5}` + "\n", "pass"},
		{"build output", `{"ImportPath":"p [p.test]","Action":"build-output","Output":"x.go:1: undefined: y\n"}`, "build-output"},
		{"plain text", "go: downloading example.com/x v1.0.0\n", ActionRaw},
		{"json without action", `{"Time":"2026-11-23T00:00:00Z"}`, ActionRaw},
		{"broken json", `{"Action":`, ActionRaw},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decodeEvent([]byte(tt.give)); got.Action != tt.wantAction {
				t.Errorf("Action = %q, want %q", got.Action, tt.wantAction)
			}
		})
	}
}

func TestSessionBuildFailure(t *testing.T) {
	s := sessionOf(
		Event{Action: "build-output", ImportPath: "example.com/x [example.com/x.test]", Output: "# example.com/x\n"},
		Event{Action: "build-output", ImportPath: "example.com/x [example.com/x.test]", Output: "x_test.go:3:2: undefined: y\n"},
		Event{Action: "build-fail", ImportPath: "example.com/x [example.com/x.test]"},
		Event{Action: "start", Package: "example.com/x"},
		Event{Action: "output", Package: "example.com/x", Output: "FAIL\texample.com/x [build failed]\n"},
		Event{Action: "fail", Package: "example.com/x", FailedBuild: "example.com/x [example.com/x.test]"},
	)
	if !s.Failed() {
		t.Fatal("failed() = false after a build failure")
	}
	ps := s.FailedPackages()
	if len(ps) != 1 || ps[0].Path != "example.com/x" || !ps[0].FailedBuild {
		t.Fatalf("FailedPackages() = %+v, want example.com/x, failed to build", ps)
	}
	if out := strings.Join(ps[0].Output, ""); !strings.Contains(out, "undefined: y") {
		t.Errorf("the package's output lacks the compiler's error:\n%s", out)
	}
}

// TestSessionSetupFailure: a dependency that cannot be loaded fails the
// package's setup; go test -json puts the reason in the dependency's build
// output, and WhyFailed finds it for the package.
func TestSessionSetupFailure(t *testing.T) {
	s := sessionOf( // go1.26.8's events for a replace directive to a missing directory
		Event{Action: "build-output", ImportPath: "example.com/x", Output: "# example.com/bf\n"},
		Event{Action: "build-output", ImportPath: "example.com/x", Output: "a_test.go:2:20: example.com/x@v0.0.0: replacement directory ../nonexistent does not exist\n"},
		Event{Action: "build-fail", ImportPath: "example.com/x"},
		Event{Action: "start", Package: "example.com/bf"},
		Event{Action: "output", Package: "example.com/bf", Output: "FAIL\texample.com/bf [setup failed]\n"},
		Event{Action: "fail", Package: "example.com/bf", FailedBuild: "example.com/x"},
	)
	p := s.Packages["example.com/bf"]
	if p == nil || p.BuildFailed != "example.com/x" {
		t.Fatalf("example.com/bf: %+v, want its build failed by example.com/x", p)
	}
	if why := s.WhyFailed(p); !strings.Contains(why, "replacement directory ../nonexistent does not exist") || !strings.Contains(why, "[setup failed]") {
		t.Errorf("WhyFailed = %q, want the dependency's error and the package's own output", why)
	}
	if f := s.FailedToReport(); len(f) != 1 || f[0] != p {
		t.Errorf("FailedToReport = %v, want example.com/bf alone (example.com/x is its cause)", f)
	}
}

// TestSessionMerge: a later go test process's runs add to the tests of the
// first, and a failure in either stays.
func TestSessionMerge(t *testing.T) {
	run := func(action string) *Session {
		s := NewSession()
		for _, e := range []Event{
			{Action: "run", Package: "p", Test: "TestLoadA"},
			{Action: "output", Package: "p", Test: "TestLoadA", Output: "--- " + action + "\n"},
			{Action: action, Package: "p", Test: "TestLoadA"},
			{Action: action, Package: "p"},
		} {
			s.Add(e, time.Now())
		}
		return s
	}
	s := run("fail")
	s.Merge(run("pass"))
	a := s.Tests[Key{"p", "TestLoadA"}]
	if a.Runs != 2 || a.Outcome() != StatusFail || len(s.Order) != 1 {
		t.Errorf("merged: %d runs, outcome %s, %d tests; want 2 runs, failed, 1 test", a.Runs, a.Outcome(), len(s.Order))
	}
	if s.Packages["p"].Status != StatusFail {
		t.Errorf("package status %q, want fail", s.Packages["p"].Status)
	}
}

// sessionOf is a session that took events, in order.
func sessionOf(events ...Event) *Session {
	s := NewSession()
	for _, e := range events {
		s.Add(e, time.Now())
	}
	return s
}

// TestFailedToReportKeepsPackagesOfTests: a package of tests that does not
// build fails another that imports it; both ended, so both are reported,
// the importer's cause told by the dependency's output.
func TestFailedToReportKeepsPackagesOfTests(t *testing.T) {
	s := sessionOf(
		Event{Action: "build-output", ImportPath: "example.com/a", Output: "a.go:3:1: syntax error\n"},
		Event{Action: "build-fail", ImportPath: "example.com/a"},
		Event{Action: "start", Package: "example.com/a"},
		Event{Action: "fail", Package: "example.com/a", FailedBuild: "example.com/a"},
		Event{Action: "start", Package: "example.com/b"},
		Event{Action: "fail", Package: "example.com/b", FailedBuild: "example.com/a"},
	)
	var got []string
	for _, p := range s.FailedToReport() {
		got = append(got, p.Path)
	}
	if strings.Join(got, " ") != "example.com/a example.com/b" {
		t.Errorf("FailedToReport = %v, want both packages", got)
	}
}
