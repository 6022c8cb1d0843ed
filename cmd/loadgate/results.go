package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/filename"
	"github.com/loadgate/loadgate/internal/jsonpos"
	"github.com/loadgate/loadgate/internal/readfile"
	"github.com/loadgate/loadgate/loadtest"
)

// scenarioKey identifies a scenario: scenario names are unique within a
// package, not across packages.
type scenarioKey struct{ Package, Scenario string }

func (k scenarioKey) String() string { return k.Scenario }

func compareKeys(a, b scenarioKey) int {
	return cmp.Or(strings.Compare(a.Package, b.Package), strings.Compare(a.Scenario, b.Scenario))
}

// resultFile is a result read from a file.
type resultFile struct {
	Path string
	*loadtest.Result
}

// baselineFile is a baseline read from a file.
type baselineFile struct {
	Path string
	*baseline.Baseline
}

// inputSet is what a list of files and directories held: results
// (loadgate.result/v1) and baselines (loadgate.baseline/v1), by scenario.
type inputSet struct {
	Results   map[scenarioKey][]resultFile // in the order the runs started
	Baselines map[scenarioKey]baselineFile
}

// keys returns the scenarios of the set, sorted by package and name.
func (s *inputSet) keys() []scenarioKey {
	var keys []scenarioKey
	for k := range s.Results {
		keys = append(keys, k)
	}
	for k := range s.Baselines {
		if _, ok := s.Results[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, compareKeys)
	return keys
}

// readInputs reads result and baseline files, and the *.json files of
// directories (not their subdirectories). Every problem is an error that
// names the file: a missing path, a directory without results, a file
// that is not valid JSON (with its line and column), a schema that is
// not loadgate's, two baselines of one scenario, one run given twice
// (onceEach).
func readInputs(paths ...string) (*inputSet, error) {
	set := &inputSet{Results: map[scenarioKey][]resultFile{}, Baselines: map[scenarioKey]baselineFile{}}
	for _, p := range paths {
		files, err := jsonFiles(p)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if err := set.readFile(f); err != nil {
				return nil, err
			}
		}
	}
	for k, rs := range set.Results {
		slices.SortStableFunc(rs, func(a, b resultFile) int { return a.Started.Compare(b.Started) })
		set.Results[k] = rs
		if err := onceEach(rs); err != nil {
			return nil, err
		}
	}
	return set, nil
}

// statInput stats a path given on the command line; a missing one is
// named plainly.
func statInput(path string) (fs.FileInfo, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: no such file or directory", path)
	}
	return st, err
}

// jsonFiles returns path if it is a file, or the *.json files in it if it
// is a directory (hidden ones, such as the temporary files of a result
// being written, left out).
func jsonFiles(path string) ([]string, error) {
	st, err := statInput(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	files, err := filename.JSONFiles(path)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no result or baseline files (*.json) in the directory", path)
	}
	return files, nil
}

func (s *inputSet) readFile(path string) error {
	data, err := readfile.Bounded(path, baseline.MaxFileBytes, "a result or baseline file")
	if err != nil {
		return err
	}
	schema, err := peekSchema(path, data)
	if err != nil {
		return err
	}
	switch schema {
	case loadtest.SchemaVersion:
		r, err := loadtest.ReadFile(path)
		if err != nil {
			return err
		}
		k := scenarioKey{r.Package, r.Scenario}
		s.Results[k] = append(s.Results[k], resultFile{path, r})
	case baseline.SchemaVersion:
		b, err := parseBaseline(data, path)
		if err != nil {
			return err
		}
		k := scenarioKey{b.Package, b.Scenario}
		if prev, ok := s.Baselines[k]; ok {
			return fmt.Errorf("%s and %s: two baselines of scenario %q", prev.Path, path, b.Scenario)
		}
		s.Baselines[k] = baselineFile{path, b}
	default:
		return otherSchema(path, schema)
	}
	return nil
}

