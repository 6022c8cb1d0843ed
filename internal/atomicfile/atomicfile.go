// Package atomicfile writes a file whole or not at all: the content goes
// to a hidden temporary file beside it, which replaces the file only once
// it is complete and synced. A crash or an error while writing leaves the
// old file, if any, as it was, and no partial file under the name.
//
// It is the one writer of loadgate's files that replace an earlier one
// (baselines, the Action's manifest and reports, the HTML report). Result
// files, which must never replace one another, are written by
// loadtest.WriteFile with a link instead.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write creates or replaces the file at path with what write writes,
// readable by all (0644), creating its directory if needed. The temporary
// file is named ".tmp-<base>-<random>" in the same directory (readers of
// a results directory skip hidden files) and is closed and removed on
// any error, or a panic of write. An error of write is returned as it is;
// others name the file.
func Write(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	done := false
	defer func() {
		if !done {
			// Closed first, also when write panics: Windows cannot
			// remove a file that is open.
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return err
	}
	// CreateTemp makes the file private (0600); these files are for every
	// reader of the directory, such as a CI step run as another user.
	err = tmp.Chmod(0o644)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	done = true
	return nil
}

// WriteData creates or replaces the file at path with data, as [Write].
func WriteData(path string, data []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
