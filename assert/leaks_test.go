package assert_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/loadgate/loadgate/assert"
)

// TestMain runs the tests, or, in a child process of
// TestVerifyTestMainRunsGoleakCleanup, VerifyTestMain with a goleak.Cleanup.
func TestMain(m *testing.M) {
	if os.Getenv("LOADGATE_ASSERT_CHILD") == "verify-test-main" {
		assert.VerifyTestMain(m, goleak.Cleanup(func(code int) {
			fmt.Printf("cleanup got %d\n", code)
			os.Exit(code)
		}))
	}
	os.Exit(m.Run())
}

// TestVerifyTestMainRunsGoleakCleanup: goleak.Cleanup, passed to
// VerifyTestMain as goleak's users do, failed the package after 5 s with
// "Cleanup can only be passed to VerifyNone or VerifyTestMain", and its
// function never ran. It gets the exit status now, as goleak gives it.
func TestVerifyTestMainRunsGoleakCleanup(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "LOADGATE_ASSERT_CHILD=verify-test-main")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "cleanup got 0") {
		t.Errorf("VerifyTestMain with goleak.Cleanup: %v\n%s", err, out)
	}
}

// TestNoLeaksRunsGoleakCleanup: NoLeaks with goleak.Cleanup failed the
// test ("Cleanup can only be passed to VerifyNone or VerifyTestMain")
// after waiting DefaultLeakWait; its function gets 0 now, as
// goleak.VerifyNone gives it, after the check.
func TestNoLeaksRunsGoleakCleanup(t *testing.T) {
	ft := &cleanupT{}
	got := -1
	assert.NoLeaksWithin(ft, 100*time.Millisecond, goleak.Cleanup(func(code int) { got = code }))
	ft.finish()
	if len(ft.errors) != 0 || got != 0 {
		t.Errorf("errors %q, cleanup got %d; want none and 0", ft.errors, got)
	}
}

// cleanupT records failures and runs cleanups last-in first-out, as
// testing.T does.
type cleanupT struct {
	errors   []string
	cleanups []func()
}

func (c *cleanupT) Errorf(format string, args ...any) {
	c.errors = append(c.errors, fmt.Sprintf(format, args...))
}
func (c *cleanupT) Cleanup(f func()) { c.cleanups = append(c.cleanups, f) }
func (c *cleanupT) Helper()          {}
func (c *cleanupT) finish() {
	for i := len(c.cleanups) - 1; i >= 0; i-- {
		c.cleanups[i]()
	}
}

func get(t *testing.T, client *http.Client, url string, closeBody bool) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	if closeBody {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	} else {
		t.Cleanup(func() { resp.Body.Close() })
	}
}

func TestNoLeaksCatchesRealLeaks(t *testing.T) {
	tests := []struct {
		name     string
		give     func(t *testing.T, release chan struct{}) (url string, closeBody bool)
		wantText string
	}{
		{
			name: "middleware goroutine per request",
			give: func(t *testing.T, release chan struct{}) (string, bool) {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					result := make(chan int)
					go func() {
						select {
						case <-result:
						case <-release:
						}
					}()
				}))
				t.Cleanup(srv.Close)
				return srv.URL, true
			},
			wantText: "3 × [select] blocked in github.com/loadgate/loadgate/assert_test.TestNoLeaksCatchesRealLeaks",
		},
		{
			name: "response body never closed",
			give: func(t *testing.T, release chan struct{}) (string, bool) {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					io.WriteString(w, strings.Repeat("x", 32<<10))
				}))
				t.Cleanup(srv.Close)
				return srv.URL, false
			},
			wantText: "blocked in net/http.(*persistConn).readLoop",
		},
		{
			name: "ticker never stopped",
			give: func(t *testing.T, release chan struct{}) (string, bool) {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					go func() {
						tick := time.NewTicker(time.Hour)
						for {
							select {
							case <-tick.C:
							case <-release:
								return
							}
						}
					}()
				}))
				t.Cleanup(srv.Close)
				return srv.URL, true
			},
			wantText: "3 × [select] blocked in github.com/loadgate/loadgate/assert_test.TestNoLeaksCatchesRealLeaks",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			release := make(chan struct{})
			defer close(release)
			ft := &cleanupT{}
			assert.NoLeaksWithin(ft, 200*time.Millisecond)
			url, closeBody := tt.give(t, release)
			client := &http.Client{Transport: &http.Transport{}}
			for range 3 {
				get(t, client, url, closeBody)
			}
			ft.finish()
			if len(ft.errors) != 1 || !strings.Contains(ft.errors[0], tt.wantText) {
				t.Fatalf("NoLeaks reported %q, want one report containing %q", ft.errors, tt.wantText)
			}
			if !strings.Contains(ft.errors[0], "created by") || !strings.Contains(ft.errors[0], ".go:") {
				t.Errorf("report lacks the creator or file:line:\n%s", ft.errors[0])
			}
			t.Logf("report:\n%s", ft.errors[0])
		})
	}
}

