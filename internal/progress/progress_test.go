package progress

import (
	"os"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	want := Record{Scenario: "checkout", Stage: "ramp", ElapsedNS: 1e9, TotalNS: 3e9, Requests: 120, Errors: 2, Rate: 99.5, P99NS: 1234}
	for _, tt := range []struct {
		name string
		give string
		ok   bool
	}{
		{"as logged by t.Logf", "    run.go:72: " + want.Line() + "\n", true},
		{"bare", want.Line(), true},
		{"other output", "    run.go:72: loadgate: results in /tmp/x\n", false},
		{"broken JSON", "    run.go:72: " + Prefix + "{\"scenario\":\n", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Parse(tt.give)
			if ok != tt.ok {
				t.Fatalf("Parse(%q) ok = %v, want %v", tt.give, ok, tt.ok)
			}
			if ok && got != want {
				t.Errorf("Parse(%q) = %+v, want %+v", tt.give, got, want)
			}
		})
	}
}

func TestEnabled(t *testing.T) {
	t.Setenv(Env, "json")
	if !Enabled(os.Getenv) {
		t.Error("LOADGATE_PROGRESS=json: not enabled")
	}
	t.Setenv(Env, "1")
	if Enabled(os.Getenv) {
		t.Error("LOADGATE_PROGRESS=1: enabled, want only json")
	}
}
