package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/internal/errorkinds"
	"github.com/loadgate/loadgate/internal/rootcause"
	"github.com/loadgate/loadgate/internal/slowest"
	"github.com/loadgate/loadgate/loadtest"
)

// Issue 15's data, drawn when the results carry it: where the time went
// (loadtest.Result.Profiles, read and explained by internal/rootcause,
// which the caller runs as loadgate compare and the Action do) and the
// slowest requests (loadtest.Result.Slowest, chosen and written by
// internal/slowest, as loadgate run's summary and the Action's comment
// show them).

// profilesView is where the time went: per resource (CPU, allocations) the
// cost per request, then the functions whose own cost grew most, or the
// costliest without a base.
type profilesView struct {
	Sections []table
	Notes    []string
}

// table is a titled table of text cells.
type table struct {
	Title  string
	Header []string
	Rows   [][]string
	// IDs are the columns of request and trace ids: words of 16 to 32
	// characters that may break anywhere rather than push the table
	// past a narrow window.
	IDs []int
	// Note, when there are no rows, says why, in place of the table.
	Note string
	// More, under the rows, says what they leave out.
	More string
	// New are the rows whose first cell names a kind of error no base
	// run had: the page marks it beside the name, outside its code.
	New []int
}

// IsNew tells whether row r is one of New.
func (t table) IsNew(r int) bool { return slices.Contains(t.New, r) }

// Class is the class of column i's cells: "id" for a column of ids.
func (t table) Class(i int) string {
	if slices.Contains(t.IDs, i) {
		return "id"
	}
	return ""
}

// profilesOf renders c; nil when there is no report. Its words and cells
// are rootcause's [rootcause.Report.Sections], those of loadgate compare,
// the run summary and the Action's comment: the page wrote its own, a
// change of "+38.10%" where compare wrote "+38%", no change of the cost
// per request, and the head's costliest functions where compare said
// that nothing grew above noise.
func profilesOf(c *rootcause.Report) *profilesView {
	if c == nil {
		return nil
	}
	v := &profilesView{Notes: c.Notes}
	for _, s := range c.Sections() {
		t := table{Title: s.Total, Rows: s.Rows, Note: s.Note}
		switch {
		case s.Note != "":
		case s.Grew:
			t.Title += "; own cost per request grew most in"
			t.Header = []string{"function", "base", "head", "change"}
		default:
			t.Title += "; costliest functions per request"
			t.Header = []string{"function", "own", "flat", "cum"}
		}
		v.Sections = append(v.Sections, t)
	}
	if len(v.Sections) == 0 && len(v.Notes) == 0 {
		return nil
	}
	return v
}

// slowestOf is the table of the slowest requests of the head's runs; nil
// when they kept none.
func slowestOf(runs []*loadtest.Result) *table {
	rows := slowest.Of(runs, 2*slowest.Shown)
	if len(rows) == 0 {
		return nil
	}
	multi := len(runs) > 1
	t := &table{Header: slowest.Header(multi)}
	for i, h := range t.Header {
		if strings.HasSuffix(h, " id") {
			t.IDs = append(t.IDs, i)
		}
	}
	for _, r := range rows {
		t.Rows = append(t.Rows, r.Cells(multi))
	}
	return t
}

// errorsOf is the table of the head runs' errors by kind, the most
// frequent first, with a message of each (internal/errorkinds, as loadgate
// run's summary and the Action's comment list them); nil when they had
// none. newKinds are the kinds no base run had (the comparison's
// NewErrorKinds), marked new.
func errorsOf(runs []*loadtest.Result, newKinds []string) *table {
	kinds := errorkinds.Of(runs, newKinds)
	if len(kinds) == 0 {
		return nil
	}
	t := &table{Header: errorkinds.Header(len(runs) > 1), Rows: errorkinds.Rows(kinds, len(runs)), More: errorkinds.More(kinds)}
	for i, row := range t.Rows {
		if kinds[i].New {
			row[0] = kinds[i].Name
			t.New = append(t.New, i)
		}
	}
	return t
}

// flightsOf says, run by run, when each head run's flight recording was
// taken and its file, beside the run's result (loadtest.FlightRecording).
func flightsOf(runs []*loadtest.Result) []string {
	var out []string
	for i, r := range runs {
		fr := r.FlightRecording
		if fr == nil || fr.File == "" {
			continue
		}
		run := ""
		if len(runs) > 1 {
			run = fmt.Sprintf("run %d: ", i+1)
		}
		out = append(out, fmt.Sprintf("%s%s: %s", run, fr, fr.File))
	}
	return out
}