// TestNoLeaksRunsAfterLaterCleanups: a server registered after NoLeaks is
// closed by its own cleanup before the check runs, and idle keep-alive
// connections of the default client are closed for the check.
func TestNoLeaksRunsAfterLaterCleanups(t *testing.T) {
	ft := &cleanupT{}
	assert.NoLeaks(ft)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	ft.Cleanup(srv.Close)
	for range 3 {
		get(t, http.DefaultClient, srv.URL, true)
	}
	ft.finish()
	if len(ft.errors) != 0 {
		t.Fatalf("clean test reported leaks: %q", ft.errors)
	}
}

// TestNoLeaksFailsAtTheCallersLine: a leak was reported at
// "leaks.go:65", a line of this package, instead of the test's line that
// called NoLeaks, as goleak.VerifyNone's failures and this package's other
// assertions are. The check runs in a child test process, which fails.
func TestNoLeaksFailsAtTheCallersLine(t *testing.T) {
	if os.Getenv("LOADGATE_ASSERT_CHILD") == "leak-line" {
		stop := make(chan struct{}) // never closed: the child process ends
		_, file, line, _ := runtime.Caller(0)
		assert.NoLeaksWithin(t, 0) // the line the failure must name: line+1
		fmt.Printf("want %s:%d\n", filepath.Base(file), line+1)
		go func() { <-stop }()
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestNoLeaksFailsAtTheCallersLine$", "-test.count=1")
	cmd.Env = append(os.Environ(), "LOADGATE_ASSERT_CHILD=leak-line")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the child test passed with a leak:\n%s", out)
	}
	want, _, _ := strings.Cut(strings.TrimPrefix(string(out), "want "), "\n")
	if !strings.Contains(string(out), want+": assert.NoLeaks: 1 leaked goroutine") {
		t.Errorf("the failure is not at %s:\n%s", want, out)
	}
}

// firstLineT prints the first line of each failure; in a real test, pass
// its t, which shows the whole report: every group's function and file:line
// where it blocks and where it was started, and one stack.
type firstLineT struct {
	cleanupT
	failures int
}

func (t *firstLineT) Errorf(format string, args ...any) {
	first, _, _ := strings.Cut(fmt.Sprintf(format, args...), "\n")
	fmt.Println(first)
	t.failures++
}

// refresh stands for a goroutine that the code under test starts for
// each request and that outlives it.
func refresh(stop <-chan struct{}) { <-stop }

// NoLeaks goes first in a test, so that it checks after every later
// cleanup, such as the server's Close. A goroutine the code under test
// starts and never ends fails the test. goleak's options pass through: a
// goroutine meant to outlive the test is ignored by the function it is
// blocked in (IgnoreTopFunction) or any function on its stack
// (IgnoreAnyFunction).
func ExampleNoLeaks() {
	for _, opts := range [][]goleak.Option{
		nil,
		{goleak.IgnoreTopFunction("github.com/loadgate/loadgate/assert_test.refresh")},
	} {
		t := &firstLineT{} // in a real test: func TestServer(t *testing.T)
		assert.NoLeaksWithin(t, 100*time.Millisecond, opts...)
		stop := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			go refresh(stop) // outlives the request, and the test
		}))
		t.Cleanup(srv.Close)
		if resp, err := http.Get(srv.URL); err == nil {
			resp.Body.Close()
		}
		t.finish() // the test ends: its cleanups run, the server's Close first
		close(stop)
		fmt.Printf("with %d option(s): %d failure(s)\n", len(opts), t.failures)
	}
	// Output:
	// assert.NoLeaks: 1 leaked goroutine(s) in 1 group(s):
	// with 0 option(s): 1 failure(s)
	// with 1 option(s): 0 failure(s)
}

// TestNoLeaksReportsEveryGroupsStack: of two leaks in different places,
// the report printed the first one's stack alone, where goleak prints
// both; the second's frames between where it blocks and who created it
// were lost.
func TestNoLeaksReportsEveryGroupsStack(t *testing.T) {
	ft := &cleanupT{}
	assert.NoLeaksWithin(ft, 50*time.Millisecond)
	stop := make(chan struct{})
	defer close(stop)
	go refresh(stop)
	go refresh(stop)
	go leakDeep(stop)
	ft.finish()
	if len(ft.errors) != 1 {
		t.Fatalf("got %d failures, want 1: %q", len(ft.errors), ft.errors)
	}
	report := ft.errors[0]
	for _, want := range []string{
		"3 leaked goroutine(s) in 2 group(s)",
		"\n        github.com/loadgate/loadgate/assert_test.refresh(",
		"\n        github.com/loadgate/loadgate/assert_test.leakDeep(", // below the frame it blocks in
		"goroutines ",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
}

// leakDeep blocks in refresh, one frame below.
func leakDeep(stop <-chan struct{}) { refreshVia(stop) }

//go:noinline
func refreshVia(stop <-chan struct{}) { <-stop }
