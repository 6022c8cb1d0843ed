package loadtest

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/loadgate/loadgate/internal/quantity"
	"github.com/loadgate/loadgate/internal/texttable"
)

// Summary renders a result as the plain-text table Run logs at the end.
func Summary(r *Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "scenario %s: %d requests in %v (%s sent, %s ok), %d errors (%s), %d dropped\n",
		r.Scenario, r.Requests, r.Duration().Round(time.Millisecond), quantity.Rate(r.Rate), quantity.Rate(r.Throughput),
		r.Errors, quantity.Percent(r.ErrorRate), r.Dropped)
	// What the scenario's code does not say about its load.
	var set []string
	if e := r.Env; e.Target != "" {
		set = append(set, "against "+EnvTarget+"="+e.Target)
	}
	for _, f := range []struct {
		name  string
		value float64
	}{{EnvScale, r.Env.Scale}, {EnvRateScale, r.Env.RateScale}} {
		if f.value != 0 && f.value != 1 {
			set = append(set, fmt.Sprintf("%s=%g", f.name, f.value))
		}
	}
	if len(set) > 0 {
		fmt.Fprintf(&b, "load %s\n", strings.Join(set, ", "))
	}
	writeShard(&b, r)
	if w := r.Warmup; w != nil {
		// Not in the statistics, but a warm-up that failed, or sent
		// nothing, is worth knowing before reading them.
		fmt.Fprintf(&b, "warm-up %v before the load: %d requests, %d errors (not in the figures below)\n",
			time.Duration(w.DurationNS).Round(time.Millisecond), w.Requests, w.Errors)
	}
	// The dropped and gate columns only when a stage has some: an open
	// model short of users drops arrivals; a ramp may have gates.
	dropped := r.Dropped > 0
	gated := slices.ContainsFunc(r.Stages, func(s StageResult) bool { return s.Gate != nil })
	head := []string{"stage", "requests", "errors"}
	if dropped {
		head = append(head, "dropped")
	}
	head = append(head, "rate", "p50", "p90", "p99", "p99.9", "max")
	if gated {
		head = append(head, "gate")
	}
	tw := texttable.Table{Align: strings.Repeat("r", len(head))}
	tw.Add(head...)
	row := func(name string, req, errs, drops int64, rate float64, l Latency, gate string) {
		cells := []string{name, fmt.Sprint(req), fmt.Sprint(errs)}
		if dropped {
			cells = append(cells, fmt.Sprint(drops))
		}
		cells = append(cells, quantity.Rate(rate), ns(l.P50NS).String(), ns(l.P90NS).String(), ns(l.P99NS).String(), ns(l.P999NS).String(), ns(l.MaxNS).String())
		if gated {
			cells = append(cells, gate)
		}
		tw.Add(cells...)
	}
	for _, s := range r.Stages {
		gate := ""
		if s.Gate != nil {
			gate = "pass"
			if !s.Gate.Passed {
				gate = "FAIL"
			}
		}
		row(s.Name, s.Requests, s.Errors, s.Dropped, s.Rate, s.Latency, gate)
	}
	row("total", r.Requests, r.Errors, r.Dropped, r.Rate, r.Latency, "")
	writeIndented(&b, tw.String())
	if r.Latency.Count > 0 && r.Load.Model != Closed {
		fmt.Fprintf(&b, "service time (from actual send): p50 %v  p99 %v  max %v\n",
			ns(r.ServiceTime.P50NS), ns(r.ServiceTime.P99NS), ns(r.ServiceTime.MaxNS))
	}
	writeByName(&b, r.ByName)
	if len(r.ErrorKinds) > 0 {
		// The most frequent first, as loadgate run's summary and the
		// Action's comment list them (internal/errorkinds).
		kinds := make([]string, 0, len(r.ErrorKinds))
		for k := range r.ErrorKinds {
			kinds = append(kinds, k)
		}
		sort.Slice(kinds, func(i, j int) bool {
			a, b := r.ErrorKinds[kinds[i]], r.ErrorKinds[kinds[j]]
			return a > b || a == b && kinds[i] < kinds[j]
		})
		for _, k := range kinds {
			fmt.Fprintf(&b, "errors %s: %d", k, r.ErrorKinds[k])
			if s := r.ErrorSamples[k]; len(s) > 0 {
				fmt.Fprintf(&b, "  e.g. %q", s[0])
			}
			b.WriteByte('\n')
		}
	}
	if len(r.Shards) > 0 {
		writeShards(&b, r.Shards)
	} else {
		rt := r.Runtime
		fmt.Fprintf(&b, "runtime: goroutines %d→%d (peak %d), heap peak %s, %d GCs (pause p99 %v), CPU %.2fs\n",
			rt.GoroutinesStart, rt.GoroutinesEnd, rt.GoroutinesPeak, quantity.Bytes(float64(rt.HeapPeakBytes)),
			rt.NumGC, ns(rt.GCPauseP99NS), rt.CPUSeconds)
	}
	if g := r.Generator; g != nil && len(r.Shards) > 0 {
		// loadgate merge keeps the worst shard's share and lags, and
		// sums the counts.
		fmt.Fprintf(&b, "%s (the worst shard's CPU share and lags)\n", g.Figures())
	} else if g != nil {
		fmt.Fprintf(&b, "%s\n", g.Figures())
	}
	if srv := r.Server; srv != nil {
		writeServer(&b, srv)
	}
	if len(r.Leaks) > 0 {
		n := 0
		for _, l := range r.Leaks {
			n += l.Count
		}
		fmt.Fprintf(&b, "leaked goroutines: %d in %d group(s), the most in %s\n", n, len(r.Leaks), r.Leaks[0].Function)
	}
	if st := r.Stopped; st != nil {
		where := ""
		if st.Stage != "" {
			where = " in stage " + st.Stage
		}
		fmt.Fprintf(&b, "stopped early (%s)%s: %s\n", st.Cause, where, st.Reason)
	}
	if kinds := profileList(r); kinds != "" {
		fmt.Fprintf(&b, "profiles of the load: %s\n", kinds)
	}
	if len(r.Slowest) > 0 {
		n := min(len(r.Slowest), 3)
		fmt.Fprintf(&b, "slowest %d of %d kept:", n, len(r.Slowest))
		for _, sr := range r.Slowest[:n] {
			fmt.Fprintf(&b, "  %v %s", ns(sr.LatencyNS), orDash(sr.RequestID))
		}
		b.WriteByte('\n')
	}
	if fr := r.FlightRecording; fr != nil {
		fmt.Fprintf(&b, "flight recording taken %s\n", fr)
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	return strings.TrimRight(b.String(), "\n")
}

