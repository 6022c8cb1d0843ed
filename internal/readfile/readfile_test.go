package readfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBounded: a file within the bound is read whole; a longer one is
// refused by its size, before it is read (a sparse file of 3 MiB costs
// nothing), naming the file, what it was read as and the bound; a stream
// is refused by what it yields.
func TestBounded(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.json")
	if err := os.WriteFile(small, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, err := Bounded(small, 3, "a result file"); err != nil || string(data) != "{}\n" {
		t.Errorf("Bounded(%s, 3) = %q, %v; want the file whole", small, data, err)
	}
	if _, err := Bounded(small, 2, "a result file"); err == nil || err.Error() != small+": 3 bytes, more than a result file holds (at most 2 bytes)" {
		t.Errorf("Bounded(%s, 2): %v", small, err)
	}

	huge := sparse(t, filepath.Join(dir, "huge.json"), 3<<20+1)
	if _, err := Bounded(huge, 1<<20, "a manifest"); err == nil || err.Error() != huge+": 3 MiB, more than a manifest holds (at most 1 MiB)" {
		t.Errorf("Bounded(%s, 1 MiB): %v", huge, err)
	}

	// Just over the bound, the size is not rounded down to the bound's
	// own figure ("1 MiB, more than a manifest holds (at most 1 MiB)").
	over := sparse(t, filepath.Join(dir, "over.json"), 1<<20+1)
	if _, err := Bounded(over, 1<<20, "a manifest"); err == nil || err.Error() != over+": 1048577 bytes, more than a manifest holds (at most 1 MiB)" {
		t.Errorf("Bounded(%s, 1 MiB): %v", over, err)
	}
	if _, err := Bounded(filepath.Join(dir, "missing.json"), 1, "a result file"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v, want fs.ErrNotExist", err)
	}

	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero here")
	}
	if _, err := Bounded("/dev/zero", 1<<20, "a baseline"); err == nil || !strings.HasPrefix(err.Error(), "/dev/zero: over 1 MiB, more than a baseline holds") {
		t.Errorf("Bounded(/dev/zero, 1 MiB): %v", err)
	}
}

// sparse creates a file of size bytes at path without writing them (a
// hole costs neither disk nor memory until it is read), and returns path.
func sparse(t *testing.T, path string, size int64) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	return path
}
