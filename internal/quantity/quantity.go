// Package quantity writes the measured quantities of a run for people —
// durations, sizes and plain numbers, to three significant digits — for
// every text that shows one: assert's failure messages and the cells of a
// comparison (assert.Unit.Format) and loadtest's summary of a run. Written
// once, a heap peak reads "6.71MiB" in all of them (the summary wrote
// "6.7 MiB").
package quantity

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Sig writes v to sig significant digits, but never rounds the whole part
// (12345 stays 12345), and drops trailing zeros.
func Sig(v float64, sig int) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return strconv.FormatFloat(v, 'g', -1, 64)
	case v == 0:
		return "0"
	}
	dec := sig - 1 - int(math.Floor(math.Log10(math.Abs(v))))
	dec = max(0, min(dec, 15))
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// Duration writes ns nanoseconds rounded to sig significant digits, as
// [time.Duration] writes them: "1.37ms".
func Duration(ns float64, sig int) string {
	if math.IsNaN(ns) || math.Abs(ns) >= math.MaxInt64 {
		return Sig(ns/1e9, sig) + "s"
	}
	d := time.Duration(math.Round(ns))
	abs := d
	if abs < 0 {
		abs = -abs
	}
	limit := time.Duration(math.Pow10(sig))
	for unit := time.Duration(1); unit < time.Hour; unit *= 10 {
		if abs < limit*unit {
			return d.Round(unit).String()
		}
	}
	return d.Round(time.Second).String()
}

// binaryUnits are the units Bytes chooses from, largest first.
var binaryUnits = []struct {
	name string
	size float64
}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}}

// Bytes writes v bytes to three significant digits in the largest binary
// unit that fits, without a space: "6.71MiB", "512KiB", "100B".
func Bytes(v float64) string {
	for _, u := range binaryUnits {
		if math.Abs(v) >= u.size {
			return Sig(v/u.size, 3) + u.name
		}
	}
	return Sig(v, 3) + "B"
}
