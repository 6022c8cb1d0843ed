package loadtest

import (
	"context"
	"encoding/json"
	"iter"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/schematest"
)

// schedule returns the offsets at which stage st, lasting d, sends.
func schedule(st Stage, d time.Duration) []time.Duration {
	var out []time.Duration
	for off := range pacerOf(st).Pace(d) {
		if off >= d {
			break
		}
		out = append(out, off)
	}
	return out
}

// burst is a Pacer of its own: 5 arrivals at once every 100 ms.
var burst = PacerFunc(func(d time.Duration) iter.Seq[time.Duration] {
	return func(yield func(time.Duration) bool) {
		for t := time.Duration(0); t < d; t += 100 * time.Millisecond {
			for range 5 {
				if !yield(t) {
					return
				}
			}
		}
	}
})

// TestShardScheduleUnion checks the promise of a sharded open-model load
// (issue 16): the shards' arrivals together are exactly the arrivals of
// the whole schedule, for holds, ramps and a Pacer of one's own, and the
// shards' counts differ by at most one.
func TestShardScheduleUnion(t *testing.T) {
	const d = 2 * time.Second
	stages := map[string]Stage{
		"hold":      Rate(1000).For(d),
		"odd rate":  Rate(333.3).For(d),
		"ramp up":   Rate(50).RampTo(2000).For(d),
		"ramp down": Rate(900).RampTo(0).For(d),
		"paced":     Paced(burst).For(d),
	}
	for name, st := range stages {
		whole := schedule(st, d)
		for _, n := range []int{1, 2, 3, 4, 7} {
			var union []time.Duration
			var counts []int
			for i := 1; i <= n; i++ {
				load, err := splitLoad(st, i, n)
				if err != nil {
					t.Fatal(err)
				}
				if got := load[0].label(); got != st.label() {
					t.Errorf("%s, shard %d/%d: label %q, want the whole stage's %q", name, i, n, got, st.label())
				}
				part := schedule(load[0], d)
				counts = append(counts, len(part))
				union = append(union, part...)
			}
			slices.Sort(union)
			if !slices.Equal(union, whole) {
				t.Errorf("%s over %d shards: the union has %d arrivals, the whole schedule %d, or they differ", name, n, len(union), len(whole))
			}
			if slices.Max(counts)-slices.Min(counts) > 1 {
				t.Errorf("%s over %d shards: counts %v differ by more than one", name, n, counts)
			}
		}
	}
}

// TestShardPoisson checks that Poisson shards are independent streams at
// 1/N of the rate, each with a seed of its own, that add up to the rate.
func TestShardPoisson(t *testing.T) {
	const d, rate, n = 10 * time.Second, 2000.0, 4
	st := Poisson(rate).Seeded(7).For(d)
	seeds := map[int64]bool{}
	total := 0
	for i := 1; i <= n; i++ {
		load, err := splitLoad(st, i, n)
		if err != nil {
			t.Fatal(err)
		}
		sh := load[0]
		if sh.From != rate/n || sh.To != rate/n {
			t.Errorf("shard %d: rate %g→%g, want %g", i, sh.From, sh.To, rate/n)
		}
		seeds[sh.Seed] = true
		total += len(schedule(sh, d))
		again, _ := splitLoad(st, i, n)
		if again[0].Seed != sh.Seed {
			t.Errorf("shard %d: seed %d, then %d: not reproducible", i, sh.Seed, again[0].Seed)
		}
	}
	if len(seeds) != n {
		t.Errorf("%d distinct seeds over %d shards, want one each", len(seeds), n)
	}
	// The superposition is Poisson with mean rate·d = 20,000 (sd 141).
	if want := rate * d.Seconds(); math.Abs(float64(total)-want) > 5*math.Sqrt(want) {
		t.Errorf("shards sent %d in all, want about %g", total, want)
	}
}

