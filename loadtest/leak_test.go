package loadtest_test

import (
	"testing"
	"time"

	"go.uber.org/goleak"
)

// verifyNoLeaks fails t if goroutines other than those opts ignore are
// still running after wait. goleak.VerifyNone gives up after about 0.4 s;
// some goroutines end later on purpose (a target that ignores its context
// keeps its worker until it returns; http.Transport.CloseIdleConnections
// does not wait for the connections' goroutines, go#50027), so this polls
// goleak.Find until the deadline.
func verifyNoLeaks(t *testing.T, wait time.Duration, opts ...goleak.Option) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		err := goleak.Find(opts...)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("goroutines still running %v after the test: %v", wait, err)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}
