// Package filename names and finds the files of scenarios: [Safe] turns a
// scenario's name into the base of its files, so that a result (loadtest)
// and a baseline (baseline) of one scenario carry the same name, and
// [JSONFiles] lists a directory's result or baseline files.
package filename

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Safe returns name made safe for a file name on every OS: every rune other
// than ASCII letters, digits, '-', '_' and '.' becomes '_', and leading and
// trailing dots are dropped (no hidden files, no "." or ".."). A name with
// nothing left is "scenario". Different names can map to the same file name
// ("a b" and "a/b"): the caller must check the scenario in the file.
func Safe(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := strings.Trim(b.String(), ".")
	if s == "" {
		return "scenario"
	}
	return s
}

// JSONFiles lists the *.json files in dir, in name order, leaving out
// hidden ones (the temporary files of a result or baseline being written,
// a baseline's staged runs) and subdirectories. A missing dir has none.
func JSONFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		out = append(out, filepath.Join(dir, e.Name()))
	}
	return out, nil
}
