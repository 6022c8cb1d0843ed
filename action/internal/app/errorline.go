package app

import (
	"fmt"
	"strings"

	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/errorkinds"
)

// errorLine names the head runs' errors by kind, the most frequent first,
// each with a sample message: "`http_503` 40 in 5 of 5 runs (e.g. `503
// Service Unavailable`) · `timeout` (new) 3 in 1 of 5 runs", a kind no
// base run had marked new.
// It is a line of text, not a table's row: its code spans keep a
// message's | and backticks as they are (cell.CodeText).
func errorLine(s *Scenario) string {
	var kinds []string
	for i, k := range s.Errors {
		if i == errorkinds.Shown {
			kinds = append(kinds, errorkinds.More(s.Errors))
			break
		}
		text := fmt.Sprintf("%s %d", cell.CodeText(k.Name), k.Count)
		if k.New {
			text = fmt.Sprintf("%s %s %d", cell.CodeText(k.Name), errorkinds.NewMark, k.Count)
		}
		if s.HeadRuns > 1 {
			text += fmt.Sprintf(" in %d of %d runs", k.Runs, s.HeadRuns)
		}
		if k.Sample != "" {
			text += " (e.g. " + cell.CodeText(k.Sample) + ")"
		}
		kinds = append(kinds, text)
	}
	return strings.Join(kinds, " · ")
}
