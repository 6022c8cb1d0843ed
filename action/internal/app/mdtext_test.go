package app

import (
	"testing"

	"github.com/loadgate/loadgate/baseline"
)

// TestVerdictCellTest: the comment's verdict cell writes the rank test as
// loadgate compare's test column and the HTML report write it (cell.Test),
// p-value and runs: a row judged without a generator-bound run said
// "(p=0.016)" where they said "p=0.016 n=5+4", and a row the test found
// unchanged said no test at all where they said "p=1.000 n=5".
func TestVerdictCellTest(t *testing.T) {
	tests := []struct {
		name string
		give baseline.Row
		want string
	}{
		{"a bound run left out", baseline.Row{Verdict: baseline.Fail, Note: "over 15% tolerance; without 1 generator-bound run", Tested: true, P: 0.016,
			Base: baseline.Stat{N: 5}, Head: baseline.Stat{N: 4}}, "❌ over 15% tolerance; without 1 generator-bound run (p=0.016 n=5+4)"},
		{"no change", baseline.Row{Verdict: baseline.Pass, Tested: true, P: 1, Base: baseline.Stat{N: 5}, Head: baseline.Stat{N: 5}}, "✅ (p=1.000 n=5)"},
		{"too few runs", baseline.Row{Verdict: baseline.Pass, P: 1, Base: baseline.Stat{N: 5}, Head: baseline.Stat{N: 1}}, "✅ (n=5+1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := verdictCell(tt.give); got != tt.want {
				t.Errorf("verdictCell = %q, want %q", got, tt.want)
			}
		})
	}
}
