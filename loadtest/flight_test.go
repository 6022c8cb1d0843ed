package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// traceMarks runs go tool trace's parser over the trace file (skipping the
// test where the go command is absent) and returns the messages of the
// "loadgate" log events in order, and the span of the trace's clock
// snapshots on the wall clock.
func traceMarks(t *testing.T, path string) (marks []string, first, last time.Time) {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to parse the trace with: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, goCmd, "tool", "trace", "-d=parsed", path)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go tool trace -d=parsed %s: %v\n%s", path, err, stderr.Bytes())
	}
	logRE := regexp.MustCompile(`Log Time=\d+ .*Category="loadgate" Message=(".*")$`)
	wallRE := regexp.MustCompile(` Sync .* Wall=(\S+)`)
	for line := range strings.Lines(string(out)) {
		line = strings.TrimSpace(line)
		if m := logRE.FindStringSubmatch(line); m != nil {
			msg, err := strconv.Unquote(m[1])
			if err != nil {
				t.Fatalf("log event %q: %v", line, err)
			}
			marks = append(marks, msg)
		}
		if m := wallRE.FindStringSubmatch(line); m != nil {
			if w, err := time.Parse(time.RFC3339Nano, m[1]); err == nil {
				if first.IsZero() {
					first = w
				}
				last = w
			}
		}
	}
	return marks, first, last
}

// TestFlightRecordingAtFailedGate runs a scenario whose gate fails in stage
// 2, against a service in the test process, and checks that the result
// keeps a flight recording taken at the gate, written beside the result,
// that go tool trace's parser reads, and that covers the failing stage
// from its start to the gate's verdict: the trace holds the harness's
// marks of that stage's start, of the seconds that ended in it, and of the
// gate.
func TestFlightRecordingAtFailedGate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs load")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer srv.Close()
	pass := func(*StageResult) error { return nil }
	fail := func(*StageResult) error { return errors.New("p99 too high, as this test says") }
	res := runHTTPWith(t, GET(srv.URL), Ramp(
		Rate(200).For(time.Second).Named("warm").Gated(pass),
		Rate(200).For(2*time.Second).Named("failing").Gated(fail),
		Rate(200).For(time.Second).Named("never"),
	), func(s *Scenario) { s.FlightRecorder.On = true })

	fr := res.FlightRecording
	if fr == nil {
		t.Fatalf("no flight recording; warnings: %q", res.Warnings)
	}
	if fr.Moment != FlightGate || fr.Stage != "failing" || fr.Reason != "p99 too high, as this test says" || fr.Second < 2 || fr.Bytes <= 0 {
		t.Errorf("flight recording %+v: want the gate of stage failing, taken in its last second", fr)
	}
	dir := t.TempDir()
	path, err := WriteFile(dir, res)
	if err != nil {
		t.Fatal(err)
	}
	if fr.File != filepath.Base(strings.TrimSuffix(path, ".json"))+".trace" {
		t.Errorf("flight recording file %q beside result %s", fr.File, path)
	}
	back, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.FlightRecording == nil || *back.FlightRecording != *fr {
		t.Errorf("the result file says %+v, want %+v", back.FlightRecording, fr)
	}
	tracePath := filepath.Join(dir, fr.File)
	data, err := os.ReadFile(tracePath)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(data)) != fr.Bytes || !regexp.MustCompile(`^go 1\.\d+ trace\x00+$`).Match(data[:16]) {
		t.Fatalf("trace file of %d bytes (recorded %d) starts %q, want a Go execution trace header", len(data), fr.Bytes, data[:min(16, len(data))])
	}

	marks, first, last := traceMarks(t, tracePath)
	t.Logf("the trace spans %v of wall clock, %s to %s; marks: %q", last.Sub(first).Round(time.Millisecond), first.Format(time.RFC3339Nano), last.Format(time.RFC3339Nano), marks)
	for _, want := range []string{
		"stage failing started",
		"second 1 ended", // the failing stage's first whole second
		"gate in stage failing: p99 too high, as this test says",
	} {
		if !containsPrefix(marks, want) {
			t.Errorf("the trace has no mark %q; it has %q", want, marks)
		}
	}
	if containsPrefix(marks, "stage never started") {
		t.Errorf("the trace goes on after the gate: %q", marks)
	}
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// TestFlightRecordingMoments checks the two other moments: the worst
// second of a run that nothing stopped (the second of a hundredfold slowdown),
// and the abort rule.
func TestFlightRecordingMoments(t *testing.T) {
	if testing.Short() {
		t.Skip("runs load")
	}
	t.Run("worst second", func(t *testing.T) {
		var start time.Time
		var once sync.Once
		target := Func(func(ctx context.Context) error {
			once.Do(func() { start = time.Now() })
			d := time.Millisecond
			// The middle of second 1 is slower by far more than a busy
			// machine's noise: with 10 ms, a CI machine that stalled the
			// process 20 to 60 ms at a time put a p99 of 60 ms in second 2.
			if since := time.Since(start); since > 1100*time.Millisecond && since < 1900*time.Millisecond {
				d = 100 * time.Millisecond
			}
			time.Sleep(d)
			return nil
		})
		res := runHTTPWith(t, target, Users(2).For(3*time.Second), func(s *Scenario) { s.FlightRecorder.On = true })
		fr := res.FlightRecording
		if fr == nil || fr.Moment != FlightWorstSecond || fr.Second != 1 || !strings.HasPrefix(fr.Reason, "p99 ") {
			t.Errorf("flight recording %+v, want the worst second, 1; timeline %+v", fr, res.Timeline)
		}
	})
	t.Run("abort", func(t *testing.T) {
		target := Func(func(ctx context.Context) error { time.Sleep(5 * time.Millisecond); return nil })
		res := runHTTPWith(t, target, Users(2).For(5*time.Second).Named("slow"), func(s *Scenario) {
			s.FlightRecorder.On = true
			s.Abort = Abort{P99: time.Millisecond, Sustained: time.Second}
		})
		fr := res.FlightRecording
		if res.Stopped == nil || res.Stopped.Cause != "abort" {
			t.Fatalf("stopped %+v, want the abort rule", res.Stopped)
		}
		if fr == nil || fr.Moment != FlightAbort || fr.Stage != "slow" || fr.Reason != res.Stopped.Reason {
			t.Errorf("flight recording %+v, want the abort of stage slow (%s)", fr, res.Stopped.Reason)
		}
	})
}

