package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/fixture"
	"github.com/loadgate/loadgate/loadtest"
)

// agreementDir holds the recorded runs that every path must judge alike
// (TestAgreement): a directory per case with the base's runs (base/), the
// head's (head/), the stored baseline recorded from the base
// (baselines/), and what go test -json said of the head (events.jsonl);
// beside them the policy and the SLA file every path is given.
const agreementDir = "../../testdata/agreement"

// agreementCase is one situation a verdict must be reached on alike.
type agreementCase struct {
	name string
	// p50 and p99 of the head's runs (ms); the base's are agreementBase.
	p50, p99 []float64
	env      *loadtest.Env
	leaks    map[int][]loadtest.Leak // by run, 1-based
	failRuns []int                   // the head's runs whose test fails
	// unreadable stores a truncated baseline.
	unreadable bool
	// boundBase and boundHead are the runs (1-based) whose generator was
	// the bottleneck.
	boundBase, boundHead []int
}

var (
	agreementBaseP50 = []float64{10, 10.2, 9.9, 10.1, 10.05}
	agreementBaseP99 = []float64{100, 101, 99, 100.5, 99.5}
	agreementSame    = []float64{100.2, 99.8, 100.6, 99.4, 100.1}
	agreementP50     = []float64{10.1, 9.95, 10.15, 10, 10.2}
	laptop           = loadtest.Env{Go: "go1.26.8", GOOS: "darwin", GOARCH: "arm64", CPUs: 8, CPUModel: "Laptop CPU"}
)

// agreementCases cover pass, warn, fail, a baseline of another machine,
// an SLA breach, a leak, a failed test, an unreadable baseline and
// generator-bound runs of either side.
var agreementCases = []agreementCase{
	{name: "pass", p50: agreementP50, p99: agreementSame},
	// p99 +10%: significant, within its 15% tolerance: warns.
	{name: "warn", p50: agreementP50, p99: []float64{110.2, 109.8, 110.6, 109.4, 110.1}},
	// p99 +30%: fails.
	{name: "fail", p50: agreementP50, p99: []float64{130.2, 129.8, 130.6, 129.4, 130.1}},
	// p99 +30% on another machine: the policy says env_mismatch_warns.
	{name: "envmismatch", p50: agreementP50, p99: []float64{130.2, 129.8, 130.6, 129.4, 130.1}, env: &laptop},
	// No regression, but the SLA file's [sla] section says p99 < 90ms.
	{name: "sla", p50: agreementP50, p99: agreementSame},
	// loadtest.Run fails the test of a run that leaked.
	{name: "leak", p50: agreementP50, p99: agreementSame, failRuns: []int{2, 4}, leaks: map[int][]loadtest.Leak{
		2: {{Function: "example.com/shop.(*Cart).watch", CreatedAt: "example.com/shop.NewCart", Count: 3}},
		4: {{Function: "example.com/shop.(*Cart).watch", CreatedAt: "example.com/shop.NewCart", Count: 2}},
	}},
	{name: "failedtest", p50: agreementP50, p99: agreementSame, failRuns: []int{3}},
	{name: "unreadable", p50: agreementP50, p99: agreementSame, unreadable: true},
	// A generator-bound run of the baseline's, unchanged: judged without it.
	{name: "boundbase", p50: agreementP50, p99: agreementSame, boundBase: []int{1}},
	// p99 +30%, three of the five head runs generator-bound: too few left.
	{name: "bound", p50: agreementP50, p99: []float64{130.2, 129.8, 130.6, 129.4, 130.1}, boundHead: []int{1, 3, 5}},
}

func (c agreementCase) test() string { return "TestLoad" + strings.ToUpper(c.name[:1]) + c.name[1:] }

func (c agreementCase) dir() string { return filepath.Join(agreementDir, c.name) }

const agreementPolicy = `{"env_mismatch_warns": true}
`

const agreementSLA = `# The SLA of the agreement cases: every path is given this file.
error_rate < 1%

[sla]
p99 < 90ms
`

// TestAgreementFixtures keeps testdata/agreement what the cases above
// make: go test -run TestAgreementFixtures -update rewrites it.
func TestAgreementFixtures(t *testing.T) {
	tmp := t.TempDir()
	if err := writeAgreementFixtures(tmp); err != nil {
		t.Fatal(err)
	}
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.RemoveAll(agreementDir); err != nil {
			t.Fatal(err)
		}
		if err := writeAgreementFixtures(agreementDir); err != nil {
			t.Fatal(err)
		}
		return
	}
	err := filepath.WalkDir(tmp, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(tmp, path)
		want, _ := os.ReadFile(path)
		got, err := os.ReadFile(filepath.Join(agreementDir, rel))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("testdata/agreement/%s is not what the cases make (go test -run TestAgreementFixtures -update rewrites it)", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func writeAgreementFixtures(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "policy.json"), []byte(agreementPolicy), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "sla.txt"), []byte(agreementSLA), 0o644); err != nil {
		return err
	}
	for _, c := range agreementCases {
		if err := c.write(filepath.Join(dir, c.name)); err != nil {
			return fmt.Errorf("case %s: %w", c.name, err)
		}
	}
	return nil
}

