package app

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/atomicfile"
	"github.com/loadgate/loadgate/internal/filename"
	"github.com/loadgate/loadgate/internal/readfile"
	"github.com/loadgate/loadgate/loadtest"
)

// A results directory is what a run of the action leaves behind, and all
// that a report is made from, so that a later job (workflow_run, for fork
// PRs) can comment from a downloaded copy without running any code of the
// PR:
//
//	loadgate-action.json   the [Manifest]
//	head/*.json            results of the head (loadgate.result/v1)
//	base/*.json            results of the base (compare: base-ref)
//	baselines/*.json       the stored baselines compared with (compare: baseline)
const (
	ManifestFile = "loadgate-action.json"
	HeadDir      = "head"
	BaseDir      = "base"
	BaselinesDir = "baselines"
)

// BaseFromBaselines is Manifest.BaseFrom when the base is the commit the
// stored baselines were recorded at, run again: as with loadgate run -base
// auto, only the scenarios with a stored baseline are compared with it, and
// one the base did not run is compared with its stored numbers.
const BaseFromBaselines = "the baselines' commit"

// ManifestSchema identifies the JSON layout of a [Manifest].
const ManifestSchema = "loadgate.action/v1"

// Manifest says what produced a results directory.
type Manifest struct {
	Schema  string      `json:"schema"`
	Compare CompareMode `json:"compare"`
	// Repository is owner/name; PR the pull request's number (0 outside a
	// pull request).
	Repository string `json:"repository,omitempty"`
	PR         int    `json:"pr,omitempty"`
	// HeadSHA is the commit tested as head; BaseSHA the one tested as base
	// (the merge base, compare: base-ref). PRHeadSHA is the pull request's
	// head commit as the event gave it, which a workflow_run job checks
	// against its own event before it trusts the PR number.
	HeadSHA string `json:"head_sha,omitempty"`
	BaseSHA string `json:"base_sha,omitempty"`
	// BaseFrom says what BaseSHA is when it is not the merge base:
	// BaseFromBaselines (compare: auto outside a pull request).
	BaseFrom  string `json:"base_from,omitempty"`
	PRHeadSHA string `json:"pr_head_sha,omitempty"`
	// Marker identifies the comment of the job that ran the tests, and
	// RunURL that run's page (its job summary): a workflow_run job that
	// comments from these results updates the same comment and points to
	// the same summary.
	Marker string `json:"marker,omitempty"`
	RunURL string `json:"run_url,omitempty"`
	// CommentKey is the comment-key input of that job, for the heading.
	CommentKey string `json:"comment_key,omitempty"`
	// Count is the number of runs a side that were asked for: with Looks,
	// the most that may be added.
	Count int `json:"count"`
	// Looks is the number of looks of a sequential comparison
	// (baseline.DefaultLooks): runs were added while a scenario was not
	// settled, and the report judges at the last look. 0 for a fixed count.
	Looks            int      `json:"looks,omitempty"`
	Packages         []string `json:"packages"`
	Run              string   `json:"run"`
	WorkingDirectory string   `json:"working_directory"`
	// Tests are the outcomes of the top-level tests of every go test
	// process, in the order they ran.
	Tests []TestStatus `json:"tests"`
	// Positions maps "import/path.TestName" to where the function is
	// declared, relative to the repository's root.
	Positions map[string]Position `json:"positions,omitempty"`
	// Root is the repository's root on the machine that ran the tests
	// (an absolute path): the files of the stacks its results name start
	// there, and the report shows them relative to it.
	Root string `json:"root,omitempty"`
	// Reproduce is a shell script that repeats the runs on a laptop.
	Reproduce string `json:"reproduce,omitempty"`
	// Notes are things the runner wants the reader to know (a merge base
	// that could not be found, a package without tests).
	Notes []string `json:"notes,omitempty"`
	// Shard is set in the results of a shard job (the shard input) and
	// in those its merge writes.
	Shard *ShardManifest `json:"shard,omitempty"`
	// SLADigest and PolicyDigest identify the SLA and policy files the
	// job that ran the tests judged them with ([fileDigest]; empty for
	// none): a workflow_run job that comments from these results with
	// other files (its default branch's, when the pull request changed
	// them) says that its verdict may not be the check's.
	SLADigest    string `json:"sla_sha256,omitempty"`
	PolicyDigest string `json:"policy_sha256,omitempty"`
}

