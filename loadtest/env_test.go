package loadtest

import (
	"strings"
	"testing"
)

// TestCheckEnv: CheckEnv refuses, naming the variable, each value of the
// load's variables that Run would fail every test on, and takes the rest.
func TestCheckEnv(t *testing.T) {
	tests := []struct {
		name string
		give map[string]string
		want []string // substrings of the error; none for no error
	}{
		{name: "unset", give: map[string]string{}},
		{name: "valid", give: map[string]string{EnvScale: "0.1", EnvRateScale: "2", EnvFlight: "1", EnvProfile: "cpu,heap",
			EnvTarget: "http://127.0.0.1:8080/", EnvAllowHosts: "staging.example.com, 10.0.0.7", EnvShard: "2/4", EnvRunGroup: "nightly"}},
		{name: "scale", give: map[string]string{EnvScale: "0"}, want: []string{`LOADGATE_SCALE="0"`}},
		{name: "rate scale", give: map[string]string{EnvRateScale: "x"}, want: []string{`LOADGATE_RATE_SCALE="x"`}},
		{name: "flight", give: map[string]string{EnvFlight: "maybe"}, want: []string{`LOADGATE_FLIGHT="maybe"`}},
		{name: "profile", give: map[string]string{EnvProfile: "bogus"}, want: []string{`LOADGATE_PROFILE="bogus"`}},
		{name: "target", give: map[string]string{EnvTarget: "127.0.0.1:8080"}, want: []string{`LOADGATE_TARGET="127.0.0.1:8080"`}},
		{name: "allow hosts", give: map[string]string{EnvAllowHosts: "ok.example.com,%%%"}, want: []string{`LOADGATE_ALLOW_HOSTS: entry "%%%"`}},
		{name: "shard", give: map[string]string{EnvShard: "5/2"}, want: []string{`LOADGATE_SHARD="5/2"`}},
		{name: "start at alone", give: map[string]string{EnvStartAt: "garbage"}, want: []string{`LOADGATE_START_AT is for sharded runs`}},
		{name: "start at", give: map[string]string{EnvShard: "1/2", EnvStartAt: "garbage"}, want: []string{`LOADGATE_START_AT="garbage"`}},
		{name: "every one", give: map[string]string{EnvScale: "-1", EnvProfile: "x"}, want: []string{"LOADGATE_SCALE=", "LOADGATE_PROFILE="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckEnv(func(k string) string { return tt.give[k] })
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("CheckEnv: %v; want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckEnv: nil; want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("CheckEnv: %v; want %q", err, w)
				}
			}
		})
	}
}
