//go:build !unix

package baseline

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// lockFile is created with O_EXCL in the locked directory where flock is
// not available. Unlike flock it outlives a process that dies holding it,
// so the timeout error says how to clear it.
const lockFile = ".loadgate.lock"

func lockDir(dir string, timeout time.Duration) (unlock func(), err error) {
	path := filepath.Join(dir, lockFile)
	deadline := time.Now().Add(timeout)
	for wait := time.Millisecond; ; wait = min(2*wait, 100*time.Millisecond) {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("locking %s: %w", dir, err)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s: %w: waited %v; remove %s if no test is running", dir, ErrLocked, timeout, path)
		}
		time.Sleep(wait)
	}
}
