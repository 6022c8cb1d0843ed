package watch

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/internal/stack"
	"github.com/loadgate/loadgate/loadtest"
)

// maxProfileBytes bounds a goroutine profile: a service with 100,000
// distinct stacks is rare.
const maxProfileBytes = 64 << 20

// stackFrames is how much of a group's stack GoroutineDelta.Stack keeps.
const stackFrames = 16

// goroutineGroup is the goroutines of a profile whose innermost function
// outside the runtime is the same.
type goroutineGroup struct {
	count  int
	sample stack.Record // the group's largest record
}

// readGoroutines fetches the goroutine profile and groups it by function;
// it returns nil without a profile, or if the fetch failed (the error is
// recorded).
func (w *Watcher) readGoroutines(ctx context.Context) map[string]goroutineGroup {
	w.mu.Lock()
	off := w.pprof == nil || w.noPprof
	w.mu.Unlock()
	if off {
		return nil
	}
	body, err := w.get(ctx, w.pprof.String(), "text/plain", maxProfileBytes)
	if err == nil {
		var recs []stack.Record
		if recs, err = stack.ParseProfile(strings.NewReader(body)); err == nil {
			return groupRecords(recs)
		}
		err = fmt.Errorf("%s: %w", w.pprof, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var se *statusError
	if w.opts.pprofURL == "" && errors.As(err, &se) && se.code == http.StatusNotFound {
		w.noPprof = true // a service without net/http/pprof: do without
		return nil
	}
	w.fail(ctx, err)
	return nil
}

// groupRecords keys the records by the innermost function outside the
// runtime: goroutines leaked by one go statement share it, whatever
// called the function that started them.
//
// It leaves out two kinds of record that come and go with the watcher's
// own request for the profile, and name nothing of the service: one
// without frames (a goroutine created and not yet run, or exiting: the
// profile shows only runtime.goexit), and net/http's background reader of
// a connection with a request in flight, which net/http starts and ends
// with each request (the handler's own goroutine is counted). Either of
// them, present in one profile and not the other, read as "server
// goroutines in unknown: 0→1" or "in net.(*netFD).Read: 0→1".
func groupRecords(recs []stack.Record) map[string]goroutineGroup {
	groups := map[string]goroutineGroup{}
	for _, r := range recs {
		if len(r.Frames) == 0 || slices.ContainsFunc(r.Frames, isBackgroundRead) {
			continue
		}
		fn := r.BlockedIn().Func
		g := groups[fn]
		g.count += r.Count
		if r.Count > g.sample.Count {
			g.sample = r
		}
		groups[fn] = g
	}
	return groups
}

func isBackgroundRead(f stack.Frame) bool {
	return f.Func == "net/http.(*connReader).backgroundRead"
}

// growth lists the groups with more goroutines after than before, the
// largest growth first.
func growth(before, after map[string]goroutineGroup) []loadtest.GoroutineDelta {
	var out []loadtest.GoroutineDelta
	for fn, a := range after {
		if b := before[fn].count; a.count > b {
			out = append(out, loadtest.GoroutineDelta{Function: fn, Before: b, After: a.count, Stack: a.sample.Stack(stackFrames)})
		}
	}
	slices.SortFunc(out, func(x, y loadtest.GoroutineDelta) int {
		return cmp.Or(cmp.Compare(y.After-y.Before, x.After-x.Before), cmp.Compare(x.Function, y.Function))
	})
	return out
}
