package loadtest

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// interruption records the first interrupt (Ctrl-C, SIGINT) or termination
// (SIGTERM: a pod deleted, a CI job canceled) that reached the process
// while a scenario of [Run] or [RunAll] ran: that scenario stopped early
// and wrote its result, and later scenarios of the process do not start.
var interruption struct {
	sync.Mutex
	signal   os.Signal
	scenario string
}

// errInterrupted is the cause of a run's context that a signal ended.
type errInterrupted struct{ signal os.Signal }

func (e errInterrupted) Error() string { return "interrupted by " + signalName(e.signal) }

// signalName names sig as a user would type or see it.
func signalName(sig os.Signal) string {
	switch sig {
	case os.Interrupt:
		return "SIGINT (Ctrl-C)"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}

// interruptible returns ctx, canceled with [errInterrupted] by the first
// SIGINT or SIGTERM that reaches the process before stop is called, so
// that the scenario named scenario stops as its gates stop it and its
// result is kept: without it the signal kills the test binary, and the
// minutes of load already measured are lost. The signal is caught once: a
// second one kills the process as it always did. A signal the process was
// started ignoring stays ignored (see [caughtSignals]). The caller must
// call stop once the result is written: a signal caught after the load
// ended stops no load, but the process's later scenarios do not start.
func interruptible(ctx context.Context, scenario string) (_ context.Context, stop func()) {
	sigs := make(chan os.Signal, 1)
	if caught := caughtSignals(); len(caught) > 0 { // none would relay every signal
		signal.Notify(sigs, caught...)
	}
	return watchSignals(ctx, scenario, sigs)
}

// caughtSignals returns SIGINT and SIGTERM, less those the process
// ignores: a background job of a shell script is started ignoring SIGINT,
// so that Ctrl-C stops the script's foreground alone, and signal.Notify
// would end that (os/signal: "it will no longer be ignored").
func caughtSignals() []os.Signal {
	var caught []os.Signal
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		if !signal.Ignored(sig) {
			caught = append(caught, sig)
		}
	}
	return caught
}

// watchSignals is interruptible once sigs is registered with
// signal.Notify.
func watchSignals(ctx context.Context, scenario string, sigs chan os.Signal) (_ context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	caught := func(sig os.Signal) {
		signal.Stop(sigs) // the next one kills, unless another scenario still runs
		interruption.Lock()
		if interruption.signal == nil {
			interruption.signal, interruption.scenario = sig, scenario
		}
		interruption.Unlock()
		cancel(errInterrupted{sig})
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		select {
		case sig := <-sigs:
			caught(sig)
		case <-done:
			// A signal that came as stop was called is in sigs, and
			// select picks a ready case at random: dropped, it would
			// neither kill the process nor skip its later scenarios.
			select {
			case sig := <-sigs:
				caught(sig)
			default:
			}
		}
	})
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		wg.Wait()
		cancel(nil)
	}
}

// interruptedBefore says why a scenario must not start: an earlier one of
// the process was interrupted ("" if none was).
func interruptedBefore() string {
	interruption.Lock()
	defer interruption.Unlock()
	if interruption.signal == nil {
		return ""
	}
	return fmt.Sprintf("not started: the test process was interrupted by %s during scenario %s",
		signalName(interruption.signal), interruption.scenario)
}
