package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeT records what Check reports; Fatalf ends the call as testing's
// does, by unwinding to run.
type fakeT struct {
	errors, fatals []string
}

type fatal struct{}

func (f *fakeT) Helper()      {}
func (f *fakeT) Name() string { return "TestThing" }
func (f *fakeT) Errorf(format string, args ...any) {
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}
func (f *fakeT) Fatalf(format string, args ...any) {
	f.fatals = append(f.fatals, fmt.Sprintf(format, args...))
	panic(fatal{})
}

func (f *fakeT) run(name string, got []byte) {
	defer func() {
		if r := recover(); r != nil && r != (fatal{}) {
			panic(r)
		}
	}()
	Check(f, name, got)
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name      string
		give      string // the golden file's content; "-" for no file
		got       string
		update    bool
		wantErr   string // in Errorf's message
		wantFatal string // in Fatalf's message
		wantFile  string // the golden file afterwards
		wantGot   string // the .got file afterwards, "stale" before; "-" for none
	}{
		{name: "match", give: "a\nb\n", got: "a\nb\n", wantFile: "a\nb\n", wantGot: "-"},
		{name: "mismatch", give: "a\nb\n", got: "a\nc\n", wantErr: "testdata/x.golden changed (-golden +got), got written to testdata/x.golden.got",
			wantFile: "a\nb\n", wantGot: "a\nc\n"},
		{name: "missing", give: "-", got: "a\n", wantFatal: "go test -run 'TestThing' -update creates it", wantFile: "-", wantGot: "stale"},
		{name: "update", give: "old\n", got: "new\n", update: true, wantFile: "new\n", wantGot: "-"},
		{name: "update creates", give: "-", got: "new\n", update: true, wantFile: "new\n", wantGot: "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			if err := os.Mkdir("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "x.golden")
			if tt.give != "-" {
				writeFile(t, path, tt.give)
			}
			writeFile(t, path+".got", "stale")
			defer func(old bool) { *update = old }(*update)
			*update = tt.update

			f := &fakeT{}
			f.run("x.golden", []byte(tt.got))

			checkReported(t, "Errorf", f.errors, tt.wantErr)
			checkReported(t, "Fatalf", f.fatals, tt.wantFatal)
			if got := readFile(t, path); got != tt.wantFile {
				t.Errorf("golden file = %q, want %q", got, tt.wantFile)
			}
			if got := readFile(t, path+".got"); got != tt.wantGot {
				t.Errorf(".got file = %q, want %q", got, tt.wantGot)
			}
		})
	}
}

func checkReported(t *testing.T, what string, got []string, want string) {
	t.Helper()
	switch {
	case want == "" && len(got) > 0:
		t.Errorf("%s(%q), want no call", what, got)
	case want != "" && (len(got) != 1 || !strings.Contains(got[0], want)):
		t.Errorf("%s(%q), want one message containing %q", what, got, want)
	}
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readFile returns the file's content, or "-" if there is none.
func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return "-"
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
