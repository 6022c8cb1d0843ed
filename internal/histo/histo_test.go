package histo

import (
	"strings"
	"testing"
	"time"
)

// summary records the latencies from..to in steps.
func summary(t *testing.T, from, to, step time.Duration) Summary {
	t.Helper()
	h := New()
	for d := from; d <= to; d += step {
		if err := h.RecordValue(int64(d)); err != nil {
			t.Fatal(err)
		}
	}
	return Summarize(h, true)
}

func TestMerge(t *testing.T) {
	low := summary(t, time.Millisecond, 100*time.Millisecond, time.Millisecond)      // 100 values
	high := summary(t, 101*time.Millisecond, 200*time.Millisecond, time.Millisecond) // 100 values
	noHDR := low
	noHDR.HDR = ""
	tests := []struct {
		name      string
		give      []Summary
		wantCount int64
		wantP50   time.Duration // within 0.1%
		wantMax   time.Duration
		wantErr   string
	}{
		{name: "none", wantCount: 0},
		{name: "one", give: []Summary{low}, wantCount: 100, wantP50: 50 * time.Millisecond, wantMax: 100 * time.Millisecond},
		{name: "two", give: []Summary{low, high}, wantCount: 200, wantP50: 100 * time.Millisecond, wantMax: 200 * time.Millisecond},
		{name: "empty skipped", give: []Summary{{}, high}, wantCount: 100, wantP50: 150 * time.Millisecond, wantMax: 200 * time.Millisecond},
		{name: "no hdr", give: []Summary{high, noHDR}, wantErr: "latency has no hdr histogram"},
		{name: "bad hdr", give: []Summary{{Count: 1, HDR: "not base64"}}, wantErr: "decoding hdr histogram"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Merge(tt.give...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Merge error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Count != tt.wantCount {
				t.Errorf("Count = %d, want %d", got.Count, tt.wantCount)
			}
			if !near(got.P50NS, tt.wantP50) || !near(got.MaxNS, tt.wantMax) {
				t.Errorf("p50 %v, max %v; want %v, %v", time.Duration(got.P50NS), time.Duration(got.MaxNS), tt.wantP50, tt.wantMax)
			}
			if got.Count > 0 {
				h, err := Decode(got.HDR)
				if err != nil || h.TotalCount() != got.Count {
					t.Errorf("merged HDR decodes to %v (err %v), want %d values", h, err, got.Count)
				}
			}
		})
	}
}

// near reports whether ns is within the histogram's 0.1% of want.
func near(ns int64, want time.Duration) bool {
	d := time.Duration(ns) - want
	return d.Abs() <= want/1000
}

func TestSummarizeWithoutHDR(t *testing.T) {
	s := summary(t, time.Millisecond, 10*time.Millisecond, time.Millisecond)
	h, _ := Decode(s.HDR)
	if bare := Summarize(h, false); bare.HDR != "" || bare.Count != 10 || bare.P99NS != s.P99NS {
		t.Errorf("Summarize(h, false) = %+v, want the percentiles of %+v without HDR", bare, s)
	}
	if empty := Summarize(New(), true); empty != (Summary{}) {
		t.Errorf("Summarize(empty) = %+v, want the zero Summary", empty)
	}
}
