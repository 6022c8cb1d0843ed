package baseline

import (
	"os"
	"path/filepath"
	"testing"
)

// TestLoadPolicyPlacesProblems guards what a policy file that parses but
// says something impossible reported: "p.json: policy: rule p99: tolerance
// -0.1: ..." with no line, a second "warn 0 is over tolerance -0.1" for the
// same mistake, and lines after the first without the file's name.
func TestLoadPolicyPlacesProblems(t *testing.T) {
	tests := []struct {
		name string
		give string
		want string
	}{
		{
			name: "negative tolerance",
			give: "{\"rules\": {\n  \"p99\": {\"tolerance\": -0.1}\n}}",
			want: "p.json:2:24: policy: rule p99: tolerance -0.1: must be a number >= 0",
		},
		{
			name: "alpha 1",
			give: `{"alpha": 1}`,
			want: "p.json:1:11: policy: alpha 1: must be in range (0, 1)",
		},
		{
			name: "several, in the order of the file",
			give: "{\"rules\": {\n  \"p99\": {\"tolerance\": 0.1, \"warn\": 0.2},\n  \"p50\": {\"floor\": -5}\n},\n \"sla\": [\"p99 < 200\"]}",
			want: "p.json:2:37: policy: rule p99: warn 0.2 is over tolerance 0.1\n" +
				"p.json:3:20: policy: rule p50: floor -5: must be a number >= 0\n" +
				`p.json:5:10: policy: sla[0]: "p99 < 200": column 7: a latency needs a duration such as 200ms`,
		},
		{
			name: "a phase's rule, whose name holds a dot",
			give: `{"rules": {"ttfb.p99": {"tolerance": 0.1, "warn": 0.5}}}`,
			want: "p.json:1:51: policy: rule ttfb.p99: warn 0.5 is over tolerance 0.1",
		},
		{
			name: "scorecard weight",
			give: `{"scorecard": {"dimensions": [{"name": "latency", "weight": -1, "metrics": ["p99"]}]}}`,
			want: "p.json:1:61: policy: scorecard dimension latency: weight -1 is negative",
		},
		{
			name: "default fail_below, placed at the scorecard",
			give: `{"scorecard": {"dimensions": [{"name": "latency", "weight": 1, "metrics": ["p99"]}], "warn_below": 50}}`,
			want: "p.json:1:15: policy: scorecard: fail_below 60 is over warn_below 50",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			if err := os.WriteFile("p.json", []byte(tt.give), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadPolicy(filepath.Join(".", "p.json"))
			if err == nil || err.Error() != tt.want {
				t.Errorf("LoadPolicy:\n%v\nwant:\n%s", err, tt.want)
			}
		})
	}
}
