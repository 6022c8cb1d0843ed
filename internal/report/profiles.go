package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/internal/cell"
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
}

// Class is the class of column i's cells: "id" for a column of ids.
func (t table) Class(i int) string {
	if slices.Contains(t.IDs, i) {
		return "id"
	}
	return ""
}

// profilesOf renders c; nil when there is no report.
func profilesOf(c *rootcause.Report) *profilesView {
	if c == nil {
		return nil
	}
	v := &profilesView{Notes: c.Notes}
	type resource struct {
		what   string
		format func(float64) string
		table  func(*rootcause.Set) *rootcause.Table
		top    []rootcause.Row
		grew   []rootcause.Change
	}
	for _, r := range []resource{
		{"CPU", assert.UnitDuration.Format, func(s *rootcause.Set) *rootcause.Table { return s.CPU }, c.TopCPU, c.GrewCPU},
		{"allocations", assert.UnitBytes.Format, func(s *rootcause.Set) *rootcause.Table { return s.Alloc }, c.TopAlloc, c.GrewAlloc},
	} {
		head := r.table(c.Head)
		if head == nil {
			continue
		}
		title := fmt.Sprintf("%s per request: %s (%s, %.0f requests)", r.what, r.format(head.PerRequest()), cell.Plural(head.Runs, "run"), head.Requests)
		if c.Base != nil {
			if base := r.table(c.Base); base != nil {
				title = fmt.Sprintf("%s per request: %s → %s (%s and %s)", r.what, r.format(base.PerRequest()), r.format(head.PerRequest()),
					cell.Plural(base.Runs, "base run"), cell.Plural(head.Runs, "head run"))
			}
		}
		if len(r.grew) > 0 {
			t := table{Title: title + "; own cost per request grew most in", Header: []string{"function", "base", "head", "change"}}
			for _, g := range r.grew {
				t.Rows = append(t.Rows, []string{rootcause.ShortName(g.Func), r.format(g.Base), r.format(g.Head), cell.Change(g.Ratio())})
			}
			v.Sections = append(v.Sections, t)
			continue
		}
		t := table{Title: title + "; costliest functions per request", Header: []string{"function", "own", "flat", "cum"}}
		for _, row := range r.top {
			t.Rows = append(t.Rows, []string{rootcause.ShortName(row.Func), r.format(row.Own), r.format(row.Flat), r.format(row.Cum)})
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
