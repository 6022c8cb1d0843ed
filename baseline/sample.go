package baseline

import (
	"fmt"

	"github.com/loadgate/loadgate/loadtest"
)

// Sample is one side of a comparison: the runs of one scenario on one
// version of the code. A [Baseline] and a set of results both convert into
// one ([Baseline.Sample], [SampleOf]), so that [Compare] serves a test's
// check against a stored baseline, a comparison of two directories of
// result files and a base-versus-head comparison alike.
type Sample struct {
	Scenario string
	// Label names the side in renderings: "baseline", "head", a commit.
	Label string
	// Package is the import path of the package the scenario ran in.
	Package string
	Env     loadtest.Env
	Commit  string
	Runs    []Run
	// Results are the results the runs came from, when the sample was made
	// from results; a policy's SLA limits are checked on them.
	Results []*loadtest.Result
}

// SampleOf makes a sample of results of one scenario; the environment is
// that of the first result. It fails with [ErrScenarioMismatch] if the
// results belong to different scenarios, with [ErrTargetMismatch] or
// [ErrScaleMismatch] if they were sent to different targets or at
// different scales, with [ErrShard] if one is a single shard of a sharded
// run (a merged result is a run like any other), with [ErrDuplicateRun] if
// two results have one run id, with [ErrNoRuns] if there are none, and
// with the fault of a result that [loadtest.Result.Validate] refuses.
func SampleOf(results ...*loadtest.Result) (Sample, error) {
	var s Sample
	seen := map[string]int{} // run id → 1-based index of its result
	for i, r := range results {
		if r == nil {
			return Sample{}, fmt.Errorf("result %d is nil", i+1)
		}
		if err := NotShard(r); err != nil {
			return Sample{}, fmt.Errorf("result %d: %w", i+1, err)
		}
		// The checks every result file gets (loadtest.ReadFile), for
		// results that come from memory.
		if err := r.Validate(); err != nil {
			return Sample{}, fmt.Errorf("result %d of %s: %w", i+1, r.Scenario, err)
		}
		if i == 0 {
			s.Scenario, s.Env, s.Label, s.Package = r.Scenario, r.Env, "head", r.Package
		} else if r.Scenario != s.Scenario {
			return Sample{}, fmt.Errorf("%w: result %d is of scenario %q, the first of %q",
				ErrScenarioMismatch, i+1, r.Scenario, s.Scenario)
		} else if err := sameLoad("first result", s.Env, fmt.Sprintf("result %d", i+1), r.Env); err != nil {
			return Sample{}, fmt.Errorf("scenario %s: %w", s.Scenario, err)
		}
		if r.RunID != "" {
			// A copy of a result counted as a run of its own would
			// confirm a change the runs that were made cannot: 2 runs a
			// side copied to 5 fail at p=0.008.
			if j, ok := seen[r.RunID]; ok {
				return Sample{}, fmt.Errorf("%w: results %d and %d of %s are one run (run_id %s); give each run once",
					ErrDuplicateRun, j, i+1, r.Scenario, r.RunID)
			}
			seen[r.RunID] = i + 1
		}
		s.Runs = append(s.Runs, RunOf(r))
		s.Results = append(s.Results, r)
	}
	if len(s.Runs) == 0 {
		return Sample{}, ErrNoRuns
	}
	return s, nil
}

// Values returns the value of metric m in each run that has it.
func (s Sample) Values(m Metric) []float64 {
	out := make([]float64, 0, len(s.Runs))
	if m.row.Read == nil {
		return out
	}
	for i := range s.Runs {
		if v, ok := s.Runs[i].value(m.row); ok {
			out = append(out, v)
		}
	}
	return out
}

// NotShard returns an error wrapping [ErrShard] if r is one shard of a
// sharded run: its rates and counts are a slice of the load, so it is
// neither compared nor recorded until the shards are merged.
func NotShard(r *loadtest.Result) error {
	if sh := r.Shard; sh != nil && sh.Index > 0 {
		return fmt.Errorf("%w: scenario %s ran as shard %d of %d (run group %s), a slice of the load; merge the shards (loadgate merge) and compare the merged result",
			ErrShard, r.Scenario, sh.Index, sh.Count, sh.Group)
	}
	return nil
}
