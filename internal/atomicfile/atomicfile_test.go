package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestWriteLeavesOldFileOnError: a writer that fails half way leaves the
// old file whole and no temporary file behind.
func TestWriteLeavesOldFileOnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "baseline.json")
	if err := WriteData(path, []byte("old\n")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(path, func(w io.Writer) error {
		io.WriteString(w, "half of the new")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write = %v, want the writer's error", err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "old\n" {
		t.Fatalf("after a failed write the file holds %q (%v), want the old content", got, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d entries left in the directory, want the file alone", len(entries))
	}
}

// TestWriteReplaces: a complete write replaces the file, readable by all,
// creating its directory.
func TestWriteReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "report.md")
	for _, s := range []string{"first", "second"} {
		if err := WriteData(path, []byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "second" {
		t.Fatalf("file holds %q (%v), want %q", got, err, "second")
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := st.Mode().Perm(); runtime.GOOS != "windows" && perm&0o044 != 0o044 {
		t.Errorf("mode %v, want readable by all", perm)
	}
}
