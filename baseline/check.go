package baseline

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

// Environment variables Check reads.
const (
	// EnvUpdate, when true (1), makes Check record instead of compare.
	EnvUpdate = "LOADGATE_UPDATE"
	// EnvUpdateID names the update session, so that the tool that started
	// it (loadgate baseline update) can tell which baselines it wrote;
	// without it each test process makes up a name of its own. Each test
	// process is a session of its own either way: runs are added only to
	// what the same process recorded, so an id fixed by hand cannot mix
	// the runs of two updates (see [RecordSession]).
	EnvUpdateID = "LOADGATE_UPDATE_ID"
	// EnvUpdateLease names the lease that the command driving an update
	// holds while it runs (loadgate baseline update sets it): Check
	// records only while it is held, so an update whose command was
	// stopped, or killed, records nothing more. Check also stops
	// recording when the process that started the test binary (go test)
	// has exited, with or without a lease.
	EnvUpdateLease = "LOADGATE_UPDATE_LEASE"
	// EnvDir names the directory of the baselines instead of [DefaultDir],
	// for every test that does not pass [WithDir]; a relative path is
	// relative to the package's directory, where go test runs a test.
	// loadgate run -baselines sets it.
	EnvDir = "LOADGATE_BASELINE_DIR"
	// EnvPolicy names a policy file ([LoadPolicy]) that judges the
	// comparisons of every test that does not pass [WithPolicy].
	// loadgate run -policy sets it.
	EnvPolicy = "LOADGATE_POLICY"
	// EnvPooled, set to 1 by a tool that pools the runs of several go test
	// processes and judges them itself (loadgate run adding runs, the
	// Action), makes Check log its comparison instead of failing the test
	// on it: the tool's verdict over all the runs is the one that counts.
	// SLA limits still fail the test.
	EnvPooled = "LOADGATE_POOLED"
	// EnvSLA names an SLA file ([assert.ParseFile]: expressions, a
	// [pattern] section per scenario) whose limits are added to every
	// test's [WithSLA]. loadgate run -sla sets it.
	EnvSLA = "LOADGATE_SLA"
)

// TB is the part of [testing.TB] that Check needs. When the value also has
// a Helper method, Check calls it; when it has a Failed method, as
// *testing.T does, Check records no run of a test that has already failed.
// A TB without Failed cannot say so, and its runs are recorded.
type TB interface {
	Errorf(format string, args ...any)
	Logf(format string, args ...any)
}

var _ TB = (testing.TB)(nil)

