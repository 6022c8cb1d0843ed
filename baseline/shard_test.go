package baseline

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

// TestShardNotJudged checks that a shard's own result, a slice of the
// load, is neither compared nor recorded nor checked against SLA limits
// (issue 16), and that a merged result is a run like any other.
func TestShardNotJudged(t *testing.T) {
	shard := result("checkout", time.Millisecond, 1)
	shard.Shard = &loadtest.Shard{Index: 2, Count: 4, Group: "g"}
	if _, err := SampleOf(shard); !errors.Is(err, ErrShard) || !strings.Contains(err.Error(), "ran as shard 2 of 4 (run group g)") {
		t.Errorf("SampleOf(a shard) err = %v, want ErrShard naming the shard", err)
	}
	merged := result("checkout", time.Millisecond, 2)
	merged.Shard = &loadtest.Shard{Count: 4, Group: "g", Run: 1, LoadStart: merged.Started} // as loadgate merge writes it
	merged.Shards = []loadtest.ShardRun{{Index: 1}, {Index: 2}, {Index: 3}, {Index: 4}}
	ms, err := SampleOf(merged)
	if err != nil {
		t.Fatalf("SampleOf(a merged result): %v", err)
	}
	// A merged run's runtime statistics are per shard: not compared.
	c, err := Compare(ms, ms, DefaultPolicy)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range c.Rows {
		if row.Metric == "heap_peak" || row.Metric == "goroutine_growth" || row.Metric == "gc_pause_p99" {
			t.Errorf("merged runs compared on %s, which they keep per shard", row.Metric)
		}
	}
	if len(c.Rows) == 0 || ms.Runs[0].Shards != 4 {
		t.Errorf("%d rows compared, run %+v: want the latencies compared, 4 shards recorded", len(c.Rows), ms.Runs[0])
	}

	dir := t.TempDir()
	for _, update := range []string{"0", "1"} {
		t.Setenv(EnvUpdate, update)
		tb := &fakeTB{}
		if c := Check(tb, shard, WithDir(dir), WithSLA("p99 < 1ms")); c != nil || tb.failed() {
			t.Errorf("%s=%s: Check of a shard compared or failed:\n%s", EnvUpdate, update, tb.text())
		}
		if !strings.Contains(tb.text(), "not compared, recorded or checked against SLA limits") {
			t.Errorf("%s=%s: Check did not say why it left the shard alone:\n%s", EnvUpdate, update, tb.text())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "checkout.json")); !os.IsNotExist(err) {
		t.Errorf("a shard's result was recorded as a baseline: %v", err)
	}
}

