package assert_test

import (
	"testing"

	"github.com/loadgate/loadgate/assert"
)

// FuzzParse checks that Parse never panics, that the canonical form of
// every expression it accepts parses back to the same canonical form, and
// that evaluating it never panics either.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"p99 < 200ms", "p(99.9) <= 1.5ms", "service.p(99.5) >= 250us", "dns.p99 < 10ms", "med < 1m",
		"goroutines_end - goroutines_start <= 5", "-goroutines_start + goroutines_end <= 5", "p99 + 10ms < 1s",
		`p99{stage="ramp"} < 50ms`, `p99{stage=2} < 50ms`, `error_rate{name="checkout"} < 1%`,
		`p99{stage="peak"} - p99{stage="warm"} < 20ms`, `status(5xx){name="a\"b"} < 1%`,
		"throughput >= 95%", "rate > 1000/s", "heap_peak < 1.5GiB", "heap_peak < 512MB", "cpu_seconds < 30",
		"status(503) < 0.001", "goroutine_growth >= -10", "p9999 < 1s", "p(0.5) > 0", "error_rate == 0",
		// malformed
		"p99 < 5%", "p99 <", "p99.9 < 3ms", "p5 < 1ms", `p99{stage="a", name="b"} < 1s`, "p99 < 9999999999h",
		"p(101) < 1s", "status(5x) < 1%", `p99{name="é` + "\xff" + `"} < 1s`, "1ms < p99", "p99 < 1m5x", "",
	} {
		f.Add(seed)
	}
	res := slaResult(f)
	f.Fuzz(func(t *testing.T, s string) {
		e, err := assert.Parse(s)
		if err != nil {
			return
		}
		canon := e.String()
		again, err := assert.Parse(canon)
		if err != nil {
			t.Fatalf("Parse(%q) = %q, which does not parse: %v", s, canon, err)
		}
		if again.String() != canon {
			t.Fatalf("Parse(%q) = %q, which parses to %q", s, canon, again.String())
		}
		o, err := e.Eval(res)
		if err == nil && o.Message == "" {
			t.Fatalf("Eval(%q): no message", s)
		}
	})
}
