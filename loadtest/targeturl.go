package loadtest

import (
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/loadgate/loadgate/internal/allowhosts"
	"github.com/loadgate/loadgate/internal/baseurl"
)

// EnvTarget names LOADGATE_TARGET: the base URL of a service already
// running elsewhere (a staging deployment, another process), which
// [TargetURL] gives the tests in place of the server each would start.
// loadgate run -target sets it.
const EnvTarget = "LOADGATE_TARGET"

// TB is the part of testing.TB that [TargetURL] needs.
type TB interface {
	Helper()
	Name() string
	Cleanup(func())
	Fatalf(format string, args ...any)
}

var _ TB = (testing.TB)(nil)

// TargetURL returns the base URL that test t sends its load to. Call it
// where the test would start its server, and build every URL of the
// scenario from what it returns:
//
//	url := loadtest.TargetURL(t, func() string {
//		srv := httptest.NewServer(handler)
//		t.Cleanup(srv.Close)
//		return srv.URL
//	})
//
// Without LOADGATE_TARGET, TargetURL calls start and returns what start
// returns. With LOADGATE_TARGET set (loadgate run -target), it never calls
// start and returns that URL instead, so that the same scenario runs
// against a service elsewhere. The URL must be absolute http or https,
// with a host and without user info, query or fragment; trailing slashes
// are removed, so that url+"/products" is right. If it is malformed,
// TargetURL fails t naming LOADGATE_TARGET (and returns "" to a t whose
// Fatalf returns).
//
// TargetURL does not check the host: [Run] of t, or of a subtest of t,
// refuses to start the load unless the host is loopback or allowed by
// Scenario.AllowHosts or LOADGATE_ALLOW_HOSTS (loadgate run -allow-hosts),
// whatever the scenario's Target is. Requests the test sends itself before
// Run are not guarded. Run also records the URL in the result
// (Env.Target), and package baseline refuses to compare runs against
// different targets: a run against staging is never judged by a baseline
// of a server the test started.
func TargetURL(t TB, start func() string) string {
	t.Helper()
	raw, set := os.LookupEnv(EnvTarget)
	if !set || strings.TrimSpace(raw) == "" {
		return start()
	}
	u, err := baseurl.Parse(raw)
	if err != nil {
		t.Fatalf("loadtest: %s=%q: %v", EnvTarget, raw, err)
		return ""
	}
	name := t.Name()
	targets.Lock()
	targets.byTest[name] = u
	targets.Unlock()
	t.Cleanup(func() {
		targets.Lock()
		delete(targets.byTest, name)
		targets.Unlock()
	})
	return u
}

// targets holds, by test name, the LOADGATE_TARGET that tests took their
// base URL from, while they run: Run finds the target of a test by its
// name, since TargetURL and Run share nothing else.
var targets = struct {
	sync.Mutex
	byTest map[string]string
}{byTest: map[string]string{}}

// targetOf returns the target that the test named name, or a test it is a
// subtest of, took from [TargetURL]; false if none did.
func targetOf(name string) (string, bool) {
	targets.Lock()
	defer targets.Unlock()
	for {
		if u, ok := targets.byTest[name]; ok {
			return u, true
		}
		i := strings.LastIndex(name, "/")
		if i < 0 {
			return "", false
		}
		name = name[:i]
	}
}

// checkTarget refuses a target whose host the scenario may not send load
// to, before any request: it holds for every kind of [Target], not only
// for those that check their own URLs when prepared.
func checkTarget(target string, allow []string) error {
	u, err := url.Parse(target)
	if err != nil {
		return fmt.Errorf("%s=%q: %w", EnvTarget, target, err)
	}
	list, err := allowhosts.Parse("Scenario.AllowHosts", append(append([]string(nil), allow...), allowhosts.FromEnv()...))
	if err != nil {
		return err
	}
	return list.Check(EnvTarget+"="+target, u.Hostname())
}

// unusedTarget is the warning of a run under LOADGATE_TARGET whose test
// did not ask [TargetURL] for its base URL: its load went wherever its
// target points, which may be a server the test started.
func unusedTarget(test string) string {
	v := strings.TrimSpace(os.Getenv(EnvTarget))
	if v == "" {
		return ""
	}
	return fmt.Sprintf("%s=%s is set, but test %s did not take its base URL from loadtest.TargetURL: its load did not necessarily go there, and the result does not record a target", EnvTarget, v, test)
}
