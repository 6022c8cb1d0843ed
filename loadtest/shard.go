package loadtest

import (
	"context"
	"fmt"
	"iter"
	"os/exec"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Environment variables of a load split across generators (docs/SHARDS.md).
const (
	// EnvShard makes this process shard i of N (1-based, "2/4") of every
	// scenario's load.
	EnvShard = "LOADGATE_SHARD"
	// EnvShards is N when the shard's index comes from EnvJobIndex.
	EnvShards = "LOADGATE_SHARDS"
	// EnvJobIndex is the 0-based index a Kubernetes Indexed Job gives each
	// of its pods; with EnvShards set, pod k is shard k+1 of N. With
	// EnvShard set too, the two must agree.
	EnvJobIndex = "JOB_COMPLETION_INDEX"
	// EnvStartAt is the wall-clock instant every shard starts its load at:
	// RFC 3339 ("2026-11-23T10:00:00.000Z") or Unix milliseconds.
	EnvStartAt = "LOADGATE_START_AT"
	// EnvRunGroup names the sharded run, so that loadgate merge tells its
	// shards from another run's; without it the group is made from
	// EnvStartAt and the commit.
	EnvRunGroup = "LOADGATE_RUN_GROUP"
	// EnvCommit is the commit the generators run (else GITHUB_SHA, the
	// binary's build information, or git rev-parse HEAD).
	EnvCommit = "LOADGATE_COMMIT"
)

// Bounds of a sharded run.
const (
	// MaxShardCount bounds N: a Kubernetes Indexed Job runs at most 100,000
	// pods, and far fewer generators load any one service.
	MaxShardCount = 10000
	// StartAtLate is how far in the past LOADGATE_START_AT may be when a
	// process's first scenario reaches it: a shard later than that would
	// run out of step with the others, so it refuses to start.
	StartAtLate = 5 * time.Second
	// StartAtAhead bounds how far ahead LOADGATE_START_AT may be: further
	// is more likely a mistake (a time zone, seconds read as
	// milliseconds) than a plan.
	StartAtAhead = time.Hour
)

// Shard says which part of a load split across generators a result holds,
// or, in a result loadgate merge made, which parts it joins. It is nil in
// the result of an unsharded run.
type Shard struct {
	// Index is the generator's shard, from 1 to Count; 0 in a merged
	// result.
	Index int `json:"index,omitempty"`
	Count int `json:"count"`
	// Group identifies the sharded run: its shards share it
	// (LOADGATE_RUN_GROUP, or made from LOADGATE_START_AT and the commit).
	Group string `json:"group"`
	// Commit is the commit the generator ran, when it was known.
	Commit string `json:"commit,omitempty"`
	// Run numbers the runs of the scenario in the generator's process
	// (go test -count), from 1: loadgate merge joins the n-th run of each
	// shard.
	Run int `json:"run"`
	// Start is how the shard kept LOADGATE_START_AT; nil when it did not
	// wait for it (a later scenario of the same process) and in a merged
	// result (see Result.Shards).
	Start *ShardStart `json:"start,omitempty"`
	// LoadStart is when the measured load began, after the warm-up: the
	// merge aligns the shards' timelines on it.
	LoadStart time.Time `json:"load_start"`
	// BusyNS is how long the load and the drain after it took, from
	// LoadStart: the window of Result.Throughput.
	BusyNS int64 `json:"busy_ns"`
	// Plan is the share of the load this shard ran, stage by stage;
	// Result.Load is the plan of the whole load, the same in every shard.
	// Empty in a merged result.
	Plan []StagePlan `json:"plan,omitempty"`
	// Partial says that a merged result lacks shards (loadgate merge
	// -partial); Missing lists them.
	Partial bool  `json:"partial,omitempty"`
	Missing []int `json:"missing,omitempty"`
	// OutOfStep says, in a merged result, which shards began their loads
	// well after the first ("shard 3 3.014s after shard 1"): the merged
	// load was spread over a longer window than planned, so its rate and
	// throughput are not the planned load's ([Result.PartialNote]).
	OutOfStep string `json:"out_of_step,omitempty"`
	// Note says what the shard's gates and aborts acted on.
	Note string `json:"note"`
}

// PartialNote says which shards a merged result lacks: "2 of 3 shards
// merged, shard 2 missing"; "" when it lacks none (or is one shard's).
// Every output that reads a merged result says it with these words.
func (s *Shard) PartialNote() string {
	if s == nil || !s.Partial {
		return ""
	}
	return fmt.Sprintf("%d of %d shards merged, %s missing", s.Count-len(s.Missing), s.Count, ShardList(s.Missing))
}

// Spread reports whether r, a merged result, ran its whole load spread
// over a longer window than planned: shards began out of step
// (Shard.OutOfStep), none was missing and none interrupted. Its counts are
// the planned load's; its throughput is not.
func (r *Result) Spread() bool {
	if r.Shard == nil || r.Shard.OutOfStep == "" || r.Shard.Partial || r.Stopped.interruptNote() != "" {
		return false
	}
	for _, sh := range r.Shards {
		if sh.Stopped.interruptNote() != "" {
			return false
		}
	}
	return true
}

// PartialNote says why r holds a share of its planned load, in the words
// every output that reads such a result uses: the shards a merged result
// lacks ("2 of 3 shards merged, shard 2 missing"), the shards that began
// out of step with the others ("out of step: shard 3 3.014s after shard
// 1"), or the signal that interrupted the run, or one shard of a merged
// one ("interrupted by SIGTERM in stage hold", "shard 2: interrupted by
// SIGTERM in stage hold"); "" for a result of the whole load. A gate, the abort rule or
// exhausted test data stop a run early too, but on what the run measured:
// they are verdicts, not a share of the load.
func (r *Result) PartialNote() string {
	var notes []string
	if note := r.Shard.PartialNote(); note != "" {
		notes = append(notes, note)
	}
	if r.Shard != nil && r.Shard.OutOfStep != "" {
		notes = append(notes, "out of step: "+r.Shard.OutOfStep)
	}
	// A merged result's Stopped is its first stopped shard's, named with
	// the others' below.
	if note := r.Stopped.interruptNote(); note != "" && len(r.Shards) == 0 {
		notes = append(notes, note)
	}
	for _, sh := range r.Shards {
		if note := sh.Stopped.interruptNote(); note != "" {
			notes = append(notes, fmt.Sprintf("shard %d: %s", sh.Index, note))
		}
	}
	return strings.Join(notes, "; ")
}

// interruptNote says which signal stopped the run, and in which stage; ""
// if none did.
func (st *Stop) interruptNote() string {
	if st == nil || st.Cause != StopInterrupted {
		return ""
	}
	if st.Stage == "" {
		return st.Reason
	}
	return st.Reason + " in stage " + st.Stage
}

// ShardList names shards: "shard 3", "shards 2 and 4", "shards 1, 2 and 4".
func ShardList(idx []int) string {
	s := make([]string, len(idx))
	for i, n := range idx {
		s[i] = fmt.Sprint(n)
	}
	if len(s) == 1 {
		return "shard " + s[0]
	}
	return "shards " + strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// ShardStart is how a shard kept the start all shards were given.
type ShardStart struct {
	// At is LOADGATE_START_AT.
	At time.Time `json:"at"`
	// FirstSend is when the shard sent its first request (of the warm-up,
	// if there is one).
	FirstSend time.Time `json:"first_send"`
	// SkewNS is FirstSend less when the plan said to send it: At plus the
	// first arrival's offset in the schedule. It is measured on this
	// machine's clock: an offset between machines' clocks is not in it.
	SkewNS int64 `json:"skew_ns"`
}

// ShardRun is one shard of a merged result, as its own result file told
// it: what it sent, how its generator fared and where its result came
// from. Runtime statistics of different processes do not add up, so they
// are kept here, per shard.
type ShardRun struct {
	Index int    `json:"index"`
	File  string `json:"file,omitempty"`
	RunID string `json:"run_id"`
	// Requests, Errors, Dropped and Rate are the shard's own, as are the
	// latencies' P50NS and P99NS.
	Requests int64   `json:"requests"`
	Errors   int64   `json:"errors"`
	Dropped  int64   `json:"dropped"`
	Rate     float64 `json:"rate"`
	P50NS    int64   `json:"p50_ns"`
	P99NS    int64   `json:"p99_ns"`
	// StartSkewNS is the shard's Start.SkewNS (0 if it did not wait for
	// a start).
	StartSkewNS int64 `json:"start_skew_ns"`
	// PacerLagMaxNS, Generator and Runtime are the generator's health: how
	// far it fell behind its schedule, whether it was the bottleneck
	// (nil when the shard's result did not say), and its process's
	// statistics.
	PacerLagMaxNS int64        `json:"pacer_lag_max_ns"`
	Generator     *Generator   `json:"generator,omitempty"`
	Runtime       RuntimeStats `json:"runtime"`
	Env           Env          `json:"env"`
	Stopped       *Stop        `json:"stopped,omitempty"`
}

// sharding is what the environment says about a sharded run.
type sharding struct {
	index, count int // 1 <= index <= count
	// from names the variables that made the shard, for messages:
	// "LOADGATE_SHARD=2/4", "JOB_COMPLETION_INDEX=1 with LOADGATE_SHARDS=4".
	from    string
	startAt time.Time
	group   string
	commit  string
}

// stride is the part of a stage one shard runs: every count-th arrival
// of an open-model stage's schedule, from arrival index−1. The zero
// stride is the whole schedule.
type stride struct{ index, count int }

func (s stride) split() bool { return s.count > 1 }

// ParseShard parses "i/N" (LOADGATE_SHARD, the Action's shard input): shard i
// of N, 1-based.
func ParseShard(v string) (index, count int, err error) {
	is, ns, ok := strings.Cut(strings.TrimSpace(v), "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(is))
	n, err2 := strconv.Atoi(strings.TrimSpace(ns))
	switch {
	case !ok || err1 != nil || err2 != nil:
		return 0, 0, fmt.Errorf("%q: want i/N, shard i of N counted from 1, such as 2/4", v)
	case n < 1 || n > MaxShardCount:
		return 0, 0, fmt.Errorf("%q: the number of shards must be from 1 to %d", v, MaxShardCount)
	case i < 1 || i > n:
		return 0, 0, fmt.Errorf("%q: the shard must be from 1 to %d (counted from 1; JOB_COMPLETION_INDEX counts from 0)", v, n)
	}
	return i, n, nil
}

// ParseStartAt parses a start instant (LOADGATE_START_AT): RFC 3339 with
// or without fractions of a second ("2026-11-23T10:00:00.250Z"), or Unix
// milliseconds ("1795428000250").
func ParseStartAt(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v != "" && strings.Trim(v, "0123456789") == "" {
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q: %v", v, err)
		}
		// 10^11 ms is March 1973: a smaller number is a time in seconds.
		if ms < 1e11 {
			return time.Time{}, fmt.Errorf("%q: want Unix milliseconds (13 digits today), not seconds", v)
		}
		return time.UnixMilli(ms), nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: want RFC 3339 (2026-11-23T10:00:00.000Z) or Unix milliseconds", v)
	}
	return t, nil
}

// ShardEnv names the variables that make this process a shard of a
// sharded run, as errors about the shard name them ("LOADGATE_SHARD=2/4",
// "JOB_COMPLETION_INDEX=1 with LOADGATE_SHARDS=4"); "" for an unsharded
// run or variables [CheckEnv] refuses.
func ShardEnv(getenv func(string) string) string {
	sh, err := shardingFromEnv(getenv, time.Now())
	if err != nil || sh == nil {
		return ""
	}
	return sh.from
}

// shardingFromEnv reads the shard of this process from the environment:
// LOADGATE_SHARD, or JOB_COMPLETION_INDEX with LOADGATE_SHARDS; nil for an
// unsharded run. Every error names the variable at fault.
func shardingFromEnv(getenv func(string) string, now time.Time) (*sharding, error) {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	shard, shards, job, at := get(EnvShard), get(EnvShards), get(EnvJobIndex), get(EnvStartAt)
	sh := &sharding{}
	switch {
	case shard != "":
		i, n, err := ParseShard(shard)
		if err != nil {
			return nil, fmt.Errorf("%s=%w", EnvShard, err)
		}
		if shards != "" && shards != strconv.Itoa(n) {
			return nil, fmt.Errorf("%s=%s and %s=%s disagree on the number of shards; set one of them", EnvShard, shard, EnvShards, shards)
		}
		// A Kubernetes Indexed Job sets JOB_COMPLETION_INDEX in every pod:
		// a LOADGATE_SHARD written into the Job's template would make each
		// pod the same shard.
		if job != "" {
			if k, err := strconv.Atoi(job); err != nil || k+1 != i {
				return nil, fmt.Errorf("%s=%s and %s=%s disagree: %s counts from 0 (index %d is shard %d); set one of them", EnvShard, shard, EnvJobIndex, job, EnvJobIndex, i-1, i)
			}
		}
		sh.index, sh.count, sh.from = i, n, EnvShard+"="+shard
	case shards != "":
		n, err := strconv.Atoi(shards)
		if err != nil || n < 1 || n > MaxShardCount {
			return nil, fmt.Errorf("%s=%q: want the number of shards, from 1 to %d", EnvShards, shards, MaxShardCount)
		}
		if job == "" {
			return nil, fmt.Errorf("%s=%s needs %s (0-based, set by a Kubernetes Indexed Job) or %s=i/N", EnvShards, shards, EnvJobIndex, EnvShard)
		}
		k, err := strconv.Atoi(job)
		if err != nil || k < 0 || k >= n {
			return nil, fmt.Errorf("%s=%q with %s=%d: want 0 to %d (0-based); give the Job as many completions as %s says", EnvJobIndex, job, EnvShards, n, n-1, EnvShards)
		}
		sh.index, sh.count, sh.from = k+1, n, fmt.Sprintf("%s=%s with %s=%s", EnvJobIndex, job, EnvShards, shards)
	default:
		if at != "" && job != "" {
			// An Indexed Job's template that lost LOADGATE_SHARDS: the
			// advice for one process, LOADGATE_SHARD=i/N, would make
			// every pod the same shard.
			return nil, fmt.Errorf("%s is for sharded runs: with %s=%s (a Kubernetes Indexed Job), set %s=N too, N the Job's completions", EnvStartAt, EnvJobIndex, job, EnvShards)
		}
		if at != "" {
			return nil, fmt.Errorf("%s is for sharded runs: set %s=i/N too (1/1 for a single generator)", EnvStartAt, EnvShard)
		}
		return nil, nil
	}
	if at != "" {
		t, err := ParseStartAt(at)
		if err != nil {
			return nil, fmt.Errorf("%s=%w", EnvStartAt, err)
		}
		if ahead := t.Sub(now); ahead > StartAtAhead {
			return nil, fmt.Errorf("%s=%s is %v ahead, more than %v: is it in the right time zone, in milliseconds?", EnvStartAt, at, ahead.Round(time.Second), StartAtAhead)
		}
		sh.startAt = t
	}
	sh.commit = commitFromEnv(getenv)
	sh.group = get(EnvRunGroup)
	switch {
	case len(sh.group) > 128 || strings.ContainsAny(sh.group, "\n\r\t"):
		return nil, fmt.Errorf("%s=%q: want one line of at most 128 characters", EnvRunGroup, sh.group)
	case sh.group == "" && sh.startAt.IsZero():
		return nil, fmt.Errorf("%s needs %s or %s, the same in every shard: loadgate merge tells the shards of one run from another's by them", sh.from, EnvRunGroup, EnvStartAt)
	case sh.group == "":
		sh.group = "start-" + sh.startAt.UTC().Format("20060102T150405.000Z")
		if sh.commit != "" {
			sh.group += "-" + sh.commit[:min(12, len(sh.commit))]
		}
	}
	return sh, nil
}

// commitFromEnv returns the commit under test: LOADGATE_COMMIT, GITHUB_SHA,
// the revision the binary was built from, or git's HEAD in the working
// directory (the package's, under go test); "" if none is known.
func commitFromEnv(getenv func(string) string) string {
	for _, k := range []string{EnvCommit, "GITHUB_SHA"} {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
	}
	commitOnce.Do(func() { commit = localCommit() })
	return commit
}

var (
	commitOnce sync.Once
	commit     string
)

func localCommit() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && s.Value != "" {
				return s.Value
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "git", "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// startClaimed is set once a scenario of this process has waited for
// LOADGATE_START_AT: the start belongs to the first load of the process
// (all of RunAll's scenarios), and later ones start when they come.
var startClaimed atomic.Bool

// pendingStart returns the start the next scenario waits for: the zero
// time if there is none (unsharded, no LOADGATE_START_AT, or claimed and
// past). A start not yet claimed that is more than StartAtLate in the past
// is an error.
func (sh *sharding) pendingStart(now time.Time) (time.Time, error) {
	if sh == nil || sh.startAt.IsZero() {
		return time.Time{}, nil
	}
	if startClaimed.Load() {
		if now.Before(sh.startAt) {
			return sh.startAt, nil // RunAll's scenarios
		}
		return time.Time{}, nil
	}
	if late := now.Sub(sh.startAt); late > StartAtLate {
		return time.Time{}, fmt.Errorf("%s=%s was %v ago, more than %v: this shard would start out of step with the others; give every shard a later start",
			EnvStartAt, sh.startAt.UTC().Format(time.RFC3339Nano), late.Round(time.Millisecond), StartAtLate)
	}
	return sh.startAt, nil
}

// runCounts numbers the runs of each scenario in this process (Shard.Run).
var runCounts = struct {
	sync.Mutex
	n map[string]int
}{n: map[string]int{}}

func nextRun(scenario string) int {
	runCounts.Lock()
	defer runCounts.Unlock()
	runCounts.n[scenario]++
	return runCounts.n[scenario]
}

// splitLoad returns shard index of count of load: in the open model every
// count-th arrival of each stage's schedule from arrival index−1 (evenly
// spaced and Paced stages), or an independent Poisson stream at 1/count of
// the rate with a seed of its own ([shardSeed]); in the closed model
// 1/count of the users and of the shared iterations, as evenly as whole
// numbers allow, the first shards taking one more (see [splitCount]).
// Every stage keeps the name it had whole, so that the shards' stages
// match. A stage of a fixed number of iterations needs at least one user
// (and one shared iteration) per shard.
func splitLoad(load Load, index, count int) (Sequence, error) {
	stages := append([]Stage(nil), load.Stages()...)
	for i := range stages {
		st := &stages[i]
		st.Name = st.label()
		switch st.Model {
		case Open:
			if st.Arrivals == Exponential {
				st.Seed = shardSeed(seedOf(*st), index)
				st.From /= float64(count)
				st.To /= float64(count)
			} else {
				st.shard = stride{index, count}
			}
		case Closed:
			where := fmt.Sprintf("load stage %d (%s)", i+1, st.label())
			if st.iterations() && st.Users < count {
				return nil, fmt.Errorf("%s: %d users cannot run iterations in each of %d shards; give the stage at least %d users", where, st.Users, count, count)
			}
			if st.IterationsShared > 0 && st.IterationsShared < count {
				return nil, fmt.Errorf("%s: %d shared iterations cannot be split over %d shards; give the stage at least %d", where, st.IterationsShared, count, count)
			}
			st.Users = splitCount(st.Users, index, count)
			st.UsersTo = splitCount(st.UsersTo, index, count)
			if st.IterationsShared > 0 {
				st.IterationsShared = splitCount(st.IterationsShared, index, count)
			}
		}
	}
	return Sequence(stages), nil
}

// splitCount is shard index's part of n things split over count shards:
// n/count each, and one more for each of the first n mod count shards, so
// that the parts add up to n and differ by at most one.
func splitCount(n, index, count int) int {
	part := n / count
	if index <= n%count {
		part++
	}
	return part
}

// shardSeed is the seed of shard index's Poisson stream: the stage's seed
// mixed with the shard's number, so that the shards' streams are
// independent (their superposition is a Poisson process at the whole
// rate) and each is reproducible.
func shardSeed(seed int64, index int) int64 {
	s := int64(splitmix64(uint64(seed)*0x9e3779b97f4a7c15 + uint64(index)))
	if s == 0 {
		s = 1 // 0 means "the default seed"
	}
	return s
}

// stridePacer takes every count-th arrival of a Pacer's schedule, from
// arrival index−1: a Paced stage's share in a sharded run.
type stridePacer struct {
	p     Pacer
	share stride
}

var _ Pacer = stridePacer{}

// Pace implements [Pacer].
func (s stridePacer) Pace(d time.Duration) iter.Seq[time.Duration] {
	return func(yield func(time.Duration) bool) {
		k := 0
		for off := range s.p.Pace(d) {
			if k%s.share.count == s.share.index-1 && !yield(off) {
				return
			}
			k++
		}
	}
}

// shareRate is the rate of one shard's share of an evenly spaced stage.
func (s stride) shareRate(r float64) float64 {
	if !s.split() {
		return r
	}
	return r / float64(s.count)
}

// shardNote says what gates and aborts act on in a sharded run.
func shardNote(index, count int) string {
	return fmt.Sprintf("gates and aborts of this run acted on shard %d of %d alone, about 1/%d of the load; the merged result (loadgate merge) is the one to judge", index, count, count)
}

// shardOf describes the shard that scenario s, run by e, was: its load
// began at loadStart and its drain ended at drainEnd.
func shardOf(s Scenario, e *engine, loadStart, drainEnd time.Time) *Shard {
	sh := s.split
	out := &Shard{
		Index: sh.index, Count: sh.count, Group: sh.group, Commit: sh.commit,
		Run:       nextRun(s.Name),
		LoadStart: loadStart.UTC(),
		BusyNS:    int64(drainEnd.Sub(loadStart)),
		Note:      shardNote(sh.index, sh.count),
	}
	for _, st := range s.Load.Stages() {
		out.Plan = append(out.Plan, stagePlanOf(st))
	}
	if first := e.firstSend.Load(); first != 0 && !e.startAt.IsZero() {
		// The plan said to send the first request at startAt plus its
		// offset; a late shard's schedule began its lateness later.
		late := int64(e.anchor.Sub(e.startAt))
		out.Start = &ShardStart{
			At:        e.startAt.UTC(),
			FirstSend: time.Unix(0, first).UTC(),
			SkewNS:    first - e.firstPlanned.Load() + late,
		}
	}
	return out
}
