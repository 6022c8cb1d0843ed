package loadtest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

// TestTargetURL (issue 14): LOADGATE_TARGET replaces the server a test
// would start, and a malformed one fails the test naming the variable.
func TestTargetURL(t *testing.T) {
	const local = "http://127.0.0.1:1"
	tests := []struct {
		name      string
		give      string // LOADGATE_TARGET; "-" unset
		want      string
		wantStart bool
		wantFatal string
	}{
		{name: "unset", give: "-", want: local, wantStart: true},
		{name: "blank", give: " ", want: local, wantStart: true},
		{name: "loopback", give: "http://127.0.0.1:8080", want: "http://127.0.0.1:8080"},
		{name: "trailing slash", give: "https://Staging.Example.com/shop/", want: "https://staging.example.com/shop"},
		{name: "no scheme", give: "staging.example.com", wantFatal: `LOADGATE_TARGET="staging.example.com": want an absolute http:// or https:// URL`},
		{name: "query", give: "http://127.0.0.1:8080/?x=1", wantFatal: `LOADGATE_TARGET="http://127.0.0.1:8080/?x=1": a query is not allowed`},
		{name: "fragment", give: "http://127.0.0.1:8080#a", wantFatal: "LOADGATE_TARGET=\"http://127.0.0.1:8080#a\": a fragment is not allowed"},
		{name: "other scheme", give: "ws://127.0.0.1:8080", wantFatal: "LOADGATE_TARGET=\"ws://127.0.0.1:8080\": want an absolute http:// or https:// URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.give == "-" {
				t.Setenv(loadtest.EnvTarget, "")
				unsetenv(t, loadtest.EnvTarget)
			} else {
				t.Setenv(loadtest.EnvTarget, tt.give)
			}
			ft := &fakeTB{TB: t}
			started := false
			got := loadtest.TargetURL(ft, func() string { started = true; return local })
			fatals := ft.fatalMessages()
			if tt.wantFatal != "" {
				if len(fatals) != 1 || !strings.Contains(fatals[0], tt.wantFatal) {
					t.Fatalf("fatal messages %q, want one containing %q", fatals, tt.wantFatal)
				}
				if got != "" || started {
					t.Errorf("TargetURL after failing = %q (started: %v), want \"\" and no server", got, started)
				}
				return
			}
			if len(fatals) > 0 {
				t.Fatalf("TargetURL failed the test: %q", fatals)
			}
			if got != tt.want || started != tt.wantStart {
				t.Errorf("TargetURL = %q, started the local server: %v; want %q, %v", got, started, tt.want, tt.wantStart)
			}
		})
	}
}

// TestTargetNotAllowed (issue 14): a target whose host is neither loopback
// nor allowed is refused before the first request, whatever the kind of
// Target (a Func with a client of its own is not guarded by itself), and
// the error says how to allow it.
func TestTargetNotAllowed(t *testing.T) {
	t.Setenv(loadtest.EnvTarget, "http://staging.example.com")
	t.Setenv(loadtest.EnvAllowHosts, "")
	var hits atomic.Int64
	hit := loadtest.Func(func(context.Context) error { hits.Add(1); return nil })
	for _, target := range []struct {
		name string
		make func(url string) loadtest.Target
	}{
		{"Func", func(string) loadtest.Target { return hit }},
		{"GET", func(url string) loadtest.Target { return loadtest.GET(url + "/products") }},
	} {
		t.Run(target.name, func(t *testing.T) {
			ft := &fakeTB{TB: t}
			url := loadtest.TargetURL(ft, func() string { t.Fatal("the local server was started"); return "" })
			res := loadtest.Run(ft, loadtest.Scenario{
				Target: target.make(url),
				Load:   loadtest.Rate(100).For(100 * time.Millisecond),
			})
			fatals := ft.fatalMessages()
			if res != nil || len(fatals) != 1 {
				t.Fatalf("Run = %v, fatal messages %q; want no result and one message", res, fatals)
			}
			for _, want := range []string{
				"LOADGATE_TARGET=http://staging.example.com: host staging.example.com is a name other than localhost",
				"add the host to Scenario.AllowHosts or set LOADGATE_ALLOW_HOSTS=staging.example.com",
				"loadgate run -allow-hosts staging.example.com",
			} {
				if !strings.Contains(fatals[0], want) {
					t.Errorf("the refusal %q does not say %q", fatals[0], want)
				}
			}
			if n := hits.Load(); n != 0 {
				t.Errorf("%d requests were sent", n)
			}
		})
	}
}