// TestComparePartial: a merged result that lacks shards (loadgate merge
// -partial) has the throughput and dropped arrivals of a share of the
// load; a comparison leaves those rows unjudged and says which runs lacked
// shards, and still judges the latencies. It used to fail throughput
// -33% as the service's regression, the missing shard said nowhere.
func TestComparePartial(t *testing.T) {
	merged := func(seed uint64, median time.Duration, missing []int) *loadtest.Result {
		r := result("checkout", median, seed)
		r.Shard = &loadtest.Shard{Count: 3, Group: "g", Run: 1, LoadStart: r.Started, Missing: missing, Partial: len(missing) > 0}
		for i := 1; i <= 3; i++ {
			if !slices.Contains(missing, i) {
				r.Shards = append(r.Shards, loadtest.ShardRun{Index: i})
			}
		}
		r.Throughput *= float64(len(r.Shards)) / 3
		r.Dropped = 30 * int64(len(r.Shards))
		return r
	}
	var base, head, slower []*loadtest.Result
	for i := range uint64(5) {
		base = append(base, merged(i, time.Millisecond, nil))
		head = append(head, merged(10+i, time.Millisecond, []int{3}))
		slower = append(slower, merged(20+i, 2*time.Millisecond, []int{3}))
	}
	c, err := CompareRuns(base, head, DefaultPolicy)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range c.Rows {
		load := r.Metric == Throughput || r.Metric == Dropped
		if r.Partial != load || load && (r.Verdict != Inconclusive || r.Note != "partial: a share of the load, not judged") {
			t.Errorf("%s: partial %v, verdict %v, note %q; want partial %v (inconclusive, saying why) for throughput and dropped only", r.Metric, r.Partial, r.Verdict, r.Note, load)
		}
	}
	wantWhy := "inconclusive: partial: throughput, dropped not judged: runs that hold a share of the load have the counts and rates of that share (head run 1: 2 of 3 shards merged, shard 3 missing; head run 2:"
	if c.Verdict != Inconclusive || len(c.Reasons) == 0 || !strings.HasPrefix(c.Reasons[0], wantWhy) || len(c.Partial) != 5 {
		t.Errorf("verdict %v, reasons %q, partial %q; want inconclusive, first saying %q", c.Verdict, c.Reasons, c.Partial, wantWhy)
	}
	var js strings.Builder
	if err := c.WriteJSON(&js); err != nil || !strings.Contains(js.String(), `"partial": true`) || !strings.Contains(js.String(), `"head run 5: 2 of 3 shards merged, shard 3 missing"`) {
		t.Errorf("JSON (%v) does not say which rows and runs were partial:\n%s", err, js.String())
	}
	// The latencies of the shards there are still judge the service.
	if c, err := CompareRuns(base, slower, DefaultPolicy); err != nil || c.Verdict != Fail || !slices.ContainsFunc(c.Rows, func(r Row) bool { return r.Verdict == Fail }) {
		t.Errorf("a doubled p99 of partial runs: %v, %v; want a failure", c, err)
	}
}

// TestCompareOutOfStep: merged results whose shards began apart hold the
// whole load, spread over a longer window: their throughput is left
// unjudged, said so, but their dropped arrivals (each shard's against its
// own schedule) are judged, and the words are not "a share of the load",
// which they are not. Recording them is refused, saying why.
func TestCompareOutOfStep(t *testing.T) {
	spread := func(seed uint64, dropped int64) *loadtest.Result {
		r := result("checkout", time.Millisecond, seed)
		r.Shard = &loadtest.Shard{Count: 2, Group: "g", Run: 1, LoadStart: r.Started, OutOfStep: "shard 2 3.014s after shard 1"}
		r.Shards = []loadtest.ShardRun{{Index: 1}, {Index: 2}}
		r.Throughput *= 0.6
		r.Dropped = dropped
		return r
	}
	var base, head, dropping []*loadtest.Result
	for i := range uint64(5) {
		base = append(base, result("checkout", time.Millisecond, i))
		head = append(head, spread(10+i, 0))
		dropping = append(dropping, spread(20+i, 500+int64(i)))
	}
	// Whole runs on both sides: Spread, exported, is not true of them.
	if c, err := CompareRuns(base, base, DefaultPolicy); err != nil || c.Spread {
		t.Errorf("runs without a partial one: spread %v, err %v; want not spread", c != nil && c.Spread, err)
	}
	c, err := CompareRuns(base, head, DefaultPolicy)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Spread || len(c.Partial) != 5 || c.Partial[0] != "head run 1: out of step: shard 2 3.014s after shard 1" {
		t.Errorf("spread %v, partial %q; want spread, every head run named", c.Spread, c.Partial)
	}
	for _, r := range c.Rows {
		unjudged := r.Metric == Throughput
		if r.Partial != unjudged || unjudged && (r.Verdict != Inconclusive || r.Note != "out of step: the load spread over a longer window, not judged") {
			t.Errorf("%s: partial %v, verdict %v, note %q; want partial %v (inconclusive, saying why) for throughput only", r.Metric, r.Partial, r.Verdict, r.Note, unjudged)
		}
	}
	wantWhy := "inconclusive: throughput not judged: the shards began out of step, so the load was spread over a longer window than planned (head run 1: out of step: shard 2 3.014s after shard 1;"
	if c.Verdict != Inconclusive || len(c.Reasons) == 0 || !strings.HasPrefix(c.Reasons[0], wantWhy) {
		t.Errorf("verdict %v, reasons %q; want inconclusive, first saying %q", c.Verdict, c.Reasons, wantWhy)
	}
	// Dropped arrivals are the service's (or the generator's) still.
	if c, err := CompareRuns(base, dropping, DefaultPolicy); err != nil || !slices.ContainsFunc(c.Rows, func(r Row) bool { return r.Metric == Dropped && r.Verdict == Fail }) {
		t.Errorf("500 dropped arrivals a run, out of step: %v, %v; want the dropped row to fail", c, err)
	}
	// A base run that lacked a shard makes it a share of the load again.
	mixed := slices.Clone(base)
	mixed[0] = result("checkout", time.Millisecond, 30)
	mixed[0].Shard = &loadtest.Shard{Count: 2, Group: "g", Run: 1, LoadStart: mixed[0].Started, Partial: true, Missing: []int{2}}
	mixed[0].Shards = []loadtest.ShardRun{{Index: 1}}
	if c, err := CompareRuns(mixed, head, DefaultPolicy); err != nil || c.Spread || !slices.ContainsFunc(c.Rows, func(r Row) bool { return r.Metric == Dropped && r.Partial }) {
		t.Errorf("a partial base and spread heads: %v, %v; want not spread, dropped unjudged", c, err)
	}
	_, err = Record(filepath.Join(t.TempDir(), "checkout.json"), "u1", head[0])
	if want := "not recording checkout: result 1: out of step: shard 2 3.014s after shard 1: its throughput is that of a longer window than planned"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Record(an out-of-step merge) = %v, want %q", err, want)
	}
}

