// Package filename names and finds the files of scenarios: [Safe] turns a
// scenario's name into the base of its files, so that a result (loadtest)
// and a baseline (baseline) of one scenario carry the same name, and
// [JSONFiles] lists a directory's result or baseline files.
package filename

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Safe returns name made safe for a file name on every OS: letters, digits
// and combining marks of any script are kept (as Go's testing keeps them in
// t.TempDir), and so are '-', '_' and '.'; every other rune (separators,
// spaces, punctuation, controls, invisible formatting) becomes '_', and
// leading and trailing dots are dropped (no hidden files, no "." or "..").
// A name with nothing left is "scenario". A name longer than [MaxLen]
// bytes keeps its first whole runes and ends in a hash of the whole name,
// so that the file names built on it (".tmp-<base>-123",
// "<base>.shard-2-of-4.json", "<base>.12.cpu.pprof",
// ".<base>.json.staged") stay under the 255 bytes a file name may have: a
// scenario named by a long sentence was not written at all ("file name too
// long"). Different names can still map to the same file name ("a b" and
// "a/b", or "Login" and "login" on a file system that ignores case): the
// caller must check the scenario in the file.
func Safe(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		case r >= utf8.RuneSelf && r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)):
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := strings.Trim(b.String(), ".")
	if s == "" {
		return "scenario"
	}
	if len(s) > MaxLen {
		h := fnv.New32a()
		h.Write([]byte(name))
		cut := MaxLen - 9
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = fmt.Sprintf("%s-%08x", s[:cut], h.Sum32())
	}
	return s
}

// MaxLen is the longest base [Safe] returns, in bytes: a file name may have
// 255, and the longest name built on a base adds 43
// (".shard-10000-of-10000.99999.goroutine.pprof"). Names up to it keep the
// file names they always had, so that stored baselines are still found.
const MaxLen = 200

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
