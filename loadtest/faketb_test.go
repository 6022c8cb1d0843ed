package loadtest_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
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

func (f *fakeTB) fatalMessages() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.fatals...)
}