// TestCompareInterrupted: a head run that Ctrl-C stopped halfway has half
// the requests and, at an open-model rate, the throughput of the time it
// ran; judged, its counts were the service's regression or a pass of a
// share of the load. They are left unjudged as a partial merge's are, the
// interrupt said; its latencies are still judged.
func TestCompareInterrupted(t *testing.T) {
	var base, head []*loadtest.Result
	for i := range uint64(5) {
		base = append(base, result("checkout", time.Millisecond, i))
		r := result("checkout", time.Millisecond, 10+i)
		if i == 2 {
			r.Stopped = &loadtest.Stop{Cause: loadtest.StopInterrupted, Stage: "hold", Reason: "interrupted by SIGINT (Ctrl-C)"}
			r.Throughput /= 2
			r.Dropped = 500
		}
		head = append(head, r)
	}
	c, err := CompareRuns(base, head, DefaultPolicy)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"head run 3: interrupted by SIGINT (Ctrl-C) in stage hold"}; !slices.Equal(c.Partial, want) {
		t.Errorf("partial %q, want %q", c.Partial, want)
	}
	for _, r := range c.Rows {
		load := r.Metric == Throughput || r.Metric == Dropped
		if r.Partial != load {
			t.Errorf("%s: partial %v, verdict %v; want partial (unjudged) for throughput and dropped only", r.Metric, r.Partial, r.Verdict)
		}
	}
	if c.Verdict != Inconclusive {
		t.Errorf("verdict %v (%q), want inconclusive", c.Verdict, c.Reasons)
	}
}

// TestPartialNotRecorded: a merge that lacks shards measured part of the
// load; recorded, it made every later full run look faster than its
// baseline. It is refused, naming the missing shard; the old baseline
// stays whole.
func TestPartialNotRecorded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "checkout.json")
	full := result("checkout", time.Millisecond, 1)
	if _, err := Record(path, "u1", full); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	partial := result("checkout", time.Millisecond, 2)
	partial.Shard = &loadtest.Shard{Count: 3, Group: "g", Run: 1, LoadStart: partial.Started, Partial: true, Missing: []int{3}}
	partial.Shards = []loadtest.ShardRun{{Index: 1}, {Index: 2}}
	_, err = Record(path, "u2", partial)
	if err == nil || !strings.Contains(err.Error(), "result 1 holds a share of the load (2 of 3 shards merged, shard 3 missing)") {
		t.Errorf("Record(a partial merge) = %v, want it refused naming the missing shard", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("the stored baseline changed")
	}
}

