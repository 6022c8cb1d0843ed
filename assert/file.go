package assert

import (
	"errors"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// File is an SLA file: expressions for the scenarios of a repository, as the
// GitHub Action reads them. It is plain text with one expression per line;
// # starts a comment (outside quoted strings) and blank lines are skipped.
// A line [pattern] starts a section whose expressions apply only to the
// scenarios the pattern matches; the lines before the first section apply
// to every scenario. The file is UTF-8, with LF or CRLF line endings; a
// byte-order mark at its start, which some Windows editors write, is
// skipped:
//
//	# every scenario
//	error_rate < 0.1%
//	goroutine_growth <= 5
//
//	[checkout*]
//	p99 < 200ms
//	throughput >= 95%
//
// Every section whose pattern matches a scenario applies to it, and so do
// the lines before the first header: a section adds limits, it does not
// replace them. A rule that can never be the one to fail is an error
// naming the rule that holds it: one written twice, a second upper (or
// lower) bound on the same metric in a section, or a section's limit that
// a line before the first header already holds as tight.
//
// Patterns are path.Match globs (* ? [a-z] and \ to escape), except that *
// and ? also match "/", so that [TestLoad*] matches the subtest scenario
// "TestLoad/checkout".
type File struct {
	Path     string
	Sections []Section
}

// Section is a part of an SLA file.
type Section struct {
	Pattern string   // "" for the lines before the first header: every scenario
	Line    int      // the line of the header, from 1; 0 when Pattern is ""
	Exprs   []string // as written, without comments
	Lines   []int    // the line of each of Exprs, from 1
}

// ParseFile reads and checks the SLA file at path (see [File]). Every
// expression is parsed; the error lists each fault as a [*SyntaxError]
// written "file:line:column: message".
func ParseFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err // it names the file: "open loadgate.sla: no such file or directory"
	}
	return parseFile(path, string(data))
}

// utf8BOM is the byte-order mark some editors write at the start of a
// UTF-8 file: it is invisible there, so a file that holds one must read as
// the same file without it.
const utf8BOM = "\ufeff"

func parseFile(name, data string) (*File, error) {
	f := &File{Path: name}
	var errs []error
	fault := func(line, col int, format string, args ...any) {
		errs = append(errs, &SyntaxError{File: name, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)})
	}
	data = strings.TrimPrefix(data, utf8BOM)
	if strings.HasPrefix(data, "\xff\xfe") || strings.HasPrefix(data, "\xfe\xff") {
		fault(1, 1, "the file is UTF-16: save it as UTF-8")
		return nil, errors.Join(errs...)
	}
	// written counts the expression lines of each section, those that do
	// not parse included: a header with none under it is a mistake.
	var written []int
	var rules []rule // the expressions that parsed, for deadRule
	for i, line := range strings.Split(data, "\n") {
		n := i + 1
		line = stripComment(strings.TrimSuffix(line, "\r"))
		text := strings.TrimLeftFunc(line, unicode.IsSpace)
		lead := utf8.RuneCountInString(line[:len(line)-len(text)])
		text = strings.TrimRightFunc(text, unicode.IsSpace)
		switch {
		case text == "":
			continue
		case text[0] == '[':
			pattern, ok := strings.CutSuffix(text[1:], "]")
			pattern = strings.TrimSpace(pattern)
			faults := len(errs)
			switch {
			case !ok:
				fault(n, lead+1, "a section header is [pattern] alone on its line")
			case pattern == "":
				fault(n, lead+1, "empty section header: write [name] or a pattern such as [checkout*]")
			default:
				if _, err := path.Match(glob(pattern), ""); err != nil {
					fault(n, lead+2, "bad pattern %q: %v", pattern, err)
				}
			}
			f.Sections = append(f.Sections, Section{Pattern: pattern, Line: n})
			if len(errs) > faults {
				written = append(written, -1) // said already
			} else {
				written = append(written, 0)
			}
			continue
		}
		if len(written) > 0 && written[len(written)-1] >= 0 {
			written[len(written)-1]++
		}
		e, err := Parse(text)
		if err != nil {
			var se *SyntaxError
			if errors.As(err, &se) {
				fault(n, lead+se.Column, "%s", se.Msg)
			} else {
				fault(n, lead+1, "%v", err)
			}
			continue
		}
		if len(f.Sections) == 0 {
			f.Sections = append(f.Sections, Section{})
		}
		sec := len(f.Sections) - 1
		pattern := f.Sections[sec].Pattern
		if msg := deadRule(rules, sec, pattern, e); msg != "" {
			fault(n, lead+1, "%s", msg)
		}
		rules = append(rules, rule{e: e, line: n, section: sec, global: pattern == ""})
		s := &f.Sections[sec]
		s.Exprs = append(s.Exprs, text)
		s.Lines = append(s.Lines, n)
	}
	for i, s := range f.Sections[len(f.Sections)-len(written):] {
		if written[i] == 0 && s.Pattern != "" {
			fault(s.Line, 1, "section [%s] has no expressions: write its limits on the lines below it, or remove it", s.Pattern)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return f, nil
}

// For returns the expressions that apply to the scenario: those before the
// first section, then those of every section whose pattern matches, in the
// order of the file.
func (f *File) For(scenario string) []string {
	var out []string
	for _, s := range f.Sections {
		if s.Pattern == "" || matchScenario(s.Pattern, scenario) {
			out = append(out, s.Exprs...)
		}
	}
	return out
}

// Where returns where the rule that applies to scenario and reads expr
// (canonical, as [Outcome.Expr]) is written, "loadgate.sla:3" (the file as
// it was given to [ParseFile]); "" when no rule of the file for scenario
// reads so. A breach names it, so that the rule to change is found in a
// file of many sections.
func (f *File) Where(scenario, expr string) string {
	for _, s := range f.Sections {
		if s.Pattern != "" && !matchScenario(s.Pattern, scenario) {
			continue
		}
		for i, text := range s.Exprs {
			if e, err := Parse(text); err == nil && e.String() == expr && i < len(s.Lines) {
				return fmt.Sprintf("%s:%d", f.Path, s.Lines[i])
			}
		}
	}
	return ""
}

// Unmatched returns the sections whose pattern matches none of the
// scenarios: a typo in a header ("[TestLoadChekout]") would otherwise
// leave its limits unchecked without a word.
func (f *File) Unmatched(scenarios []string) []Section {
	var out []Section
	for _, s := range f.Sections {
		if s.Pattern != "" && !slices.ContainsFunc(scenarios, func(name string) bool { return matchScenario(s.Pattern, name) }) {
			out = append(out, s)
		}
	}
	return out
}

// matchScenario matches like path.Match, but with "/" an ordinary
// character: scenario names are test names, and subtests contain "/".
func matchScenario(pattern, scenario string) bool {
	ok, _ := path.Match(glob(pattern), glob(scenario))
	return ok
}

// glob hides "/" from path.Match, which would not let * cross it.
func glob(s string) string { return strings.ReplaceAll(s, "/", "\x00") }

// stripComment cuts line at the first # outside a double-quoted string.
func stripComment(line string) string {
	inString := false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case c == '#' && !inString:
			return line[:i]
		}
	}
	return line
}

