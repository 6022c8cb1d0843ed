package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestCustomClientRedirectGuard: a user's own http.Client follows no
// redirect to a host that is not allowed, and still follows one on
// loopback. The client's dialer refuses anything but loopback, so that
// the test itself can never send a packet elsewhere, guard or no guard.
func TestCustomClientRedirectGuard(t *testing.T) {
	var dialled atomic.Int64
	safe := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dialled.Add(1)
		host, _, _ := net.SplitHostPort(addr)
		if ip, err := netip.ParseAddr(host); err != nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("test transport: refusing to dial %s", addr)
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, "http://elsewhere.test:9/x", http.StatusFound)
		case "/home":
			http.Redirect(w, r, "/ok", http.StatusFound)
		}
	}))
	defer srv.Close()

	for _, tt := range []struct {
		path    string
		refused bool
	}{{"/home", false}, {"/away", true}} {
		target := GET(srv.URL + tt.path)
		target.Client = &http.Client{Transport: safe}
		if err := target.Prepare(context.Background(), RunInfo{RunID: "x", Timeout: time.Second}); err != nil {
			t.Fatalf("Prepare: %v", err)
		}
		before := dialled.Load()
		var s Sample
		err := target.Hit(context.Background(), &s)
		target.Finish()
		if tt.refused != errors.Is(err, ErrHostNotAllowed) {
			t.Errorf("GET %s: %v; want refused = %v", tt.path, err, tt.refused)
		}
		if tt.refused && dialled.Load()-before > 1 {
			t.Errorf("GET %s: the redirect to elsewhere.test was dialled", tt.path)
		}
	}
}

// TestHostHeader: a "Host" entry in Request.Header sets the Host the
// server sees, with the Pooled and the Lean profile alike (net/http alone
// ignores it); the URL still says where to connect.
func TestHostHeader(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Store(r.Host) }))
	defer srv.Close()
	for _, tr := range []struct {
		profile Transport
		name    string
	}{{Pooled, "Pooled"}, {Lean, "Lean"}} {
		profile := tr.name
		target := Mix(Request{URL: srv.URL + "/", Header: http.Header{"Host": {"shop.example"}}})
		target.Transport = tr.profile
		if err := target.Prepare(context.Background(), RunInfo{RunID: "x", Timeout: time.Second, Concurrency: 1}); err != nil {
			t.Fatalf("%s: Prepare: %v", profile, err)
		}
		var s Sample
		if err := target.Hit(context.Background(), &s); err != nil {
			t.Fatalf("%s: %v", profile, err)
		}
		target.Finish()
		if h, _ := got.Load().(string); h != "shop.example" {
			t.Errorf("%s: the server saw Host %q, want shop.example", profile, h)
		}
	}
	bad := Mix(Request{URL: srv.URL + "/", Header: http.Header{"Host": {"a\r\nX-Evil: 1"}}})
	if err := bad.Prepare(context.Background(), RunInfo{RunID: "x", Timeout: time.Second}); err == nil || !strings.Contains(err.Error(), "invalid Host header") {
		t.Errorf("a Host header with a line break: %v", err)
	}
}