// TestShardSplitUsers checks the closed model's split: as even as whole
// numbers allow, the first shards taking one more, ramps and shared
// iterations alike, and a stage of iterations refused when a shard would
// have no user.
func TestShardSplitUsers(t *testing.T) {
	tests := []struct {
		name    string
		give    Stage
		n       int
		want    [][3]int // per shard: users, users to, shared iterations
		wantErr string
	}{
		{name: "hold", give: Users(10).For(time.Second), n: 4, want: [][3]int{{3, 3, 0}, {3, 3, 0}, {2, 2, 0}, {2, 2, 0}}},
		{name: "even", give: Users(8).For(time.Second), n: 4, want: [][3]int{{2, 2, 0}, {2, 2, 0}, {2, 2, 0}, {2, 2, 0}}},
		{name: "fewer users than shards", give: Users(2).For(time.Second), n: 3, want: [][3]int{{1, 1, 0}, {1, 1, 0}, {0, 0, 0}}},
		{name: "ramp", give: Users(0).RampUsersTo(50).For(time.Second), n: 4, want: [][3]int{{0, 13, 0}, {0, 13, 0}, {0, 12, 0}, {0, 12, 0}}},
		{name: "shared iterations", give: Users(4).SharedIterations(10), n: 4, want: [][3]int{{1, 1, 3}, {1, 1, 3}, {1, 1, 2}, {1, 1, 2}}},
		{name: "iterations without a user", give: Users(3).Iterations(5), n: 4, wantErr: "3 users cannot run iterations in each of 4 shards"},
		{name: "too few shared iterations", give: Users(8).SharedIterations(3), n: 4, wantErr: "3 shared iterations cannot be split over 4 shards"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sum := [3]int{}
			for i := 1; i <= tt.n; i++ {
				load, err := splitLoad(tt.give, i, tt.n)
				if tt.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
						t.Fatalf("err = %v, want %q", err, tt.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				st := load[0]
				got := [3]int{st.Users, st.UsersTo, st.IterationsShared}
				if got != tt.want[i-1] {
					t.Errorf("shard %d: users, users to, shared iterations = %v, want %v", i, got, tt.want[i-1])
				}
				for k := range sum {
					sum[k] += got[k]
				}
			}
			if whole := [3]int{tt.give.Users, tt.give.UsersTo, tt.give.IterationsShared}; sum != whole {
				t.Errorf("shards add up to %v, want the whole stage's %v", sum, whole)
			}
		})
	}
}

