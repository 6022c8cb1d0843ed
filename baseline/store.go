package baseline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/loadgate/loadgate/internal/atomicfile"
	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/filename"
	"github.com/loadgate/loadgate/internal/histo"
	"github.com/loadgate/loadgate/internal/readfile"
	"github.com/loadgate/loadgate/loadtest"
)

// DefaultDir is where [Check] keeps baselines, relative to the package
// directory that go test runs a test in.
const DefaultDir = "testdata/loadgate"

// Dir returns where the baselines of the package in pkgDir live: the
// directory LOADGATE_BASELINE_DIR names ([EnvDir]; a relative one is
// relative to the package's directory, where go test runs its tests), else
// [DefaultDir] in the package's directory. pkgDir "" is the current
// directory, as in a test. It is the one rule that [Check], loadgate and
// the Action follow.
func Dir(pkgDir string) string {
	d := strings.TrimSpace(os.Getenv(EnvDir))
	switch {
	case d == "":
		d = filepath.FromSlash(DefaultDir)
	case filepath.IsAbs(d):
		return d
	}
	if pkgDir == "" {
		return d
	}
	return filepath.Join(pkgDir, d)
}

// LockTimeout bounds the wait for the lock around a baseline file.
const LockTimeout = 30 * time.Second

// Path returns the file of scenario's baseline in dir.
func Path(dir, scenario string) string {
	return filepath.Join(dir, filename.Safe(scenario)+".json")
}

// Load reads and checks the baseline file at path. A missing file is
// [ErrNoBaseline]; for malformed files see [Parse].
//
// A file longer than [MaxFileBytes] is refused before it is read.
func Load(path string) (*Baseline, error) {
	data, err := readfile.Bounded(path, MaxFileBytes, "a baseline")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", path, ErrNoBaseline)
	}
	if err != nil {
		return nil, err
	}
	return Parse(data, path)
}

// MaxFileBytes is the longest baseline file [Load] reads, 256 MiB, twice
// the bound of a result file (loadtest.MaxResultFileBytes): far beyond
// what loadgate writes.
const MaxFileBytes = 256 << 20

// Save writes b to path atomically: to a temporary file in the same
// directory, synced, then renamed over path, so a reader sees the old file
// or the new one, never a part. It does not lock; [Record] does.
func Save(path string, b *Baseline) error {
	if b.Schema == "" {
		b.Schema = SchemaVersion
	}
	if err := b.validate(); err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	data, err := encode(b)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteData(path, data); err != nil {
		return fmt.Errorf("saving baseline: %w", err)
	}
	return nil
}

// encode writes b as a baseline file holds it.
func encode(b *Baseline) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // "want < 2ms" stays readable
	if err := enc.Encode(b); err != nil {
		return nil, fmt.Errorf("encoding baseline of %s: %w", b.Scenario, err)
	}
	return buf.Bytes(), nil
}

// procLock serialises read-modify-write within this process; the file
// lock serialises it between processes (parallel packages, go test -p).
var procLock sync.Mutex

// Record adds results, runs of one update session, to the baseline at
// path, under a lock held for the whole read-modify-write. If the stored
// baseline was recorded by the same session (same updateID), the runs are
// appended; otherwise, or if there is none, they replace it: a fresh
// update never mixes old and new code. A stored file that cannot be read,
// has an unknown schema version or belongs to another scenario is left as
// it is, and Record fails. It is [RecordSession] of a one-run session.
func Record(path, updateID string, results ...*loadtest.Result) (*Baseline, error) {
	b, _, err := RecordSession(path, updateID, 1, results...)
	return b, err
}

// RecordSession is [Record] for a session of a known number of runs
// (go test -count=5 records 5): the runs are kept in a staging file beside
// the baseline ([StagedPath]) until the session has complete of them, and
// only then replace the stored baseline, so that an update cut short (an
// interrupt, a crash, a failed test) leaves the old baseline whole. The
// session is this process's: its later runs append to the baseline it
// wrote, but runs are never added to staged runs that another process
// recorded, nor to a baseline another process wrote, whatever their
// update id; unless the session is driven under a lease that names it
// (loadgate baseline update, see [EnvUpdateLease]), which makes it span
// the processes its driver starts. It returns the session's runs so far,
// and whether the baseline file itself was written.
//
// While the session stages runs, this process holds the staging file: an
// update of the same baseline in another process is refused with
// [ErrConcurrentUpdate], and since their loads overlapped, this session
// then fails with it too at its next run, leaving the stored baseline as
// it was. Staged runs of an update that stopped are discarded.
func RecordSession(path, updateID string, complete int, results ...*loadtest.Result) (b *Baseline, saved bool, err error) {
	r, err := recordSession(path, updateID, complete, results...)
	return r.b, r.saved, err
}

// recording is what recordSession did, for [Check]'s log.
type recording struct {
	b     *Baseline
	saved bool
	// discarded describes staged runs of an update that stopped, which
	// the session discarded; "" if none.
	discarded string
}