// TestTargetRecorded (issue 14): Run records the target a test took from
// TargetURL, for its subtests too, once the host is allowed; the scenario's
// own allow-list counts as well as LOADGATE_ALLOW_HOSTS.
func TestTargetRecorded(t *testing.T) {
	var hits atomic.Int64
	hit := loadtest.Func(func(context.Context) error { hits.Add(1); return nil })
	load := loadtest.Rate(50).For(100 * time.Millisecond)

	t.Run("allowed by the scenario", func(t *testing.T) {
		t.Setenv(loadtest.EnvTarget, "http://staging.example.com/")
		t.Setenv(loadtest.EnvAllowHosts, "")
		url := loadtest.TargetURL(t, func() string { t.Fatal("the local server was started"); return "" })
		t.Run("sub", func(t *testing.T) {
			res := loadtest.Run(t, loadtest.Scenario{Target: hit, Load: load, AllowHosts: []string{"staging.example.com"}})
			if res == nil {
				return
			}
			if res.Env.Target != url || url != "http://staging.example.com" {
				t.Errorf("Env.Target = %q, TargetURL = %q; want both http://staging.example.com", res.Env.Target, url)
			}
			if !strings.Contains(res.Env.String(), "LOADGATE_TARGET=http://staging.example.com") {
				t.Errorf("Env.String() = %q, want it to name the target", res.Env.String())
			}
		})
	})

	t.Run("loopback", func(t *testing.T) {
		var served atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { served.Add(1) }))
		defer srv.Close()
		t.Setenv(loadtest.EnvTarget, srv.URL)
		url := loadtest.TargetURL(t, func() string { t.Fatal("the local server was started"); return "" })
		res := loadtest.Run(t, loadtest.Scenario{Target: loadtest.GET(url + "/x"), Load: load})
		if res == nil {
			return
		}
		if res.Env.Target != srv.URL || res.Requests == 0 || served.Load() != res.Requests {
			t.Errorf("Env.Target = %q after %d requests, %d served; want %s and every request served",
				res.Env.Target, res.Requests, served.Load(), srv.URL)
		}
		if want := "load against LOADGATE_TARGET=" + srv.URL + "\n"; !strings.Contains(loadtest.Summary(res), want) {
			t.Errorf("the summary does not say %q:\n%s", want, loadtest.Summary(res))
		}
	})

	t.Run("not asked for", func(t *testing.T) {
		// A test that does not call TargetURL under LOADGATE_TARGET: its
		// result records no target and says why.
		t.Setenv(loadtest.EnvTarget, "http://staging.example.com")
		res := loadtest.Run(t, loadtest.Scenario{Target: hit, Load: load})
		if res == nil {
			return
		}
		if res.Env.Target != "" {
			t.Errorf("Env.Target = %q, want none", res.Env.Target)
		}
		want := "did not take its base URL from loadtest.TargetURL"
		if len(res.Warnings) == 0 || !strings.Contains(strings.Join(res.Warnings, "\n"), want) {
			t.Errorf("warnings %q, want one saying the test %s", res.Warnings, want)
		}
	})
}

// TestRateScale (issue 14): LOADGATE_RATE_SCALE scales the rates the
// result plans and records, and a bad value fails the test naming it.
func TestRateScale(t *testing.T) {
	nop := loadtest.Func(func(context.Context) error { return nil })
	t.Setenv(loadtest.EnvRateScale, "0.5")
	res := loadtest.Run(t, loadtest.Scenario{
		Target: nop,
		Load:   loadtest.Ramp(loadtest.Rate(100).For(100*time.Millisecond), loadtest.Users(3).For(100*time.Millisecond)),
	})
	if res == nil {
		return
	}
	st := res.Load.Stages
	if res.Env.RateScale != 0.5 || len(st) != 2 || st[0].From != 50 || st[0].To != 50 || st[1].Users != 2 {
		t.Errorf("at %s=0.5: Env.RateScale %g, stages %+v; want 0.5, 50/s and 2 users (3 × 0.5 rounded up)",
			loadtest.EnvRateScale, res.Env.RateScale, st)
	}
	if st[0].Name != "100/s" {
		t.Errorf("stage name %q, want the unscaled name 100/s", st[0].Name)
	}
	if !strings.Contains(res.Env.String(), "LOADGATE_RATE_SCALE=0.5") {
		t.Errorf("Env.String() = %q, want it to name the rate scale", res.Env.String())
	}
	if want := "load LOADGATE_RATE_SCALE=0.5\n"; !strings.Contains(loadtest.Summary(res), want) {
		t.Errorf("the summary does not say %q:\n%s", want, loadtest.Summary(res))
	}

	for _, bad := range []string{"0", "-2", "NaN", "Inf", "fast"} {
		t.Setenv(loadtest.EnvRateScale, bad)
		ft := &fakeTB{TB: t}
		if res := loadtest.Run(ft, loadtest.Scenario{Target: nop, Load: loadtest.Rate(1).For(time.Millisecond)}); res != nil {
			t.Errorf("%s=%s: Run returned a result", loadtest.EnvRateScale, bad)
		}
		if f := ft.fatalMessages(); len(f) != 1 || !strings.Contains(f[0], `LOADGATE_RATE_SCALE="`+bad+`": want a positive number`) {
			t.Errorf("%s=%s: fatal messages %q, want one naming the variable", loadtest.EnvRateScale, bad, f)
		}
		if _, err := loadtest.Execute(context.Background(), loadtest.Scenario{Target: nop, Load: loadtest.Rate(1).For(time.Millisecond)}); err == nil || !strings.Contains(err.Error(), loadtest.EnvRateScale) {
			t.Errorf("%s=%s: Execute error %v, want one naming the variable", loadtest.EnvRateScale, bad, err)
		}
	}
}

// unsetenv unsets key for the test; t.Setenv first, so that it is
// restored afterwards.
func unsetenv(t *testing.T, key string) {
	t.Helper()
	if err := os.Unsetenv(key); err != nil {
		t.Fatal(err)
	}
}