// otherSchema is the error of a file at path whose schema loadgate does
// not read, saying what the file is when its schema tells: a result or
// baseline of another version of loadgate, the GitHub Action's manifest
// (whose results are in directories beside it), loadgate compare's JSON.
func otherSchema(path, schema string) error {
	reads := fmt.Sprintf("%s or %s", loadtest.SchemaVersion, baseline.SchemaVersion)
	switch kind, _, _ := strings.Cut(schema, "/"); kind {
	case "loadgate.result", "loadgate.baseline":
		return fmt.Errorf("%s: schema %q is of another version of loadgate; this one reads %s: read it with the loadgate that wrote it", path, schema, reads)
	case "loadgate.action":
		// action/internal/app.ManifestSchema, which this package may not
		// import: the manifest of the Action's results directory, whose
		// results are in head/ and base/ beside it.
		dir := filepath.Dir(path)
		var sides []string
		for _, side := range []string{"base", "head"} {
			if st, err := os.Stat(filepath.Join(dir, side)); err == nil && st.IsDir() {
				sides = append(sides, filepath.Join(dir, side))
			}
		}
		if len(sides) == 0 {
			return fmt.Errorf("%s: the GitHub Action's manifest (%s), not a result: give the directory of results beside it", path, schema)
		}
		return fmt.Errorf("%s: the GitHub Action's manifest (%s), not a result: give the results beside it, %s (the base first)", path, schema, strings.Join(sides, " "))
	case "loadgate.compare":
		return fmt.Errorf("%s: the output of loadgate compare -format json (%s), not a result: give the results it compared", path, schema)
	}
	return fmt.Errorf("%s: schema %q is not one loadgate reads (%s)", path, schema, reads)
}

