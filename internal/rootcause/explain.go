package rootcause

import (
	"cmp"
	"math"
	"slices"
)

// Limits of a [Report].
const (
	// Rows is how many functions each list of a report shows.
	Rows = 5
	// MinShare is the smallest change of a function's own cost per
	// request a report shows, as a share of the head's whole cost per
	// request.
	MinShare = 0.01
	// MinZ is how many standard errors of the profiles' sampling a change
	// must exceed to be shown. Profiles count samples (one per 10 ms of
	// CPU, about one per 512 KiB allocated): a function seen in n of N
	// samples could as well have been seen in n ± √(n(1-n/N)), so a change
	// of a few samples, common in the heap profiles of short runs, is
	// noise. This is the noise of sampling only, not of the program: runs
	// differ more than that, which is why the verdict rests on latency and
	// throughput and this report only points at code.
	MinZ = 3
)

// Report is where the time went in one scenario: what the head's runs
// cost per request and in which functions, and, with a base, which
// functions' own cost per request grew most. [Explain] makes it; renderers
// only show it.
type Report struct {
	Scenario string
	// Head and Base are the merged profiles of each side; Base is nil
	// without a base.
	Head, Base *Set
	// TopCPU and TopAlloc are the head's costliest functions per request,
	// by own cost, at most Rows each.
	TopCPU, TopAlloc []Row
	// GrewCPU and GrewAlloc are the functions whose own cost per request
	// grew most from base to head, the largest growth first, at most
	// Rows each, each by at least MinShare of the head's cost per request
	// and MinZ standard errors of sampling.
	// Empty without a base, or when nothing grew that much.
	GrewCPU, GrewAlloc []Change
	// Notes say which profiles could not be used.
	Notes []string
}

// Row is a function's cost per request: CPU nanoseconds or bytes.
type Row struct {
	Func           string // full name
	Flat, Cum, Own float64
}

// Change is a function's own cost per request in the base and the head.
type Change struct {
	Func       string // full name
	Base, Head float64
}

// Ratio is the relative change, Head/Base - 1: +Inf for a function the
// base did not spend anything in and the head did, 0 when neither did.
func (c Change) Ratio() float64 {
	if c.Base == 0 {
		if c.Head == 0 {
			return 0
		}
		return math.Inf(1)
	}
	return c.Head/c.Base - 1
}

// Explain reads the profiles of a scenario's runs and says where their time
// went; base may be empty. It returns nil when no run of head has a CPU or
// heap profile to read.
func Explain(scenario string, base, head []Run) *Report {
	local := localModules(base, head)
	h := load(head, local)
	if h.CPU == nil && h.Alloc == nil && len(h.Notes) == 0 {
		return nil
	}
	r := &Report{Scenario: scenario, Head: h, Notes: h.Notes}
	r.TopCPU = top(h.CPU)
	r.TopAlloc = top(h.Alloc)
	if len(base) > 0 {
		b := load(base, local)
		r.Base = b
		for _, n := range b.Notes {
			r.Notes = append(r.Notes, "base: "+n)
		}
		r.GrewCPU = grew(b.CPU, h.CPU)
		r.GrewAlloc = grew(b.Alloc, h.Alloc)
	}
	return r
}

// top lists the functions of t with the highest own cost per request.
func top(t *Table) []Row {
	if t == nil || t.Requests <= 0 {
		return nil
	}
	var rows []Row
	for fn, c := range t.Funcs {
		if c.Own > 0 {
			rows = append(rows, Row{Func: fn, Flat: c.Flat / t.Requests, Cum: c.Cum / t.Requests, Own: c.Own / t.Requests})
		}
	}
	slices.SortFunc(rows, func(a, b Row) int { return cmp.Or(cmp.Compare(b.Own, a.Own), cmp.Compare(a.Func, b.Func)) })
	return rows[:min(len(rows), Rows)]
}

// grew lists the functions whose own cost per request grew most from base
// to head: the one place that decides what a comparison of profiles shows.
func grew(base, head *Table) []Change {
	if base == nil || head == nil || base.Requests <= 0 || head.Requests <= 0 {
		return nil
	}
	floor := MinShare * head.PerRequest()
	var out []Change
	for fn, hc := range head.Funcs {
		bc := base.Funcs[fn]
		c := Change{Func: fn, Base: bc.Own / base.Requests, Head: hc.Own / head.Requests}
		if c.Head <= c.Base || c.Head-c.Base < floor {
			continue
		}
		if c.Head-c.Base < MinZ*math.Sqrt(sampleVar(hc.Own, head)+sampleVar(bc.Own, base)) {
			continue
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Change) int {
		return cmp.Or(cmp.Compare(b.Head-b.Base, a.Head-a.Base), cmp.Compare(a.Func, b.Func))
	})
	return out[:min(len(out), Rows)]
}

// sampleVar is the sampling variance of a function's cost per request, v in
// all of t: made of n = v/p of the N = total/p samples of p each, over r
// requests, it is n·p/r, and n, binomial, varies by n(1-n/N), so v/r by
// v·p·(1-v/total)/r².
func sampleVar(v float64, t *Table) float64 {
	if t.Total <= 0 || t.Requests <= 0 {
		return 0
	}
	return v * t.Period * max(0, 1-v/t.Total) / (t.Requests * t.Requests)
}
