package assert_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/loadtest"
)

// serverT records the failures of ServerSettled.
type serverT struct {
	errors  []string
	helpers int
}

func (s *serverT) Errorf(format string, args ...any) {
	s.errors = append(s.errors, fmt.Sprintf(format, args...))
}
func (s *serverT) Helper() { s.helpers++ }

// serverResult is a result whose server went from goroutines and fds
// before the load to goroutinesAfter and fdsAfter after the cool-down.
func serverResult(goroutines, goroutinesAfter, fds, fdsAfter float64, growth ...loadtest.GoroutineDelta) *loadtest.Result {
	return &loadtest.Result{
		Scenario: "browse",
		Server: &loadtest.ServerStats{
			Source:          "http://127.0.0.1:8080/metrics",
			Before:          map[string]float64{"go_goroutines": goroutines, "process_open_fds": fds},
			After:           map[string]float64{"go_goroutines": goroutinesAfter, "process_open_fds": fdsAfter},
			Peak:            map[string]float64{"go_goroutines": 300, "process_open_fds": 70},
			GoroutineGrowth: growth,
		},
	}
}

func TestServerSettled(t *testing.T) {
	leak := loadtest.GoroutineDelta{
		Function: "example.com/shop.(*Server).list.func1", Before: 0, After: 200,
		Stack: "example.com/shop.(*Server).list.func1\n\t/src/shop.go:151",
	}
	conns := loadtest.GoroutineDelta{Function: "net/http.(*conn).serve", Before: 1, After: 3}
	noFDs := serverResult(12, 13, 0, 0)
	delete(noFDs.Server.Before, "process_open_fds")
	delete(noFDs.Server.After, "process_open_fds")
	noFDs.Server.Errors = []string{"http://127.0.0.1:8080/metrics: no process_open_fds (4 times)"}

	restarted := serverResult(12, 13, 9, 9)
	restarted.Server.Before["process_start_time_seconds"] = 1700000000.25
	restarted.Server.After["process_start_time_seconds"] = 1700000061.75
	sameProcess := serverResult(12, 13, 9, 9)
	sameProcess.Server.Before["process_start_time_seconds"] = 1700000000.25
	sameProcess.Server.After["process_start_time_seconds"] = 1700000000.25
	profileOnly := serverResult(0, 0, 9, 9, leak)
	delete(profileOnly.Server.Before, "go_goroutines")
	delete(profileOnly.Server.After, "go_goroutines")
	profileOnly.Server.Errors = []string{"http://127.0.0.1:8080/metrics: no go_goroutines (4 times)"}

	tests := []struct {
		name         string
		give         *loadtest.Result
		goroutineTol int
		fdTol        int
		want         []string // one entry per failure: substrings, "|"-separated
	}{
		{name: "settled", give: serverResult(12, 14, 9, 9), goroutineTol: 5, fdTol: 5},
		{name: "at the tolerance", give: serverResult(12, 17, 9, 14), goroutineTol: 5, fdTol: 5},
		{name: "fewer after", give: serverResult(40, 12, 30, 9), goroutineTol: 0, fdTol: 0},
		{
			name: "leak", give: serverResult(12, 214, 9, 10, leak, conns), goroutineTol: 5, fdTol: 5,
			want: []string{"assert.ServerSettled: scenario browse: the server's go_goroutines = 214 after the cool-down, 12 before the load (+202, tolerance 5)" +
				"|goroutine groups that grew:\n    +200 example.com/shop.(*Server).list.func1 (0 → 200)\n    +2 net/http.(*conn).serve (1 → 3)" +
				"|stack of the first group:\n      example.com/shop.(*Server).list.func1\n      \t/src/shop.go:151"},
		},
		{
			name: "leak without a profile", give: serverResult(12, 214, 9, 10), goroutineTol: 5, fdTol: 5,
			want: []string{"(+202, tolerance 5)\n  (no goroutine profile: serve net/http/pprof"},
		},
		{
			name: "files", give: serverResult(12, 12, 9, 60), goroutineTol: 5, fdTol: 5,
			want: []string{"scenario browse: the server's process_open_fds = 60 after the cool-down, 9 before the load (+51, tolerance 5)"},
		},
		{
			name: "both", give: serverResult(12, 100, 9, 60), goroutineTol: 5, fdTol: 5,
			want: []string{"go_goroutines = 100", "process_open_fds = 60"},
		},
		{
			name: "no fds exposed", give: noFDs, goroutineTol: 5, fdTol: 5,
			want: []string{"the server's process_open_fds has no value before the load nor after the cool-down (source http://127.0.0.1:8080/metrics); the watcher's errors:\n  http://127.0.0.1:8080/metrics: no process_open_fds (4 times)"},
		},
		{name: "fds unchecked", give: noFDs, goroutineTol: 5, fdTol: -1},
		{
			// The profile was read though the metrics did not give
			// go_goroutines: say what it saw.
			name: "goroutines from the profile only", give: profileOnly, goroutineTol: 5, fdTol: 5,
			want: []string{"the server's go_goroutines has no value before the load nor after the cool-down|no go_goroutines (4 times)" +
				"|goroutine groups that grew:\n    +200 example.com/shop.(*Server).list.func1 (0 → 200)"},
		},
		{name: "same process", give: sameProcess, goroutineTol: 5, fdTol: 5},
		{
			// Killed and started again on the same port mid-load: the
			// numbers after are a new process's, back at its start.
			name: "restarted", give: restarted, goroutineTol: 5, fdTol: 5,
			want: []string{"assert.ServerSettled: scenario browse: the server restarted during the run (process_start_time_seconds 22:13:20.25 UTC before the load, 22:14:21.75 UTC after the cool-down; source http://127.0.0.1:8080/metrics)"},
		},
		{
			name: "no server stats", give: &loadtest.Result{Scenario: "browse"}, goroutineTol: 5, fdTol: 5,
			want: []string{"assert.ServerSettled: scenario browse: the result has no Server stats: set Scenario.Watch"},
		},
		{
			name: "no result", give: nil, goroutineTol: 5, fdTol: 5,
			want: []string{"assert.ServerSettled: no result"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ft := &serverT{}
			ok := assert.ServerSettled(ft, tt.give, tt.goroutineTol, tt.fdTol)
			if ok != (len(tt.want) == 0) {
				t.Errorf("ServerSettled = %v, want %v", ok, len(tt.want) == 0)
			}
			if len(ft.errors) != len(tt.want) {
				t.Fatalf("failures:\n%s\nwant %d", strings.Join(ft.errors, "\n"), len(tt.want))
			}
			for i, want := range tt.want {
				for _, part := range strings.Split(want, "|") {
					if !strings.Contains(ft.errors[i], part) {
						t.Errorf("failure %d:\n%s\nwant it to contain:\n%s", i, ft.errors[i], part)
					}
				}
			}
			if ft.helpers == 0 {
				t.Errorf("ServerSettled did not call Helper")
			}
		})
	}
}
