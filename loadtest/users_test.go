package loadtest

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// TestUserStepsMatchPlan checks the arithmetic of a ramp of users: the
// engine adds or removes user k at userStep(k), the first nanosecond at
// which usersAt, the plan, has moved k users; a nanosecond earlier it has
// moved k-1.
func TestUserStepsMatchPlan(t *testing.T) {
	tests := []struct {
		name string
		give Stage
	}{
		{name: "10 to 50 in 40s", give: Users(10).RampUsersTo(50).For(40 * time.Second)},
		{name: "0 to 3 in 1s", give: Users(0).RampUsersTo(3).For(time.Second)},
		{name: "50 to 0 in 7s", give: Users(50).RampUsersTo(0).For(7 * time.Second)},
		{name: "1 to 1000 in 3h", give: Users(1).RampUsersTo(1000).For(3 * time.Hour)},
		{name: "6 to 1 in 2s", give: Users(6).RampUsersTo(1).For(2 * time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, d := tt.give, tt.give.Duration
			sign := 1
			if st.UsersTo < st.Users {
				sign = -1
			}
			if got := st.usersAt(0, d); got != st.Users {
				t.Errorf("at 0: %d users, want %d", got, st.Users)
			}
			if got := st.usersAt(d, d); got != st.UsersTo {
				t.Errorf("at the end: %d users, want %d", got, st.UsersTo)
			}
			steps := absInt(st.UsersTo - st.Users)
			prev := time.Duration(0)
			for k := 1; k <= steps; k++ {
				at := st.userStep(k, d)
				if at <= prev || at > d {
					t.Fatalf("step %d at %v, want after step %d (%v) and by the end (%v)", k, at, k-1, prev, d)
				}
				if got, want := st.usersAt(at, d), st.Users+sign*k; got != want {
					t.Errorf("at step %d (%v): %d users, want %d", k, at, got, want)
				}
				if got, want := st.usersAt(at-1, d), st.Users+sign*(k-1); got != want {
					t.Errorf("just before step %d (%v): %d users, want %d", k, at-1, got, want)
				}
				prev = at
			}
		})
	}
	// k6's example: 10 users ramping to 50 over 40 s gain one a second.
	st := Users(10).RampUsersTo(50).For(40 * time.Second)
	for k := 1; k <= 40; k++ {
		if got := st.userStep(k, st.Duration); got != time.Duration(k)*time.Second {
			t.Errorf("step %d at %v, want %ds", k, got, k)
		}
	}
}

// plannedPeak is the most users the plan of stages runs at once in second
// sec of the load: a ramp is monotonic, so the most of each stage's part of
// the second is at one end of it.
func plannedPeak(stages []Stage, sec int64) int64 {
	from, to := time.Duration(sec)*time.Second, time.Duration(sec+1)*time.Second
	start := time.Duration(0)
	var most int64
	for _, st := range stages {
		end := start + st.Duration
		if a, b := max(from, start), min(to, end); a < b {
			most = max(most, int64(st.usersAt(a-start, st.Duration)), int64(st.usersAt(b-start-1, st.Duration)))
		}
		start = end
	}
	return most
}

// TestRampingUsersFollowPlan runs a closed-model load that ramps its users
// up and down (issue 14: Users(10).RampTo(50) used to be ignored) against a
// target that takes a few milliseconds, and checks the recorded timeline
// against the plan: in every second, the most users that ran at once is the
// plan's most within one (a user removed finishes its iteration first, and
// a step can fall on a second's edge). No user was cut off mid-request.
func TestRampingUsersFollowPlan(t *testing.T) {
	stages := []Stage{
		Users(2).RampUsersTo(6).For(2 * time.Second),
		Users(6).RampUsersTo(1).For(2 * time.Second),
	}
	var hits atomic.Int64
	res, err := Execute(t.Context(), Scenario{
		Name: "ramping users",
		Target: Func(func(ctx context.Context) error {
			hits.Add(1)
			time.Sleep(3 * time.Millisecond)
			return nil
		}),
		Load: Ramp(stages...),
	})
	if err != nil {
		t.Fatal(err)
	}

	plan := res.Load.Stages
	for i, want := range [][2]int{{2, 6}, {6, 1}} {
		if p := plan[i]; p.Users != want[0] || p.EndUsers() != want[1] || p.Name != stages[i].label() {
			t.Errorf("plan of stage %d: %s, %d→%d users, want %s, %d→%d", i+1, p.Name, p.Users, p.EndUsers(), stages[i].label(), want[0], want[1])
		}
	}
	if res.Errors != 0 || hits.Load() != res.Requests {
		t.Errorf("%d errors, %d hits for %d requests: want no request cut off", res.Errors, hits.Load(), res.Requests)
	}

	planned := int64(4)
	var got, want []int64
	for _, s := range res.Timeline {
		if s.Second >= planned {
			continue
		}
		got, want = append(got, s.Users), append(want, plannedPeak(stages, s.Second))
	}
	t.Logf("most users at once per second: %v, planned %v", got, want)
	if int64(len(got)) != planned {
		t.Fatalf("timeline has %d of the %d planned seconds", len(got), planned)
	}
	for i := range got {
		if d := got[i] - want[i]; d < -1 || d > 1 {
			t.Errorf("second %d: %d users at most, want %d ± 1", i, got[i], want[i])
		}
	}
}
