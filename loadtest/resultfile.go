package loadtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/loadgate/loadgate/internal/filename"
)

// WriteFile writes r as JSON into dir as <scenario>.json, or, when that file
// exists (another run of the same scenario, e.g. go test -count=N),
// <scenario>.2.json, <scenario>.3.json and so on: no run overwrites another.
// In the file name every character of the scenario's name other than ASCII
// letters, digits, '-', '_' and '.' becomes '_' ("checkout v2" is written to
// checkout_v2.json, as its baseline is named). The file appears whole or not
// at all: it is written to a temporary file in dir and then linked into
// place. WriteFile returns the path written.
func WriteFile(dir string, r *Result) (string, error) {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", fmt.Errorf("encoding result of %s: %w", r.Scenario, err)
	}
	data = append(data, '\n')
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("%s: %w", EnvOut, err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-"+filename.Safe(r.Scenario)+"-*")
	if err != nil {
		return "", fmt.Errorf("%s: %w", EnvOut, err)
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file private (0600); a result is for every
	// reader of the directory, such as a CI step run as another user.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return "", fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	base := filename.Safe(r.Scenario)
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
