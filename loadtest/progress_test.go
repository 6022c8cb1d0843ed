package loadtest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/progress"
)

// TestMachineProgress checks the records LOADGATE_PROGRESS=json asks for:
// one about every second, never going backwards, and a last one that
// counts every request of the run, so that a live display ends at the
// result's totals rather than a second short of them.
func TestMachineProgress(t *testing.T) {
	t.Setenv(progress.Env, "json")
	var (
		mu    sync.Mutex
		lines []string
	)
	logf := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, fmt.Sprintf(format, args...))
	}
	s := Scenario{
		Name:   "progress",
		Target: Func(func(context.Context) error { return nil }),
		Load:   Rate(200).For(2500 * time.Millisecond),
	}
	res, err := execute(context.Background(), s.withDefaults(1), execOptions{drainLimit: time.Second, logf: logf})
	if err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	var records []progress.Record
	for _, l := range lines {
		p, ok := progress.Parse(l)
		if !ok {
			continue
		}
		records = append(records, p)
	}
	if len(records) < 2 {
		t.Fatalf("%d progress records in a 2.5 s run, want one a second and a last one; log:\n%s", len(records), strings.Join(lines, "\n"))
	}
	for i, p := range records {
		if p.Scenario != "progress" || p.TotalNS != int64(2500*time.Millisecond) {
			t.Errorf("record %d: scenario %q, total %v; want %q, 2.5s", i, p.Scenario, time.Duration(p.TotalNS), "progress")
		}
		if p.ElapsedNS > p.TotalNS {
			t.Errorf("record %d: elapsed %v is past the total %v", i, time.Duration(p.ElapsedNS), time.Duration(p.TotalNS))
		}
		if i > 0 && (p.ElapsedNS < records[i-1].ElapsedNS || p.Requests < records[i-1].Requests) {
			t.Errorf("record %d went backwards: %+v after %+v", i, p, records[i-1])
		}
	}
	last := records[len(records)-1]
	if last.Requests != res.Requests || last.Errors != res.Errors {
		t.Errorf("last record: %d requests, %d errors; the result has %d and %d", last.Requests, last.Errors, res.Requests, res.Errors)
	}
}
