// Package quantity writes the measured quantities of a run for people —
// durations, sizes, rates, percentages and plain numbers, to three
// significant digits — for every text that shows one: assert's failure
// messages and the cells of a comparison (assert.Unit.Format), loadtest's
// summary of a run, loadgate run's table and the HTML report. Written
// once, a heap peak reads "6.71MiB" in all of them (the summary wrote
// "6.7 MiB"), and a rate "200/s" (the summary wrote "199.9 req/s", loadgate
// run's table "200").
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

// Rate writes a rate in requests (or iterations) per second to three
// significant digits, whole numbers kept, with its unit: "200/s",
// "1995/s", "0.5/s" — as an SLA writes one (throughput >= 200/s).
func Rate(perSecond float64) string { return Sig(perSecond, 3) + "/s" }

// Percent writes a fraction as a percentage to three significant digits,
// whole numbers kept: "2%", "0.302%", "100%".
func Percent(fraction float64) string { return Sig(100*fraction, 3) + "%" }

// Errors writes a count of failed requests with their share of requests,
// as every live line writes it (go test -v's progress line, loadgate
// run's): "0 errors", "1 error (0.5%)", "3 errors (1.2%)".
func Errors(errs, requests int64) string {
	if errs == 0 {
		return "0 errors"
	}
	share := 0.0
	if requests > 0 {
		share = float64(errs) / float64(requests)
	}
	noun := "errors"
	if errs == 1 {
		noun = "error"
	}
	return strconv.FormatInt(errs, 10) + " " + noun + " (" + Percent(share) + ")"
}
