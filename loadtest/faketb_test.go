package loadtest_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

// fakeTB drives loadtest.Run with a testing.TB whose deadline and context
// the test chooses, and which records Fatalf instead of stopping the
// goroutine (Run returns right after calling Fatalf). Everything else goes
// to the real test.
type fakeTB struct {
	testing.TB
	deadline time.Time       // zero: no deadline
	ctx      context.Context // nil: the real test's

	mu     sync.Mutex
	fatals []string
}

func (f *fakeTB) Deadline() (time.Time, bool) { return f.deadline, !f.deadline.IsZero() }

func (f *fakeTB) Context() context.Context {
	if f.ctx != nil {
		return f.ctx
	}
	return f.TB.Context()
}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fatals = append(f.fatals, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Fatal(args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fatals = append(f.fatals, fmt.Sprint(args...))
}

// errorsTB is a fakeTB that records Errorf and Skipf too, for a test of
// what Run fails or skips its test with.
type errorsTB struct {
	fakeTB
	errs  []string
	skips []string
}

func (f *errorsTB) Skipf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.skips = append(f.skips, fmt.Sprintf(format, args...))
}

func (f *errorsTB) skipMessages() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.skips...)
}

func (f *errorsTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

func (f *errorsTB) errorMessages() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.errs...)
}

func (f *fakeTB) fatalMessages() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.fatals...)
}

// TestScenarioNameOnce: two tests of one process that name their
// scenarios alike would have their results read as runs of one scenario;
// while results are written, the second is failed before it sends any
// load, naming the first.
func TestScenarioNameOnce(t *testing.T) {
	const name = "TestScenarioNameOnce shared"
	t.Setenv(loadtest.EnvOut, t.TempDir()) // as loadgate run sets it: results are written
	var first string
	t.Run("a", func(t *testing.T) {
		first = t.Name()
		tb := &fakeTB{TB: t}
		loadtest.Run(tb, loadtest.Scenario{Name: name}) // no target: fails, but its name is taken
	})
	t.Run("b", func(t *testing.T) {
		tb := &fakeTB{TB: t}
		if r := loadtest.Run(tb, loadtest.Scenario{Name: name}); r != nil {
			t.Fatal("Run returned a result")
		}
		want := `loadtest: scenario "` + name + `" is the scenario of ` + first + ` too`
		if f := tb.fatalMessages(); len(f) != 1 || !strings.HasPrefix(f[0], want) {
			t.Errorf("fatal %q, want it to start %q", f, want)
		}
	})
}
