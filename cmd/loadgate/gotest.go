package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

// Event is one record of go test -json, as cmd/test2json documents it,
// with the fields go test -json adds for build output (Go 1.24+).
type Event struct {
	Time    time.Time
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64 // seconds
	// ImportPath is the package of a build-output or build-fail event.
	ImportPath string
	// FailedBuild is set on a package's fail event when its build failed.
	FailedBuild string
}

// actionRaw marks a line of go test's standard output that was not an
// event (go test -json writes some messages as plain text).
const actionRaw = "loadgate-raw"

// readEvents decodes the events of go test -json from r until EOF and
// hands each to fn. Lines that are not events become events with Action
// actionRaw, so that nothing go test said is lost.
func readEvents(r io.Reader, fn func(Event)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			fn(decodeEvent(line))
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func decodeEvent(line []byte) Event {
	trimmed := bytes.TrimSpace(line)
	var e Event
	if len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &e) == nil && e.Action != "" {
		return e
	}
	return Event{Action: actionRaw, Output: string(line)}
}

// testKey identifies a test: the test2json Test field within a package.
type testKey struct{ Package, Test string }

// Test statuses.
const (
	statusRunning     = "run"
	statusPass        = "pass"
	statusFail        = "fail"
	statusSkip        = "skip"
	statusInterrupted = "interrupted" // still running when go test was stopped
)

// testState is what the events told of one test.
type testState struct {
	testKey
	Status  string
	Elapsed time.Duration
	// Output is what the current (or last) run of the test printed,
	// without progress records; FailedOutput is the output of the runs
	// that failed.
	Output       []string
	FailedOutput []string
	// Progress is the last progress record of a scenario the test runs,
	// received at ProgressAt (by loadgate's clock).
	Progress   *loadtest.Progress
	ProgressAt time.Time
	// Started is when loadgate saw the test start; RunTime and EndTime
	// are when go test says the current run started and ended.
	Started          time.Time
	RunTime, EndTime time.Time
	// Runs counts the runs of the test (go test -count); Failed is set once
	// any of them failed.
	Runs   int
	Failed bool
	// Result is the last result the test wrote, once it ended.
	Result *loadtest.Result
}

// outcome is the status of the test over all its runs: a failure in any
// run is a failure.
func (t *testState) outcome() string {
	if t.Failed && t.Status != statusInterrupted {
		return statusFail
	}
	return t.Status
}

// pkgState is what the events told of one package.
type pkgState struct {
	Path    string
	Status  string // "" until the package ends
	Elapsed time.Duration
	// Output is what the package printed outside any test (ok/FAIL lines,
	// a panic in TestMain, a timeout), and its build output.
	Output      []string
	FailedBuild bool
}

// change says what an event changed, for the display.
type change int

const (
	changeNone change = iota
	changeTestStarted
	changeProgress
	changeTestEnded
	changePackageEnded
	changeOutput // output outside any test
)

// session accumulates the events of one go test run: tests in the order
// they started, their outcomes, output and scenario progress.
type session struct {
	tests    map[testKey]*testState
	order    []*testState
	pkgs     map[string]*pkgState
	pkgOrder []*pkgState
	// raw is what go test wrote to standard output that was not an event.
	raw []string
	// lastEnded is the package that ended last.
	lastEnded *pkgState
}

func newSession() *session {
	return &session{tests: map[testKey]*testState{}, pkgs: map[string]*pkgState{}}
}

func (s *session) pkg(path string) *pkgState {
	p := s.pkgs[path]
	if p == nil {
		p = &pkgState{Path: path}
		s.pkgs[path] = p
		s.pkgOrder = append(s.pkgOrder, p)
	}
	return p
}

func (s *session) test(k testKey, now time.Time) *testState {
	t := s.tests[k]
	if t == nil {
		t = &testState{testKey: k, Status: statusRunning, Started: now}
		s.tests[k] = t
		s.order = append(s.order, t)
		s.pkg(k.Package)
	}
	return t
}

