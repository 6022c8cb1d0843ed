package loadtest

import (
	"context"
	"os"
	"syscall"
	"testing"
)

// TestSignalAsStopIsCalled: a signal relayed just as the load ended and
// stop was called found both of the watcher's cases ready, and select
// picked one at random: half the time the signal was dropped, so that
// Ctrl-C neither killed the process nor kept its later scenarios from
// starting.
func TestSignalAsStopIsCalled(t *testing.T) {
	t.Cleanup(ForgetInterruption)
	for i := range 200 {
		sigs := make(chan os.Signal, 1)
		_, stop := watchSignals(context.Background(), "s", sigs)
		sigs <- syscall.SIGTERM // as os/signal relays it
		stop()
		if interruptedBefore() == "" {
			t.Fatalf("try %d: a signal relayed as stop was called was dropped", i+1)
		}
		ForgetInterruption()
	}
}
