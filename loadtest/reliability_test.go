package loadtest_test

// Reliability cases of issue 20 ("nothing lost, nothing passing by
// accident"), each named after the failure it guards.

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/loadtest"
)

// TestIssue20ReadFileRefusesImpossibleResults (failure 3): loadgate compare
// took five results with a p99 of -5ms as "-107.43% better", and a p99 of
// MaxInt64 (above its own p99.9) as a base that hid any regression. The
// one reader of result files refuses every number that cannot have been
// measured, naming the file, the field and the value; the golden result
// itself reads.
func TestIssue20ReadFileRefusesImpossibleResults(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "result.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(m map[string]any)
		want string // "" reads
	}{
		{"golden", func(map[string]any) {}, ""},
		{"negative p99", func(m map[string]any) { sub(m, "latency")["p99_ns"] = -5000000 },
			"result of checkout: latency.p99_ns = -5000000: negative"},
		{"p99 of MaxInt64 above p999", func(m map[string]any) { sub(m, "latency")["p99_ns"] = int64(math.MaxInt64) },
			"result of checkout: latency.p99_ns = 9223372036854775807: above p999_ns = "},
		{"p50 below min", func(m map[string]any) { sub(m, "service_time")["min_ns"] = int64(math.MaxInt32) },
			"service_time.min_ns = 2147483647: above p50_ns = "},
		{"percentiles without a count", func(m map[string]any) { sub(m, "latency")["count"] = 0 },
			"latency.min_ns = 1000: set, but count = 0"},
		{"negative requests", func(m map[string]any) { m["requests"] = -1 }, "requests = -1: negative"},
		{"error rate that is not errors/requests", func(m map[string]any) { m["error_rate"] = 0.9 },
			"error_rate = 0.9: errors / requests is 1 / 3 = 0.333333"},
		{"rate faster than the requests", func(m map[string]any) { m["rate"] = 22184.3 },
			"rate = 22184.3: faster than 3 requests in 1s allow"},
		{"negative throughput", func(m map[string]any) { m["throughput"] = -2 }, "throughput = -2: negative"},
		{"negative dropped", func(m map[string]any) { m["dropped"] = -1 }, "dropped = -1: negative"},
		{"stage with more errors than requests", func(m map[string]any) { m["stages"].([]any)[0].(map[string]any)["errors"] = 5 },
			"stages[0].errors = 5: more than requests = "},
		{"negative heap", func(m map[string]any) { sub(m, "runtime")["heap_peak_bytes"] = -1 }, "runtime.heap_peak_bytes = -1: negative"},
		{"phase p99 above max", func(m map[string]any) {
			m["phases"].(map[string]any)["total"].(map[string]any)["p99_ns"] = int64(math.MaxInt64)
		},
			`phases["total"].p99_ns = 9223372036854775807: above p999_ns`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(golden, &m); err != nil {
				t.Fatal(err)
			}
			tt.edit(m)
			data, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "checkout.json")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = loadtest.ReadFile(path)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("the golden result is refused: %v", err)
			case tt.want == "":
			case err == nil:
				t.Fatalf("read an impossible result; want %q", tt.want)
			case !strings.HasPrefix(err.Error(), path+": ") || !strings.Contains(err.Error(), tt.want):
				t.Fatalf("error %q\nwant the path and %q", err, tt.want)
			}
		})
	}
}

func sub(m map[string]any, key string) map[string]any { return m[key].(map[string]any) }
