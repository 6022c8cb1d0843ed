package loadtest_test

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/gotest"
	"github.com/loadgate/loadgate/loadtest"
)

// logTB records what a test logs, laid out as go test prints it, and
// passes nothing on.
type logTB struct {
	testing.TB
	mu  sync.Mutex
	out strings.Builder
}

func (l *logTB) Helper() {}

func (l *logTB) Log(args ...any) { l.print(strings.TrimSuffix(fmt.Sprintln(args...), "\n")) }

func (l *logTB) Logf(format string, args ...any) { l.print(fmt.Sprintf(format, args...)) }

func (l *logTB) Errorf(format string, args ...any) { l.print(fmt.Sprintf(format, args...)) }

func (l *logTB) Fatalf(format string, args ...any) { l.print(fmt.Sprintf(format, args...)) }

// print lays msg out as go test does: "    file:line: " before the first
// line, eight spaces before the others.
func (l *logTB) print(msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.out.WriteString("    load_test.go:12: " + strings.ReplaceAll(msg, "\n", "\n        ") + "\n")
}

// TestLogsAreNotReasons: what loadtest.Run logs on a run that passes (its
// progress lines, summary, result, profiles and flight recording) is never
// taken for the reason a test failed, which the Action's annotation, the
// PR comment and the HTML report show: the test's own message after them
// is (gotest.Reason).
func TestLogsAreNotReasons(t *testing.T) {
	// go test -json, as loadgate runs tests, is verbose: progress lines are
	// logged.
	v := flag.Lookup("test.v")
	old := v.Value.String()
	if err := v.Value.Set("true"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Value.Set(old) })
	for _, out := range []string{t.TempDir(), ""} {
		t.Setenv(loadtest.EnvOut, out)
		t.Setenv(loadtest.EnvProfile, "cpu")
		t.Setenv(loadtest.EnvFlight, "1")
		tb := &logTB{TB: t}
		loadtest.Run(tb, loadtest.Scenario{
			Name:          fmt.Sprintf("logs %v", out != ""),
			Target:        loadtest.Func(func(ctx context.Context) error { return nil }),
			Load:          loadtest.Users(1).For(300 * time.Millisecond),
			ProgressEvery: 50 * time.Millisecond,
		})
		logged := tb.out.String()
		for _, want := range []string{"loadtest: logs", "stage", "scenario logs", "profile", "flight recording"} {
			if !strings.Contains(logged, want) {
				t.Errorf("LOADGATE_OUT=%q: the run did not log %q, so the test does not check it; it logged:\n%s", out, want, logged)
			}
		}
		const failure = "load_test.go:40: p99 12ms, want < 10ms"
		if got := gotest.Reason(logged + "    " + failure + "\n"); got != failure {
			t.Errorf("LOADGATE_OUT=%q: gotest.Reason = %q, want the test's own message %q; loadtest logged:\n%s", out, got, failure, logged)
		}
	}
}
