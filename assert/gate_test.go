package assert_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/loadtest"
)

func TestGate(t *testing.T) {
	res := slaResult(t)
	ramp, peak := &res.Stages[1], &res.Stages[2]
	// planned is a stage as a running gate sees it: carrying its plan,
	// which a result read from JSON (the fixture's stages) does not.
	planned := func(s loadtest.StageResult) *loadtest.StageResult {
		s.Plan = res.Load.Stages[s.Index]
		return &s
	}
	closed := planned(*ramp)
	closed.Plan = loadtest.StagePlan{Name: "50 users", Model: loadtest.Closed, Users: 50, DurationNS: closed.Plan.DurationNS}
	halfRamp := planned(*ramp) // stopped after 2 of its 4 s: planned 100 to 200/s
	halfRamp.ElapsedNS /= 2
	tests := []struct {
		name  string
		exprs []string
		stage *loadtest.StageResult
		want  string // the gate's error; "" for none
	}{
		{"passes", []string{"p99 < 100ms", "error_rate < 1%", "throughput >= 190/s"}, ramp, ""},
		{"no expressions", nil, ramp, ""},
		{"fails", []string{"p99 < 100ms", "error_rate < 1%"}, peak, "p99 = 300ms, want < 100ms (200% over)"},
		{"every failure", []string{"p99 < 100ms", "status(5xx) < 0.1%", "dropped == 0"}, peak,
			"p99 = 300ms, want < 100ms (200% over)\nstatus(5xx) = 0.8%, want < 0.1% (700% over)\ndropped = 2, want == 0 (2 over)"},
		{"service time", []string{"service.p99 - p99 < 0"}, peak, ""},
		{"rate", []string{"rate >= 260/s"}, peak, "rate = 250/s, want >= 260/s (3.85% under)"},
		// It was accepted before the load, then failed the stage as a
		// slow service would: the run stopped, and the test passed.
		{"quantile a stage does not carry", []string{"p(99.5) < 1s"}, peak,
			`assert.Gate: "p(99.5) < 1s": column 1: p(99.5) needs the full latency histogram, which a stage's result does not carry; use p50, p90, p95, p99, p999, min, max or mean`},
		{"quantile a stage does not carry, before the load", []string{"p96 < 1s"}, nil,
			`assert.Gate: "p96 < 1s": column 1: p96 needs the full latency histogram, which a stage's result does not carry; use p50, p90, p95, p99, p999, min, max or mean`},
		{"service time quantile a stage does not carry", []string{"service.p(99.5) < 1s"}, peak,
			`assert.Gate: "service.p(99.5) < 1s": column 1: service.p(99.5) needs the full latency histogram, which a stage's result does not carry; use p50, p90, p95, p99, p999, min, max or mean`},
		{"med is p50", []string{"med < 1s", "service.max < 1s"}, peak, ""},
		{"malformed", []string{"p99 < 5%"}, ramp, `assert.Gate: "p99 < 5%": column 7: a latency needs a duration such as 200ms`},
		{"malformed fails any stage", []string{"p99 < 5%"}, nil, `assert.Gate: "p99 < 5%": column 7: a latency needs a duration such as 200ms`},
		{"runtime statistic", []string{"goroutines_peak < 10"}, ramp,
			`assert.Gate: "goroutines_peak < 10": column 1: goroutines_peak is measured for the whole run only, so a gate cannot check it`},
		{"phase", []string{"ttfb.p99 < 10ms"}, ramp,
			`assert.Gate: "ttfb.p99 < 10ms": column 1: ttfb.p99 is measured for the whole run only, so a gate cannot check it`},
		{"abandoned", []string{"p99 < 1s", "abandoned == 0"}, ramp,
			`assert.Gate: "abandoned == 0": column 1: abandoned is measured for the whole run only, so a gate cannot check it`},
		{"selector", []string{`p99{stage="ramp"} < 1s`}, ramp,
			"assert.Gate: `p99{stage=\"ramp\"} < 1s`: column 5: a gate sees only the stage it guards: drop the selector"},
		{"share of the planned rate", []string{"throughput >= 95%", "rate >= 100%"}, planned(*ramp), ""},
		{"share of the planned rate fails", []string{"throughput >= 95%"}, planned(*peak),
			"throughput = 248/s, want >= 95% of the planned 300/s = 285/s (13% under)"},
		{"share of a ramp cut short", []string{"rate >= 134%"}, halfRamp,
			"rate = 200/s, want >= 134% of the planned 150/s = 201/s (0.498% under)"},
		{"share of a stage without its plan", []string{"throughput >= 95%"}, ramp,
			`"throughput >= 95%": the stage carries no planned load, so there is no target rate; compare with a rate such as 1000/s`},
		{"share of a closed stage", []string{"throughput >= 95%"}, closed,
			`"throughput >= 95%": stage 50 users runs the closed model, which has no target rate; compare with a rate such as 500/s`},
		{"every fault", []string{"p99 < 5%", "num_gc < 5"}, ramp,
			`assert.Gate: "p99 < 5%": column 7: a latency needs a duration such as 200ms` + "\n" +
				`assert.Gate: "num_gc < 5": column 1: num_gc is measured for the whole run only, so a gate cannot check it`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := assert.Gate(tt.exprs...)(tt.stage)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("gate error:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestMustGate(t *testing.T) {
	res := slaResult(t)
	if err := assert.MustGate("p99 < 100ms")(&res.Stages[1]); err != nil {
		t.Errorf("MustGate(p99 < 100ms) on ramp: %v", err)
	}
	defer func() {
		want := `assert.MustGate: "p99 < 5%": column 7: a latency needs a duration such as 200ms`
		if r := recover(); r == nil || fmt.Sprint(r) != want {
			t.Errorf("MustGate panicked with %v, want %s", r, want)
		}
	}()
	assert.MustGate("p99 < 5%")
}

// TestGateOnAStageItCannotJudge: a share of the planned rate on a stage
// that plans none (users, or a Pacer of its own) can never be checked
// there, so the gate says so with loadtest.ErrGateInvalid, and
// loadtest.Run fails the test instead of stopping quietly after the stage.
// Before, it failed the stage like a slow service and the test passed.
func TestGateOnAStageItCannotJudge(t *testing.T) {
	stage := func(p loadtest.StagePlan) *loadtest.StageResult {
		return &loadtest.StageResult{Name: p.Name, Requests: 10, ElapsedNS: 1e9, Plan: p}
	}
	tests := []struct {
		name    string
		stage   *loadtest.StageResult
		invalid bool
	}{
		{"users", stage(loadtest.StagePlan{Name: "2 users", Model: loadtest.Closed, Users: 2, DurationNS: 1e9}), true},
		{"a Pacer of its own", stage(loadtest.StagePlan{Name: "paced", Model: loadtest.Open, Arrivals: loadtest.Custom, DurationNS: 1e9}), true},
		{"a rate", stage(loadtest.StagePlan{Name: "10/s", Model: loadtest.Open, Arrivals: loadtest.Even, From: 10, To: 10, DurationNS: 1e9}), false},
		{"no plan (read from a file)", stage(loadtest.StagePlan{}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := assert.Gate("throughput >= 95%", "p99 < 1s")(tt.stage)
			if got := errors.Is(err, loadtest.ErrGateInvalid); got != tt.invalid {
				t.Errorf("gate error %v: errors.Is(ErrGateInvalid) = %v, want %v", err, got, tt.invalid)
			}
		})
	}
}
