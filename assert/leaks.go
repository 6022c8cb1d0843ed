package assert

import (
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/loadgate/loadgate/internal/stack"
)

// DefaultLeakWait is how long [NoLeaks] and [VerifyTestMain] let goroutines
// take to end. The check loadtest.Run does after each scenario has its own
// wait, LeakCheck.Wait (default loadtest.DefaultScenario.Leaks.Wait).
const DefaultLeakWait = 5 * time.Second

// CleanupT is the part of testing.TB that NoLeaks needs.
type CleanupT interface {
	Errorf(format string, args ...any)
	Cleanup(func())
}

var _ CleanupT = (testing.TB)(nil)

// NoLeaks fails t if goroutines started after the call are still running
// once the test has ended. Call it first in the test:
//
//	func TestServer(t *testing.T) {
//		assert.NoLeaks(t)
//		srv := httptest.NewServer(h)
//		defer srv.Close()
//		...
//
// It differs from goleak.VerifyNone, which it uses underneath (goleak's
// options pass through; a goleak.Cleanup's function gets 0 after the
// check, as VerifyNone gives it), in what goleak's users ask for:
//   - it runs as the test's last cleanup, so servers and clients closed by
//     cleanups registered after it are already closed;
//   - it runs whether or not the test failed;
//   - it ignores goroutines that were running before the call;
//   - it closes the idle connections of http.DefaultTransport and retries
//     until DefaultLeakWait has passed, not a fixed number of times;
//   - its report groups the leaked goroutines by the function they are
//     blocked in and the function that created them, with counts,
//     file:line, their IDs and one whole stack per group, instead of
//     printing every goroutine's stack.
//
// Like goleak.VerifyNone it cannot tell apart the goroutines of tests that
// run in parallel; use [VerifyTestMain] for those packages.
func NoLeaks(t CleanupT, opts ...goleak.Option) {
	if h, ok := t.(tHelper); ok {
		h.Helper()
	}
	NoLeaksWithin(t, DefaultLeakWait, opts...)
}

// NoLeaksWithin is [NoLeaks] with another time limit for goroutines to end.
func NoLeaksWithin(t CleanupT, wait time.Duration, opts ...goleak.Option) {
	if h, ok := t.(tHelper); ok {
		h.Helper()
	}
	find, cleanups := splitCleanup(opts)
	find = append(find, goleak.IgnoreCurrent())
	t.Cleanup(func() {
		// A helper cleanup's failure is reported where it was registered,
		// and so at the test's line that called NoLeaks, not here.
		if h, ok := t.(tHelper); ok {
			h.Helper()
		}
		if report := findLeaks(wait, find); report != "" {
			t.Errorf("assert.NoLeaks: %s", report)
		}
		if len(cleanups) > 0 {
			// goleak.Cleanup's function gets 0, as VerifyNone gives it;
			// only goleak can call it, and it finds nothing new here.
			goleak.VerifyNone(discardT{}, append(cleanups, goleak.IgnoreCurrent())...)
		}
	})
}

// discardT is a goleak.TestingT that drops what it is told.
type discardT struct{}

func (discardT) Error(...any) {}

// exitCode is a goleak.TestingM whose tests already ran with that result.
type exitCode int

func (c exitCode) Run() int { return int(c) }

// splitCleanup separates the goleak.Cleanup options, which goleak.Find
// refuses, from the others. goleak's options are opaque, so each is shown
// to Find with every goroutine running now ignored: Find refuses a Cleanup
// at once, with the error it gives a Cleanup alone.
func splitCleanup(opts []goleak.Option) (find, cleanups []goleak.Option) {
	if len(opts) == 0 {
		return nil, nil
	}
	refused := goleak.Find(goleak.Cleanup(func(int) {})).Error()
	for _, o := range opts {
		if err := goleak.Find(o, goleak.IgnoreCurrent()); err != nil && err.Error() == refused {
			cleanups = append(cleanups, o)
		} else {
			find = append(find, o)
		}
	}
	return find, cleanups
}

// VerifyTestMain runs the package's tests and then fails the run if
// goroutines are still running, with the same grouping, retries and
// idle-connection handling as [NoLeaks]. As goleak.VerifyTestMain, it
// checks only when every test passed, and it exits: a goleak.Cleanup
// option's function gets the exit status instead, and must exit itself.
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { assert.VerifyTestMain(m) }
func VerifyTestMain(m *testing.M, opts ...goleak.Option) {
	find, cleanups := splitCleanup(opts)
	code := m.Run()
	if code == 0 {
		if report := findLeaks(DefaultLeakWait, find); report != "" {
			fmt.Fprintf(os.Stderr, "assert.VerifyTestMain: %s\n", report)
			code = 1
		}
	}
	if len(cleanups) > 0 {
		// Only goleak can call a Cleanup's function: it checks again,
		// told to ignore every goroutine running now (the check above
		// was the one, with its idle-connection handling), and hands it
		// code.
		goleak.VerifyTestMain(exitCode(code), append(cleanups, goleak.IgnoreCurrent())...)
		return
	}
	os.Exit(code)
}

var goleakID = regexp.MustCompile(`Goroutine (\d+) in state`)

// findLeaks asks goleak until it finds nothing or wait has passed, and
// returns a grouped report of what remains, or "".
func findLeaks(wait time.Duration, opts []goleak.Option) string {
	deadline := time.Now().Add(wait)
	for {
		if tr, ok := http.DefaultTransport.(*http.Transport); ok {
			tr.CloseIdleConnections()
		}
		err := goleak.Find(opts...) // retries for about 0.4 s itself
		if err == nil {
			return ""
		}
		if time.Now().After(deadline) {
			return groupedReport(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// groupedReport turns goleak's wall of stacks into groups.
func groupedReport(err error) string {
	ids := map[int]bool{}
	for _, m := range goleakID.FindAllStringSubmatch(err.Error(), -1) {
		id, _ := strconv.Atoi(m[1])
		ids[id] = true
	}
	var leaked []stack.Goroutine
	for _, g := range stack.All() {
		if ids[g.ID] {
			leaked = append(leaked, g)
		}
	}
	if len(leaked) == 0 { // they ended in between: goleak's text is all there is
		leaked = stack.Parse([]byte(err.Error()))
	}
	if len(leaked) == 0 {
		return err.Error()
	}
	return stack.Report(stack.GroupBy(leaked))
}