// peekSchema checks that data is one well-formed JSON object and returns
// its "schema" field.
func peekSchema(path string, data []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return "", jsonError(path, data, dec.InputOffset(), err, nil)
	}
	end := dec.InputOffset() // just past the value
	if _, err := dec.Token(); err != io.EOF {
		line, col := jsonpos.Position(data, jsonpos.Trailing(data, end))
		return "", fmt.Errorf("%s:%d:%d: unexpected data after the JSON object", path, line, col)
	}
	if raw[0] != '{' {
		return "", fmt.Errorf("%s: a JSON %s, not an object: not a loadgate result (%s) or baseline (%s)", path, jsonKind(raw[0]), loadtest.SchemaVersion, baseline.SchemaVersion)
	}
	var head struct {
		Schema *string `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return "", jsonError(path, data, 0, err, &head)
	}
	if head.Schema == nil {
		return "", fmt.Errorf("%s: no \"schema\" field: not a loadgate result (%s) or baseline (%s)", path, loadtest.SchemaVersion, baseline.SchemaVersion)
	}
	return *head.Schema, nil
}

// jsonError writes the error of decoding data into v (nil if none) as
// file:line:col: message, at the value at fault and naming its path (see
// jsonpos.Locate). fallback is the offset to name when nothing better is
// known.
func jsonError(path string, data []byte, fallback int64, err error, v any) error {
	e := jsonpos.Locate(data, err, fallback, v)
	return fmt.Errorf("%s:%d:%d: %w", path, e.Line, e.Col, e.Err)
}

// loadBaseline reads a baseline file, as baseline.Load, with the errors of
// parseBaseline.
func loadBaseline(path string) (*baseline.Baseline, error) {
	data, err := readfile.Bounded(path, baseline.MaxFileBytes, "a baseline")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", path, baseline.ErrNoBaseline)
	}
	if err != nil {
		return nil, err
	}
	return parseBaseline(data, path)
}

// parseBaseline decodes a baseline file, as baseline.Parse, but places the
// errors of its values as jsonError places those of results: a value that
// its type refuses (a bad time) at its line and column and named by its
// path, not at 1:1; a value of the wrong type at its start, with the map
// keys and indices of its path.
func parseBaseline(data []byte, path string) (*baseline.Baseline, error) {
	b, err := baseline.Parse(data, path)
	var se *baseline.SyntaxError
	if err == nil || !errors.As(err, &se) {
		return b, err
	}
	var v baseline.Baseline
	uerr := json.Unmarshal(data, &v)
	var jse *json.SyntaxError
	if uerr == nil || errors.As(uerr, &jse) {
		return nil, err // Parse placed it
	}
	e := jsonpos.Locate(data, uerr, 0, &v)
	return nil, &baseline.SyntaxError{File: path, Line: e.Line, Col: e.Col, Err: e.Err}
}

// resultsOf returns the results of the files.
func resultsOf(files []resultFile) []*loadtest.Result {
	out := make([]*loadtest.Result, len(files))
	for i, f := range files {
		out[i] = f.Result
	}
	return out
}

// shardIn returns an error naming the first of the files that holds one
// shard of a sharded run (baseline.NotShard): a slice of the load, which
// is compared, exported or drawn only once the shards are merged.
func shardIn(rs []resultFile) error {
	for _, r := range rs {
		if err := baseline.NotShard(r.Result); err != nil {
			return fmt.Errorf("%s: %w", r.Path, err)
		}
	}
	return nil
}

// sampleOf makes the sample of one side of a comparison for the scenario:
// its baseline, or its results. A side that holds both for one scenario
// is ambiguous.
func (s *inputSet) sampleOf(k scenarioKey, label string) (baseline.Sample, error) {
	b, hasBaseline := s.Baselines[k]
	rs := s.Results[k]
	switch {
	case hasBaseline && len(rs) > 0:
		return baseline.Sample{}, fmt.Errorf("both a baseline (%s) and results (%s) of scenario %q: give one or the other", b.Path, rs[0].Path, k.Scenario)
	case hasBaseline:
		smp := b.Sample()
		if label != "base" {
			smp.Label = label
		}
		return smp, nil
	}
	if err := shardIn(rs); err != nil {
		return baseline.Sample{}, err
	}
	smp, err := baseline.SampleOf(resultsOf(rs)...)
	if err != nil {
		return baseline.Sample{}, mixedLoads(rs, err)
	}
	smp.Label = label
	return smp, nil
}

// mixedLoads names the files of err, SampleOf's refusal of results sent to
// two targets or at two scales, which numbers them only ("the first
// result", "the result 2"): a directory of LOADGATE_OUT runs says nothing
// about their order. SampleOf of the first result and each other one in
// turn finds the result at fault by the one rule that refused them. Any
// other error is returned as it is.
func mixedLoads(rs []resultFile, err error) error {
	if !errors.Is(err, baseline.ErrScaleMismatch) && !errors.Is(err, baseline.ErrTargetMismatch) {
		return err
	}
	for _, r := range rs[1:] {
		if _, pairErr := baseline.SampleOf(rs[0].Result, r.Result); pairErr != nil {
			return fmt.Errorf("%s (the first result) and %s (the result 2): %w", rs[0].Path, r.Path, pairErr)
		}
	}
	return err
}

// onceEach refuses two files of one run (one run_id), such as a result
// copied into the directory under another name, naming both: compared,
// judged by its SLA alone or exported, a copy would count as a run of its
// own. readInputs calls it for every scenario it reads; SampleOf would
// refuse the copy too, by its index only.
func onceEach(rs []resultFile) error {
	seen := map[string]string{} // run id → path
	for _, r := range rs {
		if r.RunID == "" {
			continue
		}
		if prev, ok := seen[r.RunID]; ok {
			return fmt.Errorf("%s and %s: %w of scenario %q (run_id %s); give each run once",
				prev, r.Path, baseline.ErrDuplicateRun, r.Scenario, r.RunID)
		}
		seen[r.RunID] = r.Path
	}
	return nil
}

// jsonKind names the kind of JSON value that starts with c.
func jsonKind(c byte) string {
	switch c {
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}
