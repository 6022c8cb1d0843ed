package loadtest

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/loadgate/loadgate/internal/histo"
)

// Validate checks what a result's JSON types cannot: that its numbers could
// have been measured. Counts and durations are not negative, errors are
// among the requests, rates are finite and no faster than the requests
// over the load's duration allow, and every latency's percentiles climb
// from its min to its max; a shard's count is one LOADGATE_SHARD accepts
// (at most [MaxShardCount]), its index is among them and its times are
// not the zero time. The error names the field by its JSON path and its
// value ("latency.p99_ns = -5000000: negative"). A statistic of 0 is
// taken as left out, not as measured. [ReadFile] calls it on every file
// it reads, and package baseline on every result it records, so that an
// impossible result is refused wherever it enters.
func (r *Result) Validate() error {
	if r.Scenario == "" {
		return fmt.Errorf("result has no scenario name")
	}
	c := &resultChecker{}
	c.nonNegative("duration_ns", r.DurationNS)
	c.counts("", r.Requests, r.Errors, r.ErrorRate)
	c.nonNegative("dropped", r.Dropped)
	c.nonNegative("abandoned", r.Abandoned)
	if c.err == nil && r.Abandoned > r.Errors {
		c.fail("abandoned", r.Abandoned, "more than errors = %d (an abandoned request is an error)", r.Errors)
	}
	c.rates("", r.Requests, r.Errors, r.Abandoned, r.DurationNS, r.Rate, r.Throughput)
	c.latency("latency", r.Latency)
	c.latency("service_time", r.ServiceTime)
	if c.err == nil && r.Latency.Count > r.Requests {
		c.fail("latency.count", r.Latency.Count, "more than requests = %d", r.Requests)
	}
	c.nonNegative("pacer_lag_max_ns", r.PacerLagMaxNS)
	if sh := r.Shard; sh != nil {
		c.shard(sh)
	}
	if g := r.Generator; g != nil {
		c.generator("generator.", g)
	}
	rt := r.Runtime
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"goroutines_start", int64(rt.GoroutinesStart)}, {"goroutines_peak", int64(rt.GoroutinesPeak)},
		{"goroutines_end", int64(rt.GoroutinesEnd)}, {"heap_peak_bytes", rt.HeapPeakBytes},
		{"gc_pause_p99_ns", rt.GCPauseP99NS}, {"gc_pause_max_ns", rt.GCPauseMaxNS}, {"num_gc", rt.NumGC},
	} {
		c.nonNegative("runtime."+f.name, f.v)
	}
	c.nonNegativeFloat("runtime.cpu_seconds", rt.CPUSeconds)
	var staged int64
	for i, s := range r.Stages {
		p := fmt.Sprintf("stages[%d].", i)
		c.nonNegative(p+"elapsed_ns", s.ElapsedNS)
		c.counts(p, s.Requests, s.Errors, s.ErrorRate)
		c.nonNegative(p+"dropped", s.Dropped)
		c.rates(p, s.Requests, s.Errors, 0, s.ElapsedNS, s.Rate, s.Throughput)
		c.latency(p+"latency", s.Latency)
		c.latency(p+"service_time", s.ServiceTime)
		staged += s.Requests
	}
	if c.err == nil && staged > r.Requests {
		c.fail("requests", r.Requests, "fewer than the stages' %d", staged)
	}
	for _, name := range slices.Sorted(maps.Keys(r.ByName)) {
		n := r.ByName[name]
		p := fmt.Sprintf("by_name[%q].", name)
		c.counts(p, n.Requests, n.Errors, n.ErrorRate)
		c.latency(p+"latency", n.Latency)
	}
	for _, name := range slices.Sorted(maps.Keys(r.Phases)) {
		c.latency(fmt.Sprintf("phases[%q]", name), r.Phases[name])
	}
	for i, s := range r.Timeline {
		p := fmt.Sprintf("timeline[%d].", i)
		c.nonNegative(p+"second", s.Second) // seconds from the load's start
		for _, f := range []struct {
			name string
			v    int64
		}{{"sent", s.Sent}, {"requests", s.Requests}, {"errors", s.Errors}, {"p50_ns", s.P50NS}, {"p99_ns", s.P99NS}, {"users", s.Users}} {
			c.nonNegative(p+f.name, f.v)
		}
		if c.err == nil && s.Errors > s.Requests {
			c.fail(p+"errors", s.Errors, "more than requests = %d", s.Requests)
		}
		if c.err == nil && s.P50NS > s.P99NS {
			c.fail(p+"p50_ns", s.P50NS, "above p99_ns = %d", s.P99NS)
		}
	}
	return c.err
}

