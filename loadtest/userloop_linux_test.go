package loadtest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// startLoops runs body for users 0..n-1 on fresh user loops and returns a
// function that waits for every loop to end.
func startLoops(t *testing.T, n int, body func(id int, u *loopUser)) (ls *userLoops, wait func()) {
	t.Helper()
	var wg sync.WaitGroup
	var users sync.WaitGroup
	users.Add(n)
	ls = newUserLoops(userBody{run: func(id int, u *loopUser) { defer users.Done(); body(id, u) }, wg: &wg})
	for id := range n {
		if !ls.start(id) {
			t.Fatal("no user loops")
		}
	}
	return ls, func() {
		done := make(chan struct{})
		go func() { users.Wait(); ls.close(); wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("the users or their loops did not end within 10 s")
		}
	}
}

// TestUserLoopOffloadStallsNoOne checks that work a user hands to run (a
// dial) leaves the loop free for its other users: the work here waits for
// another user of the same loop, so a loop that waited for it would never
// end.
func TestUserLoopOffloadStallsNoOne(t *testing.T) {
	defer goleak.VerifyNone(t)
	loops := max(1, runtime.GOMAXPROCS(0))
	release := make(chan struct{})
	var offloaded atomic.Bool
	// Users 0 and loops share loop 0.
	_, wait := startLoops(t, loops+1, func(id int, u *loopUser) {
		switch id {
		case 0:
			u.run(func() { <-release; offloaded.Store(true) })
		case loops:
			for range 5 {
				u.pause(mono() + int64(time.Millisecond)) // timers keep working meanwhile
			}
			close(release)
		}
	})
	wait()
	if !offloaded.Load() {
		t.Error("run returned before its work ended")
	}
}

// TestUserLoopTimers checks that a pause ends at its time, never before,
// for many users with different times on the same loops.
func TestUserLoopTimers(t *testing.T) {
	defer goleak.VerifyNone(t)
	const users = 40
	var early atomic.Int64
	var resumed atomic.Int64
	_, wait := startLoops(t, users, func(id int, u *loopUser) {
		for k := range 3 {
			until := mono() + int64(time.Duration(1+(id*7+k*3)%11)*time.Millisecond)
			// The engine's wake-up also ends a pause; none comes here.
			u.pause(until)
			if now := mono(); now < until {
				early.Add(1)
			}
			resumed.Add(1)
		}
	})
	wait()
	if early.Load() != 0 {
		t.Errorf("%d pauses ended before their time", early.Load())
	}
	if resumed.Load() != users*3 {
		t.Errorf("%d pauses ended, want %d", resumed.Load(), users*3)
	}
}

// TestUserLoopWake checks that wake resumes every user paused without a
// time limit, whichever loop runs it.
func TestUserLoopWake(t *testing.T) {
	defer goleak.VerifyNone(t)
	const users = 9
	var paused, woken atomic.Int64
	ls, wait := startLoops(t, users, func(id int, u *loopUser) {
		paused.Add(1)
		u.pause(0)
		woken.Add(1)
	})
	for paused.Load() < users {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // the users are back in their loops' waits
	if woken.Load() != 0 {
		t.Fatalf("%d users resumed before the wake-up", woken.Load())
	}
	ls.wake()
	wait()
	if woken.Load() != users {
		t.Errorf("%d of %d users woken", woken.Load(), users)
	}
}

// TestLeanUsersOnLoops runs the closed model's features (a ramp of users,
// think time, iterations per user and shared, a stage that parks users)
// on a Lean target with users on loops and, for comparison, as goroutines,
// and checks that the loops really ran them.
func TestLeanUsersOnLoops(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, onLoops := range []bool{true, false} {
		name := "goroutines"
		if onLoops {
			name = "loops"
		}
		t.Run(name, func(t *testing.T) {
			defer func(old bool) { userLoopsEnabled = old }(userLoopsEnabled)
			userLoopsEnabled = onLoops
			var sawLoop atomic.Bool
			var once sync.Once
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				once.Do(func() {
					buf := make([]byte, 1<<20)
					sawLoop.Store(strings.Contains(string(buf[:runtime.Stack(buf, true)]), "(*userLoop).run"))
				})
				io.WriteString(w, "ok")
			}))
			defer srv.Close()
			target := GET(srv.URL)
			target.Transport = Lean
			load := Ramp(
				Users(1).RampUsersTo(6).For(300*time.Millisecond),
				Users(2).Thinking(20*time.Millisecond).For(400*time.Millisecond),
				Users(3).Iterations(40).For(5*time.Second),
				Users(4).SharedIterations(101).For(5*time.Second),
			)
			res := runHTTP(t, target, load)
			if sawLoop.Load() != onLoops {
				t.Fatalf("users ran on loops: %v, want %v", sawLoop.Load(), onLoops)
			}
			if res.Errors != 0 {
				t.Fatalf("%d errors: %v", res.Errors, res.ErrorSamples)
			}
			st := res.Stages
			if len(st) != 4 {
				t.Fatalf("%d stages", len(st))
			}
			if st[0].Requests == 0 {
				t.Error("the ramp sent nothing")
			}
			// Two users thinking 20 ms after each request of a fast
			// handler send about 20 in 400 ms each; a user that did not
			// think would send thousands. The lower bound asks only that
			// each user came back from thinking at least once: a frozen
			// machine (40 ms stalls were seen) lowers the count, never
			// raises it.
			if n := st[1].Requests; n < 4 || n > 44 {
				t.Errorf("thinking stage: %d requests, want about 40 (at least 4)", n)
			}
			if n := st[2].Requests; n != 3*40 {
				t.Errorf("iterations stage: %d requests, want %d", n, 3*40)
			}
			if n := st[3].Requests; n != 101 {
				t.Errorf("shared iterations stage: %d requests, want 101", n)
			}
			var peak int64
			for _, s := range res.Timeline {
				peak = max(peak, s.Users)
			}
			// The ramp's last step, to 6, falls on its end, where the
			// next stage takes over; on a starved machine the stage can
			// end before its step to 5 (the ramp follows the clock).
			if peak < 4 || peak > 5 {
				t.Errorf("most users at once %d, want 5 (4 on a starved machine)", peak)
			}
		})
	}
}

// TestLeanUserOnLoopGoexit checks that a user whose Check calls
// runtime.Goexit (as t.FailNow does) ends that user alone, as it would end
// its goroutine, and not its loop: the other users on the loop go on, and
// none is left suspended when the run ends.
func TestLeanUserOnLoopGoexit(t *testing.T) {
	defer goleak.VerifyNone(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer srv.Close()
	var exited atomic.Bool
	target := Mix(Request{Method: http.MethodGet, URL: srv.URL, Check: func(*http.Response, []byte) error {
		if !exited.Swap(true) {
			runtime.Goexit()
		}
		return nil
	}})
	target.Transport = Lean
	users := 2 * max(1, runtime.GOMAXPROCS(0)) // two on each loop
	res := runHTTP(t, target, Users(users).For(300*time.Millisecond))
	if !exited.Load() {
		t.Fatal("no Check ran")
	}
	if res.Abandoned != 0 || res.Requests < 10 {
		t.Errorf("%d requests, %d abandoned: the other users stopped", res.Requests, res.Abandoned)
	}
}
