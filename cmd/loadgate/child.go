package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// goCommand is the go command loadgate runs. Tests replace it with a fake
// that replays recorded events.
var goCommand = "go"

// killGrace is how long go test has, after the interrupt loadgate forwards,
// before it and its tests are killed.
var killGrace = 5 * time.Second

// listedPackage is what go list says of a package.
type listedPackage struct {
	ImportPath string
	Dir        string
	Error      *struct{ Err string }
}

// listPackages resolves package patterns with go list, so that a package
// that does not exist is an error before anything runs, and so that
// loadgate knows each package's directory (where its baselines are).
func listPackages(ctx context.Context, patterns []string) ([]listedPackage, error) {
	args := append([]string{"list", "-e", "-json=ImportPath,Dir,Error"}, patterns...)
	cmd := exec.CommandContext(ctx, goCommand, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("go list: %s", msg)
	}
	var pkgs []listedPackage
	var errs []error
	dec := json.NewDecoder(&stdout)
	for {
		var p listedPackage
		err := dec.Decode(&p)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("go list: %v", err)
		}
		if p.Dir == "" {
			// Not found: a directory, a pattern or an import path that
			// resolves to nothing. Packages that exist but do not build
			// are left to go test, which says why.
			msg := "not found"
			if p.Error != nil {
				msg = p.Error.Err
			}
			errs = append(errs, fmt.Errorf("package %s: %s", p.ImportPath, msg))
			continue
		}
		pkgs = append(pkgs, p)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(pkgs) == 0 {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = "no packages match " + strings.Join(patterns, " ")
		}
		return nil, errors.New(msg)
	}
	return pkgs, nil
}

// goTest is a running go test -json.
type goTest struct {
	cmd    *exec.Cmd
	events chan Event
	done   chan error // the exit of go test, once the events are read
	stderr *tailBuffer

	interruptOnce sync.Once
}

// startGoTest starts go with args (test -json ...) and env, in a process
// group of its own: an interrupt of loadgate reaches go test and its test
// binaries only through [goTest.interrupt], so that loadgate decides when.
// The events arrive on g.events, which is closed when go test has exited
// and its output is read; its exit status then arrives on g.done.
func startGoTest(args, env []string) (*goTest, error) {
	cmd := exec.Command(goCommand, args...)
	cmd.Env = env
	setProcessGroup(cmd)
	pr, pw := io.Pipe()
	g := &goTest{cmd: cmd, events: make(chan Event, 256), done: make(chan error, 1), stderr: &tailBuffer{max: 64 << 10}}
	cmd.Stdout = pw
	cmd.Stderr = g.stderr
	// A grandchild that keeps the output open (a server a test started
	// and did not stop) must not hang loadgate once go test has exited.
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting go test: %w", err)
	}
	exited := make(chan error, 1)
	go func() {
		err := cmd.Wait()
		pw.Close()
		exited <- err
	}()
	go func() {
		readEvents(pr, func(e Event) { g.events <- e })
		close(g.events)
		g.done <- <-exited
	}()
	return g, nil
}

// interrupt stops go test as Ctrl-C in a terminal would: an interrupt to
// its whole process group, and after killGrace a kill.
func (g *goTest) interrupt() {
	g.interruptOnce.Do(func() {
		interruptGroup(g.cmd.Process)
		time.AfterFunc(killGrace, func() { killGroup(g.cmd.Process) })
	})
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

// childEnv returns the environment for go test: loadgate's own, with
// the given variables set (replacing any inherited value).
func childEnv(set map[string]string) []string {
	env := os.Environ()
	out := env[:0:0]
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; !ok {
			out = append(out, kv)
		}
	}
	for k, v := range set {
		out = append(out, k+"="+v)
	}
	return out
}