// generator checks a generator's figures, and that it is bound exactly
// when it says why; p is the JSON path's prefix ("generator.").
func (c *resultChecker) generator(p string, g *Generator) {
	c.nonNegative(p+"cpus", int64(g.CPUs))
	c.nonNegativeFloat(p+"cpu_share", g.CPUShare)
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"sends", g.Sends}, {"send_lag_p90_ns", g.SendLagP90NS}, {"send_lag_p99_ns", g.SendLagP99NS}, {"sched_latency_p99_ns", g.SchedLatencyP99NS},
		{"conn_waits", g.ConnWaits}, {"conn_wait_max_ns", g.ConnWaitMaxNS}, {"requests", g.Requests},
	} {
		c.nonNegative(p+f.name, f.v)
	}
	switch {
	case c.err != nil:
	case g.SendLagP90NS > g.SendLagP99NS:
		c.fail(p+"send_lag_p90_ns", g.SendLagP90NS, "above send_lag_p99_ns = %d", g.SendLagP99NS)
	case g.ConnWaits > g.Requests:
		c.fail(p+"conn_waits", g.ConnWaits, "more than requests = %d", g.Requests)
	case g.Bound && len(g.Reasons) == 0:
		c.fail(p+"bound", g.Bound, "no reasons say why")
	case !g.Bound && len(g.Reasons) > 0:
		c.fail(p+"bound", g.Bound, "but %d reasons say it was: %q", len(g.Reasons), g.Reasons[0])
	}
}

// shard checks what a result says of its shard: as many shards as
// LOADGATE_SHARD accepts (1 to MaxShardCount), the shard's index among
// them (0 in a merged result), and the missing shards of a merged result
// among them too. loadgate merge sizes its work by the count, so an
// unchecked one could exhaust its memory.
func (c *resultChecker) shard(sh *Shard) {
	switch {
	case sh.Count < 1 || sh.Count > MaxShardCount:
		c.fail("shard.count", sh.Count, "want 1 to %d shards, as %s accepts", MaxShardCount, EnvShard)
	case sh.Index < 0 || sh.Index > sh.Count:
		c.fail("shard.index", sh.Index, "want 1 to shard.count = %d (0 or none in a merged result)", sh.Count)
	case len(sh.Missing) > 0 && sh.Index != 0:
		c.fail("shard.missing", fmt.Sprint(sh.Missing), "set in shard %d's own result; only a merged result lacks shards", sh.Index)
	}
	for i, m := range sh.Missing {
		if m < 1 || m > sh.Count {
			c.fail(fmt.Sprintf("shard.missing[%d]", i), m, "want 1 to shard.count = %d", sh.Count)
		}
	}
	// loadgate merge aligns the shards on their load starts and takes its
	// window from them: a time loadtest never writes would stretch it.
	if sh.LoadStart.IsZero() {
		c.fail("shard.load_start", sh.LoadStart.Format(time.RFC3339), "the zero time: loadtest writes when the measured load began")
	}
	c.nonNegative("shard.busy_ns", sh.BusyNS)
	if st := sh.Start; st != nil && c.err == nil {
		// The skew is first_send less its planned time, at plus the first
		// arrival's offset: so first_send less the skew is never before at.
		// (A skew may be negative: a wall clock stepped back while the
		// first request waited to be sent.)
		switch planned := st.FirstSend.Add(-time.Duration(st.SkewNS)); {
		case st.At.IsZero():
			c.fail("shard.start.at", st.At.Format(time.RFC3339), "the zero time: loadtest writes LOADGATE_START_AT")
		case st.FirstSend.IsZero():
			c.fail("shard.start.first_send", st.FirstSend.Format(time.RFC3339), "the zero time: loadtest writes when the first request was sent")
		case planned.Before(st.At):
			c.fail("shard.start.skew_ns", st.SkewNS, "puts the first send's planned time (first_send less the skew, %s) before start.at = %s: the plan starts at start.at",
				planned.Format(time.RFC3339Nano), st.At.Format(time.RFC3339Nano))
		}
	}
}

// resultChecker keeps the first fault found.
type resultChecker struct{ err error }

// fail records the fault of field, whose value is v (an int64 or a
// float64, written as the JSON has it).
func (c *resultChecker) fail(field string, v any, format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("%s = %v: %s", field, v, fmt.Sprintf(format, args...))
	}
}

