package app

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/loadgate/loadgate/internal/atomicfile"
	"github.com/loadgate/loadgate/internal/filename"
	"github.com/loadgate/loadgate/internal/merge"
	"github.com/loadgate/loadgate/loadtest"
)

// A sharded run in GitHub Actions (issue 16, docs/SHARDS.md): the jobs of
// a matrix, each given shard: i/N and one start-at, run their shares of
// one load (LOADGATE_SHARD, LOADGATE_START_AT) and upload their results
// directories; one more job downloads them all and gives them to
// from-results, which merges them with internal/merge, as loadgate merge
// does, and judges and comments on the merged result alone.

// PartialInput is how a user of the action asks for a partial merge; the
// merge's refusal of a missing shard names it.
const PartialInput = "partial: true"

// resultDirs resolves the from-results input: each directory given is a
// results directory (it holds a manifest), or a directory of them, one
// sub-directory each, as actions/download-artifact writes the artifacts a
// pattern matches.
func resultDirs(given []string) ([]string, error) {
	var dirs []string
	for _, d := range given {
		if _, err := os.Stat(filepath.Join(d, ManifestFile)); err == nil {
			dirs = append(dirs, d)
			continue
		}
		entries, err := os.ReadDir(d)
		if err != nil {
			return nil, err
		}
		n := 0
		for _, e := range entries {
			sub := filepath.Join(d, e.Name())
			if _, err := os.Stat(filepath.Join(sub, ManifestFile)); e.IsDir() && err == nil {
				dirs = append(dirs, sub)
				n++
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("%s: no results (%s) in it or in its sub-directories: download the artifacts of the runs of this action there", d, ManifestFile)
		}
	}
	return dirs, nil
}

// sharded reports whether the results directories are shard jobs'
// results, to be merged, and refuses a mix of shard jobs' results and
// others.
func sharded(dirs []string) (bool, error) {
	var shards, whole []string
	for _, d := range dirs {
		m, err := readManifest(d)
		if err != nil {
			return false, err
		}
		if m.Shard != nil && m.Shard.Index > 0 {
			shards = append(shards, d)
		} else {
			whole = append(whole, d)
		}
	}
	switch {
	case len(shards) > 0 && len(whole) > 0:
		return false, fmt.Errorf("%s: not the results of a shard job (no shard input), beside the shard jobs' results of %s: give from-results the shard jobs' results of one sharded run", whole[0], shards[0])
	case len(whole) > 1:
		return false, fmt.Errorf("from-results: %d results directories (%s), none of a shard job: give one job's results, or the shard jobs' results of one sharded run", len(whole), strings.Join(whole, ", "))
	}
	return len(shards) > 0, nil
}

// MergeShards merges the results of the shard jobs in dirs into a new
// results directory out, as one job's results: the merged results of each
// scenario and run (internal/merge, the code of loadgate merge) in head/,
// the stored baselines the shards were given in baselines/, and a
// manifest joining theirs. Shards of different runs, splits, commits or
// pull requests are refused, naming the directory and the field, and so
// is a missing shard unless o.Partial; the merge's refusals are its own.
func MergeShards(dirs []string, out string, o merge.Options) (*Manifest, error) {
	type job struct {
		dir string
		m   *Manifest
	}
	var jobs []job
	for _, d := range dirs {
		m, err := readManifest(d)
		if err != nil {
			return nil, err
		}
		if m.Shard == nil || m.Shard.Index == 0 {
			return nil, fmt.Errorf("%s: shard: not the results of a shard job (no shard input)", d)
		}
		jobs = append(jobs, job{d, m})
	}
	if len(jobs) == 0 {
		return nil, errors.New("from-results: no shard job's results")
	}
	slices.SortStableFunc(jobs, func(a, b job) int { return cmp.Compare(a.m.Shard.Index, b.m.Shard.Index) })
	ref := jobs[0]
	by := fmt.Sprintf("shard %d (%s)", ref.m.Shard.Index, ref.dir)
	seen := map[int]string{}
	for _, j := range jobs {
		sh := j.m.Shard
		if prev, dup := seen[sh.Index]; dup {
			return nil, fmt.Errorf("%s: shard.index: shard %d of %d again: %s is that shard too; give each shard job's results once", j.dir, sh.Index, sh.Count, prev)
		}
		seen[sh.Index] = j.dir
		for _, c := range []struct{ field, got, want, what string }{
			{"shard.count", fmt.Sprint(sh.Count), fmt.Sprint(ref.m.Shard.Count), "different splits"},
			{"shard.start_at", sh.StartAt, ref.m.Shard.StartAt, "different starts"},
			{"head_sha", j.m.HeadSHA, ref.m.HeadSHA, "different commits"},
			{"pr", fmt.Sprint(j.m.PR), fmt.Sprint(ref.m.PR), "different pull requests"},
			{"compare", string(j.m.Compare), string(ref.m.Compare), "different comparisons"},
		} {
			if c.got != c.want {
				return nil, fmt.Errorf("%s: %s: %s, %s has %s: shard jobs of %s", j.dir, c.field, orNone(c.got), by, orNone(c.want), c.what)
			}
		}
	}

	var paths []string
	for _, j := range jobs {
		files, err := filename.JSONFiles(filepath.Join(j.dir, HeadDir))
		if err != nil {
			return nil, err
		}
		paths = append(paths, files...)
	}
	var files []merge.File
	if len(paths) > 0 {
		var err error
		if files, err = merge.Read(paths...); err != nil {
			return nil, err
		}
	}
	var merged []*loadtest.Result
	var errs []error
	for _, run := range merge.Runs(files) {
		r, err := merge.Merge(run.Files, o)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		merged = append(merged, r)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	m := *ref.m
	m.Shard = &ShardManifest{Count: ref.m.Shard.Count, StartAt: ref.m.Shard.StartAt}
	m.Tests, m.Notes, m.Positions = nil, nil, map[string]Position{}
	for _, j := range jobs {
		m.Shard.Merged = append(m.Shard.Merged, j.dir)
		for _, t := range j.m.Tests {
			t.Shard = j.m.Shard.Index
			m.Tests = append(m.Tests, t)
		}
		for k, p := range j.m.Positions {
			m.Positions[k] = p
		}
		for _, n := range j.m.Notes {
			if !slices.Contains(m.Notes, n) {
				m.Notes = append(m.Notes, n)
			}
		}
	}
	for i := 1; i <= m.Shard.Count; i++ {
		if _, ok := seen[i]; !ok {
			m.Shard.Missing = append(m.Shard.Missing, i)
		}
	}
	if len(m.Shard.Missing) > 0 {
		m.Notes = append(m.Notes, fmt.Sprintf("no results of %s of %d: its job uploaded none", loadtest.ShardList(m.Shard.Missing), m.Shard.Count))
	}

	for _, r := range merged {
		if _, err := loadtest.WriteFile(filepath.Join(out, HeadDir), r); err != nil {
			return nil, err
		}
	}
	if err := copyDir(filepath.Join(ref.dir, BaselinesDir), filepath.Join(out, BaselinesDir)); err != nil {
		return nil, err
	}
	if err := WriteManifest(out, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// copyDir copies the files of src (not its sub-directories) into dst; a
// missing src copies nothing.
func copyDir(src, dst string) error {
	entries, err := os.ReadDir(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return err
		}
		if err := atomicfile.WriteData(filepath.Join(dst, e.Name()), data); err != nil {
			return err
		}
	}
	return nil
}

// shardRow is one shard's line of a sharded run's table: of run Run (from
// 1) of a scenario.
type shardRow struct {
	Scenario string
	Run      int
	loadtest.ShardRun
}

// shardMarkdown is the job summary (and report) of a shard job: which
// shard it ran and what it measured, with no verdict: a shard's result is
// a slice of the load, judged only once merged.
func shardMarkdown(cfg *Config, res *Results, failures []Failure) string {
	var b strings.Builder
	sh := cfg.Shard
	fmt.Fprintf(&b, "## loadgate: shard %d of %d\n\n", sh.Index, sh.Count)
	start := cfg.StartAt
	if t, err := loadtest.ParseStartAt(cfg.StartAt); err == nil {
		start = t.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	fmt.Fprintf(&b, "This job ran shard %d of %d of the load (`%s=%s`), every shard starting at %s (`%s`). "+
		"A shard's result is a slice of the load, with no verdict of its own: the job that merges the shards' results "+
		"judges the merged result and comments on the pull request.\n\n",
		sh.Index, sh.Count, loadtest.EnvShard, sh, start, loadtest.EnvStartAt)
	var rows []shardRow
	runs := map[string]int{}
	for _, r := range res.Head {
		runs[r.Scenario]++
		f := merge.File{Path: r.Scenario, Result: r}
		rows = append(rows, shardRow{Scenario: r.Scenario, Run: runs[r.Scenario], ShardRun: merge.RunOf(f)})
	}
	if len(rows) > 0 {
		writeShardTable(&b, rows, true, slices.ContainsFunc(rows, func(r shardRow) bool { return r.Run > 1 }))
		b.WriteString("\n")
	} else {
		b.WriteString("No load test of this shard wrote a result.\n\n")
	}
	for _, f := range failures {
		fmt.Fprintf(&b, "- ❌ %s\n", (&Report{Manifest: res.Manifest}).failureText(f))
	}
	if len(failures) > 0 {
		b.WriteString("\n")
	}
	return b.String()
}

// shardStartNote says when the shard starts, for the log.
func shardStartNote(cfg *Config, now time.Time) string {
	t, err := loadtest.ParseStartAt(cfg.StartAt)
	if err != nil {
		return ""
	}
	when := fmt.Sprintf("in %s", t.Sub(now).Round(time.Second))
	if t.Before(now) {
		when = fmt.Sprintf("%s ago: its load test will refuse a start more than %s late", now.Sub(t).Round(time.Millisecond), loadtest.StartAtLate)
	}
	return fmt.Sprintf("loadgate: shard %d of %d; every shard starts at %s (%s)", cfg.Shard.Index, cfg.Shard.Count,
		t.UTC().Format("15:04:05.000Z"), when)
}