// maxSummaryNames bounds the names the summary lists; the result has all.
const maxSummaryNames = 20

// writeByName writes a row per request name: a request of a mix, a step of
// a Flow, a gRPC method or a stream's messages.
func writeByName(b *strings.Builder, byName map[string]NameResult) {
	if len(byName) == 0 {
		return
	}
	names := make([]string, 0, len(byName))
	withMsgs := false
	for name, nr := range byName {
		names = append(names, name)
		withMsgs = withMsgs || nr.Messages != nil
	}
	sort.Strings(names)
	header := []string{"name", "requests", "errors", "p50", "p99", "max", "status"}
	if withMsgs {
		header = append(header, "messages sent/received (bytes)")
	}
	tw := texttable.Table{Align: strings.Repeat("l", len(header))}
	tw.Add(header...)
	for _, name := range names[:min(len(names), maxSummaryNames)] {
		nr := byName[name]
		cells := []string{name, fmt.Sprint(nr.Requests), fmt.Sprint(nr.Errors),
			ns(nr.Latency.P50NS).String(), ns(nr.Latency.P99NS).String(), ns(nr.Latency.MaxNS).String(), statusList(nr.StatusCodes)}
		if withMsgs {
			m := ""
			if nr.Messages != nil {
				m = fmt.Sprintf("%d/%d (%d/%d)", nr.Messages.Sent, nr.Messages.Received, nr.Messages.SentBytes, nr.Messages.ReceivedBytes)
			}
			cells = append(cells, m)
		}
		tw.Add(cells...)
	}
	b.WriteString(tw.String())
	if n := len(names) - maxSummaryNames; n > 0 {
		fmt.Fprintf(b, "… and %d more names (in the result's by_name)\n", n)
	}
}

// statusList writes status counts as "OK 9000, UNAVAILABLE 1000".
func statusList(codes map[string]int64) string {
	keys := make([]string, 0, len(codes))
	for k := range codes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, codes[k])
	}
	return strings.Join(parts, ", ")
}

