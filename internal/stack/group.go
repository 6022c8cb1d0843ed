package stack

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// Group is a set of goroutines blocked in the same function, created by the
// same function, in the same state.
type Group struct {
	BlockedIn Frame
	CreatedBy Frame
	State     string
	Count     int
	Sample    Goroutine // one of them, with its whole stack
	// Proven is set when the runtime proved them blocked forever.
	Proven bool
}

// GroupBy groups goroutines by where they wait and who created them, the
// largest group first.
func GroupBy(gs []Goroutine) []Group {
	type key struct{ blocked, created, state string }
	index := map[key]int{}
	var groups []Group
	for _, g := range gs {
		k := key{g.BlockedIn().Func, g.CreatedBy.Func, g.State}
		if i, ok := index[k]; ok {
			groups[i].Count++
			continue
		}
		index[k] = len(groups)
		groups = append(groups, Group{BlockedIn: g.BlockedIn(), CreatedBy: g.CreatedBy, State: g.State, Count: 1, Sample: g})
	}
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].Count > groups[j].Count })
	return groups
}

// String renders a frame as "pkg.fn (file.go:42)".
func (f Frame) String() string {
	if f.Func == "" {
		return "unknown"
	}
	if f.File == "" {
		return f.Func
	}
	return fmt.Sprintf("%s (%s:%d)", f.Func, filepath.Base(f.File), f.Line)
}

// Report renders groups for a test log: one paragraph per group, counts
// first, with file:line, and the first stack of the largest group.
func Report(groups []Group) string {
	var b strings.Builder
	total := 0
	for _, g := range groups {
		total += g.Count
	}
	fmt.Fprintf(&b, "%d leaked goroutine(s) in %d group(s):\n", total, len(groups))
	for _, g := range groups {
		proven := ""
		if g.Proven {
			proven = " (proven blocked forever by the runtime)"
		}
		fmt.Fprintf(&b, "  %d × [%s] blocked in %s%s\n", g.Count, g.State, g.BlockedIn, proven)
		if g.CreatedBy.Func != "" {
			fmt.Fprintf(&b, "      created by %s\n", g.CreatedBy)
		}
	}
	if len(groups) > 0 {
		fmt.Fprintf(&b, "first stack:\n%s", indent(groups[0].Sample.Raw))
	}
	return strings.TrimRight(b.String(), "\n")
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ") + "\n"
}
