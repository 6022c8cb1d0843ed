//go:build unix

package lease

import (
	"errors"
	"os"
	"syscall"
)

// TryLock takes an exclusive lock on f without waiting; false if another
// open file holds one. The lock belongs to f's open file (flock), so two
// opens in one process exclude each other too, and it goes when f is
// closed or the process exits.
func TryLock(f *os.File) (bool, error) { return try(f, syscall.LOCK_EX) }

// TryShared takes a shared lock on f without waiting; false if another
// open file holds an exclusive one.
func TryShared(f *os.File) (bool, error) { return try(f, syscall.LOCK_SH) }

func try(f *os.File, how int) (bool, error) {
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		}
		return false, err
	}
}

// Unlock drops the lock f holds.
func Unlock(f *os.File) { syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
