package assert

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/loadgate/loadgate/internal/quantity"
)

// Unit is what the values of an SLA measure. [Outcome.Actual] and
// [Outcome.Limit] are in the unit's base: nanoseconds for durations (as
// everywhere in loadgate's JSON), a fraction for ratios, bytes for sizes and
// requests per second for rates.
type Unit string

const (
	UnitDuration Unit = "duration" // nanoseconds
	UnitRatio    Unit = "ratio"    // a fraction, shown as a percentage
	UnitCount    Unit = "count"    // a number of things
	UnitBytes    Unit = "bytes"    // a size
	UnitRate     Unit = "rate"     // requests per second
)

// Format renders v, given in u's base, the way failure messages do: three
// significant digits (whole numbers are never rounded away), durations as
// [time.Duration] writes them, ratios as percentages and sizes in binary
// units.
func (u Unit) Format(v float64) string {
	switch u {
	case UnitDuration:
		return quantity.Duration(v, 3)
	case UnitRatio:
		return quantity.Percent(v)
	case UnitBytes:
		return formatBytes(v, "")
	case UnitRate:
		return quantity.Rate(v)
	default:
		return quantity.Sig(v, 3)
	}
}

// litKind is the kind of a literal, told by its unit suffix.
type litKind int

const (
	litBare     litKind = iota // 10, 0.01
	litPercent                 // 1%
	litDuration                // 200ms, 1m30s
	litBytes                   // 512MB, 1GiB
	litRate                    // 1000/s
)

// literal is a number with its unit, as written in an expression.
type literal struct {
	kind   litKind
	num    float64       // the number before the unit
	dur    time.Duration // the value of a litDuration
	suffix string        // the canonical unit of a litBytes
	col    int           // where the literal starts
}

// byteUnits maps the size units an expression may use to their multiples.
// "KB" is accepted as the common misspelling of "kB"; both mean 1000.
var byteUnits = map[string]float64{
	"B":  1,
	"kB": 1e3, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
	"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40,
}

// durationUnits are the units time.ParseDuration knows.
var durationUnits = map[string]bool{"ns": true, "us": true, "µs": true, "μs": true, "ms": true, "s": true, "m": true, "h": true}

// parseLiteral classifies the number token text (digits, then an optional
// unit suffix that starts at byte numLen). It returns the message and the
// column offset (in runes, from the literal's start) of a fault.
func parseLiteral(text string, numLen int) (literal, int, string) {
	num, err := strconv.ParseFloat(text[:numLen], 64)
	if err != nil || math.IsInf(num, 0) {
		return literal{}, 0, "number " + text[:numLen] + " is out of range"
	}
	l := literal{num: num}
	suffix := text[numLen:]
	switch {
	case suffix == "":
		l.kind = litBare
	case suffix == "%":
		l.kind = litPercent
	case suffix == "/s":
		l.kind = litRate
	case byteUnits[suffix] != 0:
		l.kind, l.suffix = litBytes, suffix
		if suffix == "KB" {
			l.suffix = "kB"
		}
	default:
		if bad, at := badDurationUnit(suffix); bad != "" {
			guess := ""
			if u := unitInOtherCase(bad); u != "" {
				guess = " (did you mean " + u + "?)"
			}
			return literal{}, utf8.RuneCountInString(text[:numLen+at]), "unknown unit " + strconv.Quote(bad) + guess +
				"; want a duration (ns, us, ms, s, m, h), a size (B, kB, MB, GB, KiB, MiB, GiB), % or /s"
		}
		d, err := time.ParseDuration(text)
		if err != nil {
			return literal{}, 0, "invalid duration " + strconv.Quote(text)
		}
		if at, msg := durationOrder(text, d); msg != "" {
			return literal{}, utf8.RuneCountInString(text[:at]), msg
		}
		if suffix == "m" && d >= time.Hour {
			// k6 and most dashboards write milliseconds as ms, and one
			// letter less reads as minutes: p99 < 200m passed every run.
			return literal{}, utf8.RuneCountInString(text[:numLen]), fmt.Sprintf(
				"%s is %s (m is minutes): for milliseconds write %sms; for minutes past an hour write %s", text, d, text[:numLen], d)
		}
		l.kind, l.dur = litDuration, d
	}
	return l, 0, ""
}