// rule is an expression of an SLA file with the line and the section it is
// on.
type rule struct {
	e       *Expr
	line    int
	section int  // index in File.Sections
	global  bool // before the first header: it applies to every scenario
}

// deadRule says why e, about to join section sec (of pattern), can
// never be the limit that fails, or returns "": an earlier rule of the same
// section, or one of the lines before the first header (which apply to
// every scenario), bounds the same left side from the same side, and at
// least as tightly when it is the other section's. Every rule that matches
// a scenario applies, so "p99 < 300ms" under [checkout] does not lift the
// "p99 < 200ms" above it; and a rule written twice reports each breach
// twice.
func deadRule(rules []rule, sec int, pattern string, e *Expr) string {
	for _, r := range rules {
		switch {
		case r.section != sec && !r.global:
			continue
		case r.e.lhs(true) != e.lhs(true) || r.e.target != e.target:
			continue
		case r.e.op == e.op && r.e.limitValue() == e.limitValue():
			return fmt.Sprintf("%s repeats line %d: remove one", e, r.line)
		case upper(r.e.op) != upper(e.op) || !bound(r.e.op) || !bound(e.op):
			continue
		case r.section == sec:
			return fmt.Sprintf("%s and line %d's %s both bound %s from the same side, and only the tighter one can fail: keep one", e, r.line, r.e, e.lhs(true))
		case !tighter(e, r.e):
			return fmt.Sprintf("%s can never fail: line %d's %s applies to every scenario, [%s] included, and is at least as tight "+
				"(a section's limits add to those above the first header, they do not replace them); "+
				"move line %d under the sections that need it", e, r.line, r.e, pattern, r.line)
		}
	}
	return ""
}

// bound reports whether op bounds a metric from one side: <, <=, > or >=.
func bound(op string) bool { return op != "==" && op != "!=" }

// upper reports whether op is an upper bound: < or <=.
func upper(op string) bool { return op == "<" || op == "<=" }

// tighter reports whether a, a bound from the same side as b on the same
// left side, fails on some value that b passes.
func tighter(a, b *Expr) bool {
	la, lb := a.limitValue(), b.limitValue()
	if upper(a.op) {
		return la < lb || la == lb && a.op == "<" && b.op == "<="
	}
	return la > lb || la == lb && a.op == ">" && b.op == ">="
}