// Check compares res with the stored baseline of its scenario and fails t
// on a regression, printing the comparison; or, with LOADGATE_UPDATE=1,
// records res into that baseline. Call it in a load test after
// loadtest.Run:
//
//	res := loadtest.Run(t, scenario)
//	baseline.Check(t, res, baseline.WithSLA("p99 < 200ms"))
//
// Recording: the runs of one test process (go test -count=5) accumulate
// into one baseline; a later update replaces them, so a baseline never
// mixes two versions of the code (see [RecordSession], [EnvUpdateID]). The
// stored baseline is replaced only once the session has all its runs (as
// many as -count asks for, or [WithRuns]): an update interrupted half way
// leaves the old baseline whole. A run whose test has already failed is
// not recorded, and the test fails saying so.
//
// Comparing: Check pools the runs of the scenario in this process and
// compares once it has as many as go test's -count asks for (or
// [WithRuns]); the earlier runs only log. With one run the rank test
// cannot confirm a change, so a change beyond tolerance warns (see
// [Policy.FailUnconfirmed]); record and compare 5 runs a side. A warning
// is logged, not failed, and so is an inconclusive comparison (runs too
// noisy to tell a change of a rule's tolerance from none: more runs, or
// longer ones, settle it). Without a baseline Check logs how to record one
// and passes, unless [Strict]. A baseline that cannot be read fails the
// test and is left as it is, and so does one of runs sent to another
// target or at another scale than res (loadtest.TargetURL,
// LOADGATE_SCALE, LOADGATE_RATE_SCALE): the failure names both, and
// nothing is compared.
//
// SLA limits ([WithSLA]) are checked on every run, in both modes.
//
// The result of one shard of a sharded run (LOADGATE_SHARD) is a slice of
// the load: Check logs that it leaves it alone, and the merged result
// (loadgate merge) is compared and checked instead.
//
// Check returns the comparison it made, which has already failed t if its
// Verdict is Fail (unless LOADGATE_POOLED=1). It returns nil when it
// compared nothing: when it recorded, while it pools the earlier runs of a
// -count, without a baseline, for a shard's result, and when it failed t
// before comparing (an invalid option, a nil res, a baseline that cannot be
// read or was sent elsewhere).
func Check(t TB, res *loadtest.Result, opts ...Option) *Comparison {
	if h, ok := t.(interface{ Helper() }); ok {
		h.Helper()
	}
	o, err := buildOptions(opts)
	if err != nil {
		t.Errorf("baseline.Check: %v", err)
		return nil
	}
	if res == nil {
		t.Errorf("baseline.Check: no result (did loadtest.Run fail?)")
		return nil
	}
	update, err := o.updating()
	if err != nil {
		t.Errorf("baseline.Check: %v", err)
		return nil
	}
	if err := NotShard(res); err != nil {
		// A shard's latencies are real but its rates and counts are a
		// slice: neither a baseline nor an SLA judges it, the merged
		// result is judged.
		t.Logf("baseline.Check: not compared, recorded or checked against SLA limits: %v", err)
		return nil
	}
	path := Path(o.dir, res.Scenario)

	// SLA limits hold for every run on its own, so they are checked now,
	// and again in the comparison of the pooled runs, whose verdict and
	// table they are part of.
	sla := append(o.judge.SLAFor(res.Scenario), o.sla...)
	if len(sla) > 0 {
		outs, err := checkSLA(sla, []*loadtest.Result{res}, o.judge.slaWhere(res.Scenario))
		if err != nil {
			t.Errorf("baseline.Check: %v", err)
			return nil
		}
		for _, out := range outs {
			if !out.Pass {
				t.Errorf("baseline.Check: SLA breached: %s", out.Message)
			}
		}
	}

	if update {
		if f, ok := t.(interface{ Failed() bool }); ok && f.Failed() {
			// A baseline is what the code does when it works: a run that
			// failed its test (errors, an SLA breach) is not one.
			t.Errorf("baseline.Check: %s: not recording this run into %s: the test has failed", res.Scenario, path)
			return nil
		}
		if err := driverGone(); err != nil {
			// go test killed without -v leaves its test binary running:
			// the update the user stopped must not go on to replace the
			// baseline.
			dropped := dropClaim(path)
			t.Errorf("baseline.Check: %s: not recording this run into %s: %v; the stored baseline is unchanged%s", res.Scenario, path, err, dropped)
			return nil
		}
		want := o.runs
		if want == 0 {
			want = testCount()
		}
		r, err := recordSession(path, o.sessionID(), want, res)
		if r.discarded != "" {
			t.Logf("baseline.Check: %s: %s", res.Scenario, r.discarded)
		}
		if err != nil {
			t.Errorf("baseline.Check: %v", err)
			return nil
		}
		if r.saved {
			t.Logf("baseline.Check: %s: recorded run %d into %s", res.Scenario, len(r.b.Runs), path)
		} else {
			t.Logf("baseline.Check: %s: recorded run %d of %d; %s is replaced after run %d", res.Scenario, len(r.b.Runs), want, path, want)
		}
		if g := res.Generator; g.IsBound() {
			// Recorded all the same: its error rate and resources are
			// sound, and refusing would leave no baseline at all.
			t.Logf("baseline.Check: %s: run %d was %s (%s): every comparison with this baseline judges latencies and throughput without it, on fewer runs, until it is recorded again where the generator has CPU to spare",
				res.Scenario, len(r.b.Runs), loadtest.BoundWord, strings.Join(g.Reasons, "; "))
		}
		return nil
	}

	b, err := Load(path)
	if errors.Is(err, ErrNoBaseline) {
		msg := fmt.Sprintf("no baseline for scenario %s at %s; record one with\n\t%s=1 go test -run '^%s$' -count=5 .",
			res.Scenario, path, EnvUpdate, testName(res))
		if o.strict {
			t.Errorf("baseline.Check: %s", msg)
		} else {
			t.Logf("baseline.Check: %s", msg)
		}
		return nil
	}
	if err != nil {
		t.Errorf("baseline.Check: %v", err)
		return nil
	}
	if b.Scenario != res.Scenario {
		t.Errorf("baseline.Check: %s: %v: it is the baseline of %q, not %q", path, ErrScenarioMismatch, b.Scenario, res.Scenario)
		return nil
	}

	want := o.runs
	if want == 0 {
		want = testCount()
	}
	runs, complete := pool(path, res, want)
	if !complete {
		t.Logf("baseline.Check: %s: run %d of %d; comparing with the baseline after run %d", res.Scenario, len(runs), want, want)
		return nil
	}
	head, err := SampleOf(runs...)
	if err != nil {
		t.Errorf("baseline.Check: %v", err)
		return nil
	}
	head.Label = "head"
	p := o.judge.PolicyFor(res.Scenario) // its breaches name the SLA file's lines too
	p.SLA = sla
	c, err := Compare(b.Sample(), head, p)
	if err != nil {
		t.Errorf("baseline.Check: %v", err)
		return nil
	}
	var sb strings.Builder
	c.WriteText(&sb)
	if c.Verdict == Fail && os.Getenv(EnvPooled) != "1" {
		what := "regressed against"
		if c.breachedOnly() {
			what = "breached its SLA; compared with"
		}
		t.Errorf("baseline.Check: %s %s %s:\n%s", res.Scenario, what, path, sb.String())
	} else {
		t.Logf("baseline.Check: %s compared with %s:\n%s", res.Scenario, path, sb.String())
	}
	return c
}

