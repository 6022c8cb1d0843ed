package baseline

// Reliability cases of issue 20 ("nothing lost, nothing passing by
// accident"), each named after the failure it guards.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/lease"
)

// setTestCount sets go test's -count for the rest of t, as
// go test -count=n would.
func setTestCount(t *testing.T, n string) {
	t.Helper()
	f := flag.Lookup("test.count")
	if f == nil {
		t.Skip("no -test.count flag outside go test")
	}
	old := f.Value.String()
	if err := f.Value.Set(n); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Value.Set(old) })
}

// TestIssue20SuitePassesUnderCount (failure 2): Check takes the runs of a
// session from -test.count, so the package's own tests that record or
// compare one run into a directory of their own say so with WithRuns(1),
// and pass at go test -count=3 as at -count=1; a Check without it still
// follows -count.
func TestIssue20SuitePassesUnderCount(t *testing.T) {
	setTestCount(t, "3")
	dir := t.TempDir()
	tb := &fakeTB{}
	Check(tb, result("checkout", time.Millisecond, 1), WithDir(dir), WithUpdate(true), WithRuns(1))
	if b, err := Load(Path(dir, "checkout")); err != nil || len(b.Runs) != 1 || tb.failed() {
		t.Fatalf("WithRuns(1) under -count=3: %v\n%s", err, tb.text())
	}
	other := t.TempDir()
	for i := range 3 {
		tb := &fakeTB{}
		Check(tb, result("checkout", time.Millisecond, uint64(i)), WithDir(other), WithUpdate(true), WithUpdateID("count"))
		_, err := Load(Path(other, "checkout"))
		if recorded := err == nil; recorded != (i == 2) || tb.failed() {
			t.Fatalf("run %d of -count=3: recorded %v (%v)\n%s", i+1, recorded, err, tb.text())
		}
	}
}

// TestIssue20ImpossibleRunsRefused (failure 3): the checks of result files
// hold where results and baselines enter a comparison from memory or
// from a baseline file: a negative p99 and a p99 above its p99.9 are
// refused with the field and value.
func TestIssue20ImpossibleRunsRefused(t *testing.T) {
	neg := result("checkout", time.Millisecond, 1)
	neg.Latency.P99NS = -5000000
	if _, err := SampleOf(neg); err == nil || !strings.Contains(err.Error(), "latency.p99_ns = -5000000: negative") {
		t.Errorf("SampleOf a result with p99 -5ms: %v", err)
	}
	huge := result("checkout", time.Millisecond, 2)
	huge.Latency.P99NS = math.MaxInt64
	if _, _, err := RecordSession(filepath.Join(t.TempDir(), "checkout.json"), "u", 1, huge); err == nil || !strings.Contains(err.Error(), "latency.p99_ns = 9223372036854775807: above 1h0m0s") {
		t.Errorf("recording a result with p99 MaxInt64: %v", err)
	}
	b := &Baseline{Schema: SchemaVersion, Scenario: "checkout", UpdateID: "u", Runs: []Run{run(time.Millisecond, 2*time.Millisecond)}}
	b.Runs[0].P99NS = math.MaxInt64
	data, _ := json.Marshal(b)
	if _, err := Parse(data, "checkout.json"); err == nil || !strings.Contains(err.Error(), "checkout.json: baseline of checkout: run 1: p99_ns = 9223372036854775807 is above 1h0m0s") {
		t.Errorf("a baseline with p99 MaxInt64: %v", err)
	}
	b.Runs[0].P99NS = b.Runs[0].P999NS + 1
	data, _ = json.Marshal(b)
	if _, err := Parse(data, "checkout.json"); err == nil || !strings.Contains(err.Error(), "checkout.json: baseline of checkout: run 1: p99_ns = ") || !strings.Contains(err.Error(), "is above p999_ns") {
		t.Errorf("a baseline with p99 above p999: %v", err)
	}
}

