// Package readfile reads a file whole, up to a bound: the one reader of
// the files loadgate takes from elsewhere (results, baselines, the
// Action's manifest), which a pull request from a fork may have written
// at any length.
package readfile

import (
	"fmt"
	"io"
	"os"
)

// Bounded reads the file at path, or refuses it when it holds more than
// limit bytes, with an error that names the file, what it was read as
// (what: "a result file") and the bound. A regular file is refused by its
// size before anything is read; anything else (a pipe, a device) by what
// it yields past the bound. Errors of opening the file are returned as
// os.Open returns them (errors.Is(err, fs.ErrNotExist) holds).
func Bounded(path string, limit int64, what string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tooLong := func(size string) error {
		return fmt.Errorf("%s: %s, more than %s holds (at most %s)", path, size, what, mib(limit))
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > limit {
		size := mib(fi.Size())
		if size == mib(limit) {
			// Rounded down, the size would read as the bound itself.
			size = fmt.Sprintf("%d bytes", fi.Size())
		}
		return nil, tooLong(size)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, tooLong("over " + mib(limit))
	}
	return data, nil
}

// mib writes n bytes in MiB, rounded down, or in bytes below one MiB.
func mib(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%d MiB", n>>20)
}
