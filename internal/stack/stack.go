// Package stack parses goroutine dumps in the format of runtime.Stack
// (and of /debug/pprof/goroutine?debug=2) and groups goroutines by where
// they are blocked and who created them. [ParseProfile] reads the grouped
// profile of /debug/pprof/goroutine?debug=1, in which a service shows its
// goroutines to another process.
package stack

import (
	"bufio"
	"bytes"
	"runtime"
	"strconv"
	"strings"
)

// Frame is one function call on a goroutine's stack.
type Frame struct {
	Func string // fully qualified, e.g. example.com/shop.(*Server).serve
	File string
	Line int
}

// Goroutine is one goroutine of a dump.
type Goroutine struct {
	ID    int
	State string // e.g. "chan receive", "select", "IO wait"
	// Leaked is set when the runtime proved the goroutine blocked forever
	// (the goroutineleak profile marks its state "(leaked)").
	Leaked bool
	// Frames run from the innermost call outwards.
	Frames []Frame
	// CreatedBy is the go statement that started the goroutine; CreatorID
	// is the goroutine that ran it (0 if unknown).
	CreatedBy Frame
	CreatorID int
	Raw       string // the goroutine's lines as dumped
}

// All returns every goroutine of the process.
func All() []Goroutine {
	return Parse(dumpAll())
}

// Current returns the ID of the calling goroutine.
func Current() int {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	// "goroutine 18 [running]:"
	fields := bytes.Fields(buf)
	if len(fields) < 2 {
		return 0
	}
	id, _ := strconv.Atoi(string(fields[1]))
	return id
}

func dumpAll() []byte {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}

// Parse reads a dump of goroutines. Lines it does not understand are
// skipped, so that a dump embedded in other text (such as goleak's error)
// parses too.
func Parse(dump []byte) []Goroutine {
	var (
		out []Goroutine
		cur *Goroutine
		raw strings.Builder
		// pending is a function line waiting for its file:line.
		pending    string
		pendingSet bool
		createdBy  bool
	)
	flush := func() {
		if cur != nil {
			cur.Raw = strings.TrimRight(raw.String(), "\n")
			out = append(out, *cur)
		}
		cur, pendingSet, createdBy = nil, false, false
		raw.Reset()
	}
	sc := bufio.NewScanner(bytes.NewReader(dump))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if id, state, ok := parseHeader(line); ok {
			flush()
			cur = &Goroutine{ID: id, State: state}
			if st, leaked := strings.CutSuffix(state, " (leaked)"); leaked {
				cur.State, cur.Leaked = st, true
			}
			raw.WriteString(line + "\n")
			continue
		}
		if cur == nil {
			continue
		}
		switch {
		case line == "":
			flush()
		case strings.HasPrefix(line, "\t"):
			if !pendingSet {
				continue
			}
			file, lineNo := parseFileLine(strings.TrimSpace(line))
			f := Frame{Func: pending, File: file, Line: lineNo}
			if createdBy {
				cur.CreatedBy = f
			} else {
				cur.Frames = append(cur.Frames, f)
			}
			pendingSet = false
			raw.WriteString(line + "\n")
		case strings.HasPrefix(line, "created by "):
			fn := strings.TrimPrefix(line, "created by ")
			if i := strings.Index(fn, " in goroutine "); i >= 0 {
				cur.CreatorID, _ = strconv.Atoi(strings.TrimSpace(fn[i+len(" in goroutine "):]))
				fn = fn[:i]
			}
			pending, pendingSet, createdBy = fn, true, true
			raw.WriteString(line + "\n")
		case strings.HasPrefix(line, "..."):
			// "...additional frames elided...": the stack is longer
			// than the runtime prints, which a reader must be told.
			raw.WriteString(line + "\n")
		case strings.HasPrefix(line, " ") || strings.HasPrefix(line, "[") || strings.HasPrefix(line, "]"):
			// elided frames, or text around an embedded dump
		default:
			pending, pendingSet = funcName(line), true
			raw.WriteString(line + "\n")
		}
	}
	flush()
	return out
}

// parseHeader reads "goroutine 7 [chan receive, 2 minutes]:".
func parseHeader(line string) (id int, state string, ok bool) {
	rest, found := strings.CutPrefix(line, "goroutine ")
	if !found {
		return 0, "", false
	}
	num, rest, found := strings.Cut(rest, " ")
	if !found {
		return 0, "", false
	}
	id, err := strconv.Atoi(num)
	if err != nil {
		return 0, "", false
	}
	open, close := strings.IndexByte(rest, '['), strings.LastIndexByte(rest, ']')
	if open < 0 || close < open {
		return 0, "", false
	}
	state = rest[open+1 : close]
	if i := strings.IndexByte(state, ','); i >= 0 {
		state = state[:i] // drop ", 2 minutes", ", locked to thread"
	}
	return id, state, true
}

// funcName strips the argument list from "pkg.fn(0x1, 0x2)".
func funcName(line string) string {
	if i := strings.LastIndexByte(line, '('); i > 0 && strings.HasSuffix(line, ")") {
		return line[:i]
	}
	return line
}

// parseFileLine reads "/path/file.go:42 +0x1d".
func parseFileLine(s string) (string, int) {
	if i := strings.LastIndex(s, " +0x"); i >= 0 {
		s = s[:i]
	}
	colon := strings.LastIndexByte(s, ':')
	if colon < 0 {
		return s, 0
	}
	n, err := strconv.Atoi(s[colon+1:])
	if err != nil {
		return s, 0
	}
	return s[:colon], n
}

// BlockedIn returns the innermost frame outside the runtime and the
// standard library's internals: the code that is waiting.
func (g Goroutine) BlockedIn() Frame {
	for _, f := range g.Frames {
		if !isRuntime(f.Func) {
			return f
		}
	}
	if len(g.Frames) > 0 {
		return g.Frames[0]
	}
	return Frame{}
}

func isRuntime(fn string) bool {
	for _, p := range []string{"runtime.", "internal/", "sync.runtime_", "sync.(*Cond).Wait", "sync.(*WaitGroup).Wait", "sync.(*Mutex).Lock", "sync.(*RWMutex)", "time.Sleep", "syscall."} {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}

// HasFunc reports whether any frame of the goroutine runs fn, or is
// created by it.
func (g Goroutine) HasFunc(fn string) bool {
	if g.CreatedBy.Func == fn {
		return true
	}
	for _, f := range g.Frames {
		if f.Func == fn {
			return true
		}
	}
	return false
}
