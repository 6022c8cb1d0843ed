package loadtest_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/loadtest"
)

// A load test is an ordinary test function: run it with go test -run Load.
func TestLoadExample(t *testing.T) {
	res := loadtest.Run(t, loadtest.Scenario{
		Target: loadtest.Func(func(ctx context.Context) error {
			return nil // call your service here
		}),
		Load: loadtest.Rate(200).For(time.Second),
	})
	if res.ErrorRate > 0 {
		t.Errorf("error rate = %.2f%%, want 0", 100*res.ErrorRate)
	}
}

// A ramp with a gate: the run stops after the first stage whose gate fails,
// and the result says which and why. A failed gate does not fail the test
// by itself, and SLA expressions judge only the stages that ran: a test
// that must reach the last stage checks Result.Stopped.
func ExampleRamp() {
	load := loadtest.Ramp(
		loadtest.Rate(50).For(10*time.Second),
		loadtest.Rate(50).RampTo(500).For(20*time.Second).
			Gated(assert.Gate("p95 < 50ms", "error_rate == 0", "dropped == 0")),
		loadtest.Rate(500).For(30*time.Second),
	)
	for _, s := range load.Stages() {
		fmt.Println(s.Model, s.From, s.To, s.Duration, s.Gate != nil)
	}

	// The same shape, short, against a service that fails from its 11th
	// request on: the first stage's 10 pass, the gated second stage's fail.
	var sent atomic.Int64
	res, err := loadtest.Execute(context.Background(), loadtest.Scenario{
		Target: loadtest.Func(func(ctx context.Context) error {
			if sent.Add(1) > 10 {
				return errors.New("overloaded") // call your service here
			}
			return nil
		}),
		Load: loadtest.Ramp(
			loadtest.Rate(100).For(100*time.Millisecond).Named("base"),
			loadtest.Rate(100).RampTo(200).For(100*time.Millisecond).Named("ramp").
				Gated(assert.Gate("error_rate == 0")),
			loadtest.Rate(200).For(100*time.Millisecond).Named("peak"),
		),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("stages run: %d; stopped (%s) in %s: %s\n", len(res.Stages), res.Stopped.Cause, res.Stopped.Stage, res.Stopped.Reason)
	// Output:
	// open 50 50 10s false
	// open 50 500 20s true
	// open 500 500 30s false
	// stages run: 2; stopped (gate) in ramp: error_rate = 100%, want == 0% (100% over)
}

// A program without a testing.TB, such as a command-line tool or a
// benchmark driver, runs a scenario with Execute and reads the same Result.
func ExampleExecute() {
	res, err := loadtest.Execute(context.Background(), loadtest.Scenario{
		Target: loadtest.Func(func(ctx context.Context) error {
			return nil // call your service here
		}),
		Load: loadtest.Rate(100).For(200 * time.Millisecond),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Scenario, res.Requests, res.Errors)

	_, err = loadtest.Execute(context.Background(), loadtest.Scenario{Name: "empty"})
	fmt.Println(err, errors.Is(err, loadtest.ErrNoLoad))
	// Output:
	// scenario 20 0
	// loadtest: scenario empty: scenario has no Load true
}

// Users ramp as k6's ramping-vus do: up from 10 to 50, held, and down to
// none. A user added starts at once; a user removed finishes its iteration
// first. The result's plan says how many users each stage planned, and its
// timeline how many ran at most in each second.
func ExampleStage_RampUsersTo() {
	load := loadtest.Ramp(
		loadtest.Users(10).RampUsersTo(50).For(40*time.Second), // a user more every second
		loadtest.Users(50).For(time.Minute),
		loadtest.Users(50).RampUsersTo(0).For(10*time.Second),
	)
	for _, s := range load.Stages() {
		fmt.Println(s.Users, s.UsersTo, s.Duration)
	}

	// The same shape, short: 1 user, a second one half way, 3 at the end.
	res, err := loadtest.Execute(context.Background(), loadtest.Scenario{
		Target: loadtest.Func(func(ctx context.Context) error {
			time.Sleep(time.Millisecond) // call your service here
			return nil
		}),
		Load: loadtest.Users(1).RampUsersTo(3).For(300 * time.Millisecond),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	p := res.Load.Stages[0]
	fmt.Printf("%s: from %d to %d; at most %d ran at once\n", p.Name, p.Users, p.EndUsers(), res.Timeline[0].Users)
	// Output:
	// 10 50 40s
	// 50 50 1m0s
	// 50 0 10s
	// 1→3 users: from 1 to 3; at most 2 ran at once
}

// A stage of a fixed number of iterations ends when they are done: here
// each of 8 users does 100 (k6's per-vu-iterations); SharedIterations
// shares them out instead.
func ExampleStage_Iterations() {
	res, err := loadtest.Execute(context.Background(), loadtest.Scenario{
		Target: loadtest.Func(func(ctx context.Context) error {
			return nil // call your service here
		}),
		Load: loadtest.Ramp(
			loadtest.Users(8).Iterations(100).For(time.Minute), // at most a minute
			loadtest.Users(8).SharedIterations(1000),           // at most DefaultIterationsCap
		),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Stages[0].Requests, res.Stages[1].Requests, res.Requests)
	// Output:
	// 800 1000 1800
}

// Several scenarios at once, as k6's scenarios: browse at 200/s while
// checkout users ramp from 2 to 4. Each runs in its own subtest
// (TestRunAllExample/browse) and writes its own result file to
// LOADGATE_OUT; check each result on its own, with its own SLA, and in a
// real test against its baseline too: baseline.Check(t, res).
func TestRunAllExample(t *testing.T) {
	browse := loadtest.Scenario{
		Name:   "browse",
		Target: loadtest.Func(func(ctx context.Context) error { return nil }), // call your service here
		Load:   loadtest.Rate(200).For(500 * time.Millisecond),
	}
	checkout := loadtest.Scenario{
		Name:   "checkout",
		Target: loadtest.Func(func(ctx context.Context) error { return nil }),
		Load:   loadtest.Users(2).RampUsersTo(4).For(500 * time.Millisecond),
	}
	sla := map[string][]string{
		"browse":   {"error_rate == 0", "dropped == 0", "p99 < 1s"},
		"checkout": {"error_rate == 0"},
	}
	for _, res := range loadtest.RunAll(t, browse, checkout) {
		if res == nil {
			continue // its subtest failed and says why
		}
		outs, err := assert.Check(res, sla[res.Scenario]...)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range outs {
			if !o.Pass {
				t.Errorf("%s: %s", res.Scenario, o.Message)
			}
		}
	}
}

// Reports describe the machine a result came from in one line.
func ExampleEnv_String() {
	e := loadtest.Env{Go: "go1.26.0", GOOS: "linux", GOARCH: "amd64", CPUs: 2, CPUModel: "AMD EPYC 7B13", Scale: 0.5}
	fmt.Println(e)
	fmt.Println(loadtest.Env{GOOS: "darwin", GOARCH: "arm64", CPUs: 1})
	fmt.Printf("%q\n", loadtest.Env{})
	// Output:
	// linux/amd64, 2 CPUs AMD EPYC 7B13, go1.26.0, LOADGATE_SCALE=0.5
	// darwin/arm64, 1 CPU
	// ""
}

// Test data read once and shared by every user: each iteration takes a
// row of its own, and using the last one ends the run cleanly.
func ExampleReadCSV() {
	users, err := loadtest.ReadCSV("testdata/users.csv")
	if err == nil {
		err = users.Require("email", "password") // a misspelt column fails here, before the load
	}
	if err != nil {
		fmt.Println(err) // testdata/users.csv:3:1: wrong number of fields...
		return
	}
	feed := users.Unique() // one feed per run, shared by its users
	var mu sync.Mutex
	logins := map[string]bool{}
	res, err := loadtest.Execute(context.Background(), loadtest.Scenario{
		Target: loadtest.Flow(func(ctx context.Context, it *loadtest.Iteration) error {
			row, err := feed.Next() // before the first step, so an iteration without a row sends nothing
			if err != nil {
				return err // ErrDataExhausted: no more users, the run ends
			}
			mu.Lock()
			logins[row.Get("email")] = row.Get("password") != "" // log in with it here
			mu.Unlock()
			return nil
		}),
		Load: loadtest.Users(2).For(time.Minute),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(users.Len(), "users,", len(logins), "logged in;", res.Requests, "iterations,", res.Errors, "errors")
	fmt.Printf("stopped (%s): %s\n", res.Stopped.Cause, res.Stopped.Reason)
	// Output:
	// 3 users, 3 logged in; 3 iterations, 0 errors
	// stopped (data): test data exhausted: all 3 rows of testdata/users.csv were used
}
