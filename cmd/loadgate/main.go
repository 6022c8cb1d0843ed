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
//	loadgate report [-o report.html] RESULTS [BASE]
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
// reach), and 130 when loadgate run was interrupted.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// The first interrupt cancels ctx: run stops go test and still
	// summarises what finished.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitStatus(err, os.Stderr))
}
