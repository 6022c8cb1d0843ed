package loadtest

import (
	"context"
	"strings"
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

// TestIterationsCountExactly: a closed-model stage of a fixed number of
// iterations sends exactly that many requests, per user (k6's
// per-vu-iterations) or shared (shared-iterations), then ends and lets the
// next stage start. A warm-up before it runs its users for the warm-up's
// length: what they send then is counted in Warmup, not in the stage.
func TestIterationsCountExactly(t *testing.T) {
	tests := []struct {
		name   string
		load   Load
		warmup time.Duration
		want   []int64 // requests per stage
	}{
		{name: "per user", load: Users(8).Iterations(100), want: []int64{800}},
		{name: "per user after a warm-up", load: Users(8).Iterations(100), warmup: 100 * time.Millisecond, want: []int64{800}},
		{name: "shared", load: Users(8).SharedIterations(1000), want: []int64{1000}},
		{name: "shared after a warm-up", load: Users(8).SharedIterations(1000), warmup: 100 * time.Millisecond, want: []int64{1000}},
		{name: "shared, thinking", load: Users(3).SharedIterations(31).Thinking(time.Millisecond), want: []int64{31}},
		{name: "more users than iterations", load: Users(8).SharedIterations(3), want: []int64{3}},
		{name: "bounded by For", load: Users(2).Iterations(50).For(time.Minute), want: []int64{100}},
		{name: "then a rate", load: Ramp(Users(4).Iterations(5), Rate(100).For(200*time.Millisecond)), want: []int64{20, 20}},
		{name: "after a hold", load: Ramp(Users(2).For(100*time.Millisecond), Users(5).Iterations(7)), want: []int64{-1, 35}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int64
			res, err := Execute(t.Context(), Scenario{
				Name: "iterations",
				Target: Func(func(context.Context) error {
					hits.Add(1)
					return nil
				}),
				Load:   tt.load,
				Warmup: tt.warmup,
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Stages) != len(tt.want) {
				t.Fatalf("%d stages ran, want %d", len(res.Stages), len(tt.want))
			}
			var total int64
			for i, want := range tt.want {
				got := res.Stages[i].Requests
				total += got
				if want >= 0 && got != want {
					t.Errorf("stage %d (%s): %d requests, want exactly %d", i+1, res.Stages[i].Name, got, want)
				}
			}
			if res.Requests != total || res.Errors != 0 || res.Dropped != 0 {
				t.Errorf("result: %d requests (%d errors, %d dropped), want the stages' %d", res.Requests, res.Errors, res.Dropped, total)
			}
			var warm int64
			if res.Warmup != nil {
				warm = res.Warmup.Requests
			}
			if tt.warmup > 0 && warm == 0 {
				t.Errorf("the warm-up sent nothing")
			}
			if hits.Load() != res.Requests+warm {
				t.Errorf("target hit %d times, want the %d requests and %d of the warm-up", hits.Load(), res.Requests, warm)
			}
			var sent int64
			for _, s := range res.Timeline {
				sent += s.Sent
			}
			if sent != res.Requests {
				t.Errorf("timeline: %d sent, want %d", sent, res.Requests)
			}
			for _, w := range res.Warnings {
				if strings.Contains(w, "reached its bound") {
					t.Errorf("warning: %s", w)
				}
			}
			for i, p := range res.Load.Stages {
				if n := tt.load.Stages()[i].totalIterations(); n > 0 && p.IterationsPerUser+p.IterationsShared == 0 {
					t.Errorf("plan of stage %d does not say its iterations", i+1)
				}
			}
		})
	}
}

// TestIterationsBound: a stage of a fixed number of iterations ends at its
// duration if they are not done by then, and the result says so.
func TestIterationsBound(t *testing.T) {
	res, err := Execute(t.Context(), Scenario{
		Name: "bounded",
		Target: Func(func(context.Context) error {
			time.Sleep(time.Millisecond)
			return nil
		}),
		Load: Users(2).Iterations(1_000_000).For(200 * time.Millisecond),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests >= 2_000_000 || res.Requests == 0 {
		t.Errorf("%d requests, want some, fewer than the 2000000 iterations", res.Requests)
	}
	want := "stage 1 (2 users) reached its bound of 200ms after"
	found := false
	for _, w := range res.Warnings {
		found = found || strings.Contains(w, want)
	}
	if !found {
		t.Errorf("warnings %q, want one containing %q", res.Warnings, want)
	}
}

// TestIterationsDefaultCap: without For, a stage of a fixed number of
// iterations is bounded by DefaultIterationsCap, or under go test by an
// equal share of what -timeout leaves after the rest of the load and a
// drain.
func TestIterationsDefaultCap(t *testing.T) {
	nop := Func(func(context.Context) error { return nil })
	s, err := Scenario{Target: nop, Timeout: 9 * time.Second, Load: Ramp(
		Users(2).Iterations(5),
		Rate(10).For(10*time.Second),
		Users(2).SharedIterations(5),
		Users(2).Iterations(5).For(time.Second),
	)}.ready(scales{duration: 0.5, rate: 1})
	if err != nil {
		t.Fatal(err)
	}
	st := s.Load.Stages()
	if st[0].Duration != DefaultIterationsCap || st[2].Duration != DefaultIterationsCap || st[1].Duration != 5*time.Second || st[3].Duration != 500*time.Millisecond {
		t.Fatalf("durations %v, %v, %v, %v: want the default cap unscaled, and the others scaled by 0.5", st[0].Duration, st[1].Duration, st[2].Duration, st[3].Duration)
	}

	// 5.5 s fixed, 60 s left: 54.5 s, less the timeout and the drain's
	// grace, shared by two stages.
	fit, need, ok := s.fitCaps(time.Minute)
	wantShare := (time.Minute - 5500*time.Millisecond - 9*time.Second - drainGrace) / 2
	if st := fit.Load.Stages(); !ok || st[0].Duration != wantShare || st[2].Duration != wantShare || need != 5500*time.Millisecond+2*wantShare {
		t.Errorf("fitted into 1m: %v and %v (need %v, ok %v), want %v each", st[0].Duration, st[2].Duration, need, ok, wantShare)
	}
	if _, need, ok := s.fitCaps(5 * time.Second); ok || need != 5500*time.Millisecond {
		t.Errorf("fitted into 5s: need %v, ok %v; want 5.5s, not ok", need, ok)
	}
}

// TestRampToOnUsers: Users(10).RampTo(50), silently ignored before issue
// 14, ramps the users as RampUsersTo(50) does.
func TestRampToOnUsers(t *testing.T) {
	if got, want := Users(10).RampTo(50).For(time.Second), Users(10).RampUsersTo(50).For(time.Second); got.UsersTo != want.UsersTo || got.To != 0 {
		t.Errorf("Users(10).RampTo(50) = %+v, want %+v", got, want)
	}
	if s := Users(10).RampTo(0); s.UsersTo != 0 || s.Users != 10 {
		t.Errorf("Users(10).RampTo(0) = %+v, want a ramp down to none", s)
	}
}