// TestShardingFromEnv checks the variables of a sharded run, and that
// each error names the variable at fault.
func TestShardingFromEnv(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	at := now.Add(time.Minute)
	tests := []struct {
		name    string
		give    map[string]string
		want    *sharding
		wantErr string
	}{
		{name: "unsharded", give: map[string]string{}},
		{name: "job index alone is not sharding", give: map[string]string{EnvJobIndex: "3"}},
		{name: "shard", give: map[string]string{EnvShard: "2/4", EnvRunGroup: "g1", EnvCommit: "abc"},
			want: &sharding{index: 2, count: 4, group: "g1", commit: "abc"}},
		{name: "indexed job", give: map[string]string{EnvShards: "4", EnvJobIndex: "0", EnvRunGroup: "g1", EnvCommit: "abc"},
			want: &sharding{index: 1, count: 4, group: "g1", commit: "abc"}},
		{name: "group from the start and commit", give: map[string]string{EnvShard: "1/2", EnvStartAt: "2026-11-23T10:01:00.000Z", EnvCommit: "0123456789abcdef"},
			want: &sharding{index: 1, count: 2, startAt: at, group: "start-20261123T100100.000Z-0123456789ab", commit: "0123456789abcdef"}},
		{name: "unix milliseconds", give: map[string]string{EnvShard: "1/1", EnvStartAt: "1795428060000", EnvCommit: "c"},
			want: &sharding{index: 1, count: 1, startAt: time.UnixMilli(1795428060000), group: "start-" + time.UnixMilli(1795428060000).UTC().Format("20060102T150405.000Z") + "-c", commit: "c"}},
		{name: "bad shard", give: map[string]string{EnvShard: "0/4", EnvRunGroup: "g"}, wantErr: "LOADGATE_SHARD=\"0/4\": the shard must be from 1 to 4"},
		{name: "not i/N", give: map[string]string{EnvShard: "2", EnvRunGroup: "g"}, wantErr: "LOADGATE_SHARD=\"2\": want i/N"},
		{name: "disagree", give: map[string]string{EnvShard: "2/4", EnvShards: "3", EnvRunGroup: "g"}, wantErr: "LOADGATE_SHARD=2/4 and LOADGATE_SHARDS=3 disagree"},
		{name: "indexed job agrees with shard", give: map[string]string{EnvShard: "2/4", EnvShards: "4", EnvJobIndex: "1", EnvRunGroup: "g1", EnvCommit: "abc"},
			want: &sharding{index: 2, count: 4, group: "g1", commit: "abc"}},
		// JOB_COMPLETION_INDEX=1 with LOADGATE_SHARD=3/4 ran as shard 3 of 4.
		{name: "indexed job disagrees with shard", give: map[string]string{EnvShard: "3/4", EnvShards: "4", EnvJobIndex: "1", EnvRunGroup: "g"},
			wantErr: "LOADGATE_SHARD=3/4 and JOB_COMPLETION_INDEX=1 disagree: JOB_COMPLETION_INDEX counts from 0 (index 2 is shard 3); set one of them"},
		{name: "job index disagrees without shards", give: map[string]string{EnvShard: "1/4", EnvJobIndex: "3", EnvRunGroup: "g"},
			wantErr: "LOADGATE_SHARD=1/4 and JOB_COMPLETION_INDEX=3 disagree"},
		{name: "job index not a number with shard", give: map[string]string{EnvShard: "1/4", EnvJobIndex: "one", EnvRunGroup: "g"},
			wantErr: "LOADGATE_SHARD=1/4 and JOB_COMPLETION_INDEX=one disagree"},
		{name: "shards without index", give: map[string]string{EnvShards: "4", EnvRunGroup: "g"}, wantErr: "LOADGATE_SHARDS=4 needs JOB_COMPLETION_INDEX"},
		{name: "index out of range", give: map[string]string{EnvShards: "4", EnvJobIndex: "4", EnvRunGroup: "g"}, wantErr: "JOB_COMPLETION_INDEX=\"4\" with LOADGATE_SHARDS=4: want 0 to 3"},
		{name: "bad shards", give: map[string]string{EnvShards: "four", EnvJobIndex: "1"}, wantErr: "LOADGATE_SHARDS=\"four\""},
		{name: "no group", give: map[string]string{EnvShard: "2/4"}, wantErr: "LOADGATE_SHARD=2/4 needs LOADGATE_RUN_GROUP or LOADGATE_START_AT"},
		// It named LOADGATE_SHARD=1/4, a variable the Job does not set.
		{name: "indexed job without group", give: map[string]string{EnvShards: "4", EnvJobIndex: "0"},
			wantErr: "JOB_COMPLETION_INDEX=0 with LOADGATE_SHARDS=4 needs LOADGATE_RUN_GROUP or LOADGATE_START_AT"},
		{name: "start without shard", give: map[string]string{EnvStartAt: "1795428060000"}, wantErr: "LOADGATE_START_AT is for sharded runs: set LOADGATE_SHARD=i/N too"},
		// An Indexed Job without LOADGATE_SHARDS was told to set
		// LOADGATE_SHARD=i/N, which in a Job's template makes every pod
		// the same shard.
		{name: "start with job index alone", give: map[string]string{EnvStartAt: "1795428060000", EnvJobIndex: "2"},
			wantErr: "LOADGATE_START_AT is for sharded runs: with JOB_COMPLETION_INDEX=2 (a Kubernetes Indexed Job), set LOADGATE_SHARDS=N too"},
		{name: "start in seconds", give: map[string]string{EnvShard: "1/2", EnvStartAt: "1795428060"}, wantErr: "LOADGATE_START_AT=\"1795428060\": want Unix milliseconds"},
		{name: "start malformed", give: map[string]string{EnvShard: "1/2", EnvStartAt: "10:00"}, wantErr: "LOADGATE_START_AT=\"10:00\": want RFC 3339"},
		{name: "start too far ahead", give: map[string]string{EnvShard: "1/2", EnvStartAt: "2026-11-23T12:00:00Z"}, wantErr: "LOADGATE_START_AT=2026-11-23T12:00:00Z is 2h0m0s ahead"},
		{name: "group on two lines", give: map[string]string{EnvShard: "1/2", EnvRunGroup: "a\nb"}, wantErr: "LOADGATE_RUN_GROUP="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := shardingFromEnv(func(k string) string { return tt.give[k] }, now)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == nil {
				if got != nil {
					t.Fatalf("got %+v, want unsharded", got)
				}
				return
			}
			if got == nil || got.index != tt.want.index || got.count != tt.want.count || !got.startAt.Equal(tt.want.startAt) ||
				got.group != tt.want.group || got.commit != tt.want.commit {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestShardStartLate checks that a process's first scenario refuses a
// LOADGATE_START_AT more than StartAtLate in the past, and that later
// ones, once the start is claimed, start when they come.
func TestShardStartLate(t *testing.T) {
	defer startClaimed.Store(startClaimed.Load())
	startClaimed.Store(false)
	now := time.Now()
	sh := &sharding{index: 1, count: 2, startAt: now.Add(-time.Minute), group: "g"}
	if _, err := sh.pendingStart(now); err == nil || !strings.Contains(err.Error(), "LOADGATE_START_AT=") || !strings.Contains(err.Error(), "ago, more than 5s") {
		t.Errorf("a start a minute ago: err = %v, want a refusal naming LOADGATE_START_AT", err)
	}
	sh.startAt = now.Add(-time.Second)
	if at, err := sh.pendingStart(now); err != nil || !at.Equal(sh.startAt) {
		t.Errorf("a start a second ago: %v, %v; want to start at once, measuring the skew", at, err)
	}
	startClaimed.Store(true)
	sh.startAt = now.Add(-time.Minute)
	if at, err := sh.pendingStart(now); err != nil || !at.IsZero() {
		t.Errorf("after the first scenario: %v, %v; want no wait and no error", at, err)
	}
}

// TestShardRun runs shard 2 of 4 of a load against a local server, and
// checks what its result says: exactly every fourth arrival sent, the
// plan of the whole load and the shard's share, the start kept, every
// distribution whole for the merge, the file named after the shard, and
// the schema.
func TestShardRun(t *testing.T) {
	defer startClaimed.Store(startClaimed.Load())
	startClaimed.Store(false)
	// Shard.Run numbers the runs of a scenario in the process: start this
	// one afresh, so that go test -count=N (or another test's scenario
	// named "sharded") finds run 1 each time.
	runCounts.Lock()
	defer func(n int) { runCounts.Lock(); runCounts.n["sharded"] = n; runCounts.Unlock() }(runCounts.n["sharded"])
	delete(runCounts.n, "sharded")
	runCounts.Unlock()
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { served.Add(1) }))
	defer srv.Close()
	out := t.TempDir()
	start := time.Now().Add(300 * time.Millisecond).Truncate(time.Millisecond)
	t.Setenv(EnvShard, "2/4")
	t.Setenv(EnvStartAt, start.UTC().Format(time.RFC3339Nano))
	t.Setenv(EnvCommit, "0123456789abcdef")
	t.Setenv(EnvOut, out)
	res := Run(t, Scenario{
		Name:   "sharded",
		Target: Mix(Request{Name: "home", URL: srv.URL}),
		Load:   Rate(400).For(time.Second),
		Warmup: 200 * time.Millisecond,
		Leaks:  LeakCheck{Off: true},
	})
	if res == nil {
		t.FailNow()
	}
	// 400 arrivals in the second, 80 in the warm-up: shard 2 takes
	// arrivals 1, 5, 9, …
	if res.Requests != 100 || res.Warmup.Requests != 20 {
		t.Errorf("sent %d (warm-up %d), want 100 (20)", res.Requests, res.Warmup.Requests)
	}
	sh := res.Shard
	if sh == nil {
		t.Fatal("no shard in the result")
	}
	if sh.Index != 2 || sh.Count != 4 || sh.Run != 1 || sh.Commit != "0123456789abcdef" || !strings.HasPrefix(sh.Group, "start-") {
		t.Errorf("shard = %+v", sh)
	}
	if res.Load.Stages[0].From != 400 || len(sh.Plan) != 1 || sh.Plan[0].From != 100 || sh.Plan[0].Name != "400/s" {
		t.Errorf("plan %+v, share %+v: want the whole 400/s and a share of 100/s", res.Load.Stages, sh.Plan)
	}
	if st := sh.Start; st == nil || !st.At.Equal(start) {
		t.Errorf("start = %+v, want at %v", st, start)
	} else if want := start.Add(time.Second / 400); st.FirstSend.Before(want) {
		t.Errorf("first send %v, before its planned %v", st.FirstSend, want)
	}
	if !sh.LoadStart.Equal(start.Add(200 * time.Millisecond)) {
		t.Errorf("load start %v, want the start plus the warm-up, %v", sh.LoadStart, start.Add(200*time.Millisecond))
	}
	if res.Stages[0].Latency.HDR == "" || res.Phases["total"].HDR == "" || res.ByName["home"].Latency.HDR == "" {
		t.Error("a sharded result lacks a histogram of a stage, a phase or a name")
	}
	for _, s := range res.Timeline {
		if s.Requests > 0 && (s.HDR == "" || s.ServiceHDR == "") {
			t.Errorf("second %d has no histogram of its latencies or of its service times", s.Second)
		}
	}
	if !strings.Contains(Summary(res), "shard 2 of 4 of run group start-") {
		t.Errorf("the summary does not say which shard:\n%s", Summary(res))
	}
	data, err := os.ReadFile(out + "/sharded.shard-2-of-4.json")
	if err != nil {
		t.Fatal(err)
	}
	schematest.Validate(t, schemaPath, data)
	var back Result
	if err := json.Unmarshal(data, &back); err != nil || back.Shard == nil || back.Shard.Index != 2 {
		t.Errorf("the file does not keep the shard: %v", err)
	}
}

// TestShardUniqueFeed checks that Table.Unique gives each shard its own
// rows in a sharded run.
func TestShardUniqueFeed(t *testing.T) {
	tab, err := RowsOf("ids", []string{"id"}, [][]string{{"0"}, {"1"}, {"2"}, {"3"}, {"4"}, {"5"}, {"6"}, {"7"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvShards, "3")
	t.Setenv(EnvJobIndex, "1")
	t.Setenv(EnvRunGroup, "g")
	f := tab.Unique()
	var got []string
	for {
		row, err := f.Next()
		if err != nil {
			break
		}
		got = append(got, row.Get("id"))
	}
	if want := []string{"1", "4", "7"}; !slices.Equal(got, want) {
		t.Errorf("shard 2 of 3 used rows %v, want %v", got, want)
	}
}

// TestShardRefusedScenario checks that a scenario whose split would leave
// a shard without users is refused before any load, naming the shard and
// the variables that made it: a Kubernetes Indexed Job's pod was told
// LOADGATE_SHARD, which it never set.
func TestShardRefusedScenario(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"shard", map[string]string{EnvShard: "1/4"}, "(as shard 1 of 4, LOADGATE_SHARD=1/4)"},
		{"indexed job", map[string]string{EnvJobIndex: "2", EnvShards: "4"}, "(as shard 3 of 4, JOB_COMPLETION_INDEX=2 with LOADGATE_SHARDS=4)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			t.Setenv(EnvRunGroup, "g")
			_, err := Execute(context.Background(), Scenario{
				Target: Func(func(context.Context) error { return nil }),
				Load:   Users(2).Iterations(10),
			})
			if err == nil || !strings.Contains(err.Error(), "2 users cannot run iterations in each of 4 shards") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v; want it to say %q", err, tt.want)
			}
		})
	}
}