// TestFlightRecorderOnePerProcess runs two scenarios at once with their
// flight recording on: the process has one flight recorder, so one gets a
// recording and the other a warning naming the first.
func TestFlightRecorderOnePerProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("runs load")
	}
	target := Func(func(context.Context) error { time.Sleep(time.Millisecond); return nil })
	var wg sync.WaitGroup
	results := make([]*Result, 2)
	for i := range results {
		wg.Go(func() {
			s := Scenario{Name: "parallel " + strconv.Itoa(i), Target: target, Load: Users(1).For(time.Second),
				FlightRecorder: FlightRecorder{On: true}, Leaks: LeakCheck{Off: true}}
			results[i] = executeScenario(t, s.withDefaults(1))
		})
	}
	wg.Wait()
	with, without := results[0], results[1]
	if with.FlightRecording == nil {
		with, without = without, with
	}
	if with.FlightRecording == nil || without.FlightRecording != nil {
		t.Fatalf("recordings %v and %v, want exactly one", with.FlightRecording, without.FlightRecording)
	}
	want := "no flight recording: scenario " + with.Scenario + " held the process's one flight recorder"
	if len(without.Warnings) == 0 || !strings.HasPrefix(without.Warnings[0], want) {
		t.Errorf("warnings of %s: %q, want %q", without.Scenario, without.Warnings, want)
	}
	// Released at the end of the run: the next one gets it.
	again := executeScenario(t, Scenario{Name: "after", Target: target, Load: Users(1).For(100 * time.Millisecond),
		FlightRecorder: FlightRecorder{On: true}}.withDefaults(1))
	if again.FlightRecording == nil {
		t.Errorf("no recording after the parallel runs ended: %q", again.Warnings)
	}
}

// TestFlightFromEnv checks LOADGATE_FLIGHT: 1 turns the recording on for
// a scenario that does not ask for one, a bad value is refused.
func TestFlightFromEnv(t *testing.T) {
	target := Func(func(context.Context) error { return nil })
	s := Scenario{Name: "env", Target: target, Load: Users(1).For(50 * time.Millisecond)}
	t.Setenv(EnvFlight, "1")
	res, err := Execute(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if res.FlightRecording == nil {
		t.Errorf("%s=1: no flight recording (warnings %q)", EnvFlight, res.Warnings)
	}
	t.Setenv(EnvFlight, "0")
	if res, err = Execute(context.Background(), s); err != nil || res.FlightRecording != nil {
		t.Errorf("%s=0: recording %v, err %v; want none", EnvFlight, res.FlightRecording, err)
	}
	t.Setenv(EnvFlight, "yes please")
	if _, err := Execute(context.Background(), s); err == nil || !strings.Contains(err.Error(), EnvFlight) {
		t.Errorf("%s=yes please: err %v, want one naming the variable", EnvFlight, err)
	}
}

// TestWriteFileWithTrace checks the names of results and their traces:
// each result names its own trace, no run overwrites another, and a run
// without a recording takes the next number.
func TestWriteFileWithTrace(t *testing.T) {
	dir := t.TempDir()
	withTrace := func() *Result {
		return &Result{Schema: SchemaVersion, Scenario: "check out", FlightRecording: &FlightRecording{Moment: FlightGate}, flightTrace: []byte("go 1.26 trace\x00\x00\x00data")}
	}
	var paths []string
	for _, r := range []*Result{withTrace(), withTrace(), {Schema: SchemaVersion, Scenario: "check out"}} {
		path, err := WriteFile(dir, r)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, filepath.Base(path))
		var back struct {
			FlightRecording *FlightRecording `json:"flight_recording"`
		}
		data, _ := os.ReadFile(path)
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		if r.FlightRecording != nil && (back.FlightRecording == nil || back.FlightRecording.File != strings.TrimSuffix(filepath.Base(path), ".json")+".trace") {
			t.Errorf("%s names trace %+v", path, back.FlightRecording)
		}
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := "check_out.2.json check_out.2.trace check_out.3.json check_out.json check_out.trace"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("files %s, want %s (results %v)", got, want, paths)
	}
}

