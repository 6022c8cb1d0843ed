// Package assert checks load-test results against service-level
// objectives written as short expressions, such as "p99 < 200ms".
//
// The parts fit together in the order data flows:
//
//  1. A load test gets a [*loadtest.Result] from loadtest.Run.
//  2. [SLA] checks expressions on it and fails the test for each one that
//     does not hold: assert.SLA(t, res, "p99 < 200ms", "error_rate < 0.1%").
//     [PreLaunch] is a ready-made set; the helpers such as [LatencyAtMost]
//     check one limit with the same wording. Each returns true when all
//     passed, and works with *testing.T, *testing.B or anything with
//     Errorf ([TestingT]).
//  3. [Gate] checks the same expressions at the end of a stage, so that a
//     ramp stops as soon as the service stops meeting them.
//  4. [Check] evaluates expressions without a test and returns one
//     [Outcome] per expression, for tools that render them; [ParseFile]
//     reads them from an SLA file with a section per scenario.
//  5. [NoLeaks] fails a unit test whose goroutines outlive it, and
//     [ServerSettled] a load test whose service (watched from another
//     process, see package loadtest/watch) did not come back to its
//     goroutines and open files of before the load.
//
// # Expressions
//
// An expression compares a metric, or a sum of metrics and numbers, with a
// limit:
//
//	expr     = sum op ["-"] literal .
//	sum      = ["-"] term { ("+" | "-") term } .
//	term     = metric [selector] | literal .
//	op       = "<" | "<=" | ">" | ">=" | "==" | "!=" .
//	metric   = [dist "."] stat | stat window | "status(" code ")" | "attainment(" duration ")" | name .
//	stat     = "p50" | "p90" | "p95" | "p99" | "p999" | "p(" Q ")" | "min" | "max" | "mean" | "med" .
//	window   = "[" duration "]" .
//	dist     = "latency" | "service" | "dns" | "connect" | "tls" | "ttfb" | "total" .
//	selector = "{" ( "stage" "=" ( string | index ) | "name" "=" string ) "}" .
//
// for example "p99 < 200ms", "service.p(99.5) <= 80ms",
// "goroutines_end - goroutines_start <= 5", `error_rate{name="checkout"} < 1%`.
//
// Latency statistics are taken of the latency (timed from when each
// request should have started) unless a distribution names another:
// service for service time (from the actual send), or one of the HTTP
// phases dns, connect, tls, ttfb and total. p(Q) is any percentile Q in
// [0, 100]; the written forms p50 … p999 read as the digits of the
// quantile after "0." (p999 is p(99.9), p75 is p(75)), and med is p50.
// Forms that could be read otherwise are refused, asking for p(Q): p5,
// p05, p100, and three digits or more that read below p(50) (p101).
// Percentiles other than p50, p90, p95, p99 and p999 need the HDR
// histogram, which the whole run and each request name carry but stages
// and phases do not.
//
// The other metrics are error_rate (a ratio, [loadtest.Result.ErrorRate]:
// the share of the requests sent that failed; dropped arrivals, never sent,
// are not in it, so bound them with dropped as well, as [PreLaunch] does);
// errors, requests, dropped and abandoned (counts; abandoned requests,
// which outlived their timeout, are also timeouts among the requests and
// errors); throughput (successful requests per second) and rate
// (requests sent per second); goroutines_start, goroutines_end,
// goroutines_peak and goroutine_growth (end − start); gc_pause_p99 and
// gc_pause_max (durations); num_gc; heap_peak (a size); cpu_seconds (CPU
// time, compared with a duration or a number of seconds); and status(503),
// status(5xx) or status(UNAVAILABLE), the share of the responses that
// reported a status which have that code, class or gRPC code (named as the
// gRPC specification spells it, read case-insensitively: OK, CANCELLED,
// DEADLINE_EXCEEDED...).
//
// Two metrics speak in SLO terms (internal/slo computes them, as loadgate
// report shows them). attainment(200ms) is the share of the requests
// whose latency was at most 200ms, read from the HDR histogram, so
// "attainment(200ms) >= 99%" says what "p99 <= 200ms" says, as a share
// that an error budget can be taken from; it exists for the whole run and
// per request name. A percentile of the latency followed by a window,
// p99[10s], is its worst value over any 10 s of the run: the seconds'
// histograms of the timeline merged window by window, sliding a second at
// a time. The whole run's p99 hides a stall that touches fewer than 1% of
// the requests (a 10 s stall in a 20-minute run); "p99[10s] < 300ms" does
// not. A window is whole seconds, of the whole run only, and a gate cannot
// check it.
//
// A literal's unit must fit the metric: durations for latencies (250us,
// 250µs, 1.5ms, 2s, 1m30s); percentages (0.1%) or fractions in [0, 1]
// (0.001) for ratios; sizes for heap_peak (512MB, 1GiB, 300KiB: kB, MB, GB,
// TB are powers of 1000, KiB, MiB, GiB, TiB of 1024, B is bytes); plain
// numbers for counts; 1000/s or a plain number for rates. A bare 0 fits
// every metric. A percentage compared with throughput or rate is a share of
// the planned open-model rate (planned arrivals over planned time, so a
// ramp from 100/s to 300/s plans 200/s): "throughput >= 95%". A Poisson
// stage's planned arrivals are those its seeded schedule drew
// ([loadtest.StagePlan.ScheduledArrivals]), which differ from the rate by
// chance (37 in 200 ms at 200/s, read as "the planned 185/s"). A
// closed-model run has no planned rate, and such an expression is an
// error there.
//
// A selector evaluates a metric on one part of the result:
// {stage="ramp"} selects the stage of that name, {stage=2} the stage with
// that 0-based index (as in Result.Stages and its JSON), and
// {name="checkout"} the requests the target named so. Runtime statistics,
// abandoned and the HTTP phases exist only for the whole run; dropped and
// service time are not split by request name. Different terms may select
// different parts: p99{stage="peak"} - p99{stage="base"} < 20ms.
//
// A malformed expression is an error naming its column (in characters,
// from 1): `"p99 < 5%": column 7: a latency needs a duration such as
// 200ms`; so is a limit the metric's bounds decide alone, one that could
// never fail or never pass (`error_rate < 150%`, `p99 < -1s`). A gate of
// such an expression ([Gate]) fails the test before loadtest.Run sends
// anything. [Expr.String] writes an expression in canonical form, which
// parses back to the same expression.
//
// # With testify
//
// github.com/stretchr/testify/assert has this package's name. The
// convention is to import this one as lgassert and keep testify's names:
//
//	import (
//		"github.com/stretchr/testify/require"
//		lgassert "github.com/loadgate/loadgate/assert"
//	)
//
// Inside a suite.Suite, pass s.T(): lgassert.SLA(s.T(), res, "p99 < 200ms").
// A failure is one line per broken limit at the caller's line, such as
// "scenario checkout: p99 = 231ms, want < 200ms (15.5% over)", beside
// testify's Error Trace blocks. The repository's examples/testify runs a
// load test inside a suite.
package assert
