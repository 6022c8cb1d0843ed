package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/gotest"
	"github.com/loadgate/loadgate/internal/verdict"
	"github.com/loadgate/loadgate/loadtest"
)

// judge makes the run's one verdict: every scenario judged by j against
// its stored baseline (not when the run records baselines), and what
// failed outside any scenario. The summary's word and the exit status are
// derived from it.
func (o *runOutcome) judge(j *baseline.Judge, look baseline.Look) {
	run := &verdict.Run{Interrupted: o.Interrupted}
	o.fallbacks = nil
	withResult := map[gotest.Key]bool{}
	for _, k := range o.Results.keys() {
		rs := o.Results.Results[k]
		if len(rs) == 0 {
			continue
		}
		test := topTest(rs[0].Test)
		withResult[gotest.Key{Package: k.Package, Test: test}] = true
		in := verdict.Input{Name: k.Scenario, Package: k.Package, Test: test, Head: resultsOf(rs), Look: look}
		if t := o.Session.Tests[gotest.Key{Package: k.Package, Test: test}]; t != nil && t.Outcome() == gotest.StatusFail {
			in.TestFailed, in.TestFailure = true, gotest.Reason(strings.Join(o.Session.FailedOutput(t), ""))
		}
		switch sh := rs[0].Shard; {
		case sh != nil && sh.Index > 0:
			in.NoBase = noBaseShard(sh)
		case o.Config.Update:
			in.NoBase = "recording baselines"
		case o.Base != nil:
			// -base auto chose the base for the stored baselines: only the
			// scenarios that have one are compared with it.
			o.stored(&in)
			if note := in.UseBase(o.Base.runsOf(&in, o.Config.Base == baseAuto)); note != "" {
				o.fallbacks = append(o.fallbacks, note)
			}
		default:
			o.stored(&in)
		}
		s := verdict.Judge(j, in)
		run.Scenarios = append(run.Scenarios, s)
	}
	run.Correct()
	if o.Config.Update {
		// collectUpdate ran first: every update judges after it.
		run.Recorded = len(o.Written)
	}
	o.SLAUnmatched = nil
	if o.Config.Run == defaultRun && !o.Interrupted {
		// Every load test ran: a section that matched none names none.
		o.SLAUnmatched = verdict.UnmatchedSLA(j, run.Scenarios)
	}
	if o.Interrupted {
		o.Verdict = run
		return
	}
	o.orphans = o.orphanedBaselines()
	for _, t := range o.Session.TopLevel() {
		if t.Outcome() == gotest.StatusFail && !withResult[t.Key] {
			run.Failures = append(run.Failures, fmt.Sprintf("test %s failed", t.Test))
		}
	}
	if msg := o.usageFailure(); msg != "" {
		run.BadInput = append(run.BadInput, msg)
	} else if msg := o.earlyFailure(); msg != "" {
		run.Failures = append(run.Failures, msg)
	} else if len(o.Session.Order) == 0 {
		// A -run that matches nothing must not pass silently in CI.
		run.Failures = append(run.Failures, fmt.Sprintf("no test matched -run %q in %s", o.Config.Run, strings.Join(o.Config.Packages, " ")))
	}
	for _, p := range o.Session.FailedPackages() {
		run.Failures = append(run.Failures, "package "+p.Path+" failed")
	}
	if o.GoTestErr != nil {
		run.Failures = append(run.Failures, "go test failed")
	}
	if o.ResultsErr != nil {
		run.Failures = append(run.Failures, "results could not be read")
	}
	o.Verdict = run
}

// stored gives in the scenario's stored baseline, or says why there is
// none.
func (o *runOutcome) stored(in *verdict.Input) {
	dir, ok := o.baselineDir(in.Package)
	if !ok {
		in.NoBase = "no baseline: the package is unknown"
		return
	}
	in.StoredPath = baseline.Path(dir, in.Name)
	b, err := baseline.Load(in.StoredPath)
	switch {
	case errors.Is(err, baseline.ErrNoBaseline):
		in.NoBase = "no baseline"
	case err != nil:
		in.StoredErr = err
	default:
		in.Stored = b
	}
}

// noBaseShardPrefix starts the NoBase of a scenario whose runs are one
// shard's: the summary tells it from a baseline not recorded yet.
const noBaseShardPrefix = "not compared: shard "

// noBaseShard says why a shard's runs are not compared with a baseline:
// they are a slice of the load, and the merged result is judged.
func noBaseShard(sh *loadtest.Shard) string {
	return fmt.Sprintf("%s%d of %d of a sharded run (%s), a slice of the load: merge the shards (loadgate merge) and compare the merged results",
		noBaseShardPrefix, sh.Index, sh.Count, sh.Group)
}

// topTest returns the top-level test of a test name: "TestLoad" of
// "TestLoad/checkout".
func topTest(name string) string {
	top, _, _ := strings.Cut(name, "/")
	return top
}
