package gotest

import (
	"slices"
	"strings"
	"testing"
)

// TestSettingsEnv (issues 14 and 15): loadgate run -target, -rate-scale,
// -allow-hosts, -profile and -flight reach the tests as LOADGATE_TARGET,
// LOADGATE_RATE_SCALE, LOADGATE_ALLOW_HOSTS, LOADGATE_PROFILE and LOADGATE_FLIGHT; hosts the caller's environment allows already stay
// allowed, and unset settings leave the inherited variables alone. The
// Action's shard and start-at inputs (issue 16) reach them as
// LOADGATE_SHARD and LOADGATE_START_AT.
func TestSettingsEnv(t *testing.T) {
	t.Setenv("LOADGATE_TARGET", "http://inherited.example.com")
	t.Setenv("LOADGATE_RATE_SCALE", "3")
	t.Setenv("LOADGATE_ALLOW_HOSTS", "metrics.example.com")
	t.Setenv("LOADGATE_PROFILE", "heap")
	t.Setenv("LOADGATE_FLIGHT", "0")
	t.Setenv("LOADGATE_SHARD", "1/2")
	t.Setenv("LOADGATE_START_AT", "1795428000000")
	lookup := func(env []string, key string) []string {
		var vals []string
		for _, kv := range env {
			if v, ok := strings.CutPrefix(kv, key+"="); ok {
				vals = append(vals, v)
			}
		}
		return vals
	}
	tests := []struct {
		name string
		give Settings
		want map[string]string
	}{
		{name: "inherited", give: Settings{Out: "/out"}, want: map[string]string{
			"LOADGATE_TARGET": "http://inherited.example.com", "LOADGATE_RATE_SCALE": "3", "LOADGATE_ALLOW_HOSTS": "metrics.example.com", "LOADGATE_PROFILE": "heap", "LOADGATE_FLIGHT": "0",
			"LOADGATE_SHARD": "1/2", "LOADGATE_START_AT": "1795428000000"}},
		{name: "set", give: Settings{Out: "/out", Target: "https://staging.example.com", RateScale: 0.25, AllowHosts: []string{"staging.example.com", "10.0.0.7"}, Profile: "cpu,mutex", Flight: true,
			Shard: "3/4", StartAt: "2026-11-23T10:00:00.250Z"},
			want: map[string]string{
				"LOADGATE_TARGET": "https://staging.example.com", "LOADGATE_RATE_SCALE": "0.25",
				"LOADGATE_ALLOW_HOSTS": "metrics.example.com,staging.example.com,10.0.0.7", "LOADGATE_PROFILE": "cpu,mutex", "LOADGATE_FLIGHT": "1",
				"LOADGATE_SHARD": "3/4", "LOADGATE_START_AT": "2026-11-23T10:00:00.250Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := tt.give.Env()
			for k, v := range tt.want {
				if got := lookup(env, k); !slices.Equal(got, []string{v}) {
					t.Errorf("%s = %q, want once %q", k, got, v)
				}
			}
		})
	}
}

// TestSettingsCheck: Check refuses a bad LOADGATE_* value the tests would
// inherit, naming it, unless a setting replaces it.
func TestSettingsCheck(t *testing.T) {
	t.Setenv("LOADGATE_PROFILE", "bogus")
	t.Setenv("LOADGATE_RATE_SCALE", "abc")
	err := Settings{Out: "/out", Profile: "cpu"}.Check()
	if err == nil || !strings.Contains(err.Error(), `LOADGATE_RATE_SCALE="abc"`) || strings.Contains(err.Error(), "LOADGATE_PROFILE") {
		t.Errorf("Check: %v; want LOADGATE_RATE_SCALE refused, LOADGATE_PROFILE replaced", err)
	}
	if err := (Settings{Out: "/out", Profile: "cpu", RateScale: 0.5}).Check(); err != nil {
		t.Errorf("Check with both replaced: %v", err)
	}
}

// TestInheritedFile: LOADGATE_POLICY and LOADGATE_SLA are the default of a
// tool's own files when absolute; a relative one, which names another file
// in each package's directory, is refused.
func TestInheritedFile(t *testing.T) {
	for _, tt := range []struct{ give, want, wantErr string }{
		{give: "", want: ""},
		{give: " /etc/loadgate/policy.json ", want: "/etc/loadgate/policy.json"},
		{give: "policy.json", wantErr: "LOADGATE_POLICY=policy.json: want an absolute path"},
	} {
		t.Setenv("LOADGATE_POLICY", tt.give)
		got, err := InheritedFile("LOADGATE_POLICY")
		if got != tt.want || (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%q: InheritedFile = %q, %v; want %q, %q", tt.give, got, err, tt.want, tt.wantErr)
		}
	}
}
