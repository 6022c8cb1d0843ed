package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
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
