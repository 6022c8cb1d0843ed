package assert_test

import (
	"errors"
	"testing"

	"github.com/loadgate/loadgate/assert"
)

func TestParseCanonical(t *testing.T) {
	tests := []struct {
		name string
		give string
		want string // String() of the parsed expression
	}{
		// latency statistics
		{"p50", "p50 < 10ms", "p50 < 10ms"},
		{"p90", "p90 < 10ms", "p90 < 10ms"},
		{"p95", "p95 < 10ms", "p95 < 10ms"},
		{"p99", "p99 < 10ms", "p99 < 10ms"},
		{"p999", "p999 < 10ms", "p999 < 10ms"},
		{"p9999", "p9999 < 10ms", "p9999 < 10ms"},
		{"p75", "p75 < 10ms", "p75 < 10ms"},
		{"p995 reads as 99.5", "p995 < 10ms", "p(99.5) < 10ms"},
		{"p(99.9) is p999", "p(99.9) <= 1.5ms", "p999 <= 1.5ms"},
		{"p(99) is p99", "p( 99 ) < 1s", "p99 < 1s"},
		{"p(99.5)", "p(99.5) < 1s", "p(99.5) < 1s"},
		{"p(5)", "p(5) < 1s", "p(5) < 1s"},
		{"p(0.5)", "p(0.5) < 1s", "p(0.5) < 1s"},
		{"p(0) is min", "p(0) > 0", "min > 0"},
		{"p(100) is max", "p(100) < 1s", "max < 1s"},
		{"min", "min > 1us", "min > 1µs"},
		{"max", "max < 1s", "max < 1s"},
		{"mean", "mean < 1s", "mean < 1s"},
		{"med is p50", "med < 1s", "p50 < 1s"},
		{"latency prefix is the default", "latency.p99 < 1s", "p99 < 1s"},
		{"service", "service.p99 < 1s", "service.p99 < 1s"},
		{"service p(Q)", "service.p(99.5) >= 250us", "service.p(99.5) >= 250µs"},
		{"dns", "dns.p99 < 1s", "dns.p99 < 1s"},
		{"connect", "connect.p95 < 1s", "connect.p95 < 1s"},
		{"tls", "tls.max < 1s", "tls.max < 1s"},
		{"ttfb", "ttfb.p50 < 1s", "ttfb.p50 < 1s"},
		{"total", "total.p999 < 1s", "total.p999 < 1s"},

		// other metrics
		{"error_rate", "error_rate < 0.1%", "error_rate < 0.1%"},
		{"errors", "errors == 0", "errors == 0"},
		{"requests", "requests >= 1000", "requests >= 1000"},
		{"dropped", "dropped <= 5", "dropped <= 5"},
		{"abandoned", "abandoned == 0", "abandoned == 0"},
		{"throughput share", "throughput >= 95%", "throughput >= 95%"},
		{"throughput rate", "throughput >= 1000/s", "throughput >= 1000/s"},
		{"rate bare", "rate > 1000", "rate > 1000"},
		{"goroutines_start", "goroutines_start < 100", "goroutines_start < 100"},
		{"goroutines_end", "goroutines_end < 100", "goroutines_end < 100"},
		{"goroutines_peak", "goroutines_peak < 10000", "goroutines_peak < 10000"},
		{"goroutine_growth", "goroutine_growth <= 5", "goroutine_growth <= 5"},
		{"difference", "goroutines_end-goroutines_start<=5", "goroutines_end - goroutines_start <= 5"},
		{"gc_pause_p99", "gc_pause_p99 < 50ms", "gc_pause_p99 < 50ms"},
		{"gc_pause_max", "gc_pause_max < 50ms", "gc_pause_max < 50ms"},
		{"num_gc", "num_gc < 100", "num_gc < 100"},
		{"heap_peak", "heap_peak < 512MB", "heap_peak < 512MB"},
		{"cpu_seconds bare", "cpu_seconds < 30", "cpu_seconds < 30"},
		{"cpu_seconds duration", "cpu_seconds < 1m", "cpu_seconds < 1m0s"},
		{"status code", "status(503) < 1%", "status(503) < 1%"},
		{"status class", "status(5XX) < 0.01", "status(5xx) < 0.01"},
		{"gRPC code", "status(UNAVAILABLE) < 1%", "status(UNAVAILABLE) < 1%"},
		{"gRPC code in lower case", "status(deadline_exceeded) <= 0.1%", "status(DEADLINE_EXCEEDED) <= 0.1%"},
		{"service per name", `service.p99{name="/shop.Cart/Add"} < 5ms`, `service.p99{name="/shop.Cart/Add"} < 5ms`},

		// units
		{"us", "p99 < 250us", "p99 < 250µs"},
		{"µs micro sign", "p99 < 250µs", "p99 < 250µs"},
		{"μs greek mu", "p99 < 250μs", "p99 < 250µs"},
		{"ns", "p99 < 900ns", "p99 < 900ns"},
		{"fractional ms", "p99 < 1.5ms", "p99 < 1.5ms"},
		{"s", "p99 < 2s", "p99 < 2s"},
		{"m", "p99 < 1m", "p99 < 1m0s"},
		{"h", "p99 < 1h", "p99 < 1h0m0s"},
		{"compound", "p99 < 1m30s", "p99 < 1m30s"},
		{"leading dot", "p99 < .5s", "p99 < 500ms"},
		{"percent", "error_rate < 0.125%", "error_rate < 0.125%"},
		{"fraction", "error_rate < .001", "error_rate < 0.001"},
		{"B", "heap_peak < 1000B", "heap_peak < 1000B"},
		{"kB", "heap_peak < 300kB", "heap_peak < 300kB"},
		{"KB is kB", "heap_peak < 300KB", "heap_peak < 300kB"},
		{"GB", "heap_peak < 1.5GB", "heap_peak < 1.5GB"},
		{"TB", "heap_peak < 1TB", "heap_peak < 1TB"},
		{"KiB", "heap_peak < 300KiB", "heap_peak < 300KiB"},
		{"MiB", "heap_peak < 512MiB", "heap_peak < 512MiB"},
		{"GiB", "heap_peak < 1GiB", "heap_peak < 1GiB"},
		{"TiB", "heap_peak < 1TiB", "heap_peak < 1TiB"},
		{"per second", "rate >= 1000.5/s", "rate >= 1000.5/s"},
		{"zero fits a duration", "p99 > 0", "p99 > 0"},
		{"zero fits a size", "heap_peak > 0", "heap_peak > 0"},
		{"negative limit", "goroutine_growth >= -10", "goroutine_growth >= -10"},
		{"negative duration", "p99 - service.p99 > -5ms", "p99 - service.p99 > -5ms"},
		{"leading minus", "-goroutines_start + goroutines_end <= 5", "-goroutines_start + goroutines_end <= 5"},
		{"literal in sum", "p99 + 10ms < 200ms", "p99 + 10ms < 200ms"},
		{"cpu seconds in sum", "cpu_seconds + 1 < 30", "cpu_seconds + 1 < 30"},

		// operators
		{"<=", "p99<=1s", "p99 <= 1s"},
		{">", "p99>1s", "p99 > 1s"},
		{">=", "p99>=1s", "p99 >= 1s"},
		{"==", "errors==0", "errors == 0"},
		{"!=", "errors!=0", "errors != 0"},

		// selectors
		{"stage by name", `p99{stage="ramp"} < 50ms`, `p99{stage="ramp"} < 50ms`},
		{"stage by index", "p99{ stage = 2 } < 50ms", "p99{stage=2} < 50ms"},
		{"name", `error_rate{name="checkout"} < 1%`, `error_rate{name="checkout"} < 1%`},
		{"trailing comma", `p99{name="a",} < 1s`, `p99{name="a"} < 1s`},
		{"escaped name", `p99{name="a\"b\u00e9"} < 1s`, `p99{name="a\"bé"} < 1s`},
		{"selector on p(Q)", `p(99.5){name="x"} < 1s`, `p(99.5){name="x"} < 1s`},
		{"selector on status", `status(5xx){stage=0} < 1%`, `status(5xx){stage=0} < 1%`},
		{"service per stage", `service.p99{stage="peak"} < 1s`, `service.p99{stage="peak"} < 1s`},
		{"selectors per term", `p99{stage="peak"} - p99{stage="warm"} < 20ms`, `p99{stage="peak"} - p99{stage="warm"} < 20ms`},
		{"throughput share of a stage", `throughput{stage=1} >= 90%`, `throughput{stage=1} >= 90%`},
		{"tabs", "p99\t<\t1s", "p99 < 1s"},

		// SLO views (issue 17)
		{"attainment", "attainment(200ms) >= 99%", "attainment(200ms) >= 99%"},
		{"attainment of a name", `attainment( 1.5s ){name="checkout"} > 0.995`, `attainment(1.5s){name="checkout"} > 0.995`},
		{"window", "p99[10s] < 300ms", "p99[10s] < 300ms"},
		{"window of p(Q)", "p(99.5)[ 1m ] <= 1s", "p(99.5)[1m0s] <= 1s"},
		{"window of med", "med[2s] < 1s", "p50[2s] < 1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := assert.Parse(tt.give)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.give, err)
			}
			if got := e.String(); got != tt.want {
				t.Errorf("Parse(%q).String() = %q, want %q", tt.give, got, tt.want)
			}
			again, err := assert.Parse(e.String())
			if err != nil {
				t.Fatalf("Parse(%q) of the canonical form: %v", e.String(), err)
			}
			if again.String() != e.String() {
				t.Errorf("canonical form not stable: %q, then %q", e.String(), again.String())
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name    string
		give    string
		wantCol int
		wantMsg string
	}{
		// type errors
		{"latency vs percent", "p99 < 5%", 7, "a latency needs a duration such as 200ms"},
		{"latency vs bare", "p99 < 5", 7, "a latency needs a duration such as 200ms"},
		{"latency vs size", "p99 < 5MB", 7, "a latency needs a duration such as 200ms"},
		{"gc pause vs count", "gc_pause_p99 < 50", 16, "a GC pause needs a duration such as 200ms"},
		{"cpu vs percent", "cpu_seconds < 5%", 15, "CPU time needs a duration such as 30s or a number of seconds"},
		{"ratio vs duration", "error_rate < 5ms", 14, "an error rate needs a percentage such as 1% or a fraction such as 0.01"},
		{"ratio bare above 1", "error_rate < 5", 14, "an error rate is a ratio: write a fraction in [0, 1] such as 0.01, or a percentage such as 5%"},
		{"status vs rate", "status(503) < 5/s", 15, "a status share needs a percentage such as 1% or a fraction such as 0.01"},
		{"count vs percent", "errors < 1%", 10, "a count needs a bare number such as 10"},
		{"goroutines vs duration", "goroutines_peak < 1s", 19, "a goroutine count needs a bare number such as 10"},
		{"bytes vs bare", "heap_peak < 512", 13, "a heap size needs a size such as 512MB or 1GiB"},
		{"rate vs duration", "throughput > 5ms", 14, "throughput needs requests per second such as 1000/s, or a share of the planned rate such as 95%"},
		{"mixed units", "p99 + errors < 5ms", 7, "errors is a count but p99 is a duration: the terms of a sum must share a unit"},
		{"literal in sum", "p99 + 5 < 5ms", 7, "a latency needs a duration such as 200ms"},
		{"share in a sum", "throughput - rate >= 5%", 22, "a share of the planned rate such as 95% needs a single throughput or rate on the left"},
		{"share on the left", "throughput + 5% >= 100/s", 14, "throughput needs requests per second such as 1000/s"},
		{"share of a name", `rate{name="x"} >= 95%`, 19, "requests of one name have no planned rate; compare with a rate such as 100/s"},
		{"no metric", "5ms < 10ms", 1, "the left side needs a metric such as p99 or error_rate"},

		// scoping
		{"runtime per stage", `goroutines_peak{stage="ramp"} < 5`, 17, "goroutines_peak is measured for the whole run only: drop the selector"},
		{"abandoned per name", `abandoned{name="x"} < 5`, 11, "abandoned is measured for the whole run only: drop the selector"},
		{"phase per stage", `dns.p99{stage=1} < 5ms`, 9, "dns.p99 is measured for the whole run only: drop the selector"},
		{"dropped per name", `dropped{name="x"} < 5`, 9, "dropped is not recorded per request name"},
		{"stage and name", `p99{stage="a", name="b"} < 5ms`, 16, "results are not split by stage and name together: select one"},
		{"label twice", `p99{stage="a", stage="b"} < 5ms`, 16, "label stage given twice"},
		{"unknown label", `p99{job="a"} < 5ms`, 5, `unknown label "job"; want stage or name`},
		{"regexp match", `p99{name=~"a"} < 5ms`, 9, "selectors match exactly, with =; regular expressions are not supported"},
		{"negative match", `p99{name!="a"} < 5ms`, 9, "selectors match exactly, with ="},
		{"name by number", `p99{name=2} < 5ms`, 10, `unexpected "2"; want a request name in quotes: name="checkout"`},
		{"fractional stage", `p99{stage=1.5} < 5ms`, 11, "a stage is selected by its name in quotes or by its 0-based index, such as stage=1"},
		{"empty selector", `p99{} < 5ms`, 5, `empty selector: write {stage="ramp"} or {name="checkout"}, or drop the braces`},
		{"unclosed selector", `p99{name="a" < 5ms`, 14, `unexpected "<"; want } or ,`},
		{"single quotes", `p99{name='a'} < 5ms`, 10, "unexpected character '\\''; strings are written in double quotes"},
		// k6's spellings: a colon in a selector, a space before a unit.
		{"k6 selector", `p95{name:"a"} < 5ms`, 9, `unexpected character ':'; a label is written with =, as p95{name="checkout"} (k6 writes {name:"checkout"})`},
		{"unit after a space", `p(95) < 200 ms`, 13, "write the unit next to its number, without a space: 200ms"},
		{"percent after a space", `error_rate < 1 %`, 16, "write the unit next to its number, without a space: 1%"},
		{"unterminated string", `p99{name="a} < 5ms`, 10, "unterminated or malformed string"},

		// metrics
		{"unknown metric", "latnecy < 5ms", 1, `unknown metric "latnecy"; want a latency statistic (p99, p(99.5), mean, service.p99), status(5xx), attainment(200ms), error_rate, throughput, dropped, goroutine_growth, heap_peak, gc_pause_p99, requests, errors, abandoned, rate, goroutines_start, goroutines_peak, goroutines_end, gc_pause_max, num_gc, cpu_seconds`},
		// A k6 user's first thresholds: each names what to write here.
		{"misspelt metric", "eror_rate < 1%", 1, `unknown metric "eror_rate" (did you mean error_rate?); want a latency statistic (p99, p(99.5), mean, service.p99), status(5xx), attainment(200ms), error_rate, throughput, dropped, goroutine_growth, heap_peak, gc_pause_p99, requests, errors, abandoned, rate, goroutines_start, goroutines_peak, goroutines_end, gc_pause_max, num_gc, cpu_seconds`},
		{"misspelt throughput", "troughput > 100", 1, `unknown metric "troughput" (did you mean throughput?); want a latency statistic (p99, p(99.5), mean, service.p99), status(5xx), attainment(200ms), error_rate, throughput, dropped, goroutine_growth, heap_peak, gc_pause_p99, requests, errors, abandoned, rate, goroutines_start, goroutines_peak, goroutines_end, gc_pause_max, num_gc, cpu_seconds`},
		{"k6 http_req_failed", "http_req_failed: rate<0.01", 1, `unknown metric "http_req_failed"; k6's http_req_failed is error_rate here: write error_rate < 0.01 or error_rate < 1%`},
		{"k6 http_req_duration", "http_req_duration<200ms", 1, `unknown metric "http_req_duration"; k6's http_req_duration is the latency here, the default: write p(95) < 200ms`},
		{"k6 avg", "avg < 5ms", 1, `unknown metric "avg"; write mean < 100ms (k6's avg)`},
		{"k6 dropped_iterations", "dropped_iterations == 0", 1, `unknown metric "dropped_iterations"; k6's dropped_iterations are dropped here: dropped == 0`},
		{"k6 rate of failures", "rate<0.01", 6, "rate is requests per second: for the share of requests that failed (k6's http_req_failed: rate<0.01) write error_rate < 0.01; for 0.01 requests a second write 0.01/s"},
		{"bare fraction of throughput", "throughput >= 0.95", 15, "throughput is requests per second: for a share of the planned rate write 95%; for 0.95 requests a second write 0.95/s"},
		{"unknown distribution", "svc.p99 < 5ms", 1, `unknown distribution "svc"; want latency, service, dns, connect, tls, ttfb or total`},
		{"unknown statistic", "service.p98x < 5ms", 9, `unknown statistic "p98x"; want p50, p90, p95, p99, p999, p(Q), min, max, mean or med`},
		{"distribution alone", "service < 5ms", 1, "service needs a statistic, such as service.p99"},
		{"p99.9", "p99.9 < 5ms", 4, "for the 99.9th percentile write p(99.9)"},
		{"dot after a statistic", "p99.max < 5ms", 4, "a dot follows a distribution such as service.p99; for the 99.9th percentile write p999 or p(99.9)"},
		{"p5", "p5 < 5ms", 1, "p5 is ambiguous: write p(Q) with a percentile Q in [0, 100], such as p(5) or p(99.9)"},
		{"p100", "p100 < 5ms", 1, "p100 is ambiguous: write p(Q) with a percentile Q in [0, 100], such as p(5) or p(99.9)"},
		{"p101, a typo of p(100) or p(10.1)", "p101 < 5ms", 1, "p101 is ambiguous: write p(Q) with a percentile Q in [0, 100], such as p(5) or p(99.9)"},
		{"upper case metric", "ERROR_RATE < 1%", 1, `unknown metric "ERROR_RATE" (did you mean error_rate?); want a latency statistic (p99, p(99.5), mean, service.p99), status(5xx), attainment(200ms), error_rate, throughput, dropped, goroutine_growth, heap_peak, gc_pause_p99, requests, errors, abandoned, rate, goroutines_start, goroutines_peak, goroutines_end, gc_pause_max, num_gc, cpu_seconds`},
		{"upper case statistic", "MEAN < 1s", 1, `unknown metric "MEAN" (did you mean mean?); want a latency statistic (p99, p(99.5), mean, service.p99), status(5xx), attainment(200ms), error_rate, throughput, dropped, goroutine_growth, heap_peak, gc_pause_p99, requests, errors, abandoned, rate, goroutines_start, goroutines_peak, goroutines_end, gc_pause_max, num_gc, cpu_seconds`},
		{"upper case p(Q)", "P(95) < 1s", 1, `unknown metric "P"; write p99 or p(99.5)`},
		{"upper case statistic of a distribution", "service.P99 < 1s", 9, `unknown statistic "P99" (did you mean p99?); want p50, p90, p95, p99, p999, p(Q), min, max, mean or med`},
		{"upper case distribution", "Service.p99 < 1s", 1, `unknown distribution "Service" (did you mean service?); want latency, service, dns, connect, tls, ttfb or total`},
		{"upper case unit", "p99 < 200MS", 10, `unknown unit "MS" (did you mean ms?); want a duration (ns, us, ms, s, m, h), a size (B, kB, MB, GB, KiB, MiB, GiB), % or /s`},
		{"upper case size", "heap_peak < 1MIB", 14, `unknown unit "MIB" (did you mean MiB?); want a duration (ns, us, ms, s, m, h), a size (B, kB, MB, GB, KiB, MiB, GiB), % or /s`},
		{"p05", "service.p05 < 5ms", 9, "p05 is ambiguous: write p(Q) with a percentile Q in [0, 100], such as p(5) or p(99.9)"},
		{"bare p", "p < 5ms", 1, `unknown metric "p"; write p99 or p(99.5)`},
		{"percentile over 100", "p(101) < 5ms", 3, "percentile 101 out of range [0, 100]"},
		{"percentile with unit", "p(99%) < 5ms", 3, "write the percentile as a bare number: p(99.9)"},
		{"percentile unclosed", "p(99 < 5ms", 6, `unexpected "<"; want )`},
		{"bare status", "status < 1%", 1, "status needs a code: status(503), status(5xx) or status(UNAVAILABLE)"},
		{"bad status", "status(5x) < 1%", 8, `"5x" is not a status code such as 503, a class such as 5xx or a gRPC code such as UNAVAILABLE`},
		{"status 099", "status(099) < 1%", 8, `"099" is not a status code such as 503, a class such as 5xx or a gRPC code such as UNAVAILABLE`},
		{"unknown gRPC code", "status(UNAVAILABLE_NOW) < 1%", 8, `"UNAVAILABLE_NOW" is not a status code such as 503, a class such as 5xx or a gRPC code such as UNAVAILABLE`},
		{"grpc-go's spelling", "status(Canceled) < 1%", 8, `"Canceled" is not a status code such as 503, a class such as 5xx or a gRPC code such as UNAVAILABLE (the gRPC code is spelt CANCELLED)`},
		{"grpc-go's constant", "status(DeadlineExceeded) == 0", 8, `"DeadlineExceeded" is not a status code such as 503, a class such as 5xx or a gRPC code such as UNAVAILABLE (the gRPC code is spelt DEADLINE_EXCEEDED)`},
		{"grpc-go's constant, lower case", "status(notfound) < 1%", 8, `"notfound" is not a status code such as 503, a class such as 5xx or a gRPC code such as UNAVAILABLE (the gRPC code is spelt NOT_FOUND)`},
		{"status string", `status("OK") < 1%`, 8, `unexpected "\"OK\""; want a status code such as 503, a class such as 5xx or a gRPC code such as UNAVAILABLE`},
		{"bare attainment", "attainment > 99%", 1, "attainment needs a latency objective: attainment(200ms) >= 99%"},
		{"attainment of a share", "attainment(5%) > 99%", 12, "attainment needs a latency objective such as 200ms"},
		{"attainment vs duration", "attainment(5ms) > 1s", 19, "an attainment needs a percentage such as 1% or a fraction such as 0.01"},
		{"attainment per stage", "attainment(5ms){stage=0} > 99%", 17, "attainment(5ms) is not recorded per stage"},
		{"window of the service time", "service.p99[10s] < 1s", 12, "a window [10s] follows a percentile of the latency, such as p99[10s]"},
		{"window of the mean", "mean[10s] < 1s", 5, "a window [10s] follows a percentile of the latency, such as p99[10s]"},
		{"window of a count", "errors[10s] < 1", 7, "a window [10s] follows a percentile of the latency, such as p99[10s]"},
		{"fractional window", "p99[1.5s] < 1s", 5, "a window is a whole number of seconds, such as 10s (the timeline's resolution)"},
		{"window per stage", "p99[10s]{stage=0} < 1s", 10, "p99[10s] is measured for the whole run only: drop the selector"},
		{"unclosed window", "p99[10s < 1s", 9, `unexpected "<"; want ]`},

		// literals
		{"unknown unit", "p99 < 5d", 8, `unknown unit "d"; want a duration (ns, us, ms, s, m, h), a size (B, kB, MB, GB, KiB, MiB, GiB), % or /s`},
		{"unknown unit after compound", "p99 < 1m5x", 10, `unknown unit "x"; want a duration (ns, us, ms, s, m, h), a size (B, kB, MB, GB, KiB, MiB, GiB), % or /s`},
		{"megabit", "heap_peak < 5Mb", 14, `unknown unit "Mb"; want a duration (ns, us, ms, s, m, h), a size (B, kB, MB, GB, KiB, MiB, GiB), % or /s`},
		{"duration overflow", "p99 < 9999999999h", 7, `invalid duration "9999999999h"`},
		{"double negative", "p99 > --5ms", 8, `unexpected "-"; want a limit such as 200ms`},

		// structure
		{"empty", "", 1, "missing a metric such as p99 or error_rate"},
		{"no comparison", "p99", 4, "missing a comparison such as < 200ms"},
		{"single =", "p99 = 5ms", 5, "use == to compare"},
		{"no limit", "p99 < ", 7, "missing a limit after <"},
		{"NaN", "p99 < NaN", 7, "NaN is not a limit: write a number with the metric's unit, such as 200ms or 1%"},
		{"infinity", "error_rate <= -Inf", 16, "Inf is not a limit: write a number with the metric's unit, such as 200ms or 1%"},
		{"metric on the right", "p99 < service.p99", 7, "the right side is a limit such as 200ms, not a metric: move metrics to the left (a - b < 5)"},
		{"trailing text", "p99 < 5ms 6ms", 11, `unexpected "6ms"; want the end of the expression`},
		{"two comparisons", "1ms < p99 < 5ms", 7, "the right side is a limit such as 200ms, not a metric: move metrics to the left (a - b < 5)"},
		{"comparison after the limit", "p99 < 5ms < 6ms", 11, `unexpected "<"; want the end of the expression`},
		{"stray token", "p99 ) < 5ms", 5, `unexpected ")"; want +, - or a comparison (<, <=, >, >=, ==, !=)`},
		{"dangling plus", "p99 + < 5ms", 7, `unexpected "<"; want a metric such as p99 or error_rate`},
		{"bad character", "p99 < 5ms;", 10, "unexpected character ';'"},
		{"bang", "p99 ! 5ms", 5, "unexpected character '!'"},
		{"columns count characters", "p99{name=\"é\"} < 5%", 17, "a latency needs a duration such as 200ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := assert.Parse(tt.give)
			if err == nil {
				t.Fatalf("Parse(%q) = %q, want an error", tt.give, e)
			}
			var se *assert.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q): error %T is not a *SyntaxError: %v", tt.give, err, err)
			}
			if se.Column != tt.wantCol || se.Msg != tt.wantMsg {
				t.Errorf("Parse(%q):\n got column %d: %s\nwant column %d: %s", tt.give, se.Column, se.Msg, tt.wantCol, tt.wantMsg)
			}
			if se.Expr != tt.give {
				t.Errorf("SyntaxError.Expr = %q, want %q", se.Expr, tt.give)
			}
		})
	}
}

func TestSyntaxErrorText(t *testing.T) {
	tests := []struct {
		name string
		give string
		want string
	}{
		{"plain", "p99 < 5%", `"p99 < 5%": column 7: a latency needs a duration such as 200ms`},
		{"with quotes", `p99{stage="x"} < 5%`, "`p99{stage=\"x\"} < 5%`: column 18: a latency needs a duration such as 200ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := assert.Parse(tt.give)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Parse(%q) error:\n got %v\nwant %s", tt.give, err, tt.want)
			}
		})
	}
}
