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
	what string // "CPU", "allocations"
	// profile names the profiles it is read from as loadgate run's
	// -profile and their files do: "CPU", "heap".
	profile string
	format  func(float64) string
	base    func(*Set) *Table
	top     func(*Report) []Row
	grew    func(*Report) []Change
	// sample names one sample of the resource's profile, for a
	// section whose profiles hold none.
	sample string
	// of names what a share of the profiles is of: "CPU samples".
	of string
}

// empty says why the head's table t of res has no function to show.
func (res resource) empty(t *Table) string {
	if t.Requests <= 0 {
		return fmt.Sprintf("no requests in the window of the %s profiles to divide their cost by", res.profile)
	}
	return fmt.Sprintf("no %s samples of the load in the profiles (%s each): too few to say where it went", res.sample, res.format(t.Period))
}

var resources = []resource{
	{what: "CPU", profile: "CPU", format: assert.UnitDuration.Format,
		base: func(s *Set) *Table { return s.CPU }, top: func(r *Report) []Row { return r.TopCPU },
		grew: func(r *Report) []Change { return r.GrewCPU }, sample: "CPU", of: "CPU samples"},
	{what: "allocations", profile: "heap", format: assert.UnitBytes.Format,
		base: func(s *Set) *Table { return s.Alloc }, top: func(r *Report) []Row { return r.TopAlloc },
		grew: func(r *Report) []Change { return r.GrewAlloc }, sample: "allocation", of: "bytes allocated"},
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
// behind it, and how much of the head's profiles was left out as
// loadgate's own generator's (see [generatorShare]).
// A report with a base whose runs have no profile of res (noBase) says
// so, of the head's runs.
func total(res resource, base, head *Table, noBase bool) string {
	gen := ""
	if g := generatorShare(res, head); g != "" {
		gen = "; " + g
	}
	if noBase {
		return fmt.Sprintf("%s per request %s (%s, %.0f requests; the base has no %s profile to compare with%s)", res.what,
			res.format(head.PerRequest()), cell.Plural(head.Runs, "head run"), head.Requests, res.profile, gen)
	}
	if base == nil {
		return fmt.Sprintf("%s per request %s (%s, %.0f requests%s)", res.what, res.format(head.PerRequest()),
			cell.Plural(head.Runs, "run"), head.Requests, gen)
	}
	c := Change{Base: base.PerRequest(), Head: head.PerRequest()}
	return fmt.Sprintf("%s per request %s → %s (%s; %s and %s%s)", res.what, res.format(c.Base), res.format(c.Head),
		percent(c.Ratio()), cell.Plural(base.Runs, "base run"), cell.Plural(head.Runs, "head run"), gen)
}

// generatorShare says how much of t was left out as loadgate's own load
// generator's: "loadgate's own generator: 12% of the CPU samples, not
// shown"; empty when nothing was.
func generatorShare(res resource, t *Table) string {
	if t.Generator <= 0 {
		return ""
	}
	share := fmt.Sprintf("%.0f%%", 100*t.Generator/(t.Generator+t.Total))
	if share == "0%" {
		share = "under 1%"
	}
	return fmt.Sprintf("loadgate's own generator: %s of the %s, not shown", share, res.of)
}

// Section is one resource's part of a [Report], CPU or allocations, in
// the words and cells that every rendering of it shows: loadgate
// compare's text and Markdown, loadgate run's summary, the Action's
// comment and the HTML report. A renderer adds only its layout and
// headers, so that the same profiles read the same everywhere.
type Section struct {
	// Resource is "CPU" or "allocations".
	Resource string
	// Total is the head's cost per request, with a base the base's and
	// the change, and the runs and requests behind it: "CPU per request
	// 1.85ms → 2.33ms (+26%; 5 base runs and 5 head runs)"; and, when
	// some of the head's profiles were loadgate's own generator's, their
	// share, left out of the cost and the rows: "…; loadgate's own
	// generator: 9% of the CPU samples, not shown)".
	Total string
	// Grew tells what Rows are: with a base, the functions whose own cost
	// per request grew most (function, base, head, change); without one,
	// or when the base's runs have no profile of the resource (Total
	// says so), the head's costliest functions (function, own, flat,
	// cum).
	Grew bool
	// Rows are the cells of each function, its [ShortName] first, at
	// most [Rows] of them.
	Rows [][]string
	// Note says why there are no rows, as a clause without a capital or
	// a full stop: nothing grew above noise, or the profiles hold no
	// sample of the resource. Empty when Rows are given.
	Note string
}

// Sections returns the report's sections, CPU first; a resource that the
// head has no profile of has none.
func (r *Report) Sections() []Section {
	var out []Section
	for _, res := range resources {
		base, head := r.tables(res)
		if head == nil {
			continue
		}
		// A base without profiles of res: the head's costliest
		// functions still point at code; its Total says the base has
		// none (it said only that, with no function).
		noBase := r.Base != nil && base == nil
		s := Section{Resource: res.what, Total: total(res, base, head, noBase)}
		switch {
		case head.Total <= 0 || head.Requests <= 0:
			// Nothing to rank, with a base or without: "no function
			// grew" would read as a finding, and 0s → 0s as "new".
			s.Note = res.empty(head)
		case r.Base != nil && !noBase:
			s.Grew = true
			for _, c := range res.grew(r) {
				s.Rows = append(s.Rows, []string{ShortName(c.Func), res.format(c.Base), res.format(c.Head), percent(c.Ratio())})
			}
			if len(s.Rows) == 0 {
				s.Note = fmt.Sprintf("no function's own %s per request grew by more than sampling noise and %.0f%% of the total", res.what, 100*MinShare)
			}
		default:
			for _, row := range res.top(r) {
				s.Rows = append(s.Rows, []string{ShortName(row.Func), res.format(row.Own), res.format(row.Flat), res.format(row.Cum)})
			}
			if len(s.Rows) == 0 {
				// A light load in a short run: at 100 Hz a run that
				// spent under 10ms of CPU may hold no sample at all.
				// The table's header alone said nothing.
				s.Note = res.empty(head)
			}
		}
		out = append(out, s)
	}
	return out
}

// WriteText writes the report for a terminal: for each of CPU and
// allocations, the cost per request, then the functions whose own cost per
// request grew most (with a base) or the costliest (without), e.g.
//
//	shop.sign  1.52ms → 2.13ms per request (+40%)
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "where the time went in %s (own: in the function and the standard library it calls)\n", r.Scenario)
	for _, s := range r.Sections() {
		fmt.Fprintf(&b, "  %s\n", s.Total)
		switch {
		case s.Note != "":
			fmt.Fprintf(&b, "    %s\n", s.Note)
		case s.Grew:
			fmt.Fprintf(&b, "    own %s per request grew most in:\n", s.Resource)
			width := 0
			for _, row := range s.Rows {
				width = max(width, utf8.RuneCountInString(row[0]))
			}
			for _, row := range s.Rows {
				fmt.Fprintf(&b, "    %-*s  %s → %s per request (%s)\n", width, row[0], row[1], row[2], row[3])
			}
		default:
			t := &texttable.Table{Align: "lrrr"}
			t.Add("    function", "own", "flat", "cum")
			for _, row := range s.Rows {
				t.Add("    "+row[0], row[1], row[2], row[3])
			}
			b.WriteString(t.String())
		}
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
	fmt.Fprintf(&b, "**Where the time went** in %s (own: in the function and the standard library it calls)\n\n", cell.CodeText(r.Scenario))
	for _, s := range r.Sections() {
		line := cell.Markdown(s.Total)
		switch {
		case s.Note != "":
			fmt.Fprintf(&b, "%s; %s.\n\n", line, s.Note)
		case s.Grew:
			fmt.Fprintf(&b, "%s:\n\n| function | own %s per request, base | head | change |\n|:--|--:|--:|--:|\n", line, s.Resource)
		default:
			fmt.Fprintf(&b, "%s:\n\n| function | own %s per request | flat | cum |\n|:--|--:|--:|--:|\n", line, s.Resource)
		}
		for _, row := range s.Rows {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", cell.Code(row[0]), row[1], row[2], row[3])
		}
		if s.Note == "" {
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
