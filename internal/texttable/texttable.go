// Package texttable aligns columns of text for terminal output, each
// column to the left or the right (text/tabwriter aligns every column the
// same way). It serves baseline's comparison table and loadgate's summary.
package texttable

import (
	"strings"
	"unicode/utf8"
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
// widest cell, without trailing spaces. A column empty in every row takes
// no room.
func (t *Table) String() string {
	width := make([]int, len(t.Align))
	for _, row := range t.rows {
		for i, c := range row[:min(len(row), len(width))] {
			width[i] = max(width[i], utf8.RuneCountInString(c))
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
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
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
