package rootcause

import (
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/texttable"
)

// resource is one of the two things a report measures.
type resource struct {
	what   string // "CPU", "allocations"
	format func(float64) string
	base   func(*Set) *Table
	top    func(*Report) []Row
	grew   func(*Report) []Change
}

var resources = []resource{
	{what: "CPU", format: assert.UnitDuration.Format,
		base: func(s *Set) *Table { return s.CPU }, top: func(r *Report) []Row { return r.TopCPU },
		grew: func(r *Report) []Change { return r.GrewCPU }},
	{what: "allocations", format: assert.UnitBytes.Format,
		base: func(s *Set) *Table { return s.Alloc }, top: func(r *Report) []Row { return r.TopAlloc },
		grew: func(r *Report) []Change { return r.GrewAlloc }},
}

// tables returns the tables of both sides for res (base nil without one).
func (r *Report) tables(res resource) (base, head *Table) {
	head = res.base(r.Head)
	if r.Base != nil {
		base = res.base(r.Base)
	}
	return base, head
}

// percent writes a relative change as "+41%", or "new" for a function the
// base did not spend anything in.
func percent(f float64) string {
	if math.IsInf(f, 1) {
		return "new"
	}
	return fmt.Sprintf("%+.0f%%", 100*f)
}

// total writes a side's cost per request, and the runs and requests
// behind it.
func total(res resource, base, head *Table) string {
	if base == nil {
		return fmt.Sprintf("%s per request %s (%s, %.0f requests)", res.what, res.format(head.PerRequest()),
			cell.Plural(head.Runs, "run"), head.Requests)
	}
	c := Change{Base: base.PerRequest(), Head: head.PerRequest()}
	return fmt.Sprintf("%s per request %s → %s (%s; %s and %s)", res.what, res.format(c.Base), res.format(c.Head),
		percent(c.Ratio()), cell.Plural(base.Runs, "base run"), cell.Plural(head.Runs, "head run"))
}

// WriteText writes the report for a terminal: for each of CPU and
// allocations, the cost per request, then the functions whose own cost per
// request grew most (with a base) or the costliest (without), e.g.
//
//	shop.sign  1.52ms → 2.13ms per request (+40%)
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "where the time went in %s (own: in the function and the standard library it calls)\n", r.Scenario)
	for _, res := range resources {
		base, head := r.tables(res)
		if head == nil {
			continue
		}
		fmt.Fprintf(&b, "  %s\n", total(res, base, head))
		if r.Base != nil {
			if base == nil {
				fmt.Fprintf(&b, "    the base has no %s profile to compare with\n", strings.ToLower(res.what))
				continue
			}
			grew := res.grew(r)
			if len(grew) == 0 {
				fmt.Fprintf(&b, "    no function's own %s per request grew by more than sampling noise and %.0f%% of the total\n", res.what, 100*MinShare)
				continue
			}
			fmt.Fprintf(&b, "    own %s per request grew most in:\n", res.what)
			width := 0
			for _, c := range grew {
				width = max(width, utf8.RuneCountInString(ShortName(c.Func)))
			}
			for _, c := range grew {
				fmt.Fprintf(&b, "    %-*s  %s → %s per request (%s)\n", width, ShortName(c.Func), res.format(c.Base), res.format(c.Head), percent(c.Ratio()))
			}
			continue
		}
		t := &texttable.Table{Align: "lrrr"}
		t.Add("    function", "own", "flat", "cum")
		for _, row := range res.top(r) {
			t.Add("    "+ShortName(row.Func), res.format(row.Own), res.format(row.Flat), res.format(row.Cum))
		}
		b.WriteString(t.String())
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "  note: %s\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// maxMarkdownNotes bounds the notes in Markdown: a comment has a size limit.
const maxMarkdownNotes = 3

// WriteMarkdown writes the report as GitHub Markdown: a line with the cost
// per request and a small table for each of CPU and allocations, at most
// Rows rows each, so that it stays a few hundred characters per scenario.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "**Where the time went** in %s (own: in the function and the standard library it calls)\n\n", cell.Code(r.Scenario))
	for _, res := range resources {
		base, head := r.tables(res)
		if head == nil {
			continue
		}
		line := cell.Markdown(total(res, base, head))
		switch {
		case r.Base != nil && base == nil:
			fmt.Fprintf(&b, "%s; the base has no %s profile to compare with.\n\n", line, strings.ToLower(res.what))
		case r.Base != nil && len(res.grew(r)) == 0:
			fmt.Fprintf(&b, "%s; no function's own %s per request grew by more than sampling noise and %.0f%% of the total.\n\n", line, res.what, 100*MinShare)
		case r.Base != nil:
			fmt.Fprintf(&b, "%s:\n\n| function | own %s per request, base | head | change |\n|:--|--:|--:|--:|\n", line, res.what)
			for _, c := range res.grew(r) {
				fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", cell.Code(ShortName(c.Func)), res.format(c.Base), res.format(c.Head), percent(c.Ratio()))
			}
			b.WriteString("\n")
		default:
			fmt.Fprintf(&b, "%s:\n\n| function | own %s per request | flat | cum |\n|:--|--:|--:|--:|\n", line, res.what)
			for _, row := range res.top(r) {
				fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", cell.Code(ShortName(row.Func)), res.format(row.Own), res.format(row.Flat), res.format(row.Cum))
			}
			b.WriteString("\n")
		}
	}
	for i, n := range r.Notes {
		if i == maxMarkdownNotes {
			fmt.Fprintf(&b, "- note: and %d more\n", len(r.Notes)-i)
			break
		}
		fmt.Fprintf(&b, "- note: %s\n", cell.Markdown(n))
	}
	if len(r.Notes) > 0 {
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
