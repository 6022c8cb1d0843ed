package gotest

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"time"
)

// Command is the go command that List and Start run. Tests replace it
// with a fake that replays recorded events.
var Command = "go"

// KillGrace is how long go test has, after [Process.Interrupt], before it
// and its tests are killed.
var KillGrace = 5 * time.Second

// Process is a running go test -json.
type Process struct {
	cmd    *exec.Cmd
	events chan Event
	done   chan error // the exit of go test, once the events are read
	stderr *tailBuffer

	interruptOnce sync.Once
}

// Start starts go with args (test -json ...) and env (see [Settings.Env])
// in dir ("" for the current directory), in a process group of its own:
// an interrupt of the caller reaches go test and its test binaries only
// through [Process.Interrupt], so that the caller decides when. The caller
// must call [Process.Follow], which reads every event and the exit status.
func Start(dir string, args, env []string) (*Process, error) {
	cmd := exec.Command(Command, args...)
	cmd.Dir, cmd.Env = dir, env
	setProcessGroup(cmd)
	pr, pw := io.Pipe()
	p := &Process{cmd: cmd, events: make(chan Event, 256), done: make(chan error, 1), stderr: &tailBuffer{max: 64 << 10}}
	cmd.Stdout = pw
	cmd.Stderr = p.stderr
	// A grandchild that keeps the output open (a server a test started
	// and did not stop) must not hang the caller once go test has exited.
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
		ReadEvents(pr, func(e Event) { p.events <- e })
		close(p.events)
		p.done <- <-exited
	}()
	return p, nil
}

// Isolate makes cmd start in a process group of its own, which canceling
// its context kills whole: what it started (go run, go test, test binaries,
// servers they run) goes with it.
func Isolate(cmd *exec.Cmd) {
	setProcessGroup(cmd)
	cmd.Cancel = func() error { killGroup(cmd.Process); return nil }
}

// Stderr returns the end of what go test wrote to its standard error (go's
// own complaints: a bad flag, no such package).
func (p *Process) Stderr() string { return p.stderr.String() }

// Interrupt stops go test as Ctrl-C in a terminal would: an interrupt to
// its whole process group, and after [KillGrace] a kill.
func (p *Process) Interrupt() {
	p.interruptOnce.Do(func() {
		interruptGroup(p.cmd.Process)
		time.AfterFunc(KillGrace, func() { killGroup(p.cmd.Process) })
	})
}

// Observer is told what [Process.Follow] folds into the session. Either
// func may be nil.
type Observer struct {
	// Event is called after each event is folded in: t is the test it was
	// about (nil for none) and c what changed.
	Event func(s *Session, e Event, t *Test, c Change, now time.Time)
	// Tick is called every Every while go test runs (a live display
	// redraws on it); Every 0 means no ticks.
	Tick  func(s *Session, now time.Time)
	Every time.Duration
}

// Outcome is how a go test process ended.
type Outcome struct {
	Session     *Session
	Interrupted bool
	// Err is go test's failure when no test or package explains it (go
	// test could not start its work: a bad flag, no such package; see
	// Stderr). A failed test is not an Err: it is in the session.
	Err error
	// Stderr is the end of what go test wrote to standard error.
	Stderr string
}

// Follow folds the events of p into a new session until go test has
// exited, telling obs of each, and forwards the end of ctx to go test as
// [Process.Interrupt] (once): the tests still running are then marked
// interrupted, and what finished is kept.
func (p *Process) Follow(ctx context.Context, obs Observer) Outcome {
	s := NewSession()
	var tick <-chan time.Time
	if obs.Every > 0 {
		t := time.NewTicker(obs.Every)
		defer t.Stop()
		tick = t.C
	}
	interrupted := false
	done := ctx.Done()
	for {
		select {
		case e, ok := <-p.events:
			if !ok {
				if interrupted {
					s.Interrupt()
				}
				o := Outcome{Session: s, Interrupted: interrupted, Stderr: p.Stderr()}
				if err := <-p.done; err != nil && !interrupted && !s.Failed() {
					o.Err = err
				}
				return o
			}
			now := time.Now()
			t, c := s.Add(e, now)
			if obs.Event != nil {
				obs.Event(s, e, t, c, now)
			}
		case now := <-tick:
			if obs.Tick != nil {
				obs.Tick(s, now)
			}
		case <-done:
			interrupted, done = true, nil
			p.Interrupt()
		}
	}
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
