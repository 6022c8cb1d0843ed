package app

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/gotest"
)

// TestFailureReasonFromWholeOutput: the reason a test failed, in the
// comment and its annotation, is the line loadgate run gives, picked from
// all the test printed. The manifest keeps only the last lines of a failed
// test's output, and a test whose SLA failed before baseline.Check logged
// a long comparison was annotated "the test failed: p99  4.27ms ± 103%
// 5.46ms  +27.71% ..." (a row of that table) where loadgate run said
// "load_test.go:37: scenario errs: error_rate = 2%, want < 0.5% ...".
func TestFailureReasonFromWholeOutput(t *testing.T) {
	const pkg, test = "example.com/svc", "TestLoadErr"
	s := gotest.NewSession()
	now := time.Now()
	add := func(action, output string) {
		s.Add(gotest.Event{Time: now, Action: action, Package: pkg, Test: test, Output: output}, now)
	}
	add("run", "")
	add("output", "=== RUN   TestLoadErr\n")
	add("output", "    load_test.go:37: scenario errs: error_rate = 2%, want < 0.5% (300.0% over)\n")
	add("output", "    load_test.go:38: baseline.Check: errs compared with testdata/loadgate/errs.json:\n")
	for i := range 2 * maxOutputLines {
		add("output", fmt.Sprintf("        p99  4.27ms ± 103%%  5.46ms  +%d.00%%  (n=5+1)  warn: n=5+1: not confirmed\n", i))
	}
	add("output", "--- FAIL: TestLoadErr (1.53s)\n")
	add("fail", "")
	sts := statuses(s)
	if len(sts) != 1 {
		t.Fatalf("statuses = %+v, want one", sts)
	}
	want := "load_test.go:37: scenario errs: error_rate = 2%, want < 0.5% (300.0% over)"
	if got := gotest.Reason(strings.Join(s.FailedOutput(s.Tests[gotest.Key{Package: pkg, Test: test}]), "")); got != want {
		t.Fatalf("loadgate run's reason is %q, not %q: change the test", got, want)
	}
	res := &Results{Manifest: baseRefManifest()}
	st := sts[0]
	st.Side, st.Run = "head", 1
	res.Manifest.Tests = append(res.Manifest.Tests, st)
	r := analyze(t, res, "")
	if len(r.Failures) != 1 || r.Failures[0].Reason != want {
		t.Fatalf("failures %+v, want one whose reason is %q", r.Failures, want)
	}
	if text := r.failureText(r.Failures[0]); !strings.HasSuffix(text, ": "+cell.Markdown(want)) {
		t.Errorf("the comment says %q, want it to end with the reason %q", text, want)
	}
}

// TestFailureReasonClipped: the reasons in a manifest are clipped as
// gotest.Reason clips them. A manifest from a fork's job (from-results)
// gave each of 40 failing tests a 10 kB reason, and the comment's
// headline, cut to 65,536 characters, listed 3 of the 40 and did not say
// that others were left out.
func TestFailureReasonClipped(t *testing.T) {
	res := &Results{Manifest: baseRefManifest()}
	long := strings.Repeat("load_test.go:9: | ` * < > ", 400)
	for i := range 40 {
		res.Manifest.Tests = append(res.Manifest.Tests, TestStatus{Side: "head", Run: 1, Package: shopPkg,
			Test: fmt.Sprintf("TestLoad%02d", i), Action: "fail", Output: long + "\n", Reason: long})
	}
	r := analyze(t, res, "")
	for _, f := range r.Failures {
		if n := utf8.RuneCountInString(f.Reason); n > gotest.ReasonLimit {
			t.Fatalf("%s: a reason of %d runes, want at most %d", f.Test, n, gotest.ReasonLimit)
		}
	}
	md, _ := r.Fit(MaxCommentChars, Chars)
	for i := range 40 {
		if name := fmt.Sprintf("`TestLoad%02d`", i); !strings.Contains(md, name) {
			t.Fatalf("the comment's headline lacks %s:\n%.2000s", name, md)
		}
	}
}
