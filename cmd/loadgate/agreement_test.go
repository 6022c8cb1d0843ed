package main

import (
	"fmt"
	"testing"

	"github.com/loadgate/loadgate/baseline"
)

// checkTB records what baseline.Check reports.
type checkTB struct{ errors, logs []string }

func (c *checkTB) Errorf(format string, args ...any) {
	c.errors = append(c.errors, fmt.Sprintf(format, args...))
}
func (c *checkTB) Logf(format string, args ...any) {
	c.logs = append(c.logs, fmt.Sprintf(format, args...))
}

var _ baseline.TB = (*checkTB)(nil)

// TestCompareAgreesWithCheck: loadgate compare, given the baseline file
// and the results a test compared, reaches the verdict baseline.Check
// reached in the test, with the same SLA (TestBaselineCheckout gives
// Check "error_rate < 1%"); and comparing the results the baseline was
// recorded from reaches it too.
func TestCompareAgreesWithCheck(t *testing.T) {
	for _, head := range []string{"same", "slow"} {
		t.Run(head, func(t *testing.T) {
			set, err := readInputs("testdata/results/" + head)
			if err != nil {
				t.Fatal(err)
			}
			var check *baseline.Comparison
			tb := &checkTB{}
			for _, k := range set.keys() {
				for _, r := range set.Results[k] {
					check = baseline.Check(tb, r.Result, baseline.WithDir("testdata/baselines"), baseline.WithUpdate(false),
						baseline.WithRuns(len(set.Results[k])), baseline.WithSLA("error_rate < 1%"))
				}
			}
			if check == nil {
				t.Fatalf("baseline.Check compared nothing: %v %v", tb.errors, tb.logs)
			}
			if failed := len(tb.errors) > 0; failed != (check.Verdict == baseline.Fail) {
				t.Errorf("baseline.Check: verdict %v but reported errors %v", check.Verdict, tb.errors)
			}
			for _, base := range []string{"testdata/baselines", "testdata/results/base"} {
				r := loadgate(t.Context(), "compare", "-format", "json", "-sla", "testdata/agreement.sla", base, "testdata/results/"+head)
				rep, err := compareFiles(base, "testdata/results/"+head, mustJudge(t, "testdata/agreement.sla"))
				if err != nil {
					t.Fatal(err)
				}
				if got := rep.verdict(); got != check.Verdict {
					t.Errorf("loadgate compare %s %s: %v, baseline.Check: %v", base, head, got, check.Verdict)
				}
				wantCode := exitOK
				if check.Verdict == baseline.Fail {
					wantCode = exitFailed
				}
				if r.code != wantCode {
					t.Errorf("loadgate compare %s %s: exit status %d, want %d", base, head, r.code, wantCode)
				}
				t.Logf("%s vs %s: baseline.Check %v, loadgate compare %v (exit %d)", base, head, check.Verdict, rep.verdict(), r.code)
			}
		})
	}
}

func mustJudge(t *testing.T, sla string) *baseline.Judge {
	t.Helper()
	j, err := (&policyFlags{slaPath: sla}).load("compare")
	if err != nil {
		t.Fatal(err)
	}
	return j
}
