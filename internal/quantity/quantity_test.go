package quantity

import (
	"math"
	"testing"
)

func TestBytes(t *testing.T) {
	for _, tt := range []struct {
		give float64
		want string
	}{
		{0, "0B"},
		{100, "100B"},
		{1 << 10, "1KiB"},
		{7034880, "6.71MiB"},
		{6 << 20, "6MiB"},
		{1.5 * (1 << 30), "1.5GiB"},
		{-(3 << 20), "-3MiB"},
	} {
		if got := Bytes(tt.give); got != tt.want {
			t.Errorf("Bytes(%v) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

func TestSigAndDuration(t *testing.T) {
	for _, tt := range []struct {
		got, want string
	}{
		{Sig(12345, 3), "12345"},
		{Sig(0.0012345, 3), "0.00123"},
		{Sig(math.Inf(1), 3), "+Inf"},
		{Duration(1372000, 3), "1.37ms"},
		{Duration(476123, 3), "476µs"},
		{Duration(-2500e6, 3), "-2.5s"},
		{Rate(199.93), "200/s"},
		{Rate(1995.3), "1995/s"},
		{Rate(0.5), "0.5/s"},
		{Percent(0.02), "2%"},
		{Percent(0.00302), "0.302%"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// TestErrors: the one wording of a live line's errors, for go test -v's
// progress line and loadgate run's (each wrote its own).
func TestErrors(t *testing.T) {
	for _, tt := range []struct {
		errs, requests int64
		want           string
	}{
		{0, 0, "0 errors"},
		{0, 100, "0 errors"},
		{1, 200, "1 error (0.5%)"},
		{3, 250, "3 errors (1.2%)"},
		{2, 0, "2 errors (0%)"}, // failed before any completed
	} {
		if got := Errors(tt.errs, tt.requests); got != tt.want {
			t.Errorf("Errors(%d, %d) = %q, want %q", tt.errs, tt.requests, got, tt.want)
		}
	}
}
