package main

// Reliability cases of issue 20 ("nothing lost, nothing passing by
// accident") that the command shows, each named after the failure it
// guards.

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIssue20CompareRefusesImpossibleResults (failure 3): five results
// with p99_ns -5000000 compared as "-107.43% better", PASS, exit 0. They
// are bad input now, named by file, field and value, exit 2; so is a p99
// of MaxInt64 above its own p99.9 on the base side.
func TestIssue20CompareRefusesImpossibleResults(t *testing.T) {
	same, err := filepath.Glob("testdata/results/same/*.json")
	if err != nil || len(same) != 5 {
		t.Fatalf("fixtures: %v, %v", same, err)
	}
	for _, tt := range []struct {
		name, from, to, want string
	}{
		{"negative p99", `"p99_ns": `, `"p99_ns": -5000000, "x": `, "latency.p99_ns = -5000000: negative"},
		{"p99 of MaxInt64", `"p99_ns": `, `"p99_ns": 9223372036854775807, "x": `, "latency.p99_ns = 9223372036854775807: above p999_ns"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bad := t.TempDir()
			for _, f := range same {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				// The first p99_ns of a file is its latency's.
				data = []byte(strings.Replace(string(data), tt.from, tt.to, 1))
				if err := os.WriteFile(filepath.Join(bad, filepath.Base(f)), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, args := range [][]string{{"compare", "testdata/results/same", bad}, {"compare", bad, "testdata/results/same"}} {
				r := loadgate(context.Background(), args...)
				if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) || !strings.Contains(r.stderr, bad) {
					t.Errorf("got\n%s\nwant exit status %d and %q", r, exitUsage, tt.want)
				}
			}
		})
	}
}
