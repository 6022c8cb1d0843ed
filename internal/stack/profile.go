package stack

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Record is one entry of a goroutine profile in the grouped text format of
// /debug/pprof/goroutine?debug=1: Count goroutines with the same stack.
type Record struct {
	Count int
	// Frames run from the innermost call outwards. The format leaves out
	// the runtime's frames at the top of the stack (runtime.gopark and its
	// callers), and says nothing of the goroutines' state or creator.
	Frames []Frame
	// Labels is the value of the record's "# labels:" line, if it has one.
	Labels string
}

// SyntaxError is a line of a goroutine profile that ParseProfile does not
// understand.
type SyntaxError struct {
	Line int // 1-based
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// ParseProfile reads a goroutine profile in the debug=1 format:
//
//	goroutine profile: total 11
//	5 @ 0x48bd6e 0x41ae2e 0x7c1bb9 0x4936e1
//	#	0x7c1bb8	example.com/shop.(*Server).list.func1+0x18	/src/shop.go:151
//
//	1 @ 0x4936e1
//
// Unlike [Parse], it is strict: the first line it does not understand is a
// [*SyntaxError], so that an error page served in place of the profile is
// not taken for an empty one.
func ParseProfile(r io.Reader) ([]Record, error) {
	var (
		out []Record
		cur *Record
		n   int
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		n++
		line := sc.Text()
		switch {
		case n == 1 && strings.HasPrefix(line, "goroutine profile: total "):
		case line == "":
			cur = nil
		case strings.HasPrefix(line, "# labels: ") && cur != nil && len(cur.Frames) == 0:
			cur.Labels = strings.TrimPrefix(line, "# labels: ")
		case strings.HasPrefix(line, "#\t") && cur != nil:
			f, err := parseProfileFrame(line)
			if err != nil {
				return nil, &SyntaxError{Line: n, Msg: err.Error()}
			}
			cur.Frames = append(cur.Frames, f)
		default:
			count, pcs, ok := strings.Cut(line, " @ ")
			c, err := strconv.Atoi(count)
			if !ok || err != nil || c < 0 || !strings.HasPrefix(pcs, "0x") {
				return nil, &SyntaxError{Line: n, Msg: fmt.Sprintf("want %q, %q or a frame, got %q", "N @ 0x…", "# labels:", clip(line))}
			}
			out = append(out, Record{Count: c})
			cur = &out[len(out)-1]
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &SyntaxError{Line: n + 1, Msg: err.Error()}
	}
	if n == 0 {
		return nil, &SyntaxError{Line: 1, Msg: "empty profile"}
	}
	return out, nil
}

// parseProfileFrame reads "#\t0x7c1bb8\tpkg.fn+0x18\t/src/file.go:151"; the
// columns are padded with extra tabs.
func parseProfileFrame(line string) (Frame, error) {
	var cols []string
	for _, c := range strings.Split(line[2:], "\t") {
		if c != "" {
			cols = append(cols, c)
		}
	}
	if len(cols) < 2 || !strings.HasPrefix(cols[0], "0x") {
		return Frame{}, fmt.Errorf("want a frame %q, got %q", "#\t0x…\tfunction+0x…\tfile:line", clip(line))
	}
	fn := cols[1]
	if i := strings.LastIndex(fn, "+0x"); i > 0 {
		fn = fn[:i]
	}
	f := Frame{Func: fn}
	if len(cols) > 2 {
		f.File, f.Line = parseFileLine(cols[2])
	}
	return f, nil
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// BlockedIn returns the innermost frame outside the runtime and the
// standard library's internals, as [Goroutine.BlockedIn] does; the zero
// Frame for a record without frames.
func (r Record) BlockedIn() Frame {
	return Goroutine{Frames: r.Frames}.BlockedIn()
}

// Stack renders the record's frames as runtime.Stack does: a function per
// line, then its file:line indented, at most max frames.
func (r Record) Stack(max int) string {
	var b strings.Builder
	for i, f := range r.Frames {
		if i == max {
			fmt.Fprintf(&b, "...%d frames elided...\n", len(r.Frames)-max)
			break
		}
		fmt.Fprintf(&b, "%s\n\t%s:%d\n", f.Func, f.File, f.Line)
	}
	return strings.TrimRight(b.String(), "\n")
}
