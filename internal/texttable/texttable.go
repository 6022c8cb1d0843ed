// Package texttable aligns columns of text for terminal output, each
// column to the left or the right (text/tabwriter aligns every column the
// same way). It serves baseline's comparison table and loadgate's summary.
package texttable

import (
	"strings"
	"unicode"
)

// Table holds rows of cells. Align has one byte per column, 'l' or 'r';
// cells beyond it are left out.
type Table struct {
	Align string
	rows  [][]string
}

// Add appends a row.
func (t *Table) Add(cells ...string) { t.rows = append(t.rows, cells) }

// String renders the rows, columns two spaces apart, padded to their
// widest cell (in terminal columns, see [Width]), without trailing spaces.
// A column empty in every row takes no room.
func (t *Table) String() string {
	width := make([]int, len(t.Align))
	for _, row := range t.rows {
		for i, c := range row[:min(len(row), len(width))] {
			width[i] = max(width[i], Width(c))
		}
	}
	var b strings.Builder
	for _, row := range t.rows {
		var line strings.Builder
		for i, c := range row[:min(len(row), len(width))] {
			if width[i] == 0 {
				continue
			}
			if line.Len() > 0 {
				line.WriteString("  ")
			}
			pad := strings.Repeat(" ", width[i]-Width(c))
			if t.Align[i] == 'r' {
				line.WriteString(pad + c)
			} else {
				line.WriteString(c + pad)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	return b.String()
}

// Width returns how many terminal columns s takes: two for a wide or
// fullwidth character of East Asian scripts (a scenario named 登录), none
// for a combining mark, one for every other rune. Counting runes instead
// shifted every column after a Chinese, Japanese or Korean name.
func Width(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Mn, unicode.Me):
		case wide(r):
			n += 2
		default:
			n++
		}
	}
	return n
}

// wide reports whether r is East Asian Wide or Fullwidth (Unicode's
// EastAsianWidth W or F), for the blocks that hold such characters.
func wide(r rune) bool {
	switch {
	case r < 0x1100:
		return false
	case r <= 0x115F, // Hangul Jamo initial consonants
		0x2E80 <= r && r <= 0x303E, // CJK radicals, punctuation
		0x3041 <= r && r <= 0x33FF, // kana, CJK compatibility
		0x3400 <= r && r <= 0x4DBF, // CJK extension A
		0x4E00 <= r && r <= 0x9FFF, // CJK unified ideographs
		0xA000 <= r && r <= 0xA4CF, // Yi
		0xAC00 <= r && r <= 0xD7A3, // Hangul syllables
		0xF900 <= r && r <= 0xFAFF, // CJK compatibility ideographs
		0xFE30 <= r && r <= 0xFE4F, // CJK compatibility forms
		0xFF00 <= r && r <= 0xFF60, // fullwidth forms
		0xFFE0 <= r && r <= 0xFFE6,
		0x1F300 <= r && r <= 0x1F64F, // pictographs, emoticons
		0x1F900 <= r && r <= 0x1F9FF,
		0x20000 <= r && r <= 0x3FFFD: // CJK extensions B and later
		return true
	}
	return false
}
