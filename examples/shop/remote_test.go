package shop_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/loadtest"
	"github.com/loadgate/loadgate/loadtest/watch"
)

// Bounds of the steps around the load of TestLoadRemote.
const (
	buildTimeout    = 2 * time.Minute
	startTimeout    = 10 * time.Second
	shutdownTimeout = 10 * time.Second
)

// TestLoadRemote loads the shop running in a process of its own, shopd,
// and watches it from outside through its Prometheus metrics and goroutine
// profile: a healthy shop settles after the load, a leaking one does not,
// and the failure names the leaking function.
func TestLoadRemote(t *testing.T) {
	if testing.Short() {
		t.Skip("load test skipped in -short mode: it builds shopd and runs it as a separate process")
	}
	if v := os.Getenv(loadtest.EnvTarget); v != "" {
		// It watches the goroutines of shopd processes it starts, one
		// of them leaking on purpose: a target elsewhere is not one.
		t.Skipf("%s=%s: this test loads shopd processes of its own", loadtest.EnvTarget, v)
	}
	bin := buildShopd(t)
	for _, tc := range []struct {
		name string
		leak bool
	}{{"healthy", false}, {"leak", true}} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"-addr", "127.0.0.1:0"}
			if tc.leak {
				args = append(args, "-leak")
			}
			url := startShopd(t, bin, args...)
			res := loadtest.Run(t, loadtest.Scenario{
				Target:   loadtest.GET(url + "/products"),
				Load:     loadtest.Rate(100).For(2 * time.Second),
				Watch:    watch.Prometheus(url + "/metrics"),
				CoolDown: 2 * time.Second,
			})
			if res == nil {
				return
			}
			checkClean(t, res)
			s := res.Server
			if s == nil {
				t.Fatal("the result has no Server stats")
			}
			t.Logf("shopd %v: %d requests; go_goroutines before %g, peak %g, after %g; process_open_fds before %g, after %g; errors %q",
				args, res.Requests, s.Before["go_goroutines"], s.Peak["go_goroutines"], s.After["go_goroutines"],
				s.Before["process_open_fds"], s.After["process_open_fds"], s.Errors)
			for _, g := range s.GoroutineGrowth {
				t.Logf("grew: %s %d → %d", g.Function, g.Before, g.After)
			}
			if len(s.Errors) > 0 {
				t.Errorf("the watcher's scrapes failed: %q", s.Errors)
			}

			ft := &serverFailures{}
			settled := assert.ServerSettled(ft, res, 5, 5)
			if !tc.leak {
				if !settled {
					t.Errorf("ServerSettled failed on a healthy shop:\n%s", ft)
				}
				return
			}
			if settled {
				t.Fatalf("ServerSettled passed on a shop that leaks a goroutine per request")
			}
			t.Logf("ServerSettled reported:\n%s", ft)
			if msg := ft.String(); !strings.Contains(msg, "go_goroutines") || !strings.Contains(msg, leaker) {
				t.Errorf("the failure does not name go_goroutines and %s", leaker)
			}
			// One goroutine leaks per request; the goroutine profile is read
			// just after the load starts, so it may already count a few.
			grown := s.After["go_goroutines"] - s.Before["go_goroutines"]
			if math.Abs(grown-float64(res.Requests)) > 10 {
				t.Errorf("go_goroutines grew by %g for %d requests, want about one per request", grown, res.Requests)
			}
			if len(s.GoroutineGrowth) == 0 || s.GoroutineGrowth[0].Function != leaker {
				t.Fatalf("GoroutineGrowth = %+v, want %s first", s.GoroutineGrowth, leaker)
			}
			if g := s.GoroutineGrowth[0]; g.After-g.Before < int(res.Requests)-10 || g.After-g.Before > int(res.Requests) {
				t.Errorf("%s grew by %d for %d requests", leaker, g.After-g.Before, res.Requests)
			}
		})
	}
}

// serverFailures is an assert.TestingT that keeps the failures.
type serverFailures struct{ msgs []string }

func (f *serverFailures) Errorf(format string, args ...any) {
	f.msgs = append(f.msgs, fmt.Sprintf(format, args...))
}

func (f *serverFailures) String() string { return strings.Join(f.msgs, "\n") }

// buildShopd builds cmd/shopd into the test's temporary directory, with
// env (such as GOEXPERIMENT=...) added to the go command's environment. go
// test puts its own go command first on PATH.
func buildShopd(t *testing.T, env ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), buildTimeout)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "shopd")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/loadgate/loadgate/examples/shop/cmd/shopd")
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go build shopd: %v\n%s", err, out)
	}
	return bin
}

// startShopd starts shopd with args and returns its base URL once it
// listens. The test's cleanup stops it with SIGTERM, and kills it if it is
// still running after shutdownTimeout.
func startShopd(t *testing.T, bin string, args ...string) string {
	t.Helper()
	stdout := &listenLine{found: make(chan string, 1)}
	var stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
			t.Errorf("stopping shopd: %v", err)
		}
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("shopd did not shut down cleanly: %v\n%s", err, stderr.String())
			}
		case <-time.After(shutdownTimeout):
			cmd.Process.Kill()
			<-exited
			t.Errorf("shopd still running %v after SIGTERM; killed it", shutdownTimeout)
		}
	})
	select {
	case url := <-stdout.found:
		return url
	case err := <-exited:
		t.Fatalf("shopd exited before listening: %v\n%s", err, stderr.String())
	case <-time.After(startTimeout):
		t.Fatalf("shopd printed no %q within %v", "listening on", startTimeout)
	}
	return ""
}

// listenLine is shopd's standard output: it sends the URL of the line
// "listening on URL" on found.
type listenLine struct {
	mu    sync.Mutex
	buf   []byte
	found chan string
	done  bool
}

func (l *listenLine) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return len(p), nil
	}
	l.buf = append(l.buf, p...)
	for {
		line, rest, ok := bytes.Cut(l.buf, []byte("\n"))
		if !ok {
			return len(p), nil
		}
		l.buf = rest
		if url, ok := strings.CutPrefix(string(line), "listening on "); ok {
			l.done = true
			l.found <- url
			return len(p), nil
		}
	}
}