func ns(v int64) time.Duration { return roundLatency(time.Duration(v)) }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// writeShard says which part of a sharded load r holds.
func writeShard(b *strings.Builder, r *Result) {
	sh := r.Shard
	if sh == nil {
		return
	}
	commit := ""
	if sh.Commit != "" {
		commit = ", commit " + sh.Commit[:min(12, len(sh.Commit))]
	}
	if sh.Index > 0 {
		fmt.Fprintf(b, "shard %d of %d of run group %s%s: this shard's share of the load", sh.Index, sh.Count, sh.Group, commit)
		if st := sh.Start; st != nil {
			fmt.Fprintf(b, "; its first request left %v after its planned time (%s)", time.Duration(st.SkewNS), EnvStartAt)
		}
		fmt.Fprintf(b, "\nnote: %s\n", sh.Note)
		return
	}
	if sh.Partial {
		missing := make([]string, len(sh.Missing))
		for i, m := range sh.Missing {
			missing[i] = fmt.Sprint(m)
		}
		fmt.Fprintf(b, "PARTIAL: merged from %d of %d shards of run group %s%s; shard %s missing\n",
			sh.Count-len(sh.Missing), sh.Count, sh.Group, commit, strings.Join(missing, ", "))
	} else {
		fmt.Fprintf(b, "merged from %d shards of run group %s%s\n", sh.Count, sh.Group, commit)
	}
}

// writeIndented writes the lines of a right-aligned table two spaces in,
// so that its first column stands off the lines around it.
func writeIndented(b *strings.Builder, table string) {
	for line := range strings.Lines(table) {
		b.WriteString("  " + line)
	}
}

// writeShards writes a merged result's breakdown by shard, with each
// generator's health.
func writeShards(b *strings.Builder, shards []ShardRun) {
	tw := texttable.Table{Align: strings.Repeat("r", len(ShardRunColumns))}
	tw.Add(ShardRunColumns...)
	for _, s := range shards {
		tw.Add(s.Cells()...)
	}
	writeIndented(b, tw.String())
}

// ShardRunColumns name the cells of [ShardRun.Cells].
var ShardRunColumns = []string{"shard", "requests", "errors", "rate", "p99", "start skew", "pacer lag", "CPU", "stopped"}

// Cells returns the shard's row of a merged result's breakdown, as loadgate
// merge prints it and the GitHub Action's comment shows it: what it sent,
// its p99, how late it started and how its generator fared. A shard
// that did not wait for a start (a later run of its process) has "-" for
// its start skew.
func (s ShardRun) Cells() []string {
	skew := "-"
	if d := time.Duration(s.StartSkewNS); d != 0 {
		// Microseconds say enough of a start: clocks of two machines
		// agree less closely than that.
		skew = d.Round(time.Microsecond).String()
		if d.Abs() < time.Microsecond {
			skew = d.String()
		}
	}
	stopped := ""
	if s.Stopped != nil {
		stopped = s.Stopped.Cause
	}
	return []string{fmt.Sprint(s.Index), fmt.Sprint(s.Requests), fmt.Sprint(s.Errors), quantity.Rate(s.Rate),
		ns(s.P99NS).String(), skew, ns(s.PacerLagMaxNS).String(), fmt.Sprintf("%.2fs", s.Runtime.CPUSeconds), stopped}
}

// writeServer writes what the watcher saw of the service: its goroutines
// and open files before the load and after the cool-down ("?" for a value
// no scrape gave: a service that died is not one back at 0), the groups
// that grew, and the watcher's first error, so that a wrong URL or a dead
// service shows in the summary and not only in the result's server.errors.
func writeServer(b *strings.Builder, srv *ServerStats) {
	const g, fds = "go_goroutines", "process_open_fds"
	after := func(name string) string {
		if v, ok := srv.After[name]; ok {
			return fmt.Sprintf("%.0f", v)
		}
		return "?"
	}
	if before, ok := srv.Before[g]; ok {
		fmt.Fprintf(b, "server %s: goroutines %.0f→%s after the cool-down (peak %.0f)", srv.Source, before, after(g), srv.Peak[g])
		if v, ok := srv.Before[fds]; ok {
			fmt.Fprintf(b, ", open files %.0f→%s", v, after(fds))
		}
		b.WriteByte('\n')
	} else if len(srv.GoroutineGrowth) > 0 {
		// The groups below are indented under the line that names the
		// service; without a count before the load (the metrics URL
		// failed, the profile did not), they still need one.
		fmt.Fprintf(b, "server %s: goroutines not counted before the load; groups that grew:\n", srv.Source)
	}
	for _, d := range srv.GoroutineGrowth {
		fmt.Fprintf(b, "  server goroutines in %s: %d→%d\n", d.Function, d.Before, d.After)
	}
	if len(srv.Errors) > 0 {
		fmt.Fprintf(b, "server %s: the watcher's errors: %s", srv.Source, srv.Errors[0])
		if n := len(srv.Errors) - 1; n > 0 {
			fmt.Fprintf(b, " (and %d more in the result's server.errors)", n)
		}
		b.WriteByte('\n')
	}
}
