// Package slowest is the one table of a scenario's slowest requests
// (loadtest.Result.Slowest) that loadgate run's summary and the Action's
// report both show: the slowest over the scenario's runs, each with the
// request id and trace id to look it up by in the service's logs and its
// tracing backend.
package slowest

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/loadtest"
)

// Shown is how many of a scenario's slowest requests a summary shows; a
// result keeps more (loadtest.Scenario.Slowest).
const Shown = 5

// Row is one slow request and the run (1-based, in the order given) it
// belongs to. Bound says that run was generator-bound
// (loadtest.Generator.IsBound): the figures beside the table leave such a
// run out, so its requests are marked, not passed off as the service's.
type Row struct {
	Run   int
	Bound bool
	loadtest.SlowRequest
}

// Of returns the n slowest requests over runs, slowest first.
func Of(runs []*loadtest.Result, n int) []Row {
	var rows []Row
	for i, r := range runs {
		for _, sr := range r.Slowest {
			rows = append(rows, Row{Run: i + 1, Bound: r.Generator.IsBound(), SlowRequest: sr})
		}
	}
	slices.SortStableFunc(rows, func(a, b Row) int { return cmp.Compare(b.LatencyNS, a.LatencyNS) })
	return rows[:min(n, len(rows))]
}

// Header returns the names of the columns; with runs, a first column says
// which run a request was in.
func Header(runs bool) []string {
	h := []string{"latency", "service", "at", "stage", "name", "status", "request id", "trace id"}
	if runs {
		h = append([]string{"run"}, h...)
	}
	return h
}

// Align is the alignment of each column of Header (internal/texttable):
// numbers right, text left.
func Align(runs bool) string {
	if runs {
		return "r" + "rrrlllll"
	}
	return "rrrlllll"
}

// Cells renders r under Header(runs): latency and service time, when it
// should have started from the start of the load, its stage and name (for
// a Flow's iteration, its slowest step, whose ids these are, with the
// step's own status when the iteration's differs), its status and error
// kind, and its ids ("-" for none). With runs, the first cell is the
// run's number, "(generator-bound)" after it for such a run.
func (r Row) Cells(runs bool) []string {
	name := r.Name
	status := r.Status
	if s := r.Step; s != nil {
		own := ""
		if s.Status != 0 && r.Status != 0 && s.Status != r.Status {
			// The iteration's status came from another step: the one
			// named here, whose ids these are, answered otherwise.
			own = ", " + strconv.Itoa(s.Status)
		}
		if s.Steps == 1 && own == "" && s.LatencyNS*10 >= r.LatencyNS*9 {
			// The request was this one step, nearly all its time: a
			// unary gRPC call. (A Flow's one step beside think time or
			// work of its own keeps its own latency.)
			name = s.Name
		} else {
			name = s.Name + " (slowest step, " + dur(s.LatencyNS) + own + ")"
		}
		if status == 0 {
			status = s.Status
		}
	}
	st := ""
	switch {
	case status != 0:
		st = strconv.Itoa(status)
	case r.Step != nil && r.Step.StatusName != "":
		st = r.Step.StatusName
	}
	if r.ErrorKind != "" {
		if st != "" {
			st += " "
		}
		st += r.ErrorKind
	}
	c := []string{dur(r.LatencyNS), dur(r.ServiceTimeNS), "+" + time.Duration(r.StartNS).Round(time.Millisecond).String(),
		r.Stage, dash(name), dash(st), dash(r.RequestID), dash(r.TraceID)}
	if runs {
		run := strconv.Itoa(r.Run)
		if r.Bound {
			run += " (generator-bound)"
		}
		c = append([]string{run}, c...)
	}
	return c
}

func dur(ns int64) string { return assert.UnitDuration.Format(float64(ns)) }

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
