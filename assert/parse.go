package assert

// The lexer and parser live here rather than under internal/ (the house
// habit for parsers): the grammar is this package's API, Parse is exported,
// and the tree it builds is the unexported inside of [Expr]; an internal
// package would have to export that tree for its single caller.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/loadgate/loadgate/internal/catalogue"
	"github.com/loadgate/loadgate/internal/grpccode"
)

type tokKind int

const (
	tEOF     tokKind = iota
	tIdent           // p99, error_rate
	tNumber          // 200ms, 0.1%, 5xx: digits and an optional unit suffix
	tString          // "ramp"
	tCompare         // < <= > >= == !=
	tPlus
	tMinus
	tLParen
	tRParen
	tLBrace
	tRBrace
	tLBracket
	tRBracket
	tComma
	tDot
	tAssign  // = (only in selectors)
	tIllegal // text holds the message
)

type token struct {
	kind   tokKind
	text   string // as written; the message of a tIllegal
	col    int    // 1-based, in characters
	numLen int    // tNumber: bytes of the number before its unit
	str    string // tString: the unquoted value; tIllegal: the character
}

// describe names the token in messages.
func (t token) describe() string {
	if t.kind == tEOF {
		return "end of expression"
	}
	return strconv.Quote(t.text)
}

// lexer splits an expression into tokens on demand, so that the leftmost
// fault is the one reported.
type lexer struct {
	src string
	pos int // byte offset
	col int // 1-based column of pos, in characters
}

func (lx *lexer) advance(n int) {
	lx.col += utf8.RuneCountInString(lx.src[lx.pos : lx.pos+n])
	lx.pos += n
}

