package app

import (
	"strings"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/cell"
)

// verdictCell writes a row's verdict cell: its icon, why, and the rank
// test.
func verdictCell(r baseline.Row) string {
	var parts []string
	parts = append(parts, cell.Icon(r.Verdict.String()))
	if r.Note != "" {
		parts = append(parts, cell.Markdown(r.Note))
	}
	// The rank test as loadgate compare's test column and the HTML report
	// write it: the runs of each side say when generator-bound runs were
	// left out (n=5+4).
	parts = append(parts, "("+cell.Test(r.Tested, r.P, r.Base.N, r.Head.N)+")")
	return strings.Join(parts, " ")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func codeIf(s string) string {
	if s == "" {
		return ""
	}
	return cell.Code(s)
}

// fence puts text in a fenced code block longer than any fence inside it.
func fence(lang, text string) string {
	f := "```"
	for strings.Contains(text, f) {
		f += "`"
	}
	return f + lang + "\n" + strings.TrimRight(text, "\n") + "\n" + f
}
