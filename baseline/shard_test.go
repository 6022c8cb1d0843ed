package baseline

import (
	"errors"
	"os"
	"path/filepath"
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