func (c *resultChecker) nonNegative(field string, v int64) {
	if v < 0 {
		c.fail(field, v, "negative")
	}
}

// latencyValue checks a statistic of a latency: never negative, and never
// above the histograms' highest value, to which loadtest clamps every
// latency it records (a larger one was not written by it, and would
// overflow the differences of a comparison).
func (c *resultChecker) latencyValue(field string, v int64) {
	c.nonNegative(field, v)
	if v > histo.Highest {
		c.fail(field, v, "above %v, the longest latency loadtest records", time.Duration(histo.Highest))
	}
}

func (c *resultChecker) nonNegativeFloat(field string, v float64) {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		c.fail(field, v, "not a number")
	case v < 0:
		c.fail(field, v, "negative")
	}
}

// counts checks the requests, errors and error rate of a result, a stage
// or a name; p is the JSON path's prefix ("stages[0].").
func (c *resultChecker) counts(p string, requests, errors int64, rate float64) {
	c.nonNegative(p+"requests", requests)
	c.nonNegative(p+"errors", errors)
	switch {
	case c.err != nil:
	case errors > requests:
		c.fail(p+"errors", errors, "more than requests = %d", requests)
	case math.IsNaN(rate) || rate < 0 || rate > 1:
		c.fail(p+"error_rate", rate, "want a fraction in [0, 1]")
	case requests == 0 && rate != 0:
		c.fail(p+"error_rate", rate, "no request was sent")
	case requests > 0 && math.Abs(rate-float64(errors)/float64(requests)) > 1e-6:
		c.fail(p+"error_rate", rate, "errors / requests is %d / %d = %g", errors, requests, float64(errors)/float64(requests))
	}
}

// rates checks a send rate and a throughput against the requests sent and
// the time they were sent in: neither can be faster than all of them over
// that time (the throughput counts successes until the last request
// ended, so it can only be slower).
func (c *resultChecker) rates(p string, requests, errors, abandoned int64, elapsedNS int64, rate, throughput float64) {
	c.nonNegativeFloat(p+"rate", rate)
	c.nonNegativeFloat(p+"throughput", throughput)
	if c.err != nil {
		return
	}
	secs := float64(elapsedNS) / 1e9
	// 1e-6 of slack for the float arithmetic of the writer.
	over := func(v float64, n int64) bool {
		if secs <= 0 {
			return v > 0 && n == 0
		}
		return v > float64(n)/secs*(1+1e-6)+1e-9
	}
	switch {
	case over(rate, requests):
		c.fail(p+"rate", rate, "faster than %d requests in %s allow", requests, formatSeconds(secs))
	case over(throughput, requests-errors):
		c.fail(p+"throughput", throughput, "faster than %d successful requests in %s allow", requests-errors, formatSeconds(secs))
	}
}

func formatSeconds(s float64) string { return fmt.Sprintf("%gs", s) }

// latency checks a latency summary: no negative value, nothing measured
// without a count, and percentiles that do not fall from min to max.
func (c *resultChecker) latency(field string, l Latency) {
	fields := []struct {
		name string
		v    int64
	}{
		{"min_ns", l.MinNS}, {"p50_ns", l.P50NS}, {"p90_ns", l.P90NS}, {"p95_ns", l.P95NS},
		{"p99_ns", l.P99NS}, {"p999_ns", l.P999NS}, {"max_ns", l.MaxNS},
	}
	c.nonNegative(field+".count", l.Count)
	c.latencyValue(field+".mean_ns", l.MeanNS)
	for _, f := range fields {
		c.latencyValue(field+"."+f.name, f.v)
	}
	if c.err != nil {
		return
	}
	if l.Count == 0 {
		for _, f := range append(fields, struct {
			name string
			v    int64
		}{"mean_ns", l.MeanNS}) {
			if f.v != 0 {
				c.fail(field+"."+f.name, f.v, "set, but count = 0: nothing was measured")
				return
			}
		}
		return
	}
	// A 0 is a statistic the writer left out (the phases of hand-made
	// results give p50 and p99 only); the others must not fall.
	var prev *struct {
		name string
		v    int64
	}
	for i := range fields {
		f := &fields[i]
		if f.v == 0 {
			continue
		}
		if prev != nil && f.v < prev.v {
			c.fail(field+"."+prev.name, prev.v, "above %s = %d (the percentiles of a latency cannot fall)", f.name, f.v)
			return
		}
		prev = f
	}
	if l.MeanNS > l.MaxNS {
		c.fail(field+".mean_ns", l.MeanNS, "above max_ns = %d", l.MaxNS)
	}
}