// updating tells whether Check records.
func (o *options) updating() (bool, error) {
	if o.update != nil {
		return *o.update, nil
	}
	v := strings.TrimSpace(os.Getenv(EnvUpdate))
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s=%q: want 1 to record or 0 to compare", EnvUpdate, v)
	}
	return b, nil
}

var (
	processIDOnce sync.Once
	processID     string
)

// sessionID is the update session of this process: WithUpdateID, else
// LOADGATE_UPDATE_ID, else an id made when the process first asked.
func (o *options) sessionID() string {
	if o.updateID != "" {
		return o.updateID
	}
	if id := strings.TrimSpace(os.Getenv(EnvUpdateID)); id != "" {
		return id
	}
	processIDOnce.Do(func() {
		var b [6]byte
		rand.Read(b[:])
		processID = fmt.Sprintf("pid%d-%s-%s", os.Getpid(), time.Now().UTC().Format("20060102T150405Z"), hex.EncodeToString(b[:]))
	})
	return processID
}

// testCount returns go test's -count, or 1 outside a test binary.
func testCount() int {
	f := flag.Lookup("test.count")
	if f == nil {
		return 1
	}
	n, err := strconv.Atoi(f.Value.String())
	if err != nil || n < 1 {
		return 1
	}
	return n
}

func testName(res *loadtest.Result) string {
	name := res.Test
	if i := strings.IndexByte(name, '/'); i >= 0 {
		name = name[:i]
	}
	if name == "" {
		return "TestName"
	}
	return name
}

var (
	poolMu sync.Mutex
	pools  = map[string][]*loadtest.Result{}
)

// pool adds res to the runs pooled for the baseline at path and returns
// them; complete is true, and the pool emptied, once there are want.
func pool(path string, res *loadtest.Result, want int) (runs []*loadtest.Result, complete bool) {
	poolMu.Lock()
	defer poolMu.Unlock()
	runs = append(pools[path], res)
	if len(runs) >= want {
		delete(pools, path)
		return runs, true
	}
	pools[path] = runs
	return runs, false
}