// TestIncompleteBaselineRefused: a baseline run without a field loadgate
// writes, or with null in it, is refused naming the run and the field
// (was: a run without "throughput" read as 0/s, and no head's throughput
// could fall below it).
func TestIncompleteBaselineRefused(t *testing.T) {
	b := &Baseline{Schema: SchemaVersion, Scenario: "checkout", UpdateID: "u",
		Runs: []Run{run(time.Millisecond, 2*time.Millisecond), run(time.Millisecond, 2*time.Millisecond)}}
	data, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(data, "checkout.json"); err != nil {
		t.Fatalf("the complete baseline: %v", err)
	}
	for _, c := range []struct{ name, old, new, want string }{
		{"a run without throughput", `"throughput":`, `"x":`, `checkout.json: baseline of checkout: run 1: no "throughput" field`},
		{"a null p99", `"p99_ns":`, `"p99_ns":null,"x":`, `run 1: p99_ns: null, where loadgate writes a value`},
		{"no latency", `"latency":`, `"x":`, `checkout.json: baseline of checkout: no "latency" field`},
		// Was "baseline of : no "scenario" field".
		{"no scenario", `"scenario":"checkout"`, `"x":"checkout"`, `checkout.json: baseline: no "scenario" field`},
	} {
		edited := strings.Replace(string(data), c.old, c.new, 1)
		if _, err := Parse([]byte(edited), "checkout.json"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want %q", c.name, err, c.want)
		}
	}
	empty := strings.Replace(string(data), string(data[strings.Index(string(data), `"runs":`):strings.Index(string(data), `,"latency"`)]), `"runs":[{},{}]`, 1)
	if _, err := Parse([]byte(empty), "checkout.json"); err == nil || !strings.Contains(err.Error(), `run 1: no "run_id" field`) {
		t.Errorf("runs that are {}: %v", err)
	}
	b.Runs[1].Throughput = 1e308
	data, _ = json.Marshal(b)
	if _, err := Parse(data, "checkout.json"); err == nil || !strings.Contains(err.Error(), "run 2: throughput 1e+308/s is faster than") {
		t.Errorf("a throughput of 1e308/s: %v", err)
	}
}

// The helper processes of the tests below: go test's -p runs packages in
// processes of their own, and an update's guarantees are between them.
const (
	envHelper     = "BASELINE_TEST_HELPER"      // serve, middle or orphan
	envHelperPath = "BASELINE_TEST_HELPER_PATH" // the baseline file
	envHelperGo   = "BASELINE_TEST_HELPER_GO"   // orphan: record once this file exists
	envHelperOut  = "BASELINE_TEST_HELPER_OUT"  // orphan: where to write what Check said
)

// TestIssue20Helper is not a test: it is the helper process of the tests
// below, run by them with BASELINE_TEST_HELPER set.
func TestIssue20Helper(t *testing.T) {
	path := os.Getenv(envHelperPath)
	switch os.Getenv(envHelper) {
	case "":
		t.Skip("a helper process of other tests")
	case "serve":
		// Record as told on stdin, one "record ID COMPLETE SEED" a line,
		// answering each on stdout.
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			var id string
			var complete int
			var seed uint64
			if _, err := fmt.Sscanf(sc.Text(), "record %s %d %d", &id, &complete, &seed); err != nil {
				fmt.Println("err", err)
				continue
			}
			r, err := recordSession(path, id, complete, result("checkout", time.Millisecond, seed))
			switch {
			case err != nil:
				fmt.Printf("err %v | %s\n", err, r.discarded)
			default:
				fmt.Printf("ok %d %v | %s\n", len(r.b.Runs), r.saved, r.discarded)
			}
		}
	case "middle":
		// go test: start the test binary, say its pid, and wait to be
		// killed.
		cmd := exec.Command(os.Args[0], "-test.run=^TestIssue20Helper$", "-test.count=1")
		cmd.Env = append(os.Environ(), envHelper+"=orphan")
		if err := cmd.Start(); err != nil {
			fmt.Println("err", err)
			os.Exit(1)
		}
		fmt.Println(cmd.Process.Pid)
		select {}
	case "orphan":
		// The test binary go test left running: record once told to.
		os.WriteFile(os.Getenv(envHelperOut)+".ready", nil, 0o644)
		for range 3000 {
			if _, err := os.Stat(os.Getenv(envHelperGo)); err == nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		tb := &fakeTB{}
		Check(tb, result("checkout", time.Millisecond, 7), WithDir(filepath.Dir(path)), WithUpdate(true), WithRuns(1))
		os.WriteFile(os.Getenv(envHelperOut), []byte(tb.text()), 0o644)
	}
}

