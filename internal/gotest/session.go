package gotest

import (
	"slices"
	"strings"
	"time"

	"github.com/loadgate/loadgate/internal/progress"
	"github.com/loadgate/loadgate/loadtest"
)

// Key identifies a test: the test2json Test field within a package.
type Key struct{ Package, Test string }

// Test statuses.
const (
	StatusRunning     = "run"
	StatusPass        = "pass"
	StatusFail        = "fail"
	StatusSkip        = "skip"
	StatusInterrupted = "interrupted" // still running when go test was stopped
)

// Test is what the events told of one test.
type Test struct {
	Key
	Status  string
	Elapsed time.Duration
	// Output is what the current (or last) run of the test printed,
	// without progress records; FailedOutput is the output of the runs
	// that failed.
	Output       []string
	FailedOutput []string
	// Progress is the last progress record of a scenario the test runs,
	// received at ProgressAt (by loadgate's clock).
	Progress   *progress.Record
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

// Outcome is the status of the test over all its runs: a failure in any
// run is a failure.
func (t *Test) Outcome() string {
	if t.Failed && t.Status != StatusInterrupted {
		return StatusFail
	}
	return t.Status
}

// Package is what the events told of one package.
type Package struct {
	Path    string
	Status  string // "" until the package ends
	Elapsed time.Duration
	// Output is what the package printed outside any test (ok/FAIL lines,
	// a panic in TestMain, a timeout), and its build output.
	Output      []string
	FailedBuild bool
	// BuildFailed is the package whose build failed this one (go test's
	// FailedBuild): its output, not this package's, says why.
	BuildFailed string
}

// Change says what an event changed, for the display.
type Change int

const (
	ChangeNone Change = iota
	ChangeTestStarted
	ChangeProgress
	ChangeTestEnded
	ChangePackageEnded
	ChangeOutput // output outside any test
)

// Session accumulates the events of one go test run: tests in the order
// they started, their outcomes, output and scenario progress.
type Session struct {
	// Tests and Order hold every test (subtests too), Order in the order
	// they started.
	Tests map[Key]*Test
	Order []*Test
	// Packages and PackageOrder hold every package an event named.
	Packages     map[string]*Package
	PackageOrder []*Package
	// Raw is what go test wrote to standard output that was not an event.
	Raw []string
	// LastEnded is the package that ended last.
	LastEnded *Package
}

// NewSession returns an empty session.
func NewSession() *Session {
	return &Session{Tests: map[Key]*Test{}, Packages: map[string]*Package{}}
}

func (s *Session) pkg(path string) *Package {
	p := s.Packages[path]
	if p == nil {
		p = &Package{Path: path}
		s.Packages[path] = p
		s.PackageOrder = append(s.PackageOrder, p)
	}
	return p
}

func (s *Session) test(k Key, now time.Time) *Test {
	t := s.Tests[k]
	if t == nil {
		t = &Test{Key: k, Status: StatusRunning, Started: now}
		s.Tests[k] = t
		s.Order = append(s.Order, t)
		s.pkg(k.Package)
	}
	return t
}

// Add folds e into the session; now is the caller's clock. It returns the
// test the event was about, if any, and what changed.
func (s *Session) Add(e Event, now time.Time) (*Test, Change) {
	switch e.Action {
	case ActionRaw:
		s.Raw = append(s.Raw, e.Output)
		return nil, ChangeOutput
	case "build-output":
		p := s.pkg(buildPackage(e.ImportPath))
		p.Output = append(p.Output, e.Output)
		return nil, ChangeOutput
	case "build-fail":
		s.pkg(buildPackage(e.ImportPath)).FailedBuild = true
		return nil, ChangeNone
	}
	if e.Test == "" {
		p := s.pkg(e.Package)
		switch e.Action {
		case "output":
			p.Output = append(p.Output, e.Output)
			return nil, ChangeOutput
		case StatusPass, StatusFail, StatusSkip:
			p.Status = e.Action
			p.Elapsed = seconds(e.Elapsed)
			if e.FailedBuild != "" {
				p.FailedBuild, p.BuildFailed = true, buildPackage(e.FailedBuild)
			}
			s.LastEnded = p
			return nil, ChangePackageEnded
		}
		return nil, ChangeNone
	}
	k := Key{e.Package, e.Test}
	_, known := s.Tests[k]
	t := s.test(k, now)
	switch e.Action {
	case "run":
		t.Status, t.Started, t.Progress, t.Output = StatusRunning, now, nil, nil
		t.RunTime, t.EndTime = e.Time, time.Time{}
		t.Runs++
		return t, ChangeTestStarted
	case "output":
		if p, ok := progress.Parse(e.Output); ok {
			t.Progress, t.ProgressAt = &p, now
			return t, ChangeProgress
		}
		t.Output = append(t.Output, e.Output)
		if !known {
			return t, ChangeTestStarted
		}
		return t, ChangeNone
	case StatusPass, StatusFail, StatusSkip:
		t.Status, t.EndTime = e.Action, e.Time
		t.Elapsed = seconds(e.Elapsed)
		if e.Action == StatusFail {
			t.Failed = true
			t.FailedOutput = append(t.FailedOutput, t.Output...)
		}
		return t, ChangeTestEnded
	}
	return t, ChangeNone
}

// Interrupt marks the tests still running as interrupted.
func (s *Session) Interrupt() {
	for _, t := range s.Order {
		if t.Status == StatusRunning {
			t.Status = StatusInterrupted
		}
	}
}

// Running returns the tests still running, in the order they started,
// leaving out parents whose subtests are running: the subtests say more.
func (s *Session) Running() []*Test {
	var out []*Test
	for _, t := range s.Order {
		if t.Status != StatusRunning {
			continue
		}
		parent := false
		for _, u := range s.Order {
			if u.Status == StatusRunning && u.Package == t.Package && strings.HasPrefix(u.Test, t.Test+"/") {
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

// IsParent tells whether t has subtests.
func (s *Session) IsParent(t *Test) bool {
	for _, u := range s.Order {
		if u.Package == t.Package && strings.HasPrefix(u.Test, t.Test+"/") {
			return true
		}
	}
	return false
}

// Counts returns how many tests (leaves and parents without subtests)
// ended in each status.
func (s *Session) Counts() map[string]int {
	n := map[string]int{}
	for _, t := range s.Order {
		if !s.IsParent(t) {
			n[t.Outcome()]++
		}
	}
	return n
}

// FailedPackages lists the packages that failed, with no failed test to
// show for it (a build failure, a panic in TestMain, a timeout).
func (s *Session) FailedPackages() []*Package {
	var out []*Package
	for _, p := range s.PackageOrder {
		if p.Status != StatusFail && !p.FailedBuild {
			continue
		}
		failedTest := false
		for _, t := range s.Order {
			if t.Package == p.Path && t.Outcome() == StatusFail {
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

// Failed tells whether any test or package failed.
func (s *Session) Failed() bool {
	for _, p := range s.PackageOrder {
		if p.Status == StatusFail || p.FailedBuild {
			return true
		}
	}
	for _, t := range s.Order {
		if t.Outcome() == StatusFail {
			return true
		}
	}
	return false
}

// FailedToReport is FailedPackages without the dependencies, seen only
// through their build output, whose build failed a package that failed:
// that package tells their output ([Session.WhyFailed]), so that one cause
// is reported once. A package that ended (it has tests of its own) stays.
func (s *Session) FailedToReport() []*Package {
	failed := s.FailedPackages()
	return slices.DeleteFunc(slices.Clone(failed), func(p *Package) bool {
		// Only a package seen through its build output alone: one that
		// ended (a package of tests itself) is reported on its own.
		return p.Status == "" && slices.ContainsFunc(failed, func(q *Package) bool { return q != p && q.BuildFailed == p.Path })
	})
}

// WhyFailed returns the output that says why package p failed: its own,
// and that of the package whose build failed it, if another.
func (s *Session) WhyFailed(p *Package) string {
	out := strings.Join(p.Output, "")
	if b := s.Packages[p.BuildFailed]; b != nil && b != p {
		out = strings.Join(b.Output, "") + out
	}
	return out
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

// HasFailedChild tells whether a subtest of t failed.
func (s *Session) HasFailedChild(t *Test) bool {
	for _, u := range s.Order {
		if u.Package == t.Package && strings.HasPrefix(u.Test, t.Test+"/") && u.Outcome() == StatusFail {
			return true
		}
	}
	return false
}

// TopLevel returns the top-level tests (no subtests) in the order they
// started.
func (s *Session) TopLevel() []*Test {
	var out []*Test
	for _, t := range s.Order {
		if !strings.Contains(t.Test, "/") {
			out = append(out, t)
		}
	}
	return out
}

// FailedOutput returns what the failed runs of t and of its subtests
// printed.
func (s *Session) FailedOutput(t *Test) []string {
	out := slices.Clone(t.FailedOutput)
	for _, u := range s.Order {
		if u.Package == t.Package && strings.HasPrefix(u.Test, t.Test+"/") {
			out = append(out, u.FailedOutput...)
		}
	}
	return out
}

// Merge folds the session of a later go test process into s, as further
// runs of the same tests: a test of both counts the runs of both and has
// failed if it failed in either; its status and output are the later
// ones. Tests and packages new in later are added.
func (s *Session) Merge(later *Session) {
	for _, u := range later.Order {
		t := s.Tests[u.Key]
		if t == nil {
			c := *u
			s.Tests[u.Key] = &c
			s.Order = append(s.Order, &c)
			continue
		}
		t.Status, t.Elapsed, t.Output, t.RunTime, t.EndTime = u.Status, u.Elapsed, u.Output, u.RunTime, u.EndTime
		t.Progress, t.ProgressAt, t.Result = u.Progress, u.ProgressAt, u.Result
		t.FailedOutput = append(t.FailedOutput, u.FailedOutput...)
		t.Runs += u.Runs
		t.Failed = t.Failed || u.Failed
	}
	for _, q := range later.PackageOrder {
		p := s.pkg(q.Path)
		if q.Status == StatusFail || p.Status == "" {
			p.Status = q.Status
		}
		p.Elapsed += q.Elapsed
		p.Output = append(p.Output, q.Output...)
		p.FailedBuild = p.FailedBuild || q.FailedBuild
	}
	s.Raw = append(s.Raw, later.Raw...)
	if later.LastEnded != nil {
		s.LastEnded = s.Packages[later.LastEnded.Path]
	}
}
