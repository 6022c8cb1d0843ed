package main

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/loadgate/loadgate/internal/schematest"
)

// TestCompareJSONSchema checks loadgate compare -format json against
// schema/compare.v1.json, with every key documented, on inputs that
// between them write every part of it: a regression, a baseline, an SLA,
// generator-bound runs, scenarios only one side has. Each metric row has
// the interval of its change, change_lo and change_hi (it had none,
// though loadgate run stops adding runs by it), null where infinite.
func TestCompareJSONSchema(t *testing.T) {
	renamed := func(dir, name string) string { // its last run renamed
		return editResults(t, dir, func(_, file string, doc map[string]any) {
			if file == "checkout_at_150_per_second.5.json" {
				doc["scenario"] = name
			}
		})
	}
	bound := withBoundRuns(t, "testdata/results/slow", "checkout_at_150_per_second.json", "checkout_at_150_per_second.3.json", "checkout_at_150_per_second.5.json")
	tests := []struct {
		name string
		give []string
	}{
		{"regression", []string{"testdata/results/base", "testdata/results/slow"}},
		{"baseline and SLA", []string{"-sla", "testdata/sla.txt", "testdata/baselines", "testdata/results/same"}},
		{"generator-bound", []string{"testdata/results/base", bound}},
		{"one run", []string{"testdata/results/base", "testdata/results/slow/checkout_at_150_per_second.2.json"}},
		{"only one side", []string{renamed("testdata/results/base", "gone"), renamed("testdata/results/slow", "new")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := loadgate(context.Background(), append([]string{"compare", "-format", "json"}, tt.give...)...)
			if r.code == exitUsage {
				t.Fatalf("compare refused its input: %s", r)
			}
			schematest.Validate(t, "../../schema/compare.v1.json", []byte(r.stdout))
			var doc struct {
				Comparisons []struct {
					Metrics []map[string]any `json:"metrics"`
				} `json:"comparisons"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
				t.Fatal(err)
			}
			for _, c := range doc.Comparisons {
				for _, m := range c.Metrics {
					for _, key := range []string{"change_lo", "change_hi"} {
						if _, ok := m[key]; !ok {
							t.Errorf("row %v has no %s", m["metric"], key)
						}
					}
				}
			}
		})
	}
}
