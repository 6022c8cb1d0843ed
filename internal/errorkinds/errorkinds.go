// Package errorkinds is the one list of a scenario's errors by kind
// (loadtest.Result.ErrorKinds, with a sample message of each) that
// loadgate run's summary and the Action's report both show: a reader who
// sees "error rate 2%" learns what the errors were without opening the
// result files, as vegeta's status codes and error set tell.
package errorkinds

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/loadtest"
)

// Shown is how many kinds a summary names; the rest are counted.
const Shown = 5

// SampleRunes is the most of a sample message a summary shows.
const SampleRunes = 120

// Kind is one kind of error over a scenario's runs.
type Kind struct {
	// Name is the kind, as loadtest names it: http_503, timeout,
	// connection_refused, grpc_unavailable… A kind of the target's own
	// (loadtest.KindError) may hold any text: it is put on one line, with
	// its control characters escaped, as Sample is.
	Name string
	// Count is how many requests failed so, over all the runs; Runs
	// is how many of the runs had any.
	Count int64
	Runs  int
	// Sample is one message of the kind (the first run's first that
	// has one, trimmed to SampleRunes), "" when no run kept one. It is
	// put on one line and its control characters are escaped ("\x1b"):
	// a message may quote the service's answer, and must neither break a
	// table's row nor reach a terminal as an escape sequence.
	Sample string
	// New says that no run of the base had the kind
	// (baseline.Comparison.NewErrorKinds): the lists say "(new)" beside it.
	New bool
}

// Of returns the kinds of error over runs, the most frequent first (by
// name among equals); nil when no run had an error. newKinds names the
// kinds no base run had (baseline.Comparison.NewErrorKinds; nil without a
// comparison), which the kinds say they are ([Kind.New]).
func Of(runs []*loadtest.Result, newKinds []string) []Kind {
	byName := map[string]*Kind{}
	for _, r := range runs {
		if r == nil {
			continue
		}
		for name, n := range r.ErrorKinds {
			if n <= 0 {
				continue
			}
			k := byName[name]
			if k == nil {
				k = &Kind{Name: oneLine(name), New: slices.Contains(newKinds, name)}
				byName[name] = k
			}
			k.Count += n
			k.Runs++
			if s := r.ErrorSamples[name]; k.Sample == "" && len(s) > 0 {
				k.Sample = cell.Clip(oneLine(s[0]), SampleRunes)
			}
		}
	}
	kinds := make([]Kind, 0, len(byName))
	for _, k := range byName {
		kinds = append(kinds, *k)
	}
	slices.SortFunc(kinds, func(a, b Kind) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Name, b.Name))
	})
	if len(kinds) == 0 {
		return nil
	}
	return kinds
}

// Header returns the names of the columns of a table of kinds; with runs
// (a scenario of more than one run), a column says how many had the kind.
func Header(runs bool) []string {
	if runs {
		return []string{"kind", "errors", "runs", "e.g."}
	}
	return []string{"kind", "errors", "e.g."}
}

// Align is the alignment of each column of Header (internal/texttable).
func Align(runs bool) string {
	if runs {
		return "lrrl"
	}
	return "lrl"
}

// Rows renders the first Shown of kinds under Header(total > 1), for a
// scenario of total runs; [More] says what they leave out.
func Rows(kinds []Kind, total int) [][]string {
	rows := make([][]string, 0, min(len(kinds), Shown))
	for _, k := range kinds[:min(len(kinds), Shown)] {
		rows = append(rows, k.Cells(total > 1, total))
	}
	return rows
}

// Cells renders k under Header(runs) of a scenario of total runs.
func (k Kind) Cells(runs bool, total int) []string {
	sample := k.Sample
	if sample == "" {
		sample = "-"
	}
	name := k.Name
	if k.New {
		name += " " + NewMark
	}
	if runs {
		return []string{name, fmt.Sprint(k.Count), fmt.Sprintf("%d of %d", k.Runs, total), sample}
	}
	return []string{name, fmt.Sprint(k.Count), sample}
}

// NewMark follows the name of a kind no base run had ([Kind.New]) in
// every list of kinds.
const NewMark = "(new)"

// More says how many kinds and errors a summary that shows the first
// Shown of kinds leaves out: "and 2 more kinds (7 errors)", "and 1 more
// kind (1 error)"; "" when it
// shows them all.
func More(kinds []Kind) string {
	if len(kinds) <= Shown {
		return ""
	}
	var n int64
	var fresh []string
	for _, k := range kinds[Shown:] {
		n += k.Count
		if k.New {
			fresh = append(fresh, k.Name)
		}
	}
	more := fmt.Sprintf("and %s (%s)", cell.Plural(len(kinds)-Shown, "more kind"), cell.Plural(int(n), "error"))
	if len(fresh) > 0 {
		// A rare kind no base run had is news all the same.
		more += fmt.Sprintf(", %s among them", strings.Join(fresh, ", ")+" "+NewMark)
	}
	return more
}

// oneLine joins a multi-line message (a panic's, a server's HTML page) so
// that it cannot break a table's row, and escapes the control characters
// and bidirectional controls left in it as Go does in a quoted string
// ("\x1b[31m", "\u202e"), so that a message that quotes the service
// cannot recolour or rewrite the terminal that loadgate run prints it on.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if !strings.ContainsFunc(s, unsafeRune) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unsafeRune(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// unsafeRune tells the runes a message must not print as they are: control
// characters, and the invisible ones that reorder the text around them
// (U+202E RIGHT-TO-LEFT OVERRIDE and the other bidirectional controls), so
// that a message cannot show other words than it holds.
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)
}
