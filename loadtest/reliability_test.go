package loadtest_test

// Reliability cases of issue 20 ("nothing lost, nothing passing by
// accident"), each named after the failure it guards.

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadgate/loadgate/assert"
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
		{"p99 above p999", func(m map[string]any) { sub(m, "latency")["p99_ns"] = int64(time.Minute) },
			"result of checkout: latency.p99_ns = 60000000000: above p999_ns = "},
		{"p99 of MaxInt64", func(m map[string]any) { sub(m, "latency")["p99_ns"] = int64(math.MaxInt64) },
			"result of checkout: latency.p99_ns = 9223372036854775807: above 1h0m0s, the longest latency loadtest records"},
		{"null latency", func(m map[string]any) { m["latency"] = nil }, `checkout.json: latency: null, where loadtest writes a value`},
		{"empty latency", func(m map[string]any) { m["latency"] = map[string]any{} }, `no "latency.count", "latency.min_ns"`},
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
			m["phases"].(map[string]any)["total"].(map[string]any)["p99_ns"] = int64(time.Minute)
		},
			`phases["total"].p99_ns = 60000000000: above p999_ns`},
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

// TestIssue20MalformedGateFailsBeforeLoad (failure 4):
// Gated(assert.Gate("p99 <")) sent the first stage, stopped the run with
// the parse error in Result.Stopped, and the test and its SLAs passed.
// Run now fails the test before it sends anything, saying which stage's
// gate and why; a gate written by hand, which may not expect the nil stage
// Run asks about, runs as before.
func TestIssue20MalformedGateFailsBeforeLoad(t *testing.T) {
	var sent atomic.Int64
	target := loadtest.Func(func(context.Context) error { sent.Add(1); return nil })
	for _, tt := range []struct {
		name string
		gate loadtest.Gate
		want string // "" runs
	}{
		{"malformed", assert.Gate("p99 <"), `load stage 1 (first): gate: assert.Gate: "p99 <": column 6: missing a limit after <`},
		{"not for a gate", assert.Gate("p99 < 1s", "heap_peak < 1GiB"), "heap_peak is measured for the whole run only, so a gate cannot check it"},
		{"impossible limit", assert.Gate("error_rate < 150%"), "error_rate is at most 100%, so error_rate < 150% can never fail"},
		{"well-formed", assert.Gate("p99 < 1h"), ""},
		{"by hand, reading the stage", func(s *loadtest.StageResult) error { _ = s.Requests; return nil }, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sent.Store(0)
			ft := &fakeTB{TB: t}
			res := loadtest.Run(ft, loadtest.Scenario{
				Target: target,
				Load: loadtest.Ramp(
					loadtest.Rate(50).For(40*time.Millisecond).Named("first").Gated(tt.gate),
					loadtest.Rate(50).For(40*time.Millisecond).Named("second"),
				),
			})
			fatals := ft.fatalMessages()
			if tt.want == "" {
				if len(fatals) > 0 || res == nil || len(res.Stages) != 2 || res.Stopped != nil {
					t.Fatalf("a good gate: %v, %+v", fatals, res)
				}
				return
			}
			if res != nil || len(fatals) != 1 || !strings.Contains(fatals[0], tt.want) {
				t.Fatalf("got %v (result %v), want a failure with %q", fatals, res != nil, tt.want)
			}
			if n := sent.Load(); n != 0 {
				t.Errorf("%d requests sent before the failure", n)
			}
		})
	}
}

// TestIssue20ZeroLoadRefused (failure 5): Rate(0), Users(0) and
// Rate(0).RampTo(0) idled and sent nothing, and "throughput >= 95%" and
// "errors == 0" then passed; LOADGATE_SCALE=1e-9 reported "1 requests in
// 0s (22184.3 req/s sent)". Each is refused before any load, naming the
// stage; a ramp from or to 0 still runs.
func TestIssue20ZeroLoadRefused(t *testing.T) {
	var sent atomic.Int64
	target := loadtest.Func(func(context.Context) error { sent.Add(1); return nil })
	const d = 50 * time.Millisecond
	for _, tt := range []struct {
		name  string
		load  loadtest.Load
		scale string // LOADGATE_SCALE
		want  string // "" runs
	}{
		{"Rate(0)", loadtest.Rate(0).For(d), "", "load stage 1 (0/s): rate 0 sends nothing: remove the stage or give it a rate"},
		{"Poisson(0)", loadtest.Poisson(0).For(d), "", "load stage 1 (poisson 0/s): rate 0 sends nothing"},
		{"Rate(0).RampTo(0)", loadtest.Rate(0).RampTo(0).For(d), "", "rate 0 sends nothing"},
		{"Users(0)", loadtest.Users(0).For(d), "", "load stage 1 (0 users): 0 users send nothing: remove the stage or give it users"},
		{"a pause between stages", loadtest.Ramp(loadtest.Rate(100).For(d), loadtest.Rate(0).For(d)), "", "load stage 2 (0/s): rate 0 sends nothing"},
		{"LOADGATE_SCALE=1e-9", loadtest.Rate(100).For(time.Second), "1e-9", "load stage 1 (100/s): 1ns at 100/s plans 1e-07 requests, under one: lengthen the stage or raise its rate (at LOADGATE_SCALE=1e-09)"},
		{"a stage under one request", loadtest.Rate(10).For(d), "", "load stage 1 (10/s): 50ms at 10/s plans 0.5 requests, under one"},
		{"a ramp from 0", loadtest.Rate(0).RampTo(200).For(d), "", ""},
		{"users ramping from 0", loadtest.Users(0).RampUsersTo(2).For(d), "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(loadtest.EnvScale, tt.scale)
			sent.Store(0)
			ft := &fakeTB{TB: t}
			res := loadtest.Run(ft, loadtest.Scenario{Target: target, Load: tt.load})
			fatals := ft.fatalMessages()
			if tt.want == "" {
				if len(fatals) > 0 || res == nil || sent.Load() == 0 {
					t.Fatalf("%v, %d sent", fatals, sent.Load())
				}
				return
			}
			if res != nil || len(fatals) != 1 || !strings.Contains(fatals[0], tt.want) {
				t.Fatalf("got %v (result %v), want a failure with %q", fatals, res != nil, tt.want)
			}
			if n := sent.Load(); n != 0 {
				t.Errorf("%d requests sent before the failure", n)
			}
		})
	}
}