// TestOwnClientRedirectGuard: loadgate's own clients (an HTTP target's
// net/http profiles and a Flow's) refuse a redirect to a host that is not
// allowed before they dial it or look its name up, and say so; they used
// to leave it to the dial-time check, after a DNS query for the name had
// left the machine ("localhost." or any other name). The redirect here
// goes to a TEST-NET address, which the dial-time check refuses too, so
// that no packet leaves the machine on the old code either.
func TestOwnClientRedirectGuard(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, "http://192.0.2.1:9/x", http.StatusFound)
		case "/home":
			http.Redirect(w, r, "/ok", http.StatusFound)
		}
	}))
	defer srv.Close()
	flowGET := func(url string) Target {
		return Flow(func(ctx context.Context, it *Iteration) error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return err
			}
			_, err = it.Do("step", req)
			return err
		})
	}
	for _, tt := range []struct {
		name   string
		target func(url string) Target
	}{
		{"Pooled", func(url string) Target { return GET(url) }},
		{"NoKeepAlive", func(url string) Target { h := GET(url); h.Transport = NoKeepAlive; return h }},
		{"Flow", flowGET},
	} {
		for _, path := range []string{"/home", "/away"} {
			target := tt.target(srv.URL + path)
			if err := target.(Preparer).Prepare(context.Background(), RunInfo{RunID: "x", Timeout: time.Second, Concurrency: 1}); err != nil {
				t.Fatalf("%s: Prepare: %v", tt.name, err)
			}
			var s Sample
			err := target.Hit(context.Background(), &s)
			target.(Finisher).Finish()
			if path == "/home" {
				if err != nil {
					t.Errorf("%s: GET %s: %v; want the redirect on loopback followed", tt.name, path, err)
				}
				continue
			}
			if !errors.Is(err, ErrHostNotAllowed) || !strings.Contains(err.Error(), "redirect to http://192.0.2.1:9/x: host 192.0.2.1 is not a loopback address") {
				t.Errorf("%s: GET %s: %v; want the redirect refused before the dial, naming it", tt.name, path, err)
			}
		}
	}
}

// TestCustomClientProxyChecked: a user's Client whose transport sends
// requests through a proxy (http.DefaultTransport does under HTTP_PROXY or
// HTTPS_PROXY) is refused unless the proxy's host is loopback or allowed:
// the proxy receives the load, loopback requests included. It used to be
// let through, the check seeing only the URL's host. The transport's
// dialer refuses anything but loopback, so no packet leaves the machine on
// the old code either.
func TestCustomClientProxyChecked(t *testing.T) {
	var dialled atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	client := func(proxy string) *http.Client {
		u, err := url.Parse(proxy)
		if err != nil {
			t.Fatal(err)
		}
		return &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(u), DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dialled.Add(1)
			return nil, fmt.Errorf("test transport: refusing to dial %s", addr)
		}}}
	}
	const via = "through proxy http://192.0.2.1:3128 (the Client's Transport.Proxy; HTTP_PROXY or HTTPS_PROXY with http.DefaultTransport): host 192.0.2.1 is not a loopback address"
	info := RunInfo{RunID: "x", Timeout: time.Second, Concurrency: 1}

	target := GET(srv.URL)
	target.Client = client("http://192.0.2.1:3128")
	err := target.Prepare(context.Background(), info)
	target.Finish()
	if !errors.Is(err, ErrHostNotAllowed) || !strings.Contains(err.Error(), via) || !strings.Contains(err.Error(), "LOADGATE_ALLOW_HOSTS=192.0.2.1") {
		t.Errorf("HTTP through a proxy elsewhere: Prepare = %v; want it refused naming the proxy", err)
	}
	for _, tt := range []struct {
		name, proxy string
		allow       []string
	}{
		{"proxy on loopback", "http://127.0.0.1:3128", nil},
		{"proxy allowed", "http://192.0.2.1:3128", []string{"192.0.2.1"}},
	} {
		target := GET(srv.URL)
		target.Client = client(tt.proxy)
		info := info
		info.AllowHosts = tt.allow
		if err := target.Prepare(context.Background(), info); err != nil {
			t.Errorf("HTTP, %s: Prepare = %v", tt.name, err)
		}
		target.Finish()
	}

	flow := Flow(func(ctx context.Context, it *Iteration) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		if err != nil {
			return err
		}
		_, err = it.Do("step", req)
		return err
	})
	flow.Client = client("http://192.0.2.1:3128")
	if err := flow.Prepare(context.Background(), info); err != nil {
		t.Fatal(err)
	}
	var s Sample
	err = flow.Hit(context.Background(), &s)
	flow.Finish()
	if !errors.Is(err, ErrHostNotAllowed) || !strings.Contains(err.Error(), "step step "+via) {
		t.Errorf("Flow step through a proxy elsewhere: %v; want it refused naming the proxy", err)
	}
	if n := dialled.Load(); n != 0 {
		t.Errorf("%d dials through a proxy that is not allowed, want none", n)
	}
}