// TestInterruptedNotRecorded: a run Ctrl-C stopped holds the load until
// then, a part of it, and is refused as a partial merge is.
func TestInterruptedNotRecorded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "checkout.json")
	r := result("checkout", time.Millisecond, 1)
	r.Stopped = &loadtest.Stop{Cause: "interrupted", Reason: "interrupted by SIGINT (Ctrl-C)"}
	_, err := Record(path, "u1", r)
	// It said to run "the missing shards" of this unsharded run.
	if err == nil || !strings.HasSuffix(err.Error(), "result 1 holds a share of the load (interrupted by SIGINT (Ctrl-C)); record runs of the whole load (every shard merged, none interrupted)") {
		t.Errorf("Record(an interrupted run) = %v, want it refused", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("a baseline was written (%v)", err)
	}
}

// TestInterruptedShardNotRecorded: a merged result's stopped names the
// first shard that stopped; when that one stopped at a gate and a later
// shard was interrupted (its pod deleted), the merge was recorded as a
// baseline with that shard's load cut short.
func TestInterruptedShardNotRecorded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "checkout.json")
	r := result("checkout", time.Millisecond, 1)
	r.Shard = &loadtest.Shard{Count: 2, Group: "g", Run: 1, LoadStart: r.Started}
	r.Stopped = &loadtest.Stop{Cause: "gate", Stage: "200/s", Reason: "shard 1 of 2: p99 = 3ms, want < 2ms"}
	r.Shards = []loadtest.ShardRun{
		{Index: 1, Stopped: &loadtest.Stop{Cause: "gate", Stage: "200/s", Reason: "p99 = 3ms, want < 2ms"}},
		{Index: 2, Stopped: &loadtest.Stop{Cause: "interrupted", Stage: "100/s", Reason: "interrupted by SIGTERM"}},
	}
	_, err := Record(path, "u1", r)
	if err == nil || !strings.Contains(err.Error(), "result 1 holds a share of the load (shard 2: interrupted by SIGTERM in stage 100/s)") {
		t.Errorf("Record(a merge of an interrupted shard) = %v, want it refused naming the shard", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("a baseline was written (%v)", err)
	}
}

// TestSampleOfRefusesARunTwice: one run given twice (a result file copied
// under another name) would count as two runs, and let the rank test
// confirm what the runs made cannot.
func TestSampleOfRefusesARunTwice(t *testing.T) {
	a, b := result("checkout", time.Millisecond, 1), result("checkout", time.Millisecond, 2)
	if _, err := SampleOf(a, b, a); !errors.Is(err, ErrDuplicateRun) || !strings.Contains(err.Error(), "results 1 and 3 of checkout are one run (run_id run1)") {
		t.Errorf("SampleOf(a, b, a) err = %v, want ErrDuplicateRun naming results 1 and 3", err)
	}
	if _, err := CompareRuns([]*loadtest.Result{a, b}, []*loadtest.Result{b, b}, DefaultPolicy); !errors.Is(err, ErrDuplicateRun) {
		t.Errorf("CompareRuns with a head run twice: err = %v, want ErrDuplicateRun", err)
	}
	// Runs without a run id (results written by hand) are not told apart.
	c, d := result("checkout", time.Millisecond, 3), result("checkout", time.Millisecond, 4)
	c.RunID, d.RunID = "", ""
	if _, err := SampleOf(c, d); err != nil {
		t.Errorf("SampleOf(two runs without ids): %v", err)
	}
}
