package assert_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/loadtest"
)

// TestShardPlannedRate checks that a share of the planned rate is a share
// of the shard's own plan in a shard's result (issue 16), and of the whole
// plan in a merged one.
func TestShardPlannedRate(t *testing.T) {
	whole := loadtest.StagePlan{Name: "400/s", Model: loadtest.Open, Arrivals: loadtest.Even, From: 400, To: 400, DurationNS: int64(time.Second)}
	share := whole
	share.From, share.To = 100, 100
	res := &loadtest.Result{
		Scenario: "checkout", Requests: 100, Rate: 100, Throughput: 100, DurationNS: int64(time.Second),
		Load:   loadtest.LoadInfo{Model: loadtest.Open, Stages: []loadtest.StagePlan{whole}},
		Stages: []loadtest.StageResult{{Name: "400/s", ElapsedNS: int64(time.Second), Requests: 100, Rate: 100, Throughput: 100}},
		Shard:  &loadtest.Shard{Index: 2, Count: 4, Group: "g", Plan: []loadtest.StagePlan{share}},
	}
	outs, err := assert.Check(res, "throughput >= 95%")
	if err != nil || !outs[0].Pass || !strings.Contains(outs[0].Message, "the planned 100/s") {
		t.Errorf("a shard: %+v, %v; want a pass against the shard's 100/s", outs, err)
	}
	res.Shard = &loadtest.Shard{Count: 4, Group: "g"}
	outs, err = assert.Check(res, "throughput >= 95%")
	if err != nil || outs[0].Pass || !strings.Contains(outs[0].Message, "the planned 400/s") {
		t.Errorf("a merged result: %+v, %v; want a failure against the whole 400/s", outs, err)
	}
}

// TestShardRuntimeLimits checks that a limit on the test process's runtime
// holds on a merged result when it holds on every shard's process, and
// that the outcome names the shard that decided it (was: "no requests
// completed", a failure of every such limit on every merged result).
func TestShardRuntimeLimits(t *testing.T) {
	res := &loadtest.Result{
		Scenario: "checkout", Requests: 300, Rate: 100, Throughput: 100, DurationNS: int64(3 * time.Second),
		Shard: &loadtest.Shard{Count: 3, Group: "g"},
		Shards: []loadtest.ShardRun{
			{Index: 1, Runtime: loadtest.RuntimeStats{GoroutinesStart: 10, GoroutinesEnd: 11, HeapPeakBytes: 8 << 20}},
			{Index: 2, Runtime: loadtest.RuntimeStats{GoroutinesStart: 10, GoroutinesEnd: 18, HeapPeakBytes: 9 << 20}},
			{Index: 3, Runtime: loadtest.RuntimeStats{GoroutinesStart: 12, GoroutinesEnd: 12, HeapPeakBytes: 700 << 20}},
		},
	}
	for _, c := range []struct {
		expr string
		pass bool
		want string
	}{
		{"goroutines_end - goroutines_start <= 5", false, "= 8, want <= 5 (60% over) in shard 2 of 3"},
		{"goroutines_end - goroutines_start <= 10", true, "= 8, want <= 10 (20% under) in shard 2 of 3"},
		{"heap_peak < 512MiB", false, "in shard 3 of 3"},
		{"heap_peak < 1GiB", true, "in shard 3 of 3"},
	} {
		outs, err := assert.Check(res, c.expr)
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if outs[0].Pass != c.pass || !strings.Contains(outs[0].Message, c.want) {
			t.Errorf("%s: pass %v, %q; want pass %v and %q", c.expr, outs[0].Pass, outs[0].Message, c.pass, c.want)
		}
	}
}
