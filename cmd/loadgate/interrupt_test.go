//go:build unix

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/gotest"
)

// TestRunInterrupt is Ctrl-C during loadgate run: go test (here the fake,
// which replays part of a run and then waits) gets the interrupt, a child
// it started dies with it (same process group), what finished is still
// summarised, and the exit status is 130.
func TestRunInterrupt(t *testing.T) {
	tests := []struct {
		name, hang string
		grace      time.Duration
	}{
		{"stops on interrupt", "wait", 5 * time.Second},
		// A go test that ignores the interrupt is killed after the grace.
		{"killed after grace", "ignore", 200 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func(d time.Duration) { gotest.KillGrace = d }(gotest.KillGrace)
			gotest.KillGrace = tt.grace
			log := fakeRun{events: "../../testdata/gotest/partial.jsonl", results: "../../testdata/gotest/examples", hang: tt.hang}.install(t)
			r := interrupted(t, log, "run", "-progress", "plain", "-out", t.TempDir(), "./examples/...")
			for _, want := range []string{
				"TestLoadCatalogue", // finished: in the table
				"INTERRUPTED: go test was stopped; 2 of 3 tests finished; cut short: TestLoadCheckout",
			} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("output lacks %q:\n%s", want, r.stdout)
				}
			}
			if strings.Contains(r.stdout, "package github.com/loadgate/loadgate/examples/shop failed") {
				t.Errorf("the package stopped by the interrupt is reported as a failure:\n%s", r.stdout)
			}
			data, _ := os.ReadFile(log)
			if tt.hang == "wait" && !strings.Contains(string(data), "interrupted") {
				t.Errorf("go test was not interrupted:\n%s", data)
			}
			var pid int
			for _, line := range strings.Split(string(data), "\n") {
				if p, ok := strings.CutPrefix(line, "grandchild "); ok {
					pid, _ = strconv.Atoi(p)
				}
			}
			if pid == 0 {
				t.Fatalf("no grandchild started:\n%s", data)
			}
			deadline := time.Now().Add(10 * time.Second)
			for processAlive(pid) {
				if time.Now().After(deadline) {
					syscall.Kill(pid, syscall.SIGKILL)
					t.Fatalf("process %d, started by go test, outlived loadgate run", pid)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

// waitFor waits until the file holds a line.
func waitFor(t *testing.T, path, line string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		data, _ := os.ReadFile(path)
		for _, l := range strings.Split(string(data), "\n") {
			if l == line {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never said %q:\n%s", path, line, data)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// processAlive tells whether pid names a live process (not a zombie).
func processAlive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no /proc: trust kill
	}
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z"
}

// TestRunBaseInterrupt is Ctrl-C while the base's go test runs, with a
// base run in turn with the head: loadgate stops there, and starts no
// head go test after the interrupt (was: it printed "loadgate: head: go
// test …" and started one, which looked as if Ctrl-C had been ignored).
func TestRunBaseInterrupt(t *testing.T) {
	inGit(t)
	log := fakeRun{events: "../../testdata/gotest/partial.jsonl", results: "../../testdata/gotest/examples", hang: "wait"}.install(t)
	r := interrupted(t, log, "run", "-progress", "off", "-count", "2", "-out", t.TempDir(), "-base", "HEAD", "./examples/shop")
	data, _ := os.ReadFile(log)
	if n := strings.Count(string(data), "go test "); n != 1 {
		t.Errorf("go test ran %d times, want 1 (the base's, interrupted):\n%s", n, data)
	}
	if strings.Contains(r.stdout, "loadgate: head: go test") {
		t.Errorf("a head go test was started after the interrupt:\n%s", r.stdout)
	}
}

// interrupted runs loadgate with args, cancels its context (as Ctrl-C
// does) once the fake go test logged "waiting" to log, and returns what
// it did, after checking that it returned within a minute with the
// interrupted exit status.
func interrupted(t *testing.T, log string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan result, 1)
	go func() { done <- loadgate(ctx, args...) }()
	waitFor(t, log, "waiting")
	cancel()
	var r result
	select {
	case r = <-done:
	case <-time.After(time.Minute):
		t.Fatalf("loadgate %s did not return a minute after the interrupt", args[0])
	}
	if r.code != exitInterrupted {
		t.Errorf("exit status %d, want %d\n%s", r.code, exitInterrupted, r)
	}
	return r
}
