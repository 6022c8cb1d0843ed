package baseline_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/gotest"
	"github.com/loadgate/loadgate/loadtest"
)

// logT records what Check logs and reports, laid out as go test prints
// it ("    file:line: " before the first line, eight spaces before the
// others).
type logT struct {
	out    strings.Builder
	failed bool
}

func (l *logT) Logf(format string, args ...any) { l.print(format, args...) }

func (l *logT) Errorf(format string, args ...any) {
	l.failed = true
	l.print(format, args...)
}

func (l *logT) print(format string, args ...any) {
	l.out.WriteString("    load_test.go:30: " + strings.ReplaceAll(fmt.Sprintf(format, args...), "\n", "\n        ") + "\n")
}

// TestLogsAreNotReasons: what Check logs on a run that passes (recording,
// a staged session it discards, comparing after the last run, a
// generator-bound run recorded, no baseline yet, a shard left alone) is
// never taken for the reason a test failed, which the Action's
// annotation, the PR comment and the HTML report show: the test's own
// message after them is (gotest.Reason).
func TestLogsAreNotReasons(t *testing.T) {
	res, err := loadtest.Execute(t.Context(), loadtest.Scenario{
		Name:   "logs",
		Target: loadtest.Func(func(context.Context) error { return nil }),
		Load:   loadtest.Users(1).Iterations(500).For(time.Second),
	})
	if err != nil {
		t.Fatal(err)
	}
	bound := *res
	bound.Generator = &loadtest.Generator{Bound: true, Reasons: []string{"goroutines waited 9ms for a CPU"}}
	shard := *res
	again := *res // the run of the next go test -count: a run of its own
	again.RunID += "-2"
	shard.Shard = &loadtest.Shard{Index: 1, Count: 2, Group: "g"}
	dir := t.TempDir()
	steps := []struct {
		name, update, id string
		res              *loadtest.Result
		want             string
	}{
		{"no baseline", "", "", res, "no baseline for scenario logs"},
		{"a session stops half way", "1", "a", res, "recorded run 1 of 2"},
		{"the next session", "1", "b", res, "discarded 1 run staged by update session a"},
		{"generator-bound", "1", "b", &bound, "run 2 was " + loadtest.BoundWord},
		{"compare, first run", "", "", res, "run 1 of 2; comparing with the baseline after run 2"},
		{"compare, last run", "", "", &again, "logs compared with "},
		{"a shard", "", "", &shard, "not compared, recorded or checked"},
	}
	for _, s := range steps {
		t.Setenv(baseline.EnvUpdate, s.update)
		t.Setenv(baseline.EnvUpdateID, s.id)
		var tb logT
		baseline.Check(&tb, s.res, baseline.WithDir(dir), baseline.WithRuns(2))
		logged := tb.out.String()
		if tb.failed || !strings.Contains(logged, s.want) {
			t.Fatalf("%s: Check failed or did not log %q, so the test does not check it; it logged:\n%s", s.name, s.want, logged)
		}
		const failure = "load_test.go:40: p99 12ms, want < 10ms"
		if got := gotest.Reason(logged + "    " + failure + "\n"); got != failure {
			t.Errorf("%s: gotest.Reason = %q, want the test's own message %q; Check logged:\n%s", s.name, got, failure, logged)
		}
	}
}
