package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/lease"
)

// An update holds a lease (see internal/lease) on each directory of
// baselines it records into, for as long as it runs: a second update of a
// directory is refused before it sends any load, and the tests it runs
// record only while the first lease is held (LOADGATE_UPDATE_LEASE), so
// that an update whose loadgate was killed records nothing more while its
// go test runs on. The lease files live in the temporary directory, named
// after the directory they guard, so that a package without baselines yet
// gets no directory made for it.

// leasePath is the lease file of the baselines in dir (absolute).
func leasePath(dir string) string {
	sum := sha256.Sum256([]byte(filepath.Clean(dir)))
	return filepath.Join(os.TempDir(), "loadgate-update-"+hex.EncodeToString(sum[:8])+".lock")
}

// takeLeases takes the lease of every directory of baselines the update
// records into, or none: the error, for cmd, names the update that holds
// one.
func (o *runOutcome) takeLeases(cmd string) error {
	dirs := o.baselineDirs()
	slices.Sort(dirs)
	dirs = slices.Compact(dirs)
	note := fmt.Sprintf("loadgate %s, pid %d, since %s", cmd, os.Getpid(), time.Now().UTC().Format(time.DateTime+" UTC"))
	for _, dir := range dirs {
		abs, err := filepath.Abs(dir)
		if err != nil {
			o.releaseLeases()
			return err
		}
		// A file where the baselines go fails each test's recording,
		// after its load: refused before any is sent.
		if file, isDir := nearestExisting(abs); !isDir {
			o.releaseLeases()
			return &exitError{code: exitUsage, err: fmt.Errorf("%s: %s is a file, not a directory, where the baselines are recorded (%s): nothing was sent or recorded; move the file away", cmd, file, abs)}
		}
		l, err := lease.Take(leasePath(abs), lease.Holder{ID: o.Config.UpdateID, Note: note + ", recording into " + abs})
		if errors.Is(err, lease.ErrHeld) {
			o.releaseLeases()
			return &exitError{code: exitFailed, err: fmt.Errorf("%s: another update is recording baselines into %s (%v): not started, nothing was sent or recorded; wait for it to finish, then update again", cmd, abs, err)}
		}
		if err != nil {
			o.releaseLeases()
			return fmt.Errorf("%s: %w", cmd, err)
		}
		o.leases = append(o.leases, l)
	}
	return nil
}

// nearestExisting returns the nearest of dir and the directories above it
// that exists (the root when none does), and whether it is a directory: a
// directory to be made is made under it, and cannot be under a file. It
// walks up rather than test the error of os.Stat(dir): under a file, Unix
// says ENOTDIR and Windows "path not found", as for a directory not made
// yet.
func nearestExisting(dir string) (path string, isDir bool) {
	for {
		st, err := os.Stat(dir)
		if err == nil {
			return dir, st.IsDir()
		}
		if filepath.Dir(dir) == dir {
			return dir, true
		}
		dir = filepath.Dir(dir)
	}
}

// dropStaged removes, and reports on w, the staging files an update that
// stopped before its last run left in the directories this update holds
// (its loadgate killed, say): no update may add to their runs, and left
// alone they would only be noticed, and dropped, at the next run of their
// scenario. One an update still holds (a go test run by hand) is left.
func (o *runOutcome) dropStaged(w io.Writer) {
	for _, dir := range o.baselineDirs() {
		staged, _ := filepath.Glob(baseline.StagedPath(filepath.Join(dir, "*.json")))
		for _, p := range staged {
			path, ok := baseline.StagedBaseline(p)
			if !ok {
				continue
			}
			b, err := baseline.DiscardStaged(path)
			switch {
			case err != nil:
				fmt.Fprintf(w, "loadgate: left %s: %v\n", p, err)
			case b != nil:
				fmt.Fprintf(w, "loadgate: dropped %s: %s of update session %s, which stopped before its last run\n", p, cell.Plural(len(b.Runs), "run"), b.UpdateID)
			default:
				fmt.Fprintf(w, "loadgate: dropped %s: an unreadable staging file, left by an update that stopped\n", p)
			}
		}
	}
}

// leaseOfSession is the lease the tests check (LOADGATE_UPDATE_LEASE):
// any of the update's leases, all of which it holds until it ends.
func (o *runOutcome) leaseOfSession() string {
	if len(o.leases) == 0 {
		return ""
	}
	return o.leases[0].Path()
}

// checkFailed tells whether a test failed in baseline.Check, which then
// says why it did not record (another update ran, its command exited).
func (o *runOutcome) checkFailed() bool {
	if o.Session == nil {
		return false
	}
	for _, t := range o.Session.Order {
		for _, line := range t.FailedOutput {
			if strings.Contains(line, "baseline.Check: ") {
				return true
			}
		}
	}
	return false
}

func (o *runOutcome) releaseLeases() {
	for _, l := range o.leases {
		l.Release()
	}
	o.leases = nil
}