// helper is a serving helper process recording into one baseline.
type helper struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

func startHelper(t *testing.T, path string, env ...string) *helper {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestIssue20Helper$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), envHelper+"=serve", envHelperPath+"="+path), env...)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &helper{cmd: cmd, in: in, out: bufio.NewScanner(out)}
	t.Cleanup(h.stop)
	return h
}

// record asks the helper to record one run and returns its answer.
func (h *helper) record(t *testing.T, id string, complete int, seed uint64) string {
	t.Helper()
	fmt.Fprintf(h.in, "record %s %d %d\n", id, complete, seed)
	if !h.out.Scan() {
		t.Fatalf("the helper said nothing: %v", h.out.Err())
	}
	return h.out.Text()
}

// stop ends the helper as a finished test process would, closing its
// input; a helper already killed is only waited for.
func (h *helper) stop() {
	h.in.Close()
	h.cmd.Wait()
}

// kill ends the helper as kill -9 would.
func (h *helper) kill() {
	h.cmd.Process.Kill()
	h.cmd.Wait()
}

// TestIssue20ConcurrentUpdatesRefused (failure 1): two updates of one
// baseline at once threw away each other's staged runs, neither reached
// its count, a staging file was left and both said success. Now the
// second is refused at its first run, naming the first; the first, whose
// runs shared the machine with the second's load, records nothing more
// either; the stored baseline is left byte for byte, and no staging file
// remains.
func TestIssue20ConcurrentUpdatesRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := t.TempDir()
	path := Path(dir, "checkout")
	if _, _, err := RecordSession(path, "old", 1, result("checkout", time.Millisecond, 1)); err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	a, b := startHelper(t, path), startHelper(t, path)
	if got := a.record(t, "a", 3, 10); !strings.HasPrefix(got, "ok 1 false") {
		t.Fatalf("first run of update a: %s", got)
	}
	got := b.record(t, "b", 3, 20)
	if !strings.HasPrefix(got, "err not recording into "+path+": another update of this baseline is running: update session a is recording it (1 run staged in "+StagedPath(path)) {
		t.Errorf("update b, while a stages its runs: %s", got)
	}
	if got := a.record(t, "a", 3, 11); !strings.Contains(got, "another update of it ran alongside this one, so these runs measured both loads (pid ") || !strings.Contains(got, "the stored baseline is left as it was") {
		t.Errorf("update a, after b was refused: %s", got)
	}
	for _, h := range []*helper{a, b} {
		if got := h.record(t, map[*helper]string{a: "a", b: "b"}[h], 3, 30); !strings.Contains(got, "another update of this baseline is running") {
			t.Errorf("a later run of an update that overlapped another: %s", got)
		}
		h.stop()
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, old) {
		t.Errorf("the stored baseline changed")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("left in the directory: %v; want the baseline alone", names)
	}
}

// TestIssue20FixedUpdateIDDoesNotMix (failure 7): with LOADGATE_UPDATE_ID
// fixed, the runs a killed update had staged were taken into the next
// update of the same id, which replaced the baseline after 3 of its 5
// runs and then grew it to 7. Staged runs whose process has exited are
// discarded (and said so), and a baseline another process wrote is
// replaced, not added to, whatever its id.
func TestIssue20FixedUpdateIDDoesNotMix(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	path := Path(t.TempDir(), "checkout")
	killed := startHelper(t, path)
	for i := range 2 {
		if got := killed.record(t, "fixed", 5, uint64(i)); !strings.HasPrefix(got, "ok") {
			t.Fatal(got)
		}
	}
	killed.kill()
	next := startHelper(t, path)
	for i := range 5 {
		got := next.record(t, "fixed", 5, uint64(10+i))
		want := fmt.Sprintf("ok %d %v | ", i+1, i == 4)
		if i == 0 {
			want += "discarded 2 runs of update session fixed staged in " + StagedPath(path) + ", which stopped before its last run"
		}
		if !strings.HasPrefix(got, want) {
			t.Fatalf("run %d of the next update: %s\nwant %s", i+1, got, want)
		}
	}
	next.stop()
	b, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"run10", "run11", "run12", "run13", "run14"}; !slices.Equal(runIDs(b), want) {
		t.Errorf("runs %v, want %v", runIDs(b), want)
	}
	// Another process, the same id: a new update, not more of the old one.
	again := startHelper(t, path)
	if got := again.record(t, "fixed", 1, 20); !strings.HasPrefix(got, "ok 1 true") {
		t.Errorf("an update of the same id in another process: %s", got)
	}
}

