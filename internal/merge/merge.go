package merge

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/histo"
	"github.com/loadgate/loadgate/loadtest"
)

// Options tune a merge; the zero Options merges complete runs only.
type Options struct {
	// Partial merges a run that lacks shards instead of refusing it; the
	// merged result then says so everywhere it is read (Shard.Partial and
	// Missing, its first warning, its summary).
	Partial bool
	// PartialHint is how the caller's user asks for a partial merge,
	// named by the refusal of a run that lacks shards; "" is loadgate
	// merge's flag, -partial (the GitHub Action says "partial: true").
	PartialHint string
}

// maxSamplesPerKind bounds the error messages kept per kind, as a run
// keeps them.
const maxSamplesPerKind = 5

// Do reads the results in paths (files or directories), groups them by
// scenario and run, and merges each group: one result per scenario and
// run, in the order of [Runs]. It refuses the whole set if one group
// cannot be merged, joining every refusal, so that nothing half merged
// is written.
func Do(paths []string, o Options) ([]*loadtest.Result, error) {
	files, err := Read(paths...)
	if err != nil {
		return nil, err
	}
	var out []*loadtest.Result
	var errs []error
	for _, run := range Runs(files) {
		r, err := Merge(run.Files, o)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, r)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// Merge joins the results of the shards of one run of one scenario into
// one result of the same schema. It refuses (with a [*Refusal]) results
// that are not the shards of one run: of other scenarios, run groups,
// commits, splits, plans, scales or targets, a shard given twice, a shard
// missing (unless o.Partial), a latency without its histogram or with
// another histogram layout.
func Merge(files []File, o Options) (*loadtest.Result, error) {
	files = slices.Clone(files)
	slices.SortStableFunc(files, func(a, b File) int { return shardIndex(a) - shardIndex(b) })
	missing, err := check(files, o)
	if err != nil {
		return nil, err
	}
	m := &merger{hists: map[string]*hist{}}
	return m.merge(files, missing)
}

// RunOf is a shard's line in the breakdown of a merged result
// (Result.Shards): what it sent, its latencies, its start skew and its
// generator's health, from its own result. The GitHub Action's shard jobs
// show it before any merge.
func RunOf(f File) loadtest.ShardRun {
	r := f.Result
	run := loadtest.ShardRun{
		File: f.Path, RunID: r.RunID,
		Requests: r.Requests, Errors: r.Errors, Dropped: r.Dropped, Rate: r.Rate,
		P50NS: r.Latency.P50NS, P99NS: r.Latency.P99NS,
		PacerLagMaxNS: r.PacerLagMaxNS, Generator: r.Generator, Runtime: r.Runtime, Env: r.Env, Stopped: r.Stopped,
	}
	if sh := r.Shard; sh != nil {
		run.Index = sh.Index
		if st := sh.Start; st != nil {
			run.StartSkewNS = st.SkewNS
		}
	}
	return run
}

// merger joins the shards of one run.
type merger struct {
	// hists holds the merged histogram of each field, by its JSON path.
	hists map[string]*hist
}

// hist is the merged histogram of one field, in the layout of the first
// shard that had one.
type hist struct {
	h    *hdrhistogram.Histogram
	from File
}

// add merges the histogram of field (a JSON path such as
// "stages[0].latency") from file f into the field's merged histogram.
func (m *merger) add(f File, field string, count int64, hdr string) error {
	if count == 0 && hdr == "" {
		return nil
	}
	refuse := func(format string, args ...any) error {
		return &Refusal{Path: f.Path, Scenario: f.Result.Scenario, Field: field + ".hdr", Reason: fmt.Sprintf(format, args...)}
	}
	if hdr == "" {
		return refuse("missing: %d requests without their histogram cannot be merged exactly (a result of a sharded run keeps every one)", count)
	}
	h, err := histo.Decode(hdr)
	if err != nil {
		return refuse("%v", err)
	}
	into := m.hists[field]
	if into == nil {
		into = &hist{h: hdrhistogram.New(h.LowestTrackableValue(), h.HighestTrackableValue(), int(h.SignificantFigures())), from: f}
		m.hists[field] = into
	}
	a, b := into.h, h
	switch {
	case a.SignificantFigures() != b.SignificantFigures():
		return refuse("%d significant digits, shard %d (%s) has %d: histograms of different precision do not merge exactly",
			b.SignificantFigures(), into.from.Result.Shard.Index, into.from.Path, a.SignificantFigures())
	case a.LowestTrackableValue() != b.LowestTrackableValue() || a.HighestTrackableValue() != b.HighestTrackableValue():
		return refuse("range %d to %d ns, shard %d (%s) has %d to %d: histograms of different ranges do not merge exactly",
			b.LowestTrackableValue(), b.HighestTrackableValue(), into.from.Result.Shard.Index, into.from.Path,
			a.LowestTrackableValue(), a.HighestTrackableValue())
	}
	if dropped := a.Merge(b); dropped > 0 {
		return refuse("%d values out of the histogram's range", dropped)
	}
	if b.TotalCount() != count && count != 0 {
		return refuse("the histogram holds %d values, the count says %d", b.TotalCount(), count)
	}
	return nil
}

// latency adds a Latency of f under field.
func (m *merger) latency(f File, field string, l loadtest.Latency) error {
	return m.add(f, field, l.Count, l.HDR)
}

// summary returns the merged Latency of field; the zero Latency if no
// shard had one.
func (m *merger) summary(field string) loadtest.Latency {
	if h := m.hists[field]; h != nil {
		return loadtest.Latency(histo.Summarize(h.h, true))
	}
	return loadtest.Latency{}
}

func (m *merger) merge(files []File, missing []int) (*loadtest.Result, error) {
	ref := files[0].Result
	rs := ref.Shard
	out := &loadtest.Result{
		Schema: loadtest.SchemaVersion, Scenario: ref.Scenario, Package: ref.Package, Test: ref.Test,
		Started: ref.Started, Env: ref.Env, Load: ref.Load,
		ErrorKinds: map[string]int64{}, Leaks: []loadtest.Leak{},
		Shard: &loadtest.Shard{Count: rs.Count, Group: rs.Group, Commit: rs.Commit, Run: rs.Run, Missing: missing,
			Partial: len(missing) > 0,
			Note:    "gates and aborts acted on each shard's own slice of the load (shards[].stopped, stages[].gate); this merged result is the one to judge"},
	}
	// The shards' common wall-clock window: from the first load start to
	// the last end of a load, and of a drain.
	t0 := ref.Shard.LoadStart
	for _, f := range files {
		if s := f.Result.Shard.LoadStart; s.Before(t0) {
			t0 = s
		}
		if f.Result.Started.Before(out.Started) {
			out.Started = f.Result.Started
		}
	}
	var loadEnd, busyEnd time.Time
	var warmup *loadtest.Warmup
	samples := map[string][]string{}
	statuses := map[string]int64{}
	warnings := map[string][]int{}
	var warnOrder []string
	var ids []string
	var machines, builds []string
	for _, f := range files {
		r, sh := f.Result, f.Result.Shard
		ids = append(ids, r.RunID)
		if e := r.Env.String(); e != ref.Env.String() {
			machines = append(machines, fmt.Sprintf("shard %d ran on %s", sh.Index, e))
		}
		if r.Env.Loadgate != ref.Env.Loadgate {
			builds = append(builds, fmt.Sprintf("shard %d %s", sh.Index, loadgateOf(r.Env)))
		}
		loadEnd = later(loadEnd, sh.LoadStart.Add(time.Duration(r.DurationNS)))
		busyEnd = later(busyEnd, sh.LoadStart.Add(time.Duration(sh.BusyNS)))
		out.Requests += r.Requests
		out.Errors += r.Errors
		out.Dropped += r.Dropped
		out.Abandoned += r.Abandoned
		out.PacerLagMaxNS = max(out.PacerLagMaxNS, r.PacerLagMaxNS)
		for _, l := range []struct {
			field string
			l     loadtest.Latency
		}{{"latency", r.Latency}, {"service_time", r.ServiceTime}} {
			if err := m.latency(f, l.field, l.l); err != nil {
				return nil, err
			}
		}
		addCounts(out.ErrorKinds, r.ErrorKinds)
		addCounts(statuses, r.StatusCodes)
		for kind, msgs := range r.ErrorSamples {
			for _, msg := range msgs {
				if len(samples[kind]) < maxSamplesPerKind && !slices.Contains(samples[kind], msg) {
					samples[kind] = append(samples[kind], msg)
				}
			}
		}
		for name, p := range r.Phases {
			if err := m.latency(f, "phases."+name, p); err != nil {
				return nil, err
			}
		}
		if c := r.Connections; c != nil {
			if out.Connections == nil {
				out.Connections = &loadtest.Connections{Protocols: map[string]int64{}}
			}
			out.Connections.Requests += c.Requests
			out.Connections.Reused += c.Reused
			addCounts(out.Connections.Protocols, c.Protocols)
		}
		if w := r.Warmup; w != nil {
			if warmup == nil {
				warmup = &loadtest.Warmup{DurationNS: w.DurationNS}
			}
			warmup.Requests += w.Requests
			warmup.Errors += w.Errors
		}
		if out.Server == nil && r.Server != nil {
			out.Server = r.Server // the service as the first shard that watched it saw it
		}
		out.Leaks = addLeaks(out.Leaks, r.Leaks)
		out.LeaksReportOnly = out.LeaksReportOnly || r.LeaksReportOnly
		if st := r.Stopped; st != nil && out.Stopped == nil {
			out.Stopped = &loadtest.Stop{Cause: st.Cause, Stage: st.Stage, Reason: fmt.Sprintf("shard %d of %d: %s", sh.Index, sh.Count, st.Reason)}
		}
		for _, w := range r.Warnings {
			if warnings[w] == nil {
				warnOrder = append(warnOrder, w)
			}
			warnings[w] = append(warnings[w], sh.Index)
		}
		out.Shards = append(out.Shards, RunOf(f))
	}
	folded, err := m.byName(out, files)
	if err != nil {
		return nil, err
	}
	if err := m.stages(out, files); err != nil {
		return nil, err
	}
	tl, err := m.timeline(files, t0)
	if err != nil {
		return nil, err
	}
	out.Timeline = tl
	out.Shard.LoadStart = t0
	out.DurationNS = int64(loadEnd.Sub(t0))
	out.Shard.BusyNS = int64(busyEnd.Sub(t0))
	out.RunID = mergedID(ids)
	out.Latency, out.ServiceTime = m.summary("latency"), m.summary("service_time")
	if out.Requests > 0 {
		out.ErrorRate = float64(out.Errors) / float64(out.Requests)
	}
	if secs := time.Duration(out.DurationNS).Seconds(); secs > 0 {
		out.Rate = float64(out.Requests) / secs
	}
	if secs := time.Duration(out.Shard.BusyNS).Seconds(); secs > 0 {
		out.Throughput = float64(out.Requests-out.Errors) / secs
	}
	if len(samples) > 0 {
		out.ErrorSamples = samples
	}
	if len(statuses) > 0 {
		out.StatusCodes = statuses
	}
	for name := range m.hists {
		if phase, ok := strings.CutPrefix(name, "phases."); ok {
			if out.Phases == nil {
				out.Phases = map[string]loadtest.Latency{}
			}
			out.Phases[phase] = m.summary(name)
		}
	}
	if c := out.Connections; c != nil && c.Requests > 0 {
		c.ReuseShare = float64(c.Reused) / float64(c.Requests)
	}
	out.Warmup = warmup
	out.Generator = generatorOf(out.Shards)
	if len(missing) > 0 {
		out.Warnings = append(out.Warnings, fmt.Sprintf("partial: %s: the counts and rates are those of %d/%d of the planned load",
			out.Shard.PartialNote(), rs.Count-len(missing), rs.Count))
	}
	if late, w := lateWarning(files, t0); w != "" {
		out.Shard.OutOfStep = late
		out.Warnings = append(out.Warnings, w)
	}
	if len(machines) > 0 {
		out.Warnings = append(out.Warnings, fmt.Sprintf("the shards ran on different machines (shard %d on %s; %s)", rs.Index, ref.Env, strings.Join(machines, "; ")))
	}
	if len(builds) > 0 {
		// Env.String, and so the machines' warning, leaves the version
		// out; the merged env.loadgate is the first shard's.
		out.Warnings = append(out.Warnings, fmt.Sprintf("the shards ran different versions of loadgate (shard %d %s; %s): they may not measure alike, and the merged env.loadgate names shard %d's",
			rs.Index, loadgateOf(ref.Env), strings.Join(builds, "; "), rs.Index))
	}
	if rs.Commit == "" {
		// Every shard agreed on no commit (check refuses a mix): the
		// merge could not check that they ran the same code.
		out.Warnings = append(out.Warnings, "no shard knew the commit it ran (shard.commit is empty): the merge could not check that the shards ran the same code; set "+
			loadtest.EnvCommit+" in every shard (in an image, build it with --build-arg COMMIT=$(git rev-parse HEAD), deploy/Dockerfile)")
	}
	for _, w := range warnOrder {
		idx := warnings[w]
		who := loadtest.ShardList(idx)
		if len(idx) == len(files) {
			who = "every shard"
		}
		out.Warnings = append(out.Warnings, fmt.Sprintf("%s of %d: %s", who, rs.Count, w))
	}
	if len(folded) > 0 {
		out.Warnings = append(out.Warnings, foldedWarning(folded))
	}
	return out, nil
}

// loadgateOf names the loadgate a shard was built with (env.loadgate).
func loadgateOf(e loadtest.Env) string {
	if e.Loadgate == "" {
		return "an unknown loadgate"
	}
	return "loadgate " + e.Loadgate
}

// lateWarn is how far after the first shard's a shard's load may begin
// before the merged result says that the shards ran out of step; a load
// longer than 5 s allows 2% of it. Shards that kept one LOADGATE_START_AT
// begin microseconds apart; the later runs of a process (go test -count),
// which start when its previous run ended, begin as far apart as the
// shards' ends of runs (drains, leak checks). 2% of the load dilutes the
// merged throughput by under 2%, below the 5% at which its comparison
// warns: such a merge is judged whole.
const lateWarn = 100 * time.Millisecond

// lateWarning says which shards began their load out of step with the
// first, so that the merged load was not the planned one: spread over a
// longer window, its rate and throughput lower and its busiest seconds
// fewer. A shard up to loadtest.StartAtLate late still runs (one without
// LOADGATE_START_AT may begin at any time), and nothing but the shards'
// table said so: the merged rate of a 4 s load whose third shard began
// 3 s late read 171/s of a planned 300/s, unexplained. "" when every
// shard began within lateWarn (or 2% of its load) of t0. late names the
// shards that did not (Shard.OutOfStep: a comparison leaves the merged
// counts and rates unjudged, as a partial merge's).
func lateWarning(files []File, t0 time.Time) (late, warning string) {
	first := 0 // the index of the shard that began first
	var lastStart, firstEnd time.Time
	for _, f := range files {
		sh := f.Result.Shard
		if first == 0 && sh.LoadStart.Equal(t0) {
			first = sh.Index
		}
		lastStart = later(lastStart, sh.LoadStart)
		if end := sh.LoadStart.Add(time.Duration(f.Result.DurationNS)); firstEnd.IsZero() || end.Before(firstEnd) {
			firstEnd = end
		}
	}
	var lates []string
	for _, f := range files {
		sh := f.Result.Shard
		if gap := sh.LoadStart.Sub(t0); gap > max(lateWarn, time.Duration(f.Result.DurationNS)/50) {
			lates = append(lates, fmt.Sprintf("shard %d %v after shard %d", sh.Index, gap.Round(time.Millisecond), first))
		}
	}
	if len(lates) == 0 {
		return "", ""
	}
	together := "never sent at the same time"
	if d := firstEnd.Sub(lastStart); d > 0 {
		together = fmt.Sprintf("sent together for %v only", d.Round(time.Millisecond))
	}
	late = strings.Join(lates, ", ")
	return late, fmt.Sprintf("out of step: the shards began their loads apart (%s): they %s, so the merged rate, throughput and timeline are those of the load spread over a longer window than planned, and are not judged; give every shard one LOADGATE_START_AT that each reaches in time",
		late, together)
}

// generatorOf is the generator of a merged result (Result.Generator):
// each figure the worst shard's, the waits for connections added up, and
// bound when any shard was, with each reason naming its shard. nil when
// no shard measured its generator.
func generatorOf(shards []loadtest.ShardRun) *loadtest.Generator {
	var out *loadtest.Generator
	for _, s := range shards {
		g := s.Generator
		if g == nil {
			continue
		}
		if out == nil {
			out = &loadtest.Generator{CPUs: g.CPUs}
		}
		out.CPUs = min(out.CPUs, g.CPUs)
		out.CPUShare = max(out.CPUShare, g.CPUShare)
		out.Sends += g.Sends
		out.SendLagP90NS = max(out.SendLagP90NS, g.SendLagP90NS)
		out.SendLagP99NS = max(out.SendLagP99NS, g.SendLagP99NS)
		out.SchedLatencyP99NS = max(out.SchedLatencyP99NS, g.SchedLatencyP99NS)
		out.ConnWaits += g.ConnWaits
		out.ConnWaitMaxNS = max(out.ConnWaitMaxNS, g.ConnWaitMaxNS)
		out.Requests += g.Requests
		for _, why := range g.Reasons {
			out.Reasons = append(out.Reasons, fmt.Sprintf("shard %d: %s", s.Index, why))
		}
		out.Bound = out.Bound || g.Bound
	}
	if out != nil && out.Bound && len(out.Reasons) == 0 {
		out.Reasons = []string{"a shard was generator-bound"}
	}
	return out
}

// byName merges the results per request name (latency, service time,
// counts and a stream's messages), keeping the names
// [keptNames] keeps and counting the others under loadtest.OtherNames,
// which it returns as folded.
func (m *merger) byName(out *loadtest.Result, files []File) (folded []string, err error) {
	kept, folded := keptNames(files)
	for _, f := range files {
		for name, nr := range f.Result.ByName {
			if out.ByName == nil {
				out.ByName = map[string]loadtest.NameResult{}
			}
			if !kept[name] {
				name = loadtest.OtherNames
			}
			if err := m.latency(f, fmt.Sprintf("by_name.%s.latency", name), nr.Latency); err != nil {
				return nil, err
			}
			if err := m.latency(f, fmt.Sprintf("by_name.%s.service_time", name), nr.ServiceTime); err != nil {
				return nil, err
			}
			acc := out.ByName[name]
			acc.Requests += nr.Requests
			acc.Errors += nr.Errors
			if msgs := nr.Messages; msgs != nil {
				if acc.Messages == nil {
					acc.Messages = &loadtest.Messages{}
				}
				acc.Messages.Add(*msgs)
			}
			if acc.ErrorKinds == nil {
				acc.ErrorKinds = map[string]int64{}
			}
			addCounts(acc.ErrorKinds, nr.ErrorKinds)
			if len(nr.StatusCodes) > 0 {
				if acc.StatusCodes == nil {
					acc.StatusCodes = map[string]int64{}
				}
				addCounts(acc.StatusCodes, nr.StatusCodes)
			}
			out.ByName[name] = acc
		}
	}
	for name, nr := range out.ByName {
		nr.Latency = m.summary(fmt.Sprintf("by_name.%s.latency", name))
		nr.ServiceTime = m.summary(fmt.Sprintf("by_name.%s.service_time", name))
		if nr.Requests > 0 {
			nr.ErrorRate = float64(nr.Errors) / float64(nr.Requests)
		}
		out.ByName[name] = nr
	}
	return folded, nil
}

// keptNames are the request names a merged result keeps apart, as one
// run keeps them: a name is counted under loadtest.OtherNames when a shard
// that has that bucket lacks it (the shard may have counted its requests
// there, past its loadtest.MaxNames: kept apart, the name's figures would
// be those of a part of its requests), and past the loadtest.MaxNames
// busiest. folded are the names counted there that a shard kept apart.
func keptNames(files []File) (kept map[string]bool, folded []string) {
	requests := map[string]int64{}
	var folding []map[string]loadtest.NameResult // the shards that counted names under OtherNames
	for _, f := range files {
		for name, nr := range f.Result.ByName {
			requests[name] += nr.Requests
		}
		if _, ok := f.Result.ByName[loadtest.OtherNames]; ok {
			folding = append(folding, f.Result.ByName)
		}
	}
	kept = map[string]bool{loadtest.OtherNames: true}
	var names []string
	for name := range requests {
		if name == loadtest.OtherNames {
			continue
		}
		whole := !slices.ContainsFunc(folding, func(by map[string]loadtest.NameResult) bool {
			_, has := by[name]
			return !has
		})
		if whole {
			names = append(names, name)
		} else {
			folded = append(folded, name)
		}
	}
	slices.Sort(names)
	slices.SortStableFunc(names, func(a, b string) int { return cmp.Compare(requests[b], requests[a]) })
	for i, name := range names {
		if i < loadtest.MaxNames {
			kept[name] = true
		} else {
			folded = append(folded, name)
		}
	}
	slices.Sort(folded)
	return kept, folded
}

// foldedWarning says which names a merge counted under loadtest.OtherNames.
func foldedWarning(folded []string) string {
	const show = 5
	quoted := make([]string, 0, show)
	for _, n := range folded[:min(len(folded), show)] {
		quoted = append(quoted, strconv.Quote(n))
	}
	list := strings.Join(quoted, ", ")
	if len(folded) > show {
		list += ", …"
	}
	return fmt.Sprintf("merged: %s (%s) counted together as %q: a shard counted them there, past its %d names, or the shards had more than %d names together",
		cell.Plural(len(folded), "name"), list, loadtest.OtherNames, loadtest.MaxNames, loadtest.MaxNames)
}

// stages merges the results per stage. A stage's rates are taken over
// the window from the first shard's start of it to the last shard's end.
func (m *merger) stages(out *loadtest.Result, files []File) error {
	n := 0
	for _, f := range files {
		n = max(n, len(f.Result.Stages))
	}
	type window struct{ from, to time.Time }
	windows := make([]window, n)
	gates := make([][]string, n)
	out.Stages = make([]loadtest.StageResult, n)
	for _, f := range files {
		start := f.Result.Shard.LoadStart
		for i, s := range f.Result.Stages {
			end := start.Add(time.Duration(s.ElapsedNS))
			if windows[i].from.IsZero() || start.Before(windows[i].from) {
				windows[i].from = start
			}
			windows[i].to = later(windows[i].to, end)
			start = end
			field := fmt.Sprintf("stages[%d]", i)
			if err := m.latency(f, field+".latency", s.Latency); err != nil {
				return err
			}
			if err := m.latency(f, field+".service_time", s.ServiceTime); err != nil {
				return err
			}
			acc := &out.Stages[i]
			acc.Index, acc.Name = s.Index, s.Name
			acc.Requests += s.Requests
			acc.Errors += s.Errors
			acc.Dropped += s.Dropped
			if acc.ErrorKinds == nil {
				acc.ErrorKinds = map[string]int64{}
			}
			addCounts(acc.ErrorKinds, s.ErrorKinds)
			if len(s.StatusCodes) > 0 {
				if acc.StatusCodes == nil {
					acc.StatusCodes = map[string]int64{}
				}
				addCounts(acc.StatusCodes, s.StatusCodes)
			}
			if g := s.Gate; g != nil {
				if acc.Gate == nil {
					acc.Gate = &loadtest.GateResult{Passed: true}
				}
				if !g.Passed {
					acc.Gate.Passed = false
					gates[i] = append(gates[i], fmt.Sprintf("shard %d: %s", f.Result.Shard.Index, g.Reason))
				}
			}
		}
	}
	for i := range out.Stages {
		s := &out.Stages[i]
		field := fmt.Sprintf("stages[%d]", i)
		s.Latency, s.ServiceTime = m.summary(field+".latency"), m.summary(field+".service_time")
		s.ElapsedNS = int64(windows[i].to.Sub(windows[i].from))
		if s.Requests > 0 {
			s.ErrorRate = float64(s.Errors) / float64(s.Requests)
		}
		if secs := time.Duration(s.ElapsedNS).Seconds(); secs > 0 {
			s.Rate = float64(s.Requests) / secs
			s.Throughput = float64(s.Requests-s.Errors) / secs
		}
		if s.Gate != nil && !s.Gate.Passed {
			s.Gate.Reason = strings.Join(gates[i], "; ")
		}
		if i < len(out.Load.Stages) {
			s.Plan = out.Load.Stages[i]
		}
	}
	return nil
}

// timeline merges the shards' per-second timelines, aligned on
// wall-clock seconds from t0, the first shard's load start: second s of a
// shard whose load began d after t0 is second s + round(d) of the merged
// timeline. Shards that kept a shared LOADGATE_START_AT began together, so
// their seconds are the same seconds exactly; one that came late began its
// schedule its lateness later, and lands on the nearest second.
func (m *merger) timeline(files []File, t0 time.Time) ([]loadtest.Second, error) {
	type acc struct {
		s loadtest.Second
		h *hdrhistogram.Histogram
		// svc merges the shards' service times of the second; noSvc says
		// a shard's second with requests had none (an older result): the
		// merged second then has no service percentiles.
		svc   *hdrhistogram.Histogram
		noSvc bool
	}
	secs := map[int64]*acc{}
	var layout *hist
	for _, f := range files {
		shift := int64(math.Round(f.Result.Shard.LoadStart.Sub(t0).Seconds()))
		for i, s := range f.Result.Timeline {
			k := s.Second + shift
			a := secs[k]
			if a == nil {
				a = &acc{s: loadtest.Second{Second: k}}
				secs[k] = a
			}
			a.s.Sent += s.Sent
			a.s.Requests += s.Requests
			a.s.Errors += s.Errors
			a.s.Users += s.Users
			if len(s.ErrorKinds) > 0 {
				if a.s.ErrorKinds == nil {
					a.s.ErrorKinds = map[string]int64{}
				}
				addCounts(a.s.ErrorKinds, s.ErrorKinds)
			}
			if s.Requests == 0 {
				continue
			}
			field := fmt.Sprintf("timeline[%d]", i)
			refuse := func(format string, args ...any) error {
				return &Refusal{Path: f.Path, Scenario: f.Result.Scenario, Field: field + ".hdr", Reason: fmt.Sprintf(format, args...)}
			}
			if s.HDR == "" {
				return nil, refuse("missing: second %d's %d requests without their histogram cannot be merged exactly", s.Second, s.Requests)
			}
			h, err := histo.Decode(s.HDR)
			if err != nil {
				return nil, refuse("%v", err)
			}
			if layout == nil {
				layout = &hist{h: h, from: f}
			} else if h.SignificantFigures() != layout.h.SignificantFigures() || h.LowestTrackableValue() != layout.h.LowestTrackableValue() ||
				h.HighestTrackableValue() != layout.h.HighestTrackableValue() {
				return nil, refuse("%d significant digits from %d to %d ns, shard %d (%s) has %d from %d to %d: histograms of different layouts do not merge exactly",
					h.SignificantFigures(), h.LowestTrackableValue(), h.HighestTrackableValue(), layout.from.Result.Shard.Index, layout.from.Path,
					layout.h.SignificantFigures(), layout.h.LowestTrackableValue(), layout.h.HighestTrackableValue())
			}
			if a.h == nil {
				a.h = hdrhistogram.New(h.LowestTrackableValue(), h.HighestTrackableValue(), int(h.SignificantFigures()))
			}
			a.h.Merge(h)
			if s.ServiceHDR == "" {
				a.noSvc = true
				continue
			}
			svc, err := histo.Decode(s.ServiceHDR)
			if err != nil {
				return nil, &Refusal{Path: f.Path, Scenario: f.Result.Scenario, Field: field + ".service_hdr", Reason: err.Error()}
			}
			if a.svc == nil {
				a.svc = hdrhistogram.New(svc.LowestTrackableValue(), svc.HighestTrackableValue(), int(svc.SignificantFigures()))
			}
			a.svc.Merge(svc)
		}
	}
	keys := slices.Sorted(maps.Keys(secs))
	out := make([]loadtest.Second, 0, len(keys))
	for _, k := range keys {
		a := secs[k]
		if a.svc != nil && !a.noSvc {
			a.s.ServiceP50NS = a.svc.ValueAtQuantile(50)
			a.s.ServiceP90NS = a.svc.ValueAtQuantile(90)
			a.s.ServiceP99NS = a.svc.ValueAtQuantile(99)
		}
		if a.h != nil {
			a.s.P50NS = a.h.ValueAtQuantile(50)
			a.s.P90NS = a.h.ValueAtQuantile(90)
			a.s.P99NS = a.h.ValueAtQuantile(99)
			if b, err := a.h.Encode(hdrhistogram.V2CompressedEncodingCookieBase); err == nil {
				a.s.HDR = string(b)
			}
		}
		out = append(out, a.s)
	}
	return out, nil
}

func addCounts(into, from map[string]int64) {
	for k, n := range from {
		into[k] += n
	}
}

// addLeaks adds leaks to into, joining groups of one function, creator
// and state (the same leak in several shards' processes).
func addLeaks(into, leaks []loadtest.Leak) []loadtest.Leak {
	for _, l := range leaks {
		i := slices.IndexFunc(into, func(o loadtest.Leak) bool {
			return o.Function == l.Function && o.CreatedAt == l.CreatedAt && o.State == l.State
		})
		if i < 0 {
			into = append(into, l)
			continue
		}
		into[i].Count += l.Count
		into[i].Proven = into[i].Proven || l.Proven
	}
	return into
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// mergedID is the run id of a merged result: the same shards always give
// the same id.
func mergedID(ids []string) string {
	h := sha256.New()
	for _, id := range slices.Sorted(slices.Values(ids)) {
		h.Write([]byte(id))
		h.Write([]byte{0})
	}
	return "merged-" + hex.EncodeToString(h.Sum(nil))[:16]
}
