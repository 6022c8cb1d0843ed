package loadtest

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// numberedTarget names each request by a number of its own, as a scenario
// naming requests by their parameters does.
type numberedTarget struct{ n atomic.Int64 }

func (t *numberedTarget) Hit(_ context.Context, s *Sample) error {
	s.Name = fmt.Sprintf("product %d", t.n.Add(1))
	return nil
}

// TestNamesBounded: a scenario naming every request apart keeps MaxNames
// names and counts the rest together as OtherNames, with a warning; each
// name held two latency histograms per shard (half a megabyte per CPU)
// without bound.
func TestNamesBounded(t *testing.T) {
	const total = MaxNames + 200
	res := runHTTPWith(t, &numberedTarget{}, Users(2).For(time.Minute).SharedIterations(total), func(s *Scenario) { s.Warmup = 0 })
	if len(res.ByName) != MaxNames+1 {
		t.Errorf("%d names, want %d and %q", len(res.ByName), MaxNames, OtherNames)
	}
	var sum int64
	for _, n := range res.ByName {
		sum += n.Requests
	}
	if other := res.ByName[OtherNames].Requests; sum != total || other != total-MaxNames {
		t.Errorf("%d requests by name, %d of them %q; want %d and %d", sum, other, OtherNames, total, total-MaxNames)
	}
	want := fmt.Sprintf("the requests had more than %d names: more than %d more were counted together", MaxNames, MaxNames)
	if !strings.Contains(strings.Join(res.Warnings, "\n"), want) {
		t.Errorf("warnings %q, want one saying %q", res.Warnings, want)
	}
}
