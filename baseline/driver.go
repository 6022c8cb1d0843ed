package baseline

import (
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/loadgate/loadgate/internal/lease"
)

// parentPID is the process that started this one: go test, for a test
// binary. When it exits, a test binary goes on running (go test without
// -v does not stop it), and the kernel gives it another parent. (One
// orphaned before its package variables were set, a few milliseconds
// after it started, cannot tell; the lease of LOADGATE_UPDATE_LEASE
// still can.)
var parentPID = os.Getppid()

// driverGone returns why the command driving an update is gone, wrapping
// [ErrDriverGone], or nil while it runs: the process that started this
// one has exited, or the lease of LOADGATE_UPDATE_LEASE is no longer held
// (or is another session's).
func driverGone() error {
	// Windows gives an orphan no new parent, so the check says nothing
	// there.
	if runtime.GOOS != "windows" && os.Getppid() != parentPID {
		return fmt.Errorf("%w: the process that started this test binary (pid %d, go test) has exited", ErrDriverGone, parentPID)
	}
	path := strings.TrimSpace(os.Getenv(EnvUpdateLease))
	if path == "" {
		return nil
	}
	h, held, err := lease.Check(path)
	switch {
	case err != nil:
		return fmt.Errorf("%w: %s=%s: %v", ErrDriverGone, EnvUpdateLease, path, err)
	case !held:
		return fmt.Errorf("%w: its lease %s (%s) is no longer held", ErrDriverGone, path, EnvUpdateLease)
	}
	if id := strings.TrimSpace(os.Getenv(EnvUpdateID)); id != "" && h.ID != id {
		return fmt.Errorf("%w: %s=%s is the lease of another update (%s), not of session %s",
			ErrDriverGone, EnvUpdateLease, path, h, id)
	}
	return nil
}

// leased tells whether update session id is driven under a lease
// (LOADGATE_UPDATE_LEASE) that a live process holds in its name: such a
// session spans the test processes its driver starts, and one of them may
// add runs to a baseline another wrote (go test -p over packages that
// share a directory of baselines). An id without a live lease is this
// process's alone, however it was chosen.
func leased(id string) bool {
	path := strings.TrimSpace(os.Getenv(EnvUpdateLease))
	if path == "" {
		return false
	}
	h, held, err := lease.Check(path)
	return err == nil && held && h.ID == id
}

// dropClaim gives up this process's staged runs of the baseline at path,
// if it has any, and says so for a message.
func dropClaim(path string) string {
	procLock.Lock()
	defer procLock.Unlock()
	c := claims[path]
	if c == nil {
		return ""
	}
	n := 0
	if c.staged != nil {
		n = len(c.staged.Runs)
	}
	if err := c.release(path); err != nil {
		return fmt.Sprintf(" (dropping the %d runs staged so far: %v)", n, err)
	}
	return fmt.Sprintf(" (the %d runs staged so far are dropped)", n)
}
