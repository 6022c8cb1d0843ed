package main

import (
	"os"
	"strings"
	"testing"
	"time"
)

// TestSessionReplay folds a recorded go test -json run of the example's
// load tests into a session.
func TestSessionReplay(t *testing.T) {
	f, err := os.Open("testdata/gotest/examples.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := newSession()
	progress := 0
	if err := readEvents(f, func(e Event) {
		if _, c := s.add(e, time.Now()); c == changeProgress {
			progress++
		}
	}); err != nil {
		t.Fatal(err)
	}
	if got := s.counts(); got[statusPass] != 5 || got[statusFail] != 1 {
		t.Errorf("counts = %v, want 5 passed and 1 failed (parents not counted)", got)
	}
	if progress == 0 {
		t.Error("no progress record was read")
	}
	mix := s.tests[testKey{"github.com/loadgate/loadgate/examples/shop", "TestLoadMix"}]
	if mix == nil || mix.outcome() != statusFail {
		t.Fatalf("TestLoadMix = %+v, want failed", mix)
	}
	out := strings.Join(mix.Output, "")
	if strings.Contains(out, "loadgate:progress") {
		t.Errorf("progress records kept in the output of TestLoadMix:\n%s", out)
	}
	if !strings.Contains(out, "--- FAIL: TestLoadMix") {
		t.Errorf("output of TestLoadMix lacks its failure:\n%s", out)
	}
	if len(s.running()) != 0 {
		t.Errorf("tests still running after the end: %v", s.running())
	}
	if got := s.failedPackages(); len(got) != 0 {
		t.Errorf("failedPackages = %v, want none: the failed test explains the package", got)
	}
	if !s.failed() {
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
		{"plain text", "go: downloading example.com/x v1.0.0\n", actionRaw},
		{"json without action", `{"Time":"2026-11-23T00:00:00Z"}`, actionRaw},
		{"broken json", `{"Action":`, actionRaw},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decodeEvent([]byte(tt.give)); got.Action != tt.wantAction {
				t.Errorf("Action = %q, want %q", got.Action, tt.wantAction)
			}
		})
	}
}

func TestParseProgress(t *testing.T) {
	tests := []struct {
		give   string
		wantOK bool
	}{
		{`    run.go:72: loadgate:progress {"scenario":"s","elapsed_ns":1,"total_ns":2,"requests":3}` + "\n", true},
		{"    load_test.go:10: loadgate:progress {broken\n", false},
		{"    load_test.go:10: progress 50%\n", false},
	}
	for _, tt := range tests {
		p, ok := parseProgress(tt.give)
		if ok != tt.wantOK || ok && (p.Scenario != "s" || p.Requests != 3) {
			t.Errorf("parseProgress(%q) = %+v, %v; want ok %v", tt.give, p, ok, tt.wantOK)
		}
	}
}

// TestSessionBuildFailure: a package that does not build fails the run,
// with its build output shown.
func TestSessionBuildFailure(t *testing.T) {
	s := newSession()
	for _, e := range []Event{
		{Action: "build-output", ImportPath: "example.com/x [example.com/x.test]", Output: "# example.com/x\n"},
		{Action: "build-output", ImportPath: "example.com/x [example.com/x.test]", Output: "x_test.go:3:2: undefined: y\n"},
		{Action: "build-fail", ImportPath: "example.com/x [example.com/x.test]"},
		{Action: "start", Package: "example.com/x"},
		{Action: "output", Package: "example.com/x", Output: "FAIL\texample.com/x [build failed]\n"},
		{Action: "fail", Package: "example.com/x", FailedBuild: "example.com/x [example.com/x.test]"},
	} {
		s.add(e, time.Now())
	}
	if !s.failed() {
		t.Fatal("failed() = false after a build failure")
	}
	var b strings.Builder
	writeFailures(&b, &runOutcome{Session: s, Results: &inputSet{}})
	for _, want := range []string{"undefined: y", "package example.com/x did not build"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("failures lack %q:\n%s", want, b.String())
		}
	}
}
