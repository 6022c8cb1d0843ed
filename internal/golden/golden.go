// Package golden compares a test's output with a golden file in the
// package's testdata directory, as benchstat's tests do: go test -update
// rewrites the golden files, and a mismatch prints a diff and writes what
// the test got beside the golden file, with .got added to its name.
//
// It is for tests only: it registers the -update flag, so a test binary
// that imports it must not define a flag of that name itself.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// TB is the part of [testing.TB] that Check uses.
type TB interface {
	Helper()
	Name() string
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

var _ TB = (testing.TB)(nil)

// Check compares got with the file testdata/name. With -update it first
// rewrites the file. On a mismatch it fails the test with a diff (-golden
// +got) and writes got to testdata/name.got for a closer look; on a match it
// removes a stale .got file. A missing golden file fails the test, saying
// how to create it.
func Check(t TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("golden: %v", err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden: %v (go test -run '%s' -update creates it)", err, t.Name())
	}
	gotPath := path + ".got"
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		if err := os.WriteFile(gotPath, got, 0o644); err != nil {
			t.Errorf("golden: %v", err)
		}
		t.Errorf("%s changed (-golden +got), got written to %s; if intended, run go test -update:\n%s", path, gotPath, diff)
		return
	}
	os.Remove(gotPath)
}
