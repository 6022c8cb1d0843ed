//go:build !unix

package lease

import "os"

// Where flock is not available a lock always succeeds: a lease then proves
// nothing, and package baseline's staging files exclude nothing. The
// checks that rest on them (a concurrent update refused, a dead driver
// noticed) are unix-only.

// TryLock takes no lock and reports success.
func TryLock(f *os.File) (bool, error) { return true, nil }

// TryShared takes no lock and reports that no one holds one: without
// locks a lease cannot be told held, and [Check] reports it as such only
// while its file exists.
func TryShared(f *os.File) (bool, error) { return false, nil }

// Unlock does nothing.
func Unlock(f *os.File) {}