// unitInOtherCase returns the unit that bad spells in another case (ms for
// MS, MiB for MIB), or "". M is left alone: it reads as mega as much as
// minutes; so is a size whose b is small: Mb is megabits.
func unitInOtherCase(bad string) string {
	if bad == "M" {
		return ""
	}
	for _, u := range []string{"ns", "us", "ms", "s", "m", "h", "B", "kB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB"} {
		if strings.EqualFold(u, bad) && (!strings.HasSuffix(u, "B") || strings.HasSuffix(bad, "B")) {
			return u
		}
	}
	return ""
}

// durationRank orders the duration units from the smallest.
var durationRank = map[string]int{"ns": 1, "us": 2, "µs": 2, "μs": 2, "ms": 3, "s": 4, "m": 5, "h": 6}

// durationOrder checks that the units of the duration text (worth d) are
// each written once, from the largest: time.ParseDuration adds 1h1h up to
// 2h, which reads as a typo of 1h. It returns the byte offset of the unit
// at fault and the message.
func durationOrder(text string, d time.Duration) (int, string) {
	last := 0
	for i := 0; i < len(text); {
		for i < len(text) && (isDigit(text[i]) || text[i] == '.') {
			i++
		}
		j := i
		for j < len(text) && !isDigit(text[j]) && text[j] != '.' {
			j++
		}
		unit, rank := text[i:j], durationRank[text[i:j]]
		switch {
		case last != 0 && rank == last:
			return i, fmt.Sprintf("duration %s gives unit %s twice; write it once, as %s", text, unit, d)
		case last != 0 && rank > last:
			return i, fmt.Sprintf("duration %s has its units out of order; write the largest first, as %s", text, d)
		}
		last, i = rank, j
	}
	return 0, ""
}

// badDurationUnit returns the first run of letters in a duration suffix
// such as "m30s" that is not a duration unit, with its byte offset, or ""
// if there is none.
func badDurationUnit(suffix string) (string, int) {
	i := 0
	for i < len(suffix) {
		j := i
		for j < len(suffix) && !isDigit(suffix[j]) && suffix[j] != '.' {
			j++
		}
		if j > i && !durationUnits[suffix[i:j]] {
			return suffix[i:j], i
		}
		if j == i {
			j++
		}
		i = j
	}
	return "", 0
}

// String writes the literal in canonical form, without a sign.
func (l literal) String() string {
	switch l.kind {
	case litPercent:
		return fnum(l.num) + "%"
	case litDuration:
		return l.dur.String()
	case litBytes:
		return fnum(l.num) + l.suffix
	case litRate:
		return fnum(l.num) + "/s"
	default:
		return fnum(l.num)
	}
}

// value is the literal in the base of unit u; bareSeconds says that a bare
// number compared with a duration counts seconds (cpu_seconds).
func (l literal) value(u Unit, bareSeconds bool) float64 {
	switch l.kind {
	case litPercent:
		return l.num / 100
	case litDuration:
		return float64(l.dur)
	case litBytes:
		return l.num * byteUnits[l.suffix]
	case litBare:
		if u == UnitDuration && bareSeconds {
			return l.num * 1e9
		}
	}
	return l.num
}

// fnum writes a number exactly, in the shortest form that reads back the
// same, without an exponent (the grammar has none).
func fnum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// tidy rounds away the noise of float arithmetic (0.95*100 =
// 94.99999999999999) before a number is written into an expression.
func tidy(v float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	if err != nil {
		return v
	}
	return r
}

// formatBytes writes v bytes to three significant digits in unit suffix, or
// in the largest binary unit that fits when suffix is "" or "B", as every
// output writes a size (quantity.Bytes).
func formatBytes(v float64, suffix string) string {
	if suffix == "" || suffix == "B" {
		return quantity.Bytes(v)
	}
	return quantity.Sig(v/byteUnits[suffix], 3) + suffix
}

// exactBytes writes n bytes in the largest binary unit that divides it, so
// that the text reads back as exactly n.
func exactBytes(n int64) string {
	for _, u := range []string{"TiB", "GiB", "MiB", "KiB"} {
		m := int64(byteUnits[u])
		if n != 0 && n%m == 0 {
			return strconv.FormatInt(n/m, 10) + u
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
