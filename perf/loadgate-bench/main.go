// Command loadgate-bench drives loadtest the way a user's program would
// (through [loadtest.Execute]) against one URL, and prints one line of
// key=value figures: requests, req/s, latency percentiles, errors, dropped
// arrivals, CPU seconds and the process's peak RSS. perf/run.sh runs it side
// by side with hey, vegeta and wrk; docs/PERFORMANCE.md has the results.
//
//	loadgate-bench -url http://127.0.0.1:8080/ -model closed -c 50 -d 5s
//	loadgate-bench -url http://127.0.0.1:8080/ -model open -rate 20000 -d 5s
//	loadgate-bench -url http://127.0.0.1:8080/ -c 50 -n 10000000 -transport lean
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "loadgate-bench:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("loadgate-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "", "`URL` to GET (loopback unless LOADGATE_ALLOW_HOSTS allows it)")
	model := fs.String("model", "closed", "load model: closed (-c users, as fast as they can) or open (-rate arrivals per second)")
	conns := fs.Int("c", 50, "closed model: users (one connection each); open model: MaxInFlight when set")
	dur := fs.Duration("d", 5*time.Second, "length of the load")
	warmup := fs.Duration("warmup", 0, "load at the same rate before the measured -d, not counted (Scenario.Warmup)")
	rate := fs.Float64("rate", 0, "open model: arrivals per second")
	n := fs.Int64("n", 0, "stop after this many requests (closed model; -d is then an upper bound)")
	transport := fs.String("transport", "pooled", "HTTP transport profile: pooled (net/http) or lean (loadtest's own HTTP/1.1 client)")
	timeout := fs.Duration("timeout", 30*time.Second, "per-request timeout")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the load to `file`")
	summary := fs.Bool("summary", false, "also print loadtest.Summary of the result to stderr")
	timeline := fs.Bool("timeline", false, "also print each second's sends, requests and percentiles to stderr")
	bare := fs.Bool("bare", false, "send no request id, run id or traceparent header: the request wrk sends, plus a User-Agent")
	headers := fs.Bool("headers", false, "print the header lines (but Host) of the request this -transport and -bare send, one per line, and exit: for a peer to send the same request (perf/run.sh)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var profile loadtest.Transport
	switch *transport {
	case "pooled":
		profile = loadtest.Pooled
	case "lean":
		profile = loadtest.Lean
	default:
		return fmt.Errorf("-transport %q: want pooled or lean", *transport)
	}
	newTarget := func(url string) *loadtest.HTTP {
		t := loadtest.GET(url)
		t.Transport = profile
		if *bare {
			t.RequestIDHeader, t.RunIDHeader, t.NoTraceparent = "-", "-", true
		}
		return t
	}
	if *headers {
		lines, err := requestHeaders(context.Background(), newTarget)
		if err != nil {
			return fmt.Errorf("-headers: %w", err)
		}
		for _, l := range lines {
			fmt.Fprintln(stdout, l)
		}
		return nil
	}
	if *url == "" {
		return errors.New("-url is required")
	}
	if *dur <= 0 {
		return errors.New("-d must be positive")
	}
	target := newTarget(*url)
	s := loadtest.Scenario{Name: "loadgate-bench", Timeout: *timeout, Warmup: *warmup}
	switch *model {
	case "closed":
		if *conns <= 0 {
			return errors.New("-c must be positive")
		}
		s.Load = loadtest.Users(*conns).For(*dur)
	case "open":
		if *rate <= 0 {
			return errors.New("-rate must be positive with -model open")
		}
		if *n > 0 {
			return errors.New("-n applies to the closed model only")
		}
		s.Load = loadtest.Rate(*rate).For(*dur)
		if isSet(fs, "c") {
			s.MaxInFlight = *conns
		}
	default:
		return fmt.Errorf("-model %q: want closed or open", *model)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.Target = target
	if *n > 0 {
		s.Target = &counted{HTTP: target, limit: *n, stop: cancel}
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return fmt.Errorf("-cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("-cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	res, err := loadtest.Execute(ctx, s)
	if err != nil {
		return err
	}
	if *summary {
		fmt.Fprintln(stderr, loadtest.Summary(res))
	}
	if *timeline {
		for _, sec := range res.Timeline {
			fmt.Fprintf(stderr, "second %d: sent %d, requests %d, errors %d, p50 %.3f ms, p99 %.3f ms\n", sec.Second, sec.Sent, sec.Requests, sec.Errors, ms(sec.P50NS), ms(sec.P99NS))
		}
	}
	fmt.Fprintf(stdout, "tool=loadgate transport=%s model=%s c=%d rate=%g requests=%d errors=%d dropped=%d duration_s=%.3f rps=%.1f ok_rps=%.1f bound=%d "+
		"p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f service_p99_ms=%.3f lag_max_ms=%.3f cpu_s=%.2f rss_kb=%d syscr=%d syscw=%d\n",
		*transport, *model, *conns, *rate, res.Requests, res.Errors, res.Dropped, res.Duration().Seconds(), res.Rate, res.Throughput, bound(res),
		ms(res.Latency.P50NS), ms(res.Latency.P90NS), ms(res.Latency.P99NS), ms(res.Latency.MaxNS),
		ms(res.ServiceTime.P99NS), ms(res.PacerLagMaxNS), res.Runtime.CPUSeconds, peakRSS(), procIO("syscr"), procIO("syscw"))
	for k, v := range res.ErrorSamples {
		fmt.Fprintf(stderr, "loadgate-bench: %s errors, e.g. %q\n", k, v[0])
	}
	return nil
}

func ms(ns int64) float64 { return float64(ns) / 1e6 }

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// counted is the HTTP target that ends the run (by canceling its context)
// once limit requests have completed, as hey -n does.
type counted struct {
	*loadtest.HTTP
	limit int64
	done  atomic.Int64
	stop  context.CancelFunc
}

func (c *counted) Hit(ctx context.Context, s *loadtest.Sample) error {
	err := c.HTTP.Hit(ctx, s)
	if c.done.Add(1) == c.limit {
		c.stop()
	}
	return err
}

// procIO returns the counter key (syscr: read system calls, syscw: write
// system calls) of /proc/self/io, or -1 where there is none.
func procIO(key string) int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return -1
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
				return n
			}
		}
	}
	return -1
}

// bound is 1 when the run was marked generator-bound, else 0.
func bound(res *loadtest.Result) int {
	if res.Generator.IsBound() {
		return 1
	}
	return 0
}