func (lx *lexer) next() token {
	for lx.pos < len(lx.src) && (lx.src[lx.pos] == ' ' || lx.src[lx.pos] == '\t') {
		lx.advance(1)
	}
	start, col := lx.pos, lx.col
	tok := func(k tokKind, n int) token {
		lx.advance(n)
		return token{kind: k, text: lx.src[start:lx.pos], col: col}
	}
	if lx.pos >= len(lx.src) {
		return token{kind: tEOF, col: col}
	}
	rest := lx.src[lx.pos:]
	c := rest[0]
	switch {
	case isLetter(c):
		n := 1
		for n < len(rest) && (isLetter(rest[n]) || isDigit(rest[n])) {
			n++
		}
		return tok(tIdent, n)
	case isDigit(c) || c == '.' && len(rest) > 1 && isDigit(rest[1]):
		n := 0
		for n < len(rest) && isDigit(rest[n]) {
			n++
		}
		if n < len(rest) && rest[n] == '.' {
			n++
			for n < len(rest) && isDigit(rest[n]) {
				n++
			}
		}
		numLen := n
		switch {
		case n < len(rest) && rest[n] == '%':
			n++
		case strings.HasPrefix(rest[n:], "/s") && (n+2 == len(rest) || !isUnitChar(rest[n+2:])):
			n += 2
		case n < len(rest) && isUnitChar(rest[n:]):
			for n < len(rest) && (isUnitChar(rest[n:]) || isDigit(rest[n]) || rest[n] == '.') {
				_, size := utf8.DecodeRuneInString(rest[n:])
				n += size
			}
		}
		t := tok(tNumber, n)
		t.numLen = numLen
		return t
	case c == '"':
		q, err := strconv.QuotedPrefix(rest)
		if err != nil {
			return token{kind: tIllegal, text: "unterminated or malformed string", col: col}
		}
		s, _ := strconv.Unquote(q) // cannot fail: QuotedPrefix checked it
		t := tok(tString, len(q))
		t.str = s
		return t
	case c == '<' || c == '>':
		if len(rest) > 1 && rest[1] == '=' {
			return tok(tCompare, 2)
		}
		return tok(tCompare, 1)
	case c == '=':
		if len(rest) > 1 && rest[1] == '=' {
			return tok(tCompare, 2)
		}
		if len(rest) > 1 && rest[1] == '~' {
			return token{kind: tIllegal, text: "selectors match exactly, with =; regular expressions are not supported", col: col}
		}
		return tok(tAssign, 1)
	case c == '!':
		if len(rest) > 1 && rest[1] == '=' {
			return tok(tCompare, 2)
		}
	case c == '+':
		return tok(tPlus, 1)
	case c == '-':
		return tok(tMinus, 1)
	case c == '(':
		return tok(tLParen, 1)
	case c == ')':
		return tok(tRParen, 1)
	case c == '{':
		return tok(tLBrace, 1)
	case c == '}':
		return tok(tRBrace, 1)
	case c == '[':
		return tok(tLBracket, 1)
	case c == ']':
		return tok(tRBracket, 1)
	case c == ',':
		return tok(tComma, 1)
	case c == '.':
		return tok(tDot, 1)
	}
	r, _ := utf8.DecodeRuneInString(rest)
	msg := fmt.Sprintf("unexpected character %q", r)
	if r == '\'' || r == '`' {
		msg += "; strings are written in double quotes"
	}
	if r == ':' {
		msg += `; a label is written with =, as p95{name="checkout"} (k6 writes {name:"checkout"})`
	}
	return token{kind: tIllegal, text: msg, col: col, str: string(r)}
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' }

// isUnitChar reports whether s starts with a letter that may be part of a
// unit: ASCII letters and the two micro signs of µs.
func isUnitChar(s string) bool {
	if s == "" {
		return false
	}
	if 'a' <= s[0] && s[0] <= 'z' || 'A' <= s[0] && s[0] <= 'Z' {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s)
	return r == 'µ' || r == 'μ'
}

// parser is a recursive-descent parser over the lexer, one token ahead.
type parser struct {
	src string
	lx  lexer
	tok token
}

func (p *parser) next() { p.tok = p.lx.next() }

func (p *parser) errorf(col int, format string, args ...any) error {
	return &SyntaxError{Expr: p.src, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// unexpected returns the error for an unexpected token, preferring the
// lexer's own message.
func (p *parser) unexpected(want string) error {
	if p.tok.kind == tIllegal {
		return p.errorf(p.tok.col, "%s", p.tok.text)
	}
	return p.errorf(p.tok.col, "unexpected %s; want %s", p.tok.describe(), want)
}

// Parse parses one SLA expression (see the package documentation for the
// grammar). The error is a [*SyntaxError] naming the column of the fault;
// besides the syntax it checks that units agree (a latency compared with 5%
// is an error), that selectors fit their metrics, and that the limit
// decides something: a limit that the metric's bounds alone pass or fail
// on every run (error_rate < 150%, p99 < -1s, errors >= 0) is refused,
// and so is a duration that repeats a unit (1h1h) or a status outside
// 100 to 599.
func Parse(expr string) (*Expr, error) {
	p := &parser{src: expr, lx: lexer{src: expr, col: 1}}
	p.next()
	e := &Expr{src: expr}
	neg := false
	if p.tok.kind == tMinus {
		neg = true
		p.next()
	}
	for {
		t, err := p.term()
		if err != nil {
			return nil, err
		}
		t.neg = neg
		e.terms = append(e.terms, t)
		if p.tok.kind != tPlus && p.tok.kind != tMinus {
			break
		}
		neg = p.tok.kind == tMinus
		p.next()
	}
	switch p.tok.kind {
	case tCompare:
	case tAssign:
		return nil, p.errorf(p.tok.col, "use == to compare")
	case tEOF:
		return nil, p.errorf(p.tok.col, "missing a comparison such as < 200ms")
	default:
		return nil, p.unexpected("+, - or a comparison (<, <=, >, >=, ==, !=)")
	}
	e.op = p.tok.text
	p.next()
	minusCol := 0
	if p.tok.kind == tMinus {
		e.limitNeg, minusCol = true, p.tok.col
		p.next()
	}
	switch p.tok.kind {
	case tNumber:
	case tEOF:
		return nil, p.errorf(p.tok.col, "missing a limit after %s", e.op)
	case tIdent:
		switch strings.ToLower(p.tok.text) {
		case "nan", "inf", "infinity":
			// A limit copied from a dashboard or a computed SLO: it
			// is not a metric, and no comparison with it means anything.
			return nil, p.errorf(p.tok.col, "%s is not a limit: write a number with the metric's unit, such as 200ms or 1%%", p.tok.text)
		}
		return nil, p.errorf(p.tok.col, "the right side is a limit such as 200ms, not a metric: move metrics to the left (a - b < 5)")
	default:
		return nil, p.unexpected("a limit such as 200ms")
	}
	lit, err := p.literal()
	if err != nil {
		return nil, err
	}
	if e.limitNeg {
		lit.col = minusCol // faults of the limit point at its sign
	}
	e.limit = lit
	if p.tok.kind != tEOF {
		if unit := spacedUnit(p.tok); unit != "" && lit.kind == litBare {
			return nil, p.errorf(p.tok.col, "write the unit next to its number, without a space: %s%s", fnum(lit.num), unit)
		}
		return nil, p.unexpected("the end of the expression")
	}
	if err := e.typecheck(); err != nil {
		return nil, err
	}
	return e, nil
}

// spacedUnit returns the unit that t is, when a limit's number was
// followed by a space and a unit (p95 < 200 ms, as k6's docs and most
// dashboards print a latency); "" when t is something else.
func spacedUnit(t token) string {
	switch {
	case t.kind == tIllegal && t.str == "%":
		return "%"
	case t.kind != tIdent:
		return ""
	case durationRank[t.text] != 0, byteUnits[t.text] != 0:
		return t.text
	}
	return ""
}

// term parses a metric or a literal of the left side.
func (p *parser) term() (term, error) {
	switch p.tok.kind {
	case tNumber:
		l, err := p.literal()
		return term{lit: &l, col: l.col}, err
	case tIdent:
		m, err := p.metric()
		if err != nil {
			return term{}, err
		}
		return term{m: m, col: m.col}, nil
	case tEOF:
		return term{}, p.errorf(p.tok.col, "missing a metric such as p99 or error_rate")
	default:
		return term{}, p.unexpected("a metric such as p99 or error_rate")
	}
}

// literal parses the current number token.
func (p *parser) literal() (literal, error) {
	t := p.tok
	l, off, msg := parseLiteral(t.text, t.numLen)
	if msg != "" {
		return literal{}, p.errorf(t.col+off, "%s", msg)
	}
	l.col = t.col
	p.next()
	return l, nil
}

// metric parses a metric and its selector.
func (p *parser) metric() (*metric, error) {
	id := p.tok
	p.next()
	var m *metric
	var err error
	switch name := id.text; {
	case name == "p" && p.tok.kind == tLParen:
		var pct float64
		if pct, err = p.quantileArg(); err == nil {
			m = latencyMetric("latency", stat{pct: pct})
		}
	case name == "status" && p.tok.kind == tLParen:
		var code string
		if code, err = p.statusArg(); err == nil {
			m = statusMetric(code)
		}
	case name == "attainment" && p.tok.kind == tLParen:
		var objective time.Duration
		if objective, err = p.objectiveArg(); err == nil {
			m = attainmentMetric(objective)
		}
	case name == "attainment":
		return nil, p.errorf(id.col, "attainment needs a latency objective: attainment(200ms) >= 99%%")
	case p.tok.kind == tDot:
		dot := p.tok
		if _, ok := catalogue.DistributionNamed(name); !ok {
			if _, isStat, _ := parseStat(name); isStat {
				return nil, p.errorf(dot.col, "a dot follows a distribution such as service.p99; for the 99.9th percentile write p999 or p(99.9)")
			}
			guess := ""
			if lower := strings.ToLower(name); lower != name {
				if _, ok := catalogue.DistributionNamed(lower); ok {
					guess = fmt.Sprintf(" (did you mean %s?)", lower)
				}
			}
			return nil, p.errorf(id.col, "unknown distribution %q%s; want %s", name, guess, distributionNames)
		}
		p.next()
		if p.tok.kind != tIdent {
			return nil, p.unexpected(fmt.Sprintf("a statistic such as %s.p99", name))
		}
		statTok := p.tok
		p.next()
		var s stat
		if statTok.text == "p" && p.tok.kind == tLParen {
			s.pct, err = p.quantileArg()
		} else {
			var ok bool
			var msg string
			if s, ok, msg = parseStat(statTok.text); msg != "" {
				return nil, p.errorf(statTok.col, "%s", msg)
			} else if !ok {
				// As a metric's or a distribution's name: service.P99
				// is service.p99 in another case.
				guess := ""
				if lower := strings.ToLower(statTok.text); lower != statTok.text {
					if _, isStat, _ := parseStat(lower); isStat {
						guess = fmt.Sprintf(" (did you mean %s?)", lower)
					}
				}
				return nil, p.errorf(statTok.col, "unknown statistic %q%s; want p50, p90, p95, p99, p999, p(Q), min, max, mean or med", statTok.text, guess)
			}
		}
		if err == nil {
			m = latencyMetric(name, s)
		}
	default:
		if s, ok, msg := parseStat(name); msg != "" {
			return nil, p.errorf(id.col, "%s", msg)
		} else if ok {
			if name[0] == 'p' && p.tok.kind == tNumber && p.tok.text[0] == '.' {
				return nil, p.errorf(p.tok.col, "for the %s%sth percentile write p(%s%s)", name[1:], p.tok.text, name[1:], p.tok.text)
			}
			m = latencyMetric("latency", s)
			break
		}
		if m = simpleMetric(name); m != nil {
			break
		}
		switch {
		case name == "p" || name == "P":
			return nil, p.errorf(id.col, "unknown metric %q; write p99 or p(99.5)", name)
		case name == "status":
			return nil, p.errorf(id.col, "status needs a code: status(503), status(5xx) or status(UNAVAILABLE)")
		}
		if _, ok := catalogue.DistributionNamed(name); ok {
			return nil, p.errorf(id.col, "%s needs a statistic, such as %s.p99", name, name)
		}
		if hint, ok := k6Metrics[name]; ok {
			return nil, p.errorf(id.col, "unknown metric %q; %s", name, hint)
		}
		guess := ""
		if near := nearestMetric(name); near != "" {
			guess = fmt.Sprintf(" (did you mean %s?)", near)
		}
		return nil, p.errorf(id.col, "unknown metric %q%s; want a latency statistic (p99, p(99.5), mean, service.p99), status(5xx), attainment(200ms), %s", name, guess, simpleNames)
	}
	if err != nil {
		return nil, err
	}
	if p.tok.kind == tLBracket {
		if m, err = p.window(m); err != nil {
			return nil, err
		}
	}
	m.col = id.col
	if p.tok.kind == tLBrace {
		if m.sel, err = p.selector(); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// quantileArg parses "(Q)" after p, Q a percentile in [0, 100].
func (p *parser) quantileArg() (float64, error) {
	p.next() // (
	t := p.tok
	if t.kind != tNumber {
		return 0, p.unexpected("a percentile such as 99.9")
	}
	if t.numLen != len(t.text) {
		return 0, p.errorf(t.col, "write the percentile as a bare number: p(99.9)")
	}
	q, err := strconv.ParseFloat(t.text, 64)
	if err != nil || q > 100 {
		return 0, p.errorf(t.col, "percentile %s out of range [0, 100]", t.text)
	}
	p.next()
	if p.tok.kind != tRParen {
		return 0, p.unexpected(")")
	}
	p.next()
	return q, nil
}

// objectiveArg parses "(200ms)" after attainment.
func (p *parser) objectiveArg() (time.Duration, error) {
	p.next() // (
	t := p.tok
	if t.kind != tNumber {
		return 0, p.unexpected("a latency objective such as 200ms")
	}
	l, off, msg := parseLiteral(t.text, t.numLen)
	if msg != "" {
		return 0, p.errorf(t.col+off, "%s", msg)
	}
	if l.kind != litDuration || l.dur <= 0 {
		return 0, p.errorf(t.col, "attainment needs a latency objective such as 200ms")
	}
	p.next()
	if p.tok.kind != tRParen {
		return 0, p.unexpected(")")
	}
	p.next()
	return l.dur, nil
}

// window parses "[10s]" after the latency statistic m: the worst value of
// that statistic over any window of that many seconds.
func (p *parser) window(m *metric) (*metric, error) {
	open := p.tok
	if m.stat == nil || m.dist != "latency" || m.stat.mean {
		return nil, p.errorf(open.col, "a window [10s] follows a percentile of the latency, such as p99[10s]")
	}
	p.next()
	t := p.tok
	if t.kind != tNumber {
		return nil, p.unexpected("a window such as 10s")
	}
	l, off, msg := parseLiteral(t.text, t.numLen)
	if msg != "" {
		return nil, p.errorf(t.col+off, "%s", msg)
	}
	if l.kind != litDuration || l.dur < time.Second || l.dur%time.Second != 0 {
		return nil, p.errorf(t.col, "a window is a whole number of seconds, such as 10s (the timeline's resolution)")
	}
	p.next()
	if p.tok.kind != tRBracket {
		return nil, p.unexpected("]")
	}
	p.next()
	return windowMetric(*m.stat, l.dur), nil
}

// statusArg parses "(503)", "(5xx)" or a gRPC code's name, "(UNAVAILABLE)",
// after status.
func (p *parser) statusArg() (string, error) {
	p.next() // (
	t := p.tok
	if t.kind != tNumber && t.kind != tIdent {
		return "", p.unexpected("a status code such as 503, a class such as 5xx or a gRPC code such as UNAVAILABLE")
	}
	code, ok := normalStatus(t.text)
	if !ok {
		return "", p.errorf(t.col, "%s", badStatus(t.text))
	}
	if isDigit(code[0]) && code[0] > '5' {
		// 6xx and 999 look like codes but no HTTP response has them:
		// status(999) == 0 would pass on every run.
		return "", p.errorf(t.col, "status %s is not an HTTP status: codes run from 100 to 599, classes from 1xx to 5xx", t.text)
	}
	p.next()
	if p.tok.kind != tRParen {
		return "", p.unexpected(")")
	}
	p.next()
	return code, nil
}

// normalStatus returns code as status_codes keys it, and whether it is a
// status code (503), a class (5xx) or a gRPC code's name (UNAVAILABLE,
// read case-insensitively).
func normalStatus(code string) (string, bool) {
	if name, ok := grpccode.Lookup(code); ok {
		return name, true
	}
	code = strings.ToLower(code)
	return code, len(code) == 3 && code[0] >= '1' && code[0] <= '9' &&
		(isDigit(code[1]) && isDigit(code[2]) || code[1:] == "xx")
}

// badStatus says why code is not a status.
func badStatus(code string) string {
	msg := fmt.Sprintf("%q is not a status code such as 503, a class such as 5xx or a gRPC code such as UNAVAILABLE", code)
	if name, ok := grpccode.Suggest(code); ok {
		msg += " (the gRPC code is spelt " + name + ")"
	}
	return msg
}

// selector parses {stage="ramp"}, {stage=2} or {name="checkout"}.
func (p *parser) selector() (selector, error) {
	var sel selector
	p.next() // {
	for p.tok.kind != tRBrace {
		label := p.tok
		if label.kind != tIdent {
			return selector{}, p.unexpected("a label: stage or name")
		}
		if label.text != "stage" && label.text != "name" {
			return selector{}, p.errorf(label.col, "unknown label %q; want stage or name", label.text)
		}
		if sel.label == label.text {
			return selector{}, p.errorf(label.col, "label %s given twice", label.text)
		}
		if sel.label != "" {
			return selector{}, p.errorf(label.col, "results are not split by stage and name together: select one")
		}
		p.next()
		if p.tok.kind != tAssign {
			if p.tok.kind == tCompare && p.tok.text == "!=" {
				return selector{}, p.errorf(p.tok.col, "selectors match exactly, with =")
			}
			return selector{}, p.unexpected("=")
		}
		p.next()
		sel.label, sel.col = label.text, label.col
		switch v := p.tok; {
		case v.kind == tString:
			sel.value = v.str
		case v.kind == tNumber && label.text == "stage":
			n, err := strconv.Atoi(v.text)
			if err != nil || n < 0 {
				return selector{}, p.errorf(v.col, "a stage is selected by its name in quotes or by its 0-based index, such as stage=1")
			}
			sel.index, sel.byIndex = n, true
		case label.text == "stage":
			return selector{}, p.unexpected(`a stage name in quotes or a 0-based stage index: stage="ramp" or stage=1`)
		default:
			return selector{}, p.unexpected(`a request name in quotes: name="checkout"`)
		}
		p.next()
		if p.tok.kind == tComma {
			p.next()
			continue
		}
		if p.tok.kind != tRBrace {
			return selector{}, p.unexpected("} or ,")
		}
	}
	if sel.label == "" {
		return selector{}, p.errorf(p.tok.col, "empty selector: write {stage=\"ramp\"} or {name=\"checkout\"}, or drop the braces")
	}
	p.next()
	return sel, nil
}

// SyntaxError reports a malformed expression. Column counts characters from
// 1. When the expression came from an SLA file, File and Line say where.
type SyntaxError struct {
	File   string // "" unless read by [ParseFile]
	Line   int    // 1-based; 0 unless read by ParseFile
	Column int    // 1-based, in characters
	Expr   string // the expression as written
	Msg    string
}

// Error writes "file:line:column: message" for a file, and
// `"expression": column N: message` otherwise.
func (e *SyntaxError) Error() string {
	if e.File != "" {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("%s: column %d: %s", quoteExpr(e.Expr), e.Column, e.Msg)
}

// quoteExpr quotes an expression for a message, in backquotes when it
// holds double quotes (p99{stage="ramp"}) and they would be escaped.
func quoteExpr(s string) string {
	if strings.Contains(s, `"`) && strconv.CanBackquote(s) {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}

// k6Metrics says what a k6 threshold's metric, or a k6 word, is written
// as here: a user coming from k6 writes http_req_failed: rate<0.01 first.
var k6Metrics = map[string]string{
	"http_req_duration":        "k6's http_req_duration is the latency here, the default: write p(95) < 200ms",
	"iteration_duration":       "k6's iteration_duration is the latency here (a Flow's whole iteration): write p(95) < 200ms",
	"http_req_failed":          "k6's http_req_failed is error_rate here: write error_rate < 0.01 or error_rate < 1%",
	"checks":                   "a failed Check fails its request here: bound them with error_rate < 1%",
	"http_reqs":                "k6's http_reqs is requests (a count) or rate (per second) here: requests > 1000, rate >= 100/s",
	"dropped_iterations":       "k6's dropped_iterations are dropped here: dropped == 0",
	"http_req_waiting":         "k6's http_req_waiting is the time to first byte here: ttfb.p95 < 50ms",
	"http_req_connecting":      "k6's http_req_connecting is connect here: connect.p95 < 5ms",
	"http_req_tls_handshaking": "k6's http_req_tls_handshaking is tls here: tls.p95 < 20ms",
	"avg":                      "write mean < 100ms (k6's avg)",
	"count":                    "write requests or errors: errors < 10",
}

// nearestMetric returns the metric name a misspelt name most likely meant:
// the one of the catalogue's metrics and the latency statistics within two
// edits of it (eror_rate, p9, troughput), "" when none or two are as near.
func nearestMetric(name string) string {
	candidates := append(slices.Clip(simpleMetrics), "p50", "p90", "p95", "p99", "p999", "min", "max", "mean", "med", "service.p99")
	// Names are lower case: ERROR_RATE is many edits from error_rate.
	if lower := strings.ToLower(name); lower != name {
		if _, isStat, _ := parseStat(lower); isStat || slices.Contains(candidates, lower) {
			return lower
		}
	}
	best, bestD, tie := "", 3, false
	for _, c := range candidates {
		switch d := editDistance(name, c); {
		case d < bestD:
			best, bestD, tie = c, d, false
		case d == bestD && c != best:
			tie = true
		}
	}
	if tie || len(name) <= bestD {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, by bytes (metric
// names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// simpleMetrics are the metrics of the catalogue that are neither a
// latency statistic nor a distribution's; simpleNames lists them, for the
// error of an unknown one.
var simpleMetrics = func() []string {
	var names []string
	for _, m := range catalogue.All() {
		if _, isStat, _ := parseStat(m.Name); !isStat && !strings.Contains(m.Name, ".") {
			names = append(names, m.Name)
		}
	}
	return names
}()

var simpleNames = strings.Join(simpleMetrics, ", ")
