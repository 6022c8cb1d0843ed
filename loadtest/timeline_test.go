package loadtest_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/histo"
	"github.com/loadgate/loadgate/loadtest"
)

// TestTimelineSeconds checks what each second of the timeline carries for
// the report and the windowed SLAs of issue 17: p50 ≤ p90 ≤ p99 of the
// latency and of the service time, errors by kind that add up to the
// second's errors, and an HDR histogram that holds the second's requests.
func TestTimelineSeconds(t *testing.T) {
	var n atomic.Int64
	errQuota := errors.New("over quota")
	res := loadtest.Run(t, loadtest.Scenario{
		Target: loadtest.Func(func(ctx context.Context) error {
			if n.Add(1)%5 == 0 {
				return loadtest.KindError("quota", errQuota)
			}
			return nil
		}),
		Load: loadtest.Rate(200).For(2 * time.Second),
	})
	if len(res.Timeline) == 0 {
		t.Fatal("no timeline")
	}
	var errs, kinds, requests int64
	for _, s := range res.Timeline {
		errs += s.Errors
		requests += s.Requests
		var sk int64
		for _, c := range s.ErrorKinds {
			sk += c
		}
		if sk != s.Errors {
			t.Errorf("second %d: error kinds add up to %d, errors = %d", s.Second, sk, s.Errors)
		}
		kinds += s.ErrorKinds["quota"]
		if s.Requests == 0 {
			continue
		}
		if !(s.P50NS <= s.P90NS && s.P90NS <= s.P99NS) || !(s.ServiceP50NS <= s.ServiceP90NS && s.ServiceP90NS <= s.ServiceP99NS) || s.ServiceP99NS == 0 {
			t.Errorf("second %d: percentiles out of order: %+v", s.Second, s)
		}
		h, err := histo.Decode(s.HDR)
		if err != nil {
			t.Fatalf("second %d: %v", s.Second, err)
		}
		if h.TotalCount() != s.Requests {
			t.Errorf("second %d: hdr holds %d requests, want %d", s.Second, h.TotalCount(), s.Requests)
		}
		if s.ServiceHDR != "" {
			t.Errorf("second %d of a run that is no shard keeps its service times' histogram, which only loadgate merge reads", s.Second)
		}
	}
	if kinds != res.ErrorKinds["quota"] || errs != res.Errors || requests != res.Requests {
		t.Errorf("timeline: %d requests, %d errors, %d of kind quota; result: %d, %d, %d",
			requests, errs, kinds, res.Requests, res.Errors, res.ErrorKinds["quota"])
	}
}
