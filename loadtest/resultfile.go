package loadtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/loadgate/loadgate/internal/filename"
	"github.com/loadgate/loadgate/internal/jsonpos"
)

// WriteFile writes r as JSON into dir as <scenario>.json, or, when that file
// exists (another run of the same scenario, e.g. go test -count=N),
// <scenario>.2.json, <scenario>.3.json and so on: no run overwrites another.
// In the file name every character of the scenario's name other than ASCII
// letters, digits, '-', '_' and '.' becomes '_' ("checkout v2" is written to
// checkout_v2.json, as its baseline is named). A shard's result
// (Result.Shard) is named after its shard too, checkout.shard-2-of-4.json,
// so that the shards of a run can share one directory. The file appears
// whole or not at all: it is written to a temporary file in dir and then
// linked into place. WriteFile returns the path written.
func WriteFile(dir string, r *Result) (string, error) {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", fmt.Errorf("encoding result of %s: %w", r.Scenario, err)
	}
	data = append(data, '\n')
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("%s: %w", EnvOut, err)
	}
	base := filename.Safe(r.Scenario)
	if sh := r.Shard; sh != nil && sh.Index > 0 {
		base += fmt.Sprintf(".shard-%d-of-%d", sh.Index, sh.Count)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-"+base+"-*")
	if err != nil {
		return "", fmt.Errorf("%s: %w", EnvOut, err)
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file private (0600); a result is for every
	// reader of the directory, such as a CI step run as another user.
	err = tmp.Chmod(0o644)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return "", fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	for n := 1; n < 100000; n++ {
		name := base + ".json"
		if n > 1 {
			name = fmt.Sprintf("%s.%d.json", base, n)
		}
		path := filepath.Join(dir, name)
		// Link, unlike rename, fails when the name is taken, so concurrent
		// runs each claim a number of their own.
		err := os.Link(tmp.Name(), path)
		if err == nil {
			return path, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("writing result %s: %w", path, err)
		}
	}
	return "", fmt.Errorf("writing result: too many results for %s in %s", r.Scenario, dir)
}

// ReadFile reads a result file that [WriteFile] wrote. It is the one reader
// of result files: every problem is an error naming the file, and where the
// JSON is at fault its line, column and the path of the value
// ("file.json:12:5: latency.p99_ns: ..."): a file that is not one JSON
// object, a schema other than [SchemaVersion], a value of the wrong type,
// counts that cannot be (more errors than requests, an error rate outside
// [0, 1]), a result without a scenario name.
func ReadFile(path string) (*Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return decodeFile(path, data)
}

func decodeFile(path string, data []byte) (*Result, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var head struct {
		Schema *string `json:"schema"`
	}
	if err := dec.Decode(&head); err != nil {
		return nil, located(path, data, dec.InputOffset(), err, nil)
	}
	if _, err := dec.Token(); err != io.EOF {
		line, col := jsonpos.Position(data, dec.InputOffset())
		return nil, fmt.Errorf("%s:%d:%d: unexpected data after the JSON object", path, line, col)
	}
	switch {
	case head.Schema == nil:
		return nil, fmt.Errorf("%s: no \"schema\" field: not a loadgate result (%s)", path, SchemaVersion)
	case *head.Schema != SchemaVersion:
		return nil, fmt.Errorf("%s: schema %q, want %q", path, *head.Schema, SchemaVersion)
	}
	var r Result
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, located(path, data, 0, err, &r)
	}
	switch {
	case r.Scenario == "":
		return nil, fmt.Errorf("%s: result has no scenario name", path)
	case r.Requests < 0 || r.Errors < 0 || r.Errors > r.Requests:
		return nil, fmt.Errorf("%s: result of %s counts %d errors in %d requests", path, r.Scenario, r.Errors, r.Requests)
	case r.ErrorRate < 0 || r.ErrorRate > 1:
		return nil, fmt.Errorf("%s: result of %s has error_rate %g, want a fraction in [0, 1]", path, r.Scenario, r.ErrorRate)
	}
	return &r, nil
}

// located writes the error of decoding data into v (nil if none) as
// file:line:col: message, at the value at fault and naming its path.
func located(path string, data []byte, fallback int64, err error, v any) error {
	e := jsonpos.Locate(data, err, fallback, v)
	return fmt.Errorf("%s:%d:%d: %w", path, e.Line, e.Col, e.Err)
}