func runIDs(b *Baseline) []string {
	var ids []string
	for _, r := range b.Runs {
		ids = append(ids, r.RunID)
	}
	return ids
}

// TestIssue20OrphanedUpdateStopsRecording (failure 8): killing go test
// without -v left the test binary running, and it went on to replace the
// baseline the user meant to abort. A test binary whose parent has exited
// records nothing, and says why.
func TestIssue20OrphanedUpdateStopsRecording(t *testing.T) {
	if testing.Short() || runtime.GOOS == "windows" {
		t.Skip("starts processes; an orphan keeps its parent's pid on Windows")
	}
	dir := t.TempDir()
	path := Path(dir, "checkout")
	goFile, outFile := filepath.Join(t.TempDir(), "go"), filepath.Join(t.TempDir(), "out")
	middle := exec.Command(os.Args[0], "-test.run=^TestIssue20Helper$", "-test.count=1")
	middle.Env = append(os.Environ(), envHelper+"=middle", envHelperPath+"="+path, envHelperGo+"="+goFile, envHelperOut+"="+outFile)
	stdout, err := middle.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := middle.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() {
		middle.Process.Kill()
		middle.Wait()
		t.Fatal("the middle process said nothing")
	}
	orphan, err := strconv.Atoi(sc.Text())
	if err != nil {
		middle.Process.Kill()
		middle.Wait()
		t.Fatal(sc.Text())
	}
	// Once the test binary has started (it knows its parent then)...
	for range 3000 {
		if _, err := os.Stat(outFile + ".ready"); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	middle.Process.Kill() // ...go test is killed: its test binary runs on
	middle.Wait()
	if err := os.WriteFile(goFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var said []byte
	for range 3000 {
		if said, err = os.ReadFile(outFile); err == nil && len(said) > 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(said) == 0 {
		if p, err := os.FindProcess(orphan); err == nil {
			p.Kill()
		}
		t.Fatal("the orphaned test binary said nothing")
	}
	if !strings.Contains(string(said), "not recording this run into "+path+": the command driving the update has exited: the process that started this test binary (pid ") {
		t.Errorf("the orphan said:\n%s", said)
	}
	if _, err := Load(path); !errors.Is(err, ErrNoBaseline) {
		t.Errorf("the orphan recorded: %v", err)
	}
}

// TestIssue20LeaseGoneStopsRecording (failure 8): under loadgate baseline
// update the test binary's parent is go test, which can outlive a killed
// loadgate; the lease loadgate holds (LOADGATE_UPDATE_LEASE) goes with it.
// A run after the lease is gone records nothing, and the runs staged so
// far are dropped.
func TestIssue20LeaseGoneStopsRecording(t *testing.T) {
	dir := t.TempDir()
	l, err := lease.Take(filepath.Join(t.TempDir(), "update.lease"), lease.Holder{ID: "driven", Note: "a test"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	t.Setenv(EnvUpdateLease, l.Path())
	t.Setenv(EnvUpdateID, "driven")
	tb := &fakeTB{}
	Check(tb, result("checkout", time.Millisecond, 1), WithDir(dir), WithUpdate(true), WithRuns(2))
	if tb.failed() || !strings.Contains(tb.text(), "recorded run 1 of 2") {
		t.Fatalf("under a live lease:\n%s", tb.text())
	}
	l.Release() // loadgate killed
	tb = &fakeTB{}
	Check(tb, result("checkout", time.Millisecond, 2), WithDir(dir), WithUpdate(true), WithRuns(2))
	if !strings.Contains(tb.text(), "the command driving the update has exited: its lease "+l.Path()+" (LOADGATE_UPDATE_LEASE) is no longer held; the stored baseline is unchanged (the 1 runs staged so far are dropped)") {
		t.Errorf("after the lease went:\n%s", tb.text())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("%d files left in the baseline directory", len(entries))
	}
}
