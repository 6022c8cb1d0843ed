package report

import (
	"testing"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

// TestPlanText: a stage of a fixed number of iterations read "1 users for
// 8m54.387060641s", its bound to the nanosecond, as if it had been
// planned to run that long.
func TestPlanText(t *testing.T) {
	ten := 10
	for _, tt := range []struct {
		name string
		give loadtest.StagePlan
		want string
	}{
		{"rate", loadtest.StagePlan{Model: loadtest.Open, From: 200, To: 200, DurationNS: int64(2 * time.Second)}, "200/s for 2s"},
		{"ramp", loadtest.StagePlan{Model: loadtest.Open, From: 100, To: 300, DurationNS: int64(2 * time.Second)}, "100→300/s for 2s"},
		{"one user", loadtest.StagePlan{Model: loadtest.Closed, Users: 1, DurationNS: int64(time.Minute)}, "1 user for 1m0s"},
		{"users ramp", loadtest.StagePlan{Model: loadtest.Closed, Users: 2, UsersTo: &ten, DurationNS: int64(time.Minute)}, "2→10 users for 1m0s"},
		{"iterations each", loadtest.StagePlan{Model: loadtest.Closed, Users: 1, IterationsPerUser: 1, DurationNS: 534387060641}, "1 user, 1 iteration each"},
		{"shared", loadtest.StagePlan{Model: loadtest.Closed, Users: 4, IterationsShared: 100, DurationNS: 534387060641}, "4 users, 100 iterations between them"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := planText(tt.give); got != tt.want {
				t.Errorf("planText = %q, want %q", got, tt.want)
			}
		})
	}
}
