package loadtest

import (
	"runtime"
	"syscall"
	"time"
)

// The Go runtime's timers fire up to a millisecond late on Linux, and in the
// open model a request sent late is charged that delay as latency. The
// scheduler therefore waits the last stretch before each arrival with
// nanosleep on its own OS thread, whose timer slack it lowers from the
// default 50 µs to 1 ns: a no-op request then starts a median 45-50 µs
// after its intended time instead of 520-680 µs (measured on the project's
// 2-core machine; docs/PERFORMANCE.md).

const (
	prSetTimerSlack = 29 // PR_SET_TIMERSLACK from <linux/prctl.h>
	prGetTimerSlack = 30
	// fineWait is the longest wait done with nanosleep; longer ones sleep on
	// a runtime timer (which can be interrupted) until fineWait is left.
	fineWait = 3 * time.Millisecond
)

type sleeper struct {
	timer *time.Timer
	slack uintptr
	fine  bool
}

// newSleeper locks the calling goroutine to its thread; the caller must call
// close from the same goroutine.
func newSleeper() *sleeper {
	runtime.LockOSThread()
	s := &sleeper{timer: time.NewTimer(time.Hour)}
	s.timer.Stop()
	old, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prGetTimerSlack, 0, 0)
	if errno == 0 {
		if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerSlack, 1, 0); errno == 0 {
			s.slack, s.fine = old, true
		}
	}
	return s
}

// until waits for at, and returns false if stop was closed first.
func (s *sleeper) until(at time.Time, stop <-chan struct{}) bool {
	wait := time.Until(at)
	if wait > fineWait || (!s.fine && wait > 0) {
		coarse := wait
		if s.fine {
			coarse -= fineWait
		}
		s.timer.Reset(coarse)
		select {
		case <-s.timer.C:
		case <-stop:
			return false
		}
		wait = time.Until(at)
	}
	if s.fine && wait > 0 {
		ts := syscall.NsecToTimespec(int64(wait))
		for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
		}
	}
	return true
}

func (s *sleeper) close() {
	s.timer.Stop()
	if s.fine {
		syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerSlack, s.slack, 0)
	}
	runtime.UnlockOSThread()
}