func (c agreementCase) write(dir string) error {
	f := fixture.Fake{Scenario: c.name, Test: c.test()}
	base := fixture.Runs(f, agreementBaseP50, agreementBaseP99)
	f.Env = c.env
	head := fixture.Runs(f, c.p50, c.p99)
	for _, side := range []struct {
		runs  []*loadtest.Result
		bound []int
	}{{base, c.boundBase}, {head, c.boundHead}} {
		for _, i := range side.bound {
			side.runs[i-1].Generator = &loadtest.Generator{CPUs: 2, CPUShare: 0.98, SchedLatencyP99NS: 6e6, Bound: true,
				Reasons: []string{"the process used 98% of its 2 CPUs and its goroutines waited up to 6ms for one at p99 (limits 90% and 2ms)"}}
		}
	}
	for i, r := range head {
		r.Leaks = c.leaks[i+1]
		for _, l := range r.Leaks {
			r.Runtime.GoroutinesEnd += l.Count
		}
	}
	for side, rs := range map[string][]*loadtest.Result{"base": base, "head": head} {
		for _, r := range rs {
			if _, err := loadtest.WriteFile(filepath.Join(dir, side), r); err != nil {
				return err
			}
		}
	}
	s, err := baseline.SampleOf(base...)
	if err != nil {
		return err
	}
	b := &baseline.Baseline{Schema: baseline.SchemaVersion, Scenario: c.name, Package: fixture.Package, Test: c.test(),
		UpdateID: "agreement", Recorded: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC), Commit: "0123456789abcdef0123456789abcdef01234567",
		Env: fixture.Env, Runs: s.Runs}
	path := baseline.Path(filepath.Join(dir, "baselines"), c.name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := baseline.Save(path, b); err != nil {
		return err
	}
	if c.unreadable {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.WriteFile(path, data[:len(data)/2], 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, "events.jsonl"), c.events(head), 0o644)
}

// events is what go test -json -count 5 says of the head's test: each run
// writes its result (loadtest.Run logs where), and passes or fails.
func (c agreementCase) events(head []*loadtest.Result) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	pkg := fixture.Package
	failed := false
	for i := range head {
		name := c.name + ".json"
		if i > 0 {
			name = fmt.Sprintf("%s.%d.json", c.name, i+1)
		}
		action := "pass"
		if slices.Contains(c.failRuns, i+1) {
			action, failed = "fail", true
		}
		enc.Encode(map[string]any{"Action": "run", "Package": pkg, "Test": c.test()})
		enc.Encode(map[string]any{"Action": "output", "Package": pkg, "Test": c.test(), "Output": "=== RUN   " + c.test() + "\n"})
		enc.Encode(map[string]any{"Action": "output", "Package": pkg, "Test": c.test(), "Output": "    load_test.go:42: loadtest: result written to $LOADGATE_OUT/" + name + "\n"})
		if action == "fail" {
			enc.Encode(map[string]any{"Action": "output", "Package": pkg, "Test": c.test(), "Output": "    load_test.go:50: checkout returned 0 orders\n"})
		}
		enc.Encode(map[string]any{"Action": "output", "Package": pkg, "Test": c.test(), "Output": fmt.Sprintf("--- %s: %s (10.00s)\n", strings.ToUpper(action), c.test())})
		enc.Encode(map[string]any{"Action": action, "Package": pkg, "Test": c.test(), "Elapsed": 10.0})
	}
	end := "pass"
	if failed {
		end = "fail"
	}
	enc.Encode(map[string]any{"Action": end, "Package": pkg, "Elapsed": 50.0})
	return b.Bytes()
}

// headStatuses is the Action's manifest's view of the head's runs.
func (c agreementCase) headStatuses() []map[string]any {
	var out []map[string]any
	for run := 1; run <= 5; run++ {
		action := "pass"
		if slices.Contains(c.failRuns, run) {
			action = "fail"
		}
		st := map[string]any{"side": "head", "run": run, "package": fixture.Package, "test": c.test(), "action": action}
		if action == "fail" {
			st["output"] = "    load_test.go:50: checkout returned 0 orders\n"
		}
		out = append(out, st)
	}
	return out
}

// resultFiles lists a case's result files of a side, sorted.
func resultFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no results in %s: %v", dir, err)
	}
	slices.Sort(files)
	return files
}
