// Package jsonpos turns a byte offset of a JSON decoding error into the
// 1-based line and column that error messages name.
package jsonpos

// Position returns the 1-based line and column of byte offset off in data;
// offsets out of range are clamped.
func Position(data []byte, off int64) (line, col int) {
	off = max(0, min(off, int64(len(data))))
	line, col = 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}
