package loadtest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/loadgate/loadgate/internal/stack"
)

// RunAll drives several scenarios at once from test t, as k6's scenarios
// do: browse at 200/s while checkout runs at 20/s, each with its own load,
// target, warm-up and gates. It returns their results in the order given; a
// scenario that did not run or failed to start has a nil result.
//
// Each scenario runs in a subtest of t named after it, and is reported
// there exactly as [Run] reports one: its progress and summary in the
// subtest's log, its leaks as the subtest's failure, its result written to
// LOADGATE_OUT as <name>.json with Test set to the subtest's name. So every
// scenario needs a Name of its own. The caller checks each result on its
// own, for example with baseline.Check, in t (or in a subtest of its own).
//
// RunAll checks every scenario before any load starts, and fails t (and
// returns nil) if one is invalid or cannot finish before go test's
// -timeout; the scenarios run concurrently, so each needs only its own time.
// Once their targets are prepared, the scenarios start together: their
// warm-ups begin at the same moment, so scenarios with the same Warmup also
// begin their measured loads together. A scenario that go test -run leaves
// out does not hold up the others.
//
// The scenarios share the machine: the CPU one spends generating load is
// not the other's, so keep their rates within what one process sends (see
// [MaxRate] and docs/PERFORMANCE.md). A goroutine leaked by a server the
// test started and both scenarios hit is reported by each of them.
//
// RunAll takes a *testing.T, not a testing.TB, because it starts subtests.
func RunAll(t *testing.T, scenarios ...Scenario) []*Result {
	t.Helper()
	if why := interruptedBefore(); why != "" {
		t.Skipf("loadtest: %s", why)
		return nil
	}
	pkg := callerPackage(1)
	if len(scenarios) == 0 {
		t.Fatalf("loadtest: RunAll needs at least one scenario")
		return nil
	}
	sc, err := scalesFromEnv()
	if err != nil {
		t.Fatalf("loadtest: %v", err)
		return nil
	}
	ready, opts, msg := readyAll(t, scenarios, sc)
	if msg != "" {
		t.Fatalf("%s", msg)
		return nil
	}
	for _, s := range ready {
		if err := claimName(s.Name, t.Name()); err != nil {
			t.Fatalf("%v", err)
			return nil
		}
	}

	line := newStartLine(len(ready))
	runner := stack.Current()
	results := make([]*Result, len(ready))
	var wg sync.WaitGroup
	for i := range ready {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A subtest that does not run (go test -run) or fails before
			// its load must not hold the others at the line.
			defer line.arrive(i)
			t.Run(ready[i].Name, func(t *testing.T) {
				t.Helper()
				o := opts[i]
				o.runner = runner // a test server t started belongs to every scenario
				o.start = func() { line.wait(i) }
				results[i] = runReady(t, ready[i], pkg, sc, o)
			})
		}()
	}
	wg.Wait()
	return results
}

// readyAll readies every scenario of a RunAll as [Run] readies one (see
// readyFor), and checks that each has a Name of its own; msg says what is
// wrong with the first that cannot run.
func readyAll(t testing.TB, scenarios []Scenario, sc scales) (ready []Scenario, opts []execOptions, msg string) {
	ready = make([]Scenario, len(scenarios))
	opts = make([]execOptions, len(scenarios))
	named := map[string]int{}
	for i, s := range scenarios {
		if s.Name == "" {
			return nil, nil, fmt.Sprintf("loadtest: RunAll: scenario %d has no Name: each needs its own, for its subtest and its result file", i+1)
		}
		if j, dup := named[s.Name]; dup {
			return nil, nil, fmt.Sprintf("loadtest: RunAll: scenarios %d and %d are both named %q: each needs its own Name, for its subtest and its result file", j+1, i+1, s.Name)
		}
		named[s.Name] = i
		if ready[i], opts[i].drainLimit, msg = readyFor(t, s, sc); msg != "" {
			return nil, nil, msg
		}
	}
	return ready, opts, ""
}

// startLine holds the scenarios of a [RunAll] until every one is ready to
// send load, or has dropped out.
type startLine struct {
	wg   sync.WaitGroup
	once []sync.Once
}

func newStartLine(n int) *startLine {
	l := &startLine{once: make([]sync.Once, n)}
	l.wg.Add(n)
	return l
}

// arrive marks scenario i as ready or gone; later calls do nothing.
func (l *startLine) arrive(i int) { l.once[i].Do(l.wg.Done) }

// wait marks scenario i as ready and waits for the others.
func (l *startLine) wait(i int) {
	l.arrive(i)
	l.wg.Wait()
}
