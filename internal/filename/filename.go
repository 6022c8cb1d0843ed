// Package filename turns a scenario's name into the base of its files, so
// that a result (loadtest) and a baseline (baseline) of one scenario carry
// the same name.
package filename

import "strings"

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
