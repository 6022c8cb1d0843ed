package loadtest_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
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
// and the result says which and why.
func ExampleRamp() {
	t := &testing.T{} // in a real test, the test's own t
	_ = t
	load := loadtest.Ramp(
		loadtest.Rate(50).For(10*time.Second),
		loadtest.Rate(50).RampTo(500).For(20*time.Second).
			Gated(assert.Gate("p95 < 50ms", "error_rate == 0", "dropped == 0")),
		loadtest.Rate(500).For(30*time.Second),
	)
	for _, s := range load.Stages() {
		fmt.Println(s.Model, s.From, s.To, s.Duration, s.Gate != nil)
	}
	// Output:
	// open 50 50 10s false
	// open 50 500 20s true
	// open 500 500 30s false
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
