// Package lease lets a command that drives other processes prove, to
// them, that it is still running: it holds an exclusive lock on a file for
// as long as it runs, and the kernel drops the lock when it exits, however
// it exits (a kill -9 too). loadgate baseline update holds one for each
// directory of baselines it records into, so that a second update of the
// same directory is refused before it sends any load, and the tests it
// runs check it before they record: an update whose command was killed
// does not go on to replace a baseline.
//
// It also holds the one non-blocking file lock the module uses for this
// ([TryLock]), which package baseline takes on the staging file of an
// update.
package lease

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"
)

// ErrHeld means another process holds the lease.
var ErrHeld = errors.New("held by another process")

// Lease is a lease this process holds. The caller must call Release when
// the work it guards is done.
type Lease struct {
	f    *os.File
	path string
}

// Holder is what a lease's file says of the process that holds it.
type Holder struct {
	// ID names the work the lease guards, such as an update session: the
	// processes that check the lease look for their own.
	ID string
	// Note says who holds it, for the messages of others: "loadgate
	// baseline update, pid 4242, since 10:02:03".
	Note string
}

func (h Holder) String() string {
	if h.Note == "" {
		return h.ID
	}
	return h.ID + ": " + h.Note
}

// parse reads a lease file: the id on the first line, the note after.
func parse(data []byte) Holder {
	id, note, _ := strings.Cut(strings.TrimSpace(string(data)), "\n")
	return Holder{ID: strings.TrimSpace(id), Note: strings.TrimSpace(note)}
}

// Take creates the file at path if need be, locks it, and writes h into
// it. If another process holds it, the error wraps [ErrHeld] and says who.
func Take(path string, h Holder) (*Lease, error) {
	// A holder removes the file when it releases it: a file opened just
	// before that is no longer the one at path once locked. Try again,
	// a bounded number of times.
	for range 10 {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, err
		}
		ok, err := TryLock(f)
		for wait := 0; err == nil && !ok && wait < 3; wait++ {
			// A checker's shared lock lasts a moment ([Check]).
			time.Sleep(10 * time.Millisecond)
			ok, err = TryLock(f)
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		if !ok {
			held, _ := io.ReadAll(io.LimitReader(f, 4096))
			f.Close()
			return nil, fmt.Errorf("%s: %w: %s", path, ErrHeld, parse(held))
		}
		if !SameFile(f, path) {
			Unlock(f)
			f.Close()
			continue
		}
		if err := rewrite(f, h.ID+"\n"+h.Note); err != nil {
			Unlock(f)
			f.Close()
			return nil, err
		}
		return &Lease{f: f, path: path}, nil
	}
	return nil, fmt.Errorf("%s: %w: it keeps changing hands", path, ErrHeld)
}

// Path returns the file of the lease, for the processes that check it.
func (l *Lease) Path() string { return l.path }

// Release removes the lease's file and drops the lock; it is safe to call
// more than once.
func (l *Lease) Release() {
	if l == nil || l.f == nil {
		return
	}
	os.Remove(l.path) // before the unlock: no one can take a file on its way out
	Unlock(l.f)
	l.f.Close()
	l.f = nil
}

// Check tells whether a live process holds the lease at path, and returns
// what it wrote. A missing file is not held.
func Check(path string) (h Holder, held bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Holder{}, false, nil
	}
	if err != nil {
		return Holder{}, false, err
	}
	defer f.Close()
	data, _ := io.ReadAll(io.LimitReader(f, 4096))
	ok, err := TryShared(f)
	if err != nil {
		return Holder{}, false, fmt.Errorf("checking %s: %w", path, err)
	}
	if ok {
		Unlock(f)
		return parse(data), false, nil
	}
	return parse(data), true, nil
}

// rewrite replaces the contents of f with s.
func rewrite(f *os.File, s string) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt([]byte(s+"\n"), 0); err != nil {
		return err
	}
	return f.Sync()
}

// SameFile tells whether f is still the file at path (it was not removed
// or replaced since it was opened).
func SameFile(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	return err == nil && os.SameFile(a, b)
}
