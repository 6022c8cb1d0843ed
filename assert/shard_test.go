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
