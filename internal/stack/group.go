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
	// IDs are the goroutines' IDs, in the order seen; nil when the group
	// was built from a summary that has none.
	IDs []int
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
			groups[i].IDs = append(groups[i].IDs, g.ID)
			continue
		}
		index[k] = len(groups)
		groups = append(groups, Group{BlockedIn: g.BlockedIn(), CreatedBy: g.CreatedBy, State: g.State, Count: 1, Sample: g, IDs: []int{g.ID}})
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
// first, with file:line, the goroutines' IDs and the stack of one of them.
// Each group has its stack, as goleak prints every goroutine's: the frames
// between where a goroutine blocks and who created it are often the only
// clue (a library's loop blocked for a caller several frames up).
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
		if len(g.IDs) > 1 { // the stack's header names one alone
			fmt.Fprintf(&b, "      goroutines %s\n", idList(g.IDs))
		}
		if g.Sample.Raw != "" {
			b.WriteString(indent(g.Sample.Raw, "        "))
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// maxIDs is how many goroutine IDs a group lists.
const maxIDs = 10

// idList writes ids as "21, 23, 25", the first maxIDs of them.
func idList(ids []int) string {
	var b strings.Builder
	for i, id := range ids {
		if i == maxIDs {
			fmt.Fprintf(&b, " and %d more", len(ids)-maxIDs)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, id)
	}
	return b.String()
}

// indent writes each line of s after prefix, and ends with a newline; a
// trailing newline of s (a stack's) adds no line of spaces.
func indent(s, prefix string) string {
	s = strings.TrimRight(s, "\n")
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix) + "\n"
}
