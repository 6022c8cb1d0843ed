// Command loadgate runs the load tests of a Go module and judges them: it
// is what a person types to run load scenarios comfortably, and what the
// GitHub Action calls. The scenarios themselves are ordinary go test
// functions (see package loadtest); loadgate runs go test -json over them,
// draws their progress, summarises their results and compares them with
// stored baselines (see package baseline).
//
// Usage:
//
//	loadgate run [packages] [-run regexp] [-count n] [-out dir] [-update] [-- go test flags]
//	loadgate compare [-format text|markdown|json] BASE NEW
//	loadgate report [-o report.html] [BASE] RESULTS
//	loadgate merge -out DIR [-partial] SHARDS...
//	loadgate baseline update [packages]
//	loadgate baseline show [dir]
//	loadgate export -format bench|prometheus [-push URL] RESULTS...
//	loadgate version
//
// Every command takes -h for its flags and an example. The exit status is
// 0 when everything passed, 1 when a test failed or a comparison found a
// regression, 2 for bad usage or unreadable input, 3 when a comparison was
// inconclusive (too noisy, or generator-bound runs, to tell a change from
// none), 4 when loadgate could not finish for a reason that says nothing
// of the code (an output it could not write, a Pushgateway it could not
// reach), and 130 when loadgate run was interrupted (143 when it was
// terminated: SIGTERM, as a CI job's cancellation or Kubernetes sends; 141
// when the reader of its output went away, as loadgate run | head does).
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

func main() {
	// The first interrupt or termination cancels ctx: run stops go test
	// and still summarises what finished. Later ones are caught too, and
	// ignored, so that the summary is written.
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	var got atomic.Pointer[os.Signal] // the first signal, or SIGPIPE
	stop := func(sig os.Signal) {
		got.CompareAndSwap(nil, &sig)
		cancel()
	}
	go func() { stop(<-sigs) }()
	// A reader that goes away (loadgate run | head, or q in less) breaks
	// the output: that stops the run as an interrupt does, so that go test
	// (in a process group of its own) and the base commit's worktree do
	// not outlive it. Caught, SIGPIPE no longer kills the process at its
	// first write to the broken pipe; the write fails with EPIPE instead
	// (isBrokenPipe: Windows has its own errors and no signal), here on
	// standard output or error, elsewhere (a socket) as before.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	stdout := &pipeWatch{w: os.Stdout, broken: func() { stop(syscall.SIGPIPE) }}
	stderr := &pipeWatch{w: os.Stderr, broken: func() { stop(syscall.SIGPIPE) }}
	err := run(ctx, os.Args[1:], stdout, stderr)
	var sig os.Signal
	if p := got.Load(); p != nil {
		sig = *p
	}
	if sig == syscall.SIGPIPE {
		// Nobody reads what went wrong (write /dev/stdout: broken pipe):
		// end as a command SIGPIPE killed, as loadgate export | head
		// did before the signal was caught.
		os.Exit(128 + int(syscall.SIGPIPE))
	}
	os.Exit(signalStatus(exitStatus(err, stderr), sig))
}

// pipeWatch writes to w, and calls broken when a write fails because the
// reader of w went away.
type pipeWatch struct {
	w      io.Writer
	broken func()
}

func (p *pipeWatch) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	if err != nil && isBrokenPipe(err) {
		p.broken()
	}
	return n, err
}

// fileOf returns the file w writes to, seeing through a pipeWatch, so that
// a terminal is still told from a pipe or a file once main wraps the
// standard output and error.
func fileOf(w io.Writer) (*os.File, bool) {
	if p, ok := w.(*pipeWatch); ok {
		w = p.w
	}
	f, ok := w.(*os.File)
	return f, ok
}

// signalStatus is the exit status code of a run that sig, if not nil,
// stopped: 128 + the signal's number for an interrupted run, as shells
// report a command the signal killed (130 for SIGINT, 143 for SIGTERM).
func signalStatus(code int, sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok && code == exitInterrupted {
		return 128 + int(s)
	}
	return code
}
