package baseline

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/internal/cell"
)

// MaxStoredErrorKinds bounds the error kinds a baseline's run keeps
// ([Run.ErrorKinds]): the most frequent. Kinds are few (timeout, refused,
// http_503, …) unless a scenario names its own by what failed.
const MaxStoredErrorKinds = 20

// newKind counts a kind of error over the head's runs: its failed
// requests, and the runs that had at least one.
type newKind struct {
	name  string
	count int64
	runs  int
}

// storedErrorKinds keeps the MaxStoredErrorKinds most frequent of
// kinds, ties broken by name; nil when there are none.
func storedErrorKinds(kinds map[string]int64) map[string]int64 {
	if len(kinds) == 0 {
		return nil
	}
	names := slices.Sorted(maps.Keys(kinds))
	slices.SortStableFunc(names, func(a, b string) int { return cmp.Compare(kinds[b], kinds[a]) })
	out := make(map[string]int64, min(len(names), MaxStoredErrorKinds))
	for _, n := range names[:min(len(names), MaxStoredErrorKinds)] {
		if kinds[n] > 0 {
			out[n] = kinds[n]
		}
	}
	return out
}

// newErrorKinds finds the kinds of error of head's runs that no run of
// base had, most requests first, and a warning that says them: "errors
// of kinds none of the base's 5 runs had: timeout (52 requests, in 3 of 5
// head runs), http_503 (3, in 1)". It says nothing (nil) when a run of
// base with errors does not say their kinds (a baseline recorded before
// runs kept them), or not all of them (a stored run keeps the
// MaxStoredErrorKinds most frequent).
func newErrorKinds(base, head Sample) ([]string, error) {
	had := map[string]bool{}
	for i, r := range base.Runs {
		kinds, whole := runErrorKinds(base, i)
		if !whole || r.ErrorRate > 0 && len(kinds) == 0 {
			return nil, nil
		}
		for k, n := range kinds {
			if n > 0 {
				had[k] = true
			}
		}
	}
	byKind := map[string]*newKind{}
	for i := range head.Runs {
		kinds, _ := runErrorKinds(head, i)
		for k, n := range kinds {
			if n <= 0 || had[k] {
				continue
			}
			if byKind[k] == nil {
				byKind[k] = &newKind{name: k}
			}
			byKind[k].count += n
			byKind[k].runs++
		}
	}
	if len(byKind) == 0 {
		return nil, nil
	}
	kinds := slices.SortedFunc(maps.Values(byKind), func(a, b *newKind) int {
		return cmp.Or(cmp.Compare(b.count, a.count), cmp.Compare(a.name, b.name))
	})
	names := make([]string, len(kinds))
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.name
		if i == 0 {
			parts[i] = fmt.Sprintf("%s (%s, in %d of %s)", k.name, cell.Plural(int(k.count), "request"), k.runs, cell.Plural(len(head.Runs), "head run"))
		} else {
			parts[i] = fmt.Sprintf("%s (%d, in %d)", k.name, k.count, k.runs)
		}
	}
	return names, fmt.Errorf("errors of kinds none of the base's %s had: %s", cell.Plural(len(base.Runs), "run"), strings.Join(parts, ", "))
}

// runErrorKinds returns the kinds of error of run i of s: its result's,
// all of them, when s was made of results; else the kinds its run kept
// ([MaxStoredErrorKinds] at most), and whether they are all it had (a run
// that kept as many as it may, with fewer requests among them than it
// failed, lost the rarer ones).
func runErrorKinds(s Sample, i int) (map[string]int64, bool) {
	if len(s.Results) == len(s.Runs) && s.Results[i] != nil {
		return s.Results[i].ErrorKinds, true
	}
	r := s.Runs[i]
	if len(r.ErrorKinds) < MaxStoredErrorKinds {
		return r.ErrorKinds, true
	}
	var kept int64
	for _, n := range r.ErrorKinds {
		kept += n
	}
	return r.ErrorKinds, kept >= int64(math.Round(r.ErrorRate*float64(r.Requests)))
}
