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
// terminated: SIGTERM, as a CI job's cancellation or Kubernetes sends).
package main

import (
	"context"
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
	var got atomic.Value
	go func() {
		got.Store(<-sigs)
		cancel()
	}()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	sig, _ := got.Load().(os.Signal)
	os.Exit(signalStatus(exitStatus(err, os.Stderr), sig))
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