func recordSession(path, updateID string, complete int, results ...*loadtest.Result) (recording, error) {
	if len(results) == 0 {
		return recording{}, ErrNoRuns
	}
	if updateID == "" {
		return recording{}, errors.New("recording a baseline: empty update id")
	}
	s, err := SampleOf(results...)
	if err != nil {
		return recording{}, err
	}
	// A merge that lacks shards, or a run Ctrl-C stopped, measured a share
	// of the load: as a baseline it would make every later full run look
	// faster than its base. Shards out of step ran the whole load, over
	// a longer window: its throughput would be the base's lower bar.
	for i, r := range s.Runs {
		if r.Spread {
			return recording{}, fmt.Errorf("not recording %s: result %d: %s: its throughput is that of a longer window than planned; record runs whose shards share one LOADGATE_START_AT",
				s.Scenario, i+1, r.Partial)
		}
		if r.Partial != "" {
			return recording{}, fmt.Errorf("not recording %s: result %d holds a share of the load (%s); record runs of the whole load (every shard merged, none interrupted)",
				s.Scenario, i+1, r.Partial)
		}
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return recording{}, err
	}
	procLock.Lock()
	defer procLock.Unlock()
	if why := overlapped[path]; why != "" {
		return recording{}, fmt.Errorf("not recording into %s: %w: %s", path, ErrConcurrentUpdate, why)
	}
	unlock, err := lockDir(dir, LockTimeout)
	if err != nil {
		return recording{}, err
	}
	defer unlock()

	stored, err := Load(path)
	switch {
	case errors.Is(err, ErrNoBaseline):
		stored = nil
	case err != nil:
		return recording{}, fmt.Errorf("not updating the baseline: %w (remove the file to record a new one)", err)
	case stored.Scenario != s.Scenario:
		return recording{}, fmt.Errorf("not updating %s: %w: it is the baseline of %q, not %q",
			path, ErrScenarioMismatch, stored.Scenario, s.Scenario)
	}
	if stored != nil && claims[path] == nil && (ownWrite(path, updateID, stored) || stored.UpdateID == updateID && leased(updateID)) {
		if err := addRuns(stored, results, s); err != nil {
			return recording{}, err
		}
		if err := Save(path, stored); err != nil {
			return recording{}, err
		}
		noteWritten(path, stored)
		return recording{b: stored, saved: true}, nil
	}

	var rec recording
	c := claims[path]
	if c == nil {
		if c, rec.discarded, err = takeClaim(path, updateID); err != nil {
			if errors.Is(err, ErrConcurrentUpdate) {
				// Its load overlaps the other update's: none of
				// this process's runs of it may count.
				overlapped[path] = "an earlier run of this process met another update of it"
			}
			return recording{}, err
		}
		claims[path] = c
	}
	if why := overlap(path); why != "" {
		why = "another update of it ran alongside this one, so these runs measured both loads (" + why + ")"
		if err := abandon(path, c, why); err != nil {
			return recording{}, err
		}
		return recording{}, fmt.Errorf("not recording into %s: %w: %s; the stored baseline is left as it was", path, ErrConcurrentUpdate, why)
	}
	b := c.staged
	if b == nil || c.id != updateID || b.Scenario != s.Scenario {
		if b != nil {
			// A session of this process that stopped (a test that
			// records under ids of its own).
			rec.discarded = "discarded " + cell.Plural(len(b.Runs), "run") + " staged by update session " + b.UpdateID + ", which stopped before its last run"
		}
		c.id = updateID
		b = &Baseline{
			Schema:   SchemaVersion,
			Scenario: s.Scenario,
			Package:  results[0].Package,
			Test:     results[0].Test,
			UpdateID: updateID,
			Commit:   gitCommit(dir, "."),
			Env:      s.Env,
		}
	}
	if err := addRuns(b, results, s); err != nil {
		return recording{}, err
	}
	rec.b = b
	if len(b.Runs) < complete {
		return rec, c.stage(b)
	}
	if err := Save(path, b); err != nil {
		return recording{}, err
	}
	noteWritten(path, b)
	rec.saved = true
	return rec, c.release(path)
}

// StagedPath is the staging file of the baseline at path, where
// [RecordSession] keeps the runs of a session that is not complete yet:
// a hidden file beside it, ".checkout.json.staged".
func StagedPath(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+stagedSuffix)
}

// StagedBaseline returns the baseline whose staging file ([StagedPath]) is
// at staged, and whether staged is the name of one: a tool that finds the
// staging files an update left (its process killed) hands the baseline's
// path to [DiscardStaged].
func StagedBaseline(staged string) (path string, ok bool) {
	name := filepath.Base(staged)
	if !strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".json"+stagedSuffix) {
		return "", false
	}
	return filepath.Join(filepath.Dir(staged), strings.TrimSuffix(name[1:], stagedSuffix)), true
}

// stagedSuffix ends the name of a staging file.
const stagedSuffix = ".staged"

// addRuns appends the runs of results (whose sample is s) to b, unless
// they were sent to another target or at other scales than b's runs: a
// baseline keeps its target and scales once (in its Env), for every run.
func addRuns(b *Baseline, results []*loadtest.Result, s Sample) error {
	if err := sameLoad("baseline", b.Env, "new run", s.Env); err != nil {
		return fmt.Errorf("not adding runs to the baseline of %s: %w", b.Scenario, err)
	}
	b.Runs = append(b.Runs, s.Runs...)
	b.Recorded = time.Now().UTC().Truncate(time.Second)
	for _, r := range results {
		if err := mergeLatency(&b.Latency, &r.Latency); err != nil {
			return fmt.Errorf("merging the latency of run %s: %w", r.RunID, err)
		}
	}
	return nil
}

// mergeLatency adds the distribution of l to dst. A latency without its
// HDR histogram (a result made by hand, not by loadtest.Run) cannot be
// merged and is left out.
func mergeLatency(dst, l *loadtest.Latency) error {
	if l.Count == 0 || l.HDR == "" {
		return nil
	}
	if dst.Count > 0 && dst.HDR == "" {
		return errors.New("the baseline's latency has no hdr histogram")
	}
	merged, err := histo.Merge(histo.Summary(*dst), histo.Summary(*l))
	if err != nil {
		return err
	}
	*dst = loadtest.Latency(merged)
	return nil
}
