package baseline

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/lease"
)

// An update session records the runs of one process into a baseline. It
// owns the baseline's staging file ([StagedPath]) from its first run to
// its last, by an exclusive lock on it that the kernel drops when the
// process exits, however it exits. So:
//
//   - a second update of the same baseline, in another process, is
//     refused at its first run (the lock is held), and the first one,
//     whose runs then shared the machine with the second's load, does not
//     replace the baseline either: both fail, and the stored baseline is
//     left as it was (issue 20, failure 1);
//   - staged runs whose owner has exited belong to an update that
//     stopped: the next session discards them and says so, whatever its
//     id, and never adds its runs to them (failure 7);
//   - a baseline this process did not write is never appended to, even by
//     a session of the same id: its runs came from another update.
//
// All of it runs under procLock and the directory's lock (see
// [RecordSession]).

// claim is this process's hold on the staging file of one baseline.
type claim struct {
	f      *os.File  // the staging file, locked
	id     string    // the update session whose runs it stages
	staged *Baseline // what f holds; nil before the first run is staged
}

var (
	// claims are the staging files this process holds, by baseline path.
	claims = map[string]*claim{}
	// written are the runs of the baselines this process wrote, by path
	// and update id: only these may be appended to.
	written = map[string]writtenBaseline{}
	// overlapped are the baselines this process met another update of:
	// none of its runs of them is recorded any more.
	overlapped = map[string]string{}
)

type writtenBaseline struct {
	id   string
	runs []string // run ids, in order
}

// contendedPath is the file in which a refused update tells the one that
// holds the staging file of the baseline at path that they overlapped.
func contendedPath(path string) string {
	return StagedPath(path) + ".contended"
}

// ownWrite tells whether this process wrote b, stored at path, in the
// session id.
func ownWrite(path, id string, b *Baseline) bool {
	w, ok := written[path]
	if !ok || w.id != id || b.UpdateID != id || len(w.runs) != len(b.Runs) {
		return false
	}
	for i, r := range b.Runs {
		if r.RunID != w.runs[i] {
			return false
		}
	}
	return true
}

func noteWritten(path string, b *Baseline) {
	runs := make([]string, len(b.Runs))
	for i, r := range b.Runs {
		runs[i] = r.RunID
	}
	written[path] = writtenBaseline{id: b.UpdateID, runs: runs}
}

// takeClaim claims the staging file of the baseline at path for session
// id. If another process holds it, the error wraps [ErrConcurrentUpdate],
// says what that update has staged, and tells it of the overlap. The
// second result describes staged runs left by an update that stopped,
// which the claim discards; "" if there were none.
func takeClaim(path, id string) (*claim, string, error) {
	staged := StagedPath(path)
	for range 10 {
		f, err := os.OpenFile(staged, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, "", err
		}
		ok, err := lease.TryLock(f)
		if err != nil {
			f.Close()
			return nil, "", fmt.Errorf("locking %s: %w", staged, err)
		}
		if !ok {
			other := describeStaged(f, staged)
			f.Close()
			// The holder learns of the overlap at its next run.
			note := fmt.Sprintf("pid %d, update session %s, at %s", os.Getpid(), id, time.Now().UTC().Format(time.RFC3339))
			if c, err := os.OpenFile(contendedPath(path), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err == nil {
				fmt.Fprintln(c, note)
				c.Close()
			}
			return nil, "", fmt.Errorf("not recording into %s: %w: %s; run one update of a baseline at a time",
				path, ErrConcurrentUpdate, other)
		}
		if !lease.SameFile(f, staged) {
			// Removed by a session that completed as we opened it.
			lease.Unlock(f)
			f.Close()
			continue
		}
		stale := ""
		if data, _ := io.ReadAll(f); len(data) > 0 {
			stale = "discarded " + staleRuns(data, staged)
		}
		if err := f.Truncate(0); err != nil {
			lease.Unlock(f)
			f.Close()
			return nil, "", err
		}
		// A note of an overlap with an update that is gone.
		os.Remove(contendedPath(path))
		return &claim{f: f, id: id}, stale, nil
	}
	return nil, "", fmt.Errorf("not recording into %s: %w: its staging file %s keeps changing hands", path, ErrConcurrentUpdate, staged)
}

// describeStaged says whose runs the staging file f at path staged holds, as
// far as it can be read while its owner writes it.
func describeStaged(f *os.File, staged string) string {
	data, _ := io.ReadAll(f)
	b, err := Parse(data, staged)
	if err != nil {
		return "another update holds its staging file " + staged
	}
	return fmt.Sprintf("update session %s is recording it (%s staged in %s, the last at %s)",
		b.UpdateID, cell.Plural(len(b.Runs), "run"), staged, b.Recorded.Format(time.RFC3339))
}

// staleRuns describes the runs in a staging file nobody holds.
func staleRuns(data []byte, staged string) string {
	b, err := Parse(data, staged)
	if err != nil {
		return fmt.Sprintf("an unreadable staging file %s, left by an update that stopped (%v)", staged, err)
	}
	return fmt.Sprintf("%s of update session %s staged in %s, which stopped before its last run (the last at %s)",
		cell.Plural(len(b.Runs), "run"), b.UpdateID, staged, b.Recorded.Format(time.RFC3339))
}

// stage writes b into the claim's staging file, in place: the file is the
// lock, so it is never replaced while held. A crash half way leaves a
// file the next session discards.
func (c *claim) stage(b *Baseline) error {
	data, err := encode(b)
	if err != nil {
		return err
	}
	if err := c.f.Truncate(0); err != nil {
		return err
	}
	if _, err := c.f.WriteAt(data, 0); err != nil {
		return fmt.Errorf("writing %s: %w", c.f.Name(), err)
	}
	c.staged = b
	return c.f.Sync()
}

// release removes the staging file and drops the claim.
func (c *claim) release(path string) error {
	err := os.Remove(StagedPath(path)) // before the unlock, as lease.Release
	if errors.Is(err, fs.ErrNotExist) {
		err = nil
	}
	lease.Unlock(c.f)
	c.f.Close()
	delete(claims, path)
	return err
}

// overlap returns the updates that told the session holding the claim on
// the baseline at path that they ran alongside it, or "".
func overlap(path string) string {
	data, err := os.ReadFile(contendedPath(path))
	if err != nil {
		return ""
	}
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "; ")
}

// DiscardStaged removes the staging file of the baseline at path if no
// update holds it, and returns the runs it held (nil if it could not be
// read): loadgate reports and cleans up the runs of an update that stopped
// before its last, which no later update may add to. A file another update
// holds is left, and the error wraps [ErrConcurrentUpdate].
func DiscardStaged(path string) (*Baseline, error) {
	procLock.Lock()
	defer procLock.Unlock()
	staged := StagedPath(path)
	if c := claims[path]; c != nil {
		b := c.staged
		return b, c.release(path)
	}
	f, err := os.OpenFile(staged, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ok, err := lease.TryLock(f)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%s: %w: %s", staged, ErrConcurrentUpdate, describeStaged(f, staged))
	}
	defer lease.Unlock(f)
	data, _ := io.ReadAll(f)
	b, _ := Parse(data, staged)
	if lease.SameFile(f, staged) {
		if err := os.Remove(staged); err != nil {
			return b, err
		}
	}
	os.Remove(contendedPath(path))
	return b, nil
}

// abandon drops the session's staged runs of the baseline at path and
// refuses its later runs of it: they overlapped another update.
func abandon(path string, c *claim, why string) error {
	overlapped[path] = why
	err := c.release(path)
	os.Remove(contendedPath(path))
	return err
}