// ShardManifest says which part of a sharded run a results directory
// holds: one shard job's (Index from 1), or the merge of the shard jobs'
// results (Index 0).
type ShardManifest struct {
	Index int `json:"index,omitempty"`
	Count int `json:"count"`
	// StartAt is the start-at input: the instant every shard started at.
	StartAt string `json:"start_at,omitempty"`
	// Merged are the shard jobs' results directories a merge read, and
	// Missing the shards of which it found none.
	Merged  []string `json:"merged,omitempty"`
	Missing []int    `json:"missing,omitempty"`
}

// TestStatus is the outcome of one top-level test in one go test process, or
// of a package that failed without a test to blame (Test is "").
type TestStatus struct {
	Side    string `json:"side"` // "head" or "base"
	Run     int    `json:"run"`  // 1-based
	Package string `json:"package"`
	Test    string `json:"test,omitempty"`
	Action  string `json:"action"` // pass, fail or skip
	// Shard is the shard the test ran as, in a sharded run.
	Shard int `json:"shard,omitempty"`
	// Output is the end of what a failed test printed.
	Output string `json:"output,omitempty"`
	// Reason is the line of all a failed test printed that says why it
	// failed (gotest.Reason), as loadgate run picks it: Output keeps only
	// the last lines, which may not hold it. Empty in the manifest of an
	// earlier version, whose Output is read instead.
	Reason string `json:"reason,omitempty"`
}

// Position is where a function is declared.
type Position struct {
	File string `json:"file"` // slash-separated, relative to the repository's root
	Line int    `json:"line"`
}

func (p Position) String() string { return fmt.Sprintf("%s:%d", p.File, p.Line) }

// Results is a results directory, read.
type Results struct {
	Dir      string
	Manifest Manifest
	Head     []*loadtest.Result
	Base     []*loadtest.Result
	// Baselines are the stored baselines, for compare: baseline.
	Baselines []*baseline.Baseline
	// Look is the look to judge at; the zero Look is the manifest's last.
	Look baseline.Look
}

// WriteManifest writes m into dir.
func WriteManifest(dir string, m *Manifest) error {
	if m.Schema == "" {
		m.Schema = ManifestSchema
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteData(filepath.Join(dir, ManifestFile), append(data, '\n'))
}

// ReadResults reads a results directory. Result files that cannot be read
// are errors: a report that silently left runs out would mislead.
func ReadResults(dir string) (*Results, error) {
	r := &Results{Dir: dir}
	m, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	r.Manifest = *m
	if r.Head, err = readResultDir(filepath.Join(dir, HeadDir)); err != nil {
		return nil, err
	}
	if r.Base, err = readResultDir(filepath.Join(dir, BaseDir)); err != nil {
		return nil, err
	}
	if r.Baselines, err = readBaselines(filepath.Join(dir, BaselinesDir)); err != nil {
		return nil, err
	}
	return r, nil
}

// maxManifestBytes bounds the manifest a results directory may hold (a
// fork's, read by the job with the write token): it lists the commits,
// scenarios and shards of one run, a few kilobytes.
const maxManifestBytes = 16 << 20

// readManifest reads the manifest of the results directory dir.
func readManifest(dir string) (*Manifest, error) {
	var m Manifest
	data, err := readfile.Bounded(filepath.Join(dir, ManifestFile), maxManifestBytes, "a manifest")
	if err != nil {
		return nil, fmt.Errorf("reading results: %w", err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestFile), err)
	}
	if m.Schema != ManifestSchema {
		return nil, fmt.Errorf("%s: schema %q, want %q", filepath.Join(dir, ManifestFile), m.Schema, ManifestSchema)
	}
	return &m, nil
}

// readBaselines reads every baseline file in dir.
func readBaselines(dir string) ([]*baseline.Baseline, error) {
	files, err := filename.JSONFiles(dir)
	if err != nil {
		return nil, err
	}
	var out []*baseline.Baseline
	for _, f := range files {
		b, err := baseline.Load(f)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// readResultDir reads every result file in dir, ordered by start time.
func readResultDir(dir string) ([]*loadtest.Result, error) {
	files, err := filename.JSONFiles(dir)
	if err != nil {
		return nil, err
	}
	var out []*loadtest.Result
	for _, f := range files {
		res, err := loadtest.ReadFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, res)
	}
	slices.SortStableFunc(out, func(a, b *loadtest.Result) int { return a.Started.Compare(b.Started) })
	return out, nil
}
