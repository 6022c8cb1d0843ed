package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
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

// TestWritePanicLeavesNoTemporaryFile: a writer that panics leaves no
// temporary file, neither in the directory nor open in the process. The
// file was removed without being closed, which Windows refuses for an
// open file, so the temporary file stayed beside the target there. The
// open file is seen in /proc/self/fd, on Linux only.
func TestWritePanicLeavesNoTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("Write did not pass on the writer's panic")
			}
		}()
		Write(filepath.Join(dir, "report.html"), func(w io.Writer) error {
			io.WriteString(w, "<html>")
			panic("template broke")
		})
	}()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("%d entries left in the directory, want none", len(entries))
	}
	if runtime.GOOS != "linux" {
		return
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip(err)
	}
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && strings.HasPrefix(target, dir) {
			t.Errorf("the temporary file is still open: %s", target)
		}
	}
}
