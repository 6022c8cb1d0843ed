// Package scale reads the factors that shrink or stretch a load test:
// LOADGATE_SCALE (durations) and LOADGATE_RATE_SCALE (rates and users).
// loadtest reads them from the environment and loadgate run from its
// flags, by the one rule of [Parse].
package scale

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// Max is the largest factor: a scale far beyond it is a typo, and would
// plan runs or rates no machine keeps.
const Max = 1e6

// ErrRange is the error of a value that is not a factor [Parse] takes; its
// message says what is wanted.
var ErrRange = errors.New("want a positive number up to 1e6, such as 0.1")

// Parse reads a factor: a positive, finite number up to [Max]. Blank
// space around it is ignored; "" is an error (callers treat an unset
// variable as 1 before calling Parse). The error is [ErrRange]: the
// caller names the variable or flag.
func Parse(v string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(f) || f <= 0 || f > Max {
		return 0, ErrRange
	}
	return f, nil
}