// TestShardStartLateSchedule checks a shard that reaches LOADGATE_START_AT
// late, within StartAtLate: its schedule starts when it does, so that its
// lateness is in its start skew alone, not in its latencies nor its pacer
// lag. (Anchored on the missed start, its open model sent every arrival
// it had missed at once and timed each from the missed plan: a user's run
// 1 s late had a p50 of 908 ms and "sends left up to 1.03s late".)
func TestShardStartLateSchedule(t *testing.T) {
	defer startClaimed.Store(startClaimed.Load())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	// A start in the past costs no waiting: a lateness far above any
	// loopback latency keeps the test free of timing on a busy machine.
	const late = 2 * time.Second
	for _, warmup := range []time.Duration{0, 100 * time.Millisecond} {
		t.Run("warm-up "+warmup.String(), func(t *testing.T) {
			startClaimed.Store(false)
			start := time.Now().Add(-late).Truncate(time.Millisecond)
			t.Setenv(EnvShard, "1/1")
			t.Setenv(EnvStartAt, start.UTC().Format(time.RFC3339Nano))
			t.Setenv(EnvCommit, "0123456789abcdef")
			called := time.Now()
			res, err := Execute(context.Background(), Scenario{
				Name:   "late",
				Target: Mix(Request{Name: "home", URL: srv.URL}),
				Load:   Rate(50).For(200 * time.Millisecond),
				Warmup: warmup,
				Leaks:  LeakCheck{Off: true},
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := res.Validate(); err != nil {
				t.Errorf("the late shard's result is refused: %v", err)
			}
			sh := res.Shard
			if sh == nil || sh.Start == nil {
				t.Fatalf("shard %+v: want its start kept", sh)
			}
			st := sh.Start
			// Arrival 0 is planned at the start itself: the skew is the
			// first send less LOADGATE_START_AT.
			if !st.At.Equal(start) || st.SkewNS < int64(late) || !st.FirstSend.Add(-time.Duration(st.SkewNS)).Equal(start) {
				t.Errorf("start %+v: want at %v, a skew of at least the lateness %v, measured from the start", st, start, late)
			}
			if !sh.LoadStart.After(called.Add(warmup)) {
				t.Errorf("load start %v, before the shard was started (%v) plus its warm-up: the schedule began at the missed start", sh.LoadStart, called)
			}
			if res.Requests != 10 {
				t.Errorf("%d requests, want the 10 planned", res.Requests)
			}
			if lag := time.Duration(res.PacerLagMaxNS); lag >= late/2 {
				t.Errorf("pacer lag %v: the lateness (%v) was charged to the schedule", lag, late)
			}
			if p99 := time.Duration(res.Latency.P99NS); p99 >= late/2 {
				t.Errorf("latency p99 %v: the lateness (%v) was charged to every latency", p99, late)
			}
		})
	}
}
