//go:build !linux

package loadtest

import "time"

// sleeper waits on a runtime timer; see sleep_linux.go for the precise one.
type sleeper struct{ timer *time.Timer }

func newSleeper() *sleeper {
	s := &sleeper{timer: time.NewTimer(time.Hour)}
	s.timer.Stop()
	return s
}

// until waits for at, and returns false if stop was closed first.
func (s *sleeper) until(at time.Time, stop <-chan struct{}) bool {
	wait := time.Until(at)
	if wait <= 0 {
		return true
	}
	s.timer.Reset(wait)
	select {
	case <-s.timer.C:
		return true
	case <-stop:
		return false
	}
}

func (s *sleeper) close() { s.timer.Stop() }