// add folds e into the session; now is loadgate's clock. It returns the
// test the event was about, if any, and what changed.
func (s *session) add(e Event, now time.Time) (*testState, change) {
	switch e.Action {
	case actionRaw:
		s.raw = append(s.raw, e.Output)
		return nil, changeOutput
	case "build-output":
		p := s.pkg(buildPackage(e.ImportPath))
		p.Output = append(p.Output, e.Output)
		return nil, changeOutput
	case "build-fail":
		s.pkg(buildPackage(e.ImportPath)).FailedBuild = true
		return nil, changeNone
	}
	if e.Test == "" {
		p := s.pkg(e.Package)
		switch e.Action {
		case "output":
			p.Output = append(p.Output, e.Output)
			return nil, changeOutput
		case statusPass, statusFail, statusSkip:
			p.Status = e.Action
			p.Elapsed = seconds(e.Elapsed)
			if e.FailedBuild != "" {
				p.FailedBuild = true
			}
			s.lastEnded = p
			return nil, changePackageEnded
		}
		return nil, changeNone
	}
	k := testKey{e.Package, e.Test}
	_, known := s.tests[k]
	t := s.test(k, now)
	switch e.Action {
	case "run":
		t.Status, t.Started, t.Progress, t.Output = statusRunning, now, nil, nil
		t.RunTime, t.EndTime = e.Time, time.Time{}
		t.Runs++
		return t, changeTestStarted
	case "output":
		if p, ok := parseProgress(e.Output); ok {
			t.Progress, t.ProgressAt = &p, now
			return t, changeProgress
		}
		t.Output = append(t.Output, e.Output)
		if !known {
			return t, changeTestStarted
		}
		return t, changeNone
	case statusPass, statusFail, statusSkip:
		t.Status, t.EndTime = e.Action, e.Time
		t.Elapsed = seconds(e.Elapsed)
		if e.Action == statusFail {
			t.Failed = true
			t.FailedOutput = append(t.FailedOutput, t.Output...)
		}
		return t, changeTestEnded
	}
	return t, changeNone
}

// interrupt marks the tests still running as interrupted.
func (s *session) interrupt() {
	for _, t := range s.order {
		if t.Status == statusRunning {
			t.Status = statusInterrupted
		}
	}
}

// running returns the tests still running, in the order they started,
// leaving out parents whose subtests are running: the subtests say more.
func (s *session) running() []*testState {
	var out []*testState
	for _, t := range s.order {
		if t.Status != statusRunning {
			continue
		}
		parent := false
		for _, u := range s.order {
			if u.Status == statusRunning && u.Package == t.Package && strings.HasPrefix(u.Test, t.Test+"/") {
				parent = true
				break
			}
		}
		if !parent {
			out = append(out, t)
		}
	}
	return out
}

// isParent tells whether t has subtests.
func (s *session) isParent(t *testState) bool {
	for _, u := range s.order {
		if u.Package == t.Package && strings.HasPrefix(u.Test, t.Test+"/") {
			return true
		}
	}
	return false
}

// counts returns how many tests (leaves and parents without subtests)
// ended in each status.
func (s *session) counts() map[string]int {
	n := map[string]int{}
	for _, t := range s.order {
		if !s.isParent(t) {
			n[t.outcome()]++
		}
	}
	return n
}

// failedPackages lists the packages that failed, with no failed test to
// show for it (a build failure, a panic in TestMain, a timeout).
func (s *session) failedPackages() []*pkgState {
	var out []*pkgState
	for _, p := range s.pkgOrder {
		if p.Status != statusFail && !p.FailedBuild {
			continue
		}
		failedTest := false
		for _, t := range s.order {
			if t.Package == p.Path && t.outcome() == statusFail {
				failedTest = true
				break
			}
		}
		if !failedTest {
			out = append(out, p)
		}
	}
	return out
}

// failed tells whether any test or package failed.
func (s *session) failed() bool {
	for _, p := range s.pkgOrder {
		if p.Status == statusFail || p.FailedBuild {
			return true
		}
	}
	for _, t := range s.order {
		if t.outcome() == statusFail {
			return true
		}
	}
	return false
}

// parseProgress reads a progress record that loadtest.Run logged
// (LOADGATE_PROGRESS=json): "    run.go:72: loadgate:progress {...}".
func parseProgress(output string) (loadtest.Progress, bool) {
	i := strings.Index(output, loadtest.ProgressPrefix)
	if i < 0 {
		return loadtest.Progress{}, false
	}
	var p loadtest.Progress
	if err := json.Unmarshal([]byte(strings.TrimSpace(output[i+len(loadtest.ProgressPrefix):])), &p); err != nil {
		return loadtest.Progress{}, false
	}
	return p, true
}

// buildPackage returns the package a build event is about: its import
// path without the " [p.test]" of a test variant.
func buildPackage(importPath string) string {
	if i := strings.Index(importPath, " ["); i >= 0 {
		return importPath[:i]
	}
	return importPath
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
