package report

import (
	"fmt"

	"github.com/loadgate/loadgate/loadtest"
)

// shardsOf is the table of the shards of the head's merged results
// (loadgate merge): a row per shard and run, the cells loadgate merge
// prints and the GitHub Action's comment shows (loadtest.ShardRun.Cells),
// so that one late or slow generator shows on the page too. nil when no
// head run is a merged one.
func shardsOf(runs []*loadtest.Result) *table {
	multi := len(runs) > 1
	t := &table{}
	n := 0
	for i, r := range runs {
		if r.Shard != nil {
			n = max(n, r.Shard.Count)
		}
		for _, s := range r.Shards {
			n = max(n, s.Index)
			row := s.Cells()
			if multi {
				row = append([]string{fmt.Sprint(i + 1)}, row...)
			}
			t.Rows = append(t.Rows, row)
		}
	}
	if len(t.Rows) == 0 {
		return nil
	}
	if multi {
		t.Header = append(t.Header, "run")
	}
	t.Header = append(t.Header, loadtest.ShardRunColumns...)
	t.Title = fmt.Sprintf("One load split over %d generators and merged (loadgate merge); the verdict is the merged result's. "+
		"Start skew is how late a shard's first request left after its planned time (LOADGATE_START_AT), pacer lag how far its sends fell behind its schedule, CPU its process's.", n)
	return t
}
