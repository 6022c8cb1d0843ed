package app

import (
	"fmt"
	"strings"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/cell"
)

func verdictCell(r baseline.Row) string {
	var parts []string
	parts = append(parts, cell.Icon(r.Verdict.String()))
	if r.Note != "" {
		parts = append(parts, cell.Markdown(r.Note))
	}
	if r.Tested && r.P < 1 {
		parts = append(parts, fmt.Sprintf("(p=%.3f)", r.P))
	} else if !r.Tested {
		parts = append(parts, "(n="+cell.Runs(r.Base.N, r.Head.N)+")")
	}
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
