//go:build unix

package loadtest_test

import (
	"context"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

// TestInterruptKeepsTheResult: Ctrl-C during a scenario killed the test
// binary, and the minutes of load measured so far were lost. Now the
// scenario stops as a gate stops it, writes its result (marked
// interrupted), fails its test, and later scenarios of the process do not
// start. A second Ctrl-C kills as before (not tested: it would kill this
// test).
func TestInterruptKeepsTheResult(t *testing.T) {
	t.Cleanup(loadtest.ForgetInterruption)
	dir := t.TempDir()
	t.Setenv(loadtest.EnvOut, dir)
	tb := &errorsTB{fakeTB: fakeTB{TB: t}}
	res := loadtest.Run(tb, loadtest.Scenario{
		Name:   "interrupted",
		Target: interruptAt(20),
		Load:   loadtest.Rate(200).For(20 * time.Second),
	})
	if res == nil {
		t.Fatalf("no result; fatal %q", tb.fatalMessages())
	}
	if st := res.Stopped; st == nil || st.Cause != "interrupted" || !strings.Contains(st.Reason, "SIGINT") {
		t.Errorf("stopped %+v, want interrupted by SIGINT", res.Stopped)
	}
	if res.Requests < 20 || res.Requests > 1000 {
		t.Errorf("%d requests, want the 20 before the interrupt and few more", res.Requests)
	}
	if e := tb.errorMessages(); len(e) != 1 || !strings.Contains(e[0], "scenario interrupted stopped early: interrupted by SIGINT") {
		t.Errorf("errors %q, want the interrupt named", e)
	}
	stored, err := loadtest.ReadFile(filepath.Join(dir, "interrupted.json"))
	if err != nil {
		t.Fatal(err)
	}
	if st := stored.Stopped; st == nil || st.Cause != "interrupted" {
		t.Errorf("the written result stopped %+v, want interrupted", stored.Stopped)
	}

	// The next scenario of the process does not start.
	next := &errorsTB{fakeTB: fakeTB{TB: t}}
	if r := loadtest.Run(next, loadtest.Scenario{Name: "after", Target: loadtest.Func(func(context.Context) error { return nil })}); r != nil {
		t.Error("a scenario ran after the interrupt")
	}
	if s := next.skipMessages(); len(s) != 1 || !strings.Contains(s[0], "interrupted by SIGINT (Ctrl-C) during scenario interrupted") {
		t.Errorf("skips %q, want the interrupted scenario named", s)
	}
}

// interruptOnSummary sends SIGINT to the process when Run logs its
// summary: after the load, before the result is written.
type interruptOnSummary struct {
	errorsTB
	delivered chan os.Signal // registered too, to know the signal came
}

func (f *interruptOnSummary) Log(args ...any) {
	f.TB.Helper()
	f.TB.Log(args...)
	if s, _ := args[0].(string); strings.HasPrefix(s, "\nscenario ") {
		syscall.Kill(os.Getpid(), syscall.SIGINT)
		select {
		case <-f.delivered:
		case <-time.After(10 * time.Second):
			f.TB.Error("SIGINT not delivered in 10s")
		}
	}
}

// TestInterruptAfterTheLoad: Run stopped catching signals when the load
// ended, before it logged and wrote the result; a Ctrl-C then killed the
// test binary with what it measured, the loss the catching was for. It is
// caught until the result is written, and the next scenario is skipped.
func TestInterruptAfterTheLoad(t *testing.T) {
	t.Cleanup(loadtest.ForgetInterruption)
	dir := t.TempDir()
	t.Setenv(loadtest.EnvOut, dir)
	// Without the fix the signal would kill this test binary: this
	// channel keeps it alive, so that the test fails instead.
	delivered := make(chan os.Signal, 1)
	signal.Notify(delivered, os.Interrupt)
	defer signal.Stop(delivered)
	tb := &interruptOnSummary{errorsTB: errorsTB{fakeTB: fakeTB{TB: t}}, delivered: delivered}
	res := loadtest.Run(tb, loadtest.Scenario{
		Name:   "interrupted after",
		Target: loadtest.Func(func(context.Context) error { return nil }),
		Load:   loadtest.Rate(100).For(100 * time.Millisecond),
	})
	if res == nil {
		t.Fatalf("no result; fatal %q", tb.fatalMessages())
	}
	if res.Stopped != nil {
		t.Errorf("stopped %+v: the load had ended", res.Stopped)
	}
	if _, err := loadtest.ReadFile(filepath.Join(dir, "interrupted_after.json")); err != nil {
		t.Error(err)
	}
	next := &errorsTB{fakeTB: fakeTB{TB: t}}
	if r := loadtest.Run(next, loadtest.Scenario{Name: "after the interrupted", Target: loadtest.Func(func(context.Context) error { return nil })}); r != nil {
		t.Error("a scenario ran after the interrupt")
	}
	if s := next.skipMessages(); len(s) != 1 || !strings.Contains(s[0], "interrupted by SIGINT (Ctrl-C) during scenario interrupted after") {
		t.Errorf("skips %q, want the interrupted scenario named", s)
	}
}

// TestInterruptIgnored: a test binary started ignoring SIGINT (a
// background job of a shell script, which Ctrl-C must not stop) had its
// scenario stopped by a SIGINT all the same: signal.Notify stops ignoring
// the signal. Run leaves an ignored signal ignored.
func TestInterruptIgnored(t *testing.T) {
	if os.Getenv("LOADGATE_TEST_SIGINT_IGNORED") == "1" {
		ignoringSIGINT(t)
		return
	}
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skipf("no sh to start the test ignoring SIGINT: %v", err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, loadtest.EnvOut+"=") {
			env = append(env, kv)
		}
	}
	cmd := exec.CommandContext(t.Context(), "sh", "-c", `trap '' INT; exec "$0" -test.run '^TestInterruptIgnored$' -test.count 1`, os.Args[0])
	cmd.Env = append(env, "LOADGATE_TEST_SIGINT_IGNORED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("the test process that ignores SIGINT: %v\n%s", err, out)
	}
}

func ignoringSIGINT(t *testing.T) {
	if !signal.Ignored(os.Interrupt) {
		t.Fatal("sh's trap '' INT did not start the test ignoring SIGINT")
	}
	tb := &errorsTB{fakeTB: fakeTB{TB: t}}
	res := loadtest.Run(tb, loadtest.Scenario{
		Name:   "ignoring SIGINT",
		Target: interruptAt(5),
		Load:   loadtest.Rate(100).For(300 * time.Millisecond),
	})
	if res == nil {
		t.Fatalf("no result; fatal %q", tb.fatalMessages())
	}
	if res.Stopped != nil || len(tb.errorMessages()) > 0 {
		t.Errorf("stopped %+v, errors %q: want the ignored SIGINT ignored", res.Stopped, tb.errorMessages())
	}
	if !signal.Ignored(os.Interrupt) {
		t.Error("SIGINT no longer ignored after Run")
	}
}

// interruptAt is a target that sends the process SIGINT, as Ctrl-C in a
// terminal does, at its n-th request.
func interruptAt(n int64) loadtest.Target {
	var calls atomic.Int64
	return loadtest.Func(func(context.Context) error {
		if calls.Add(1) == n {
			syscall.Kill(os.Getpid(), syscall.SIGINT)
		}
		return nil
	})
}
