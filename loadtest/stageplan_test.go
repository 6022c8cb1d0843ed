package loadtest_test

import (
	"testing"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

// TestStagePlanDescribe: what a stage planned, whatever its name, as the
// HTML report's stage table and a comparison's note on a changed load
// say it. A stage of a fixed number of iterations read "1 users for
// 8m54.387060641s", its bound to the nanosecond, as if it had been
// planned to run that long.
func TestStagePlanDescribe(t *testing.T) {
	ten := 10
	for _, tt := range []struct {
		name string
		give loadtest.StagePlan
		want string
	}{
		{"rate", loadtest.StagePlan{Model: loadtest.Open, From: 200, To: 200, DurationNS: int64(2 * time.Second)}, "200/s for 2s"},
		{"poisson", loadtest.StagePlan{Model: loadtest.Open, Arrivals: loadtest.Exponential, From: 200, To: 200, DurationNS: int64(2 * time.Second)}, "poisson 200/s for 2s"},
		{"ramp", loadtest.StagePlan{Model: loadtest.Open, From: 100, To: 300, DurationNS: int64(2 * time.Second)}, "100→300/s for 2s"},
		{"custom", loadtest.StagePlan{Model: loadtest.Open, Arrivals: loadtest.Custom, DurationNS: int64(time.Second)}, "custom pacer for 1s"},
		{"one user", loadtest.StagePlan{Model: loadtest.Closed, Users: 1, DurationNS: int64(time.Minute)}, "1 user for 1m0s"},
		{"users ramp", loadtest.StagePlan{Model: loadtest.Closed, Users: 2, UsersTo: &ten, DurationNS: int64(time.Minute)}, "2→10 users for 1m0s"},
		{"thinking", loadtest.StagePlan{Model: loadtest.Closed, Users: 8, DurationNS: int64(time.Minute), ThinkNS: int64(10 * time.Millisecond)}, "8 users for 1m0s, thinking 10ms"},
		{"iterations each", loadtest.StagePlan{Model: loadtest.Closed, Users: 1, IterationsPerUser: 1, DurationNS: 534387060641}, "1 user, 1 iteration each"},
		{"shared", loadtest.StagePlan{Model: loadtest.Closed, Users: 4, IterationsShared: 100, DurationNS: 534387060641}, "4 users, 100 iterations between them"},
		{"named", loadtest.StagePlan{Name: "steady", Model: loadtest.Open, From: 50, To: 50, DurationNS: int64(time.Second)}, "50/s for 1s"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.give.Describe(); got != tt.want {
				t.Errorf("Describe = %q, want %q", got, tt.want)
			}
		})
	}
}