// fakeSnapshots is a flight's recorder whose snapshots are "snapshot N",
// or fail while fail is set.
type fakeSnapshots struct {
	n    int
	fail bool
}

func (f *fakeSnapshots) WriteTo(w io.Writer) (int64, error) {
	f.n++
	if f.fail {
		n, _ := io.WriteString(w, "half a snap") // what a failed flush may leave
		return int64(n), errors.New("flush failed")
	}
	n, err := fmt.Fprintf(w, "snapshot %d", f.n)
	return int64(n), err
}

func (f *fakeSnapshots) Stop() {}

// TestFlightSnapshotFailureKeepsEarlier: a snapshot that fails leaves the
// one kept before it. It set the kept recording to nil and emptied its
// buffer, so a failed snapshot of a later, worse second, or of a gate,
// lost the worst second's recording kept so far.
func TestFlightSnapshotFailureKeepsEarlier(t *testing.T) {
	fake := &fakeSnapshots{}
	f := &flight{fr: fake, window: time.Second}
	f.measuring(time.Now())
	f.second(Second{Second: 0, Requests: 10, P99NS: int64(5 * time.Millisecond)}, "s")
	fake.fail = true
	f.second(Second{Second: 1, Requests: 10, P99NS: int64(9 * time.Millisecond)}, "s")
	f.stopped(FlightGate, "s", "p99 too high")
	// (Not f.stop, which lets go of the process's recorder that another
	// test may hold.)
	rec, data := f.kept, f.buf.String()
	if rec == nil {
		t.Fatalf("no recording kept; error %v", f.err)
	}
	if rec.Moment != FlightWorstSecond || rec.Second != 0 || data != "snapshot 1" || rec.Bytes != int64(len(data)) {
		t.Errorf("kept %+v with %q, want second 0's, \"snapshot 1\"", rec, data)
	}
	if f.err == nil || f.err.Error() != "flush failed" {
		t.Errorf("error %v, want the failed snapshot's, for stop's warning", f.err)
	}
	// Neither frozen by the gate's failed snapshot nor barred by the
	// failed second's p99 (9ms): a second worse than the kept one (5ms)
	// takes its place. The test gave this second 8ms and wanted second
	// 0's kept, so it could not tell a frozen flight from one that was not.
	fake.fail = false
	f.second(Second{Second: 2, Requests: 10, P99NS: int64(8 * time.Millisecond)}, "s")
	if rec, data := f.kept, f.buf.String(); rec == nil || rec.Second != 2 || data != "snapshot 4" {
		t.Errorf("kept %+v with %q, want second 2's, \"snapshot 4\"", rec, data)
	}

	// A worse second after a failure replaces the one kept.
	fake = &fakeSnapshots{}
	f = &flight{fr: fake, window: time.Second}
	f.second(Second{Second: 0, Requests: 10, P99NS: int64(5 * time.Millisecond)}, "s")
	fake.fail = true
	f.second(Second{Second: 1, Requests: 10, P99NS: int64(6 * time.Millisecond)}, "s")
	fake.fail = false
	f.second(Second{Second: 2, Requests: 10, P99NS: int64(7 * time.Millisecond)}, "s")
	if rec, data := f.kept, f.buf.String(); rec == nil || rec.Second != 2 || data != "snapshot 3" {
		t.Errorf("kept %+v with %q, want second 2's, \"snapshot 3\"", rec, data)
	}
}

// TestFlightWorstSecondAfterLoad: the timeline counts a request in the
// second it completed, so a 1 s load whose one request took 3 s has its
// worst second at +3s, after the load. The recording said "at the worst
// second of the load, +3s to +4s", a second the load never reached.
func TestFlightWorstSecondAfterLoad(t *testing.T) {
	tests := []struct {
		name   string
		second int64
		want   string
	}{
		{"in the load", 0, "at the worst second of the load, +0s to +1s (p99 3s)"},
		{"in the drain", 3, "at the worst second, +3s to +4s, after the load ended, as requests sent during it completed (p99 3s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &flight{fr: &fakeSnapshots{}, window: time.Second}
			start := time.Now().Add(-5 * time.Second)
			f.measuring(start)
			f.ended(start.Add(time.Second + time.Millisecond))
			f.second(Second{Second: tt.second, Requests: 1, P99NS: int64(3 * time.Second)}, "1/s")
			if f.kept == nil {
				t.Fatal("no recording kept")
			}
			if got := f.kept.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}
