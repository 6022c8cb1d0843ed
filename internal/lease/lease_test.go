//go:build unix

package lease

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTakeCheckRelease: a lease is held until released, a second Take is
// refused naming the holder, and a released lease leaves no file.
func TestTakeCheckRelease(t *testing.T) {
	path := filepath.Join(t.TempDir(), "update.lease")
	if _, held, err := Check(path); held || err != nil {
		t.Fatalf("before Take: held %v, %v", held, err)
	}
	l, err := Take(path, Holder{ID: "s1", Note: "loadgate, pid 1"})
	if err != nil {
		t.Fatal(err)
	}
	if h, held, err := Check(path); !held || err != nil || h.ID != "s1" || h.Note != "loadgate, pid 1" {
		t.Errorf("Check of a held lease: %+v, %v, %v", h, held, err)
	}
	if _, err := Take(path, Holder{ID: "s2"}); !errors.Is(err, ErrHeld) || !strings.Contains(err.Error(), "s1: loadgate, pid 1") {
		t.Errorf("a second Take: %v", err)
	}
	l.Release()
	l.Release()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("released lease left its file: %v", err)
	}
	// A file left by a holder that died is not held, and can be taken.
	os.WriteFile(path, []byte("s0\ngone\n"), 0o644)
	if h, held, err := Check(path); held || err != nil || h.ID != "s0" {
		t.Errorf("a stale lease: %+v, held %v, %v", h, held, err)
	}
	l, err = Take(path, Holder{ID: "s3"})
	if err != nil {
		t.Fatalf("taking a stale lease: %v", err)
	}
	l.Release()
}
