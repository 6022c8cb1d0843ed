package loadtest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/allowhosts"
	"go.uber.org/goleak"
)

// runHTTP runs target under load and fails the test on a run error.
func runHTTP(t *testing.T, target Target, load Load) *Result {
	t.Helper()
	return runHTTPWith(t, target, load, nil)
}

// runHTTPWith is runHTTP with a chance to change the scenario first.
func runHTTPWith(t *testing.T, target Target, load Load, edit func(*Scenario)) *Result {
	t.Helper()
	s := Scenario{Name: t.Name(), Target: target, Load: load, Timeout: 5 * time.Second}
	if edit != nil {
		edit(&s)
	}
	s = s.withDefaults(1)
	if err := s.validate(); err != nil {
		t.Fatal(err)
	}
	res, err := execute(context.Background(), s, execOptions{drainLimit: 10 * time.Second, logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// forEachTransport runs test once per HTTP/1.1 profile that keeps
// connections alive: net/http's (Pooled) and loadgate's own (Lean) must
// report the same things.
func forEachTransport(t *testing.T, test func(t *testing.T, tr Transport)) {
	for _, tt := range []struct {
		name string
		tr   Transport
	}{{"pooled", Pooled}, {"lean", Lean}} {
		t.Run(tt.name, func(t *testing.T) { test(t, tt.tr) })
	}
}

// using returns target with its Transport set to tr.
func using(target *HTTP, tr Transport) *HTTP {
	target.Transport = tr
	return target
}

func tlsConfigFor(srv *httptest.Server) *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return &tls.Config{RootCAs: pool}
}

func TestHTTPTLSConnectionReuse(t *testing.T) {
	defer goleak.VerifyNone(t)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	// A fixed number of users bounds the connections a pool needs,
	// however slow a handshake is (the race detector makes one take a
	// second on a busy machine): at most one each.
	const users = 4
	tests := []struct {
		name          string
		profile       Transport
		wantHandshake bool
	}{
		{name: "no keep-alive handshakes every request", profile: NoKeepAlive, wantHandshake: true},
		{name: "pooled reuses connections", profile: Pooled},
		{name: "lean reuses connections", profile: Lean},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := GET(srv.URL + "/")
			target.Transport, target.TLSConfig = tt.profile, tlsConfigFor(srv)
			// The warm-up opens the pool's connections, as a user's would.
			res := runHTTPWith(t, target, Users(users).For(time.Second), func(s *Scenario) { s.Warmup = 300 * time.Millisecond })
			if res.Errors != 0 {
				t.Fatalf("errors = %d (%v), want 0", res.Errors, res.ErrorSamples)
			}
			c := res.Connections
			if c == nil {
				t.Fatal("no connection statistics")
			}
			handshakes := res.Phases["tls"].Count
			if tt.wantHandshake {
				if handshakes != res.Requests || c.ReuseShare != 0 {
					t.Errorf("TLS handshakes = %d, reuse share %.4f; want one per request (%d) and none reused", handshakes, c.ReuseShare, res.Requests)
				}
			} else {
				// Connections the warm-up did not finish opening may open
				// during the load: one per user at most.
				if handshakes > users {
					t.Errorf("TLS handshakes = %d for %d requests by %d users, want at most one per user", handshakes, res.Requests, users)
				}
				if want := 1 - float64(users)/float64(res.Requests); c.ReuseShare < want {
					t.Errorf("reuse share = %.4f, want at least %.4f (all but one request per user)", c.ReuseShare, want)
				}
			}
			t.Logf("%s: %d requests, reuse %.4f, TLS handshakes %d (p50 %v), connect p50 %v",
				tt.name, res.Requests, c.ReuseShare, handshakes, time.Duration(res.Phases["tls"].P50NS), time.Duration(res.Phases["connect"].P50NS))
		})
	}
}

func TestHTTP2(t *testing.T) {
	defer goleak.VerifyNone(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Proto)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	target := GET(srv.URL)
	target.Transport, target.TLSConfig = HTTP2, tlsConfigFor(srv)
	res := runHTTP(t, target, Rate(200).For(500*time.Millisecond))
	if res.Errors != 0 {
		t.Fatalf("errors = %d (%v)", res.Errors, res.ErrorSamples)
	}
	if got := res.Connections.Protocols["HTTP/2.0"]; got != res.Requests {
		t.Errorf("HTTP/2.0 requests = %d of %d (protocols %v)", got, res.Requests, res.Connections.Protocols)
	}
}

func TestHTTPStatusCountsAreExact(t *testing.T) {
	forEachTransport(t, testHTTPStatusCountsAreExact)
}

func testHTTPStatusCountsAreExact(t *testing.T, tr Transport) {
	defer goleak.VerifyNone(t)
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%10 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	res := runHTTP(t, using(GET(srv.URL), tr), Rate(500).For(time.Second))
	served := n.Load()
	if res.Requests != served {
		t.Fatalf("requests = %d, server saw %d", res.Requests, served)
	}
	want503 := served / 10
	if got := res.StatusCodes["503"]; got != want503 {
		t.Errorf("503s = %d, want %d", got, want503)
	}
	if got := res.StatusCodes["200"]; got != served-want503 {
		t.Errorf("200s = %d, want %d", got, served-want503)
	}
	if res.Errors != want503 || res.ErrorKinds[KindHTTP5xx] != want503 {
		t.Errorf("errors = %d (kinds %v), want %d http_5xx", res.Errors, res.ErrorKinds, want503)
	}
	if want := float64(want503) / float64(served); res.ErrorRate != want {
		t.Errorf("error rate = %v, want %v", res.ErrorRate, want)
	}
}

func TestHTTPMixSplitsByName(t *testing.T) {
	forEachTransport(t, testHTTPMixSplitsByName)
}

func testHTTPMixSplitsByName(t *testing.T, tr Transport) {
	defer goleak.VerifyNone(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	target := Mix(
		Request{Name: "browse", URL: srv.URL + "/products", Weight: 80},
		Request{Name: "cart", Method: http.MethodPost, URL: srv.URL + "/cart", Body: []byte(`{"id":1}`), Weight: 15},
		Request{URL: srv.URL + "/missing", Weight: 5},
	)
	res := runHTTP(t, using(target, tr), Rate(400).For(time.Second))
	total := res.Requests
	for name, share := range map[string]float64{"browse": 0.80, "cart": 0.15, "GET /missing": 0.05} {
		got := res.ByName[name].Requests
		if want := share * float64(total); float64(got) < want-2 || float64(got) > want+2 {
			t.Errorf("%s: %d of %d requests, want %.0f", name, got, total, want)
		}
	}
	if got := res.ByName["GET /missing"].StatusCodes["404"]; got != res.ByName["GET /missing"].Requests || got == 0 {
		t.Errorf("GET /missing: 404s = %d of %d", got, res.ByName["GET /missing"].Requests)
	}
	if res.ErrorKinds[KindHTTP4xx] != res.ByName["GET /missing"].Requests {
		t.Errorf("http_4xx = %d, want %d", res.ErrorKinds[KindHTTP4xx], res.ByName["GET /missing"].Requests)
	}
}

func TestHTTPHugeBodiesStayBounded(t *testing.T) {
	forEachTransport(t, testHTTPHugeBodiesStayBounded)
}

func testHTTPHugeBodiesStayBounded(t *testing.T, tr Transport) {
	defer goleak.VerifyNone(t)
	chunk := make([]byte, 1<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for range 100 { // 100 MB
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	res := runHTTP(t, using(GET(srv.URL), tr), Users(4).For(time.Second))
	if res.Requests == 0 || res.ErrorKinds[KindBodyTooLarge] != res.Requests {
		t.Fatalf("body_too_large = %d of %d requests (kinds %v)", res.ErrorKinds[KindBodyTooLarge], res.Requests, res.ErrorKinds)
	}
	// 4 requests in flight x 1 MiB limit, plus the server's own buffers
	// and histograms: far below the 100 MB a body would cost.
	if peak := res.Runtime.HeapPeakBytes; peak > 64<<20 {
		t.Errorf("heap peak = %d MiB, want the body limit times the requests in flight, not whole bodies", peak>>20)
	}
	t.Logf("%d requests of 100 MB bodies; heap peak %.1f MiB", res.Requests, float64(res.Runtime.HeapPeakBytes)/(1<<20))
}

func TestHTTPCheckAndExpect(t *testing.T) {
	forEachTransport(t, testHTTPCheckAndExpect)
}

func testHTTPCheckAndExpect(t *testing.T, tr Transport) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"ok":false}`)
	}))
	defer srv.Close()
	target := Mix(
		Request{Name: "expect-201", URL: srv.URL, Expect: []int{201}},
		Request{Name: "expect-200", URL: srv.URL, Expect: []int{200}},
		Request{Name: "check", URL: srv.URL, Check: func(resp *http.Response, body []byte) error {
			if !strings.Contains(string(body), `"ok":true`) {
				return errors.New("body says not ok")
			}
			return nil
		}},
	)
	res := runHTTP(t, using(target, tr), Rate(90).For(time.Second))
	if got := res.ByName["expect-201"].Errors; got != 0 {
		t.Errorf("expect-201 errors = %d", got)
	}
	if got := res.ByName["expect-200"].ErrorKinds[KindHTTPStatus]; got == 0 || got != res.ByName["expect-200"].Requests {
		t.Errorf("expect-200 http_status errors = %d of %d", got, res.ByName["expect-200"].Requests)
	}
	if got := res.ByName["check"].ErrorKinds[KindCheck]; got == 0 || got != res.ByName["check"].Requests {
		t.Errorf("check errors = %d of %d", got, res.ByName["check"].Requests)
	}
}

func TestHTTPRequestIDs(t *testing.T) {
	forEachTransport(t, testHTTPRequestIDs)
}

func testHTTPRequestIDs(t *testing.T, tr Transport) {
	ids := make(chan string, 1000)
	var runIDs atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ids <- r.Header.Get("X-Request-ID")
		runIDs.Store(r.Header.Get("X-Loadgate-Run"))
	}))
	defer srv.Close()
	res := runHTTP(t, using(GET(srv.URL), tr), Rate(200).For(500*time.Millisecond))
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		if id == "" || seen[id] {
			t.Fatalf("request id %q missing or repeated", id)
		}
		seen[id] = true
	}
	if int64(len(seen)) != res.Requests {
		t.Errorf("%d distinct ids for %d requests", len(seen), res.Requests)
	}
	if got := runIDs.Load(); got != res.RunID {
		t.Errorf("run id header = %v, want %s", got, res.RunID)
	}
}

// TestHTTPRefusesNonLoopbackHosts checks Prepare against the allow-list
// (its rules are tested in internal/allowhosts): a refused host fails the
// run before any request is sent, and no name is resolved to decide.
func TestHTTPRefusesNonLoopbackHosts(t *testing.T) {
	defer func(old func(context.Context, string, string) ([]netip.Addr, error)) { lookupNetIP = old }(lookupNetIP)
	var lookups atomic.Int64
	lookupNetIP = func(context.Context, string, string) ([]netip.Addr, error) {
		lookups.Add(1)
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	var sent atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sent.Add(1) }))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]

	tests := []struct {
		name    string
		url     string
		allow   []string
		env     string
		wantErr string
	}{
		{name: "public IP", url: "http://203.0.113.9/", wantErr: "host 203.0.113.9 is not a loopback address"},
		{name: "private IP", url: "http://10.1.2.3/", wantErr: "add the host to Scenario.AllowHosts or set LOADGATE_ALLOW_HOSTS=10.1.2.3"},
		{name: "name", url: "http://shop.internal/", wantErr: "host shop.internal is a name other than localhost"},
		{name: "name of loopback", url: "http://local.test" + port + "/", wantErr: "host local.test is a name other than localhost"},
		{name: "loopback IPv4", url: srv.URL},
		{name: "localhost", url: "http://localhost" + port + "/"},
		{name: "allowed by scenario", url: "http://shop.internal/", allow: []string{"shop.internal"}},
		{name: "allowed by env", url: "http://shop.internal/", env: "other, shop.internal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvAllowHosts, tt.env)
			before := sent.Load()
			target := GET(tt.url)
			info := RunInfo{RunID: "x", Concurrency: 1, AllowHosts: append(tt.allow, allowhosts.FromEnv()...)}
			err := target.Prepare(context.Background(), info)
			defer target.Finish()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Prepare: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrHostNotAllowed) {
				t.Fatalf("Prepare error = %v, want one containing %q", err, tt.wantErr)
			}
			if sent.Load() != before {
				t.Error("a request was sent before the host was refused")
			}
		})
	}
	if n := lookups.Load(); n != 0 {
		t.Errorf("%d names resolved to check hosts, want none", n)
	}

	err := GET(srv.URL).Prepare(context.Background(), RunInfo{RunID: "x", Concurrency: 1, AllowHosts: []string{"shop.internal:8080"}})
	if want := `Scenario.AllowHosts or LOADGATE_ALLOW_HOSTS: entry "shop.internal:8080": want a host alone`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Prepare with an entry with a port = %v, want an error containing %q", err, want)
	}
}

// TestHTTPDialGuard checks the second line of defence: Pooled connections
// go through the allow-list's dial-time check, so a connection to a
// non-loopback address is refused even if Prepare passed. The check runs
// before connect: no packet leaves the machine.
func TestHTTPDialGuard(t *testing.T) {
	var nothing allowhosts.List
	tr := newTransport(Pooled, nil, 1, &nothing)
	if _, err := tr.DialContext(context.Background(), "tcp", "203.0.113.7:80"); !errors.Is(err, ErrHostNotAllowed) {
		t.Errorf("dial to a public address = %v, want ErrHostNotAllowed", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	c, err := tr.DialContext(context.Background(), "tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatalf("dial loopback: %v", err)
	}
	c.Close()
}

func TestHTTPLeavesNoGoroutines(t *testing.T) {
	forEachTransport(t, testHTTPLeavesNoGoroutines)
}

func testHTTPLeavesNoGoroutines(t *testing.T, tr Transport) {
	defer goleak.VerifyNone(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	before := runtime.NumGoroutine()
	res := runHTTP(t, using(GET(srv.URL), tr), Ramp(Rate(200).For(300*time.Millisecond), Users(20).For(300*time.Millisecond)))
	if res.Runtime.GoroutinesEnd > before+2 {
		t.Errorf("goroutines at the end = %d, before = %d", res.Runtime.GoroutinesEnd, before)
	}
}

// TestRefusalNamesRequest: the refusal of a request's host names the
// request as it is sent (GET when Method is empty; it read "( http://…)")
// and leaves a password in its URL out of the test log.
func TestRefusalNamesRequest(t *testing.T) {
	for _, tt := range []struct {
		give Request
		want string
	}{
		{give: Request{URL: "http://192.0.2.1/a"}, want: "HTTP request 1 (GET http://192.0.2.1/a): host 192.0.2.1 is not a loopback address"},
		{give: Request{Method: "POST", URL: "http://user:secret@192.0.2.1/a"}, want: "HTTP request 1 (POST http://user:xxxxx@192.0.2.1/a): host 192.0.2.1"},
		// A URL that does not parse: its error quoted it whole.
		{give: Request{URL: "http://user:secret@127.0.0.1:80x/a"}, want: `HTTP request 1 (GET http://user:xxxxx@127.0.0.1:80x/a): URL: invalid port ":80x" after host`},
		{give: Request{URL: "http://us@er:sec@ret@127.0.0.1:80x/a"}, want: "(GET http://us@er:xxxxx@127.0.0.1:80x/a)"},
	} {
		target := Mix(tt.give)
		err := target.Prepare(context.Background(), RunInfo{RunID: "x", Concurrency: 1})
		target.Finish()
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "secret") {
			t.Errorf("Prepare(%s %s) = %v; want an error containing %q", tt.give.Method, tt.give.URL, err, tt.want)
		}
	}
}

// TestMixWeights: a Weight of 0 among weighted requests was read as 1, so
// a request switched off with Weight 0 was sent (10% of a mix of 9 and 0);
// it is refused now, naming the request and the weighted one. A mix that
// gives no weights sends its requests equally, and a negative weight is
// refused.
func TestMixWeights(t *testing.T) {
	defer goleak.VerifyNone(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	tests := []struct {
		name    string
		give    []Request
		want    map[string]int64 // requests by name, of 20
		wantErr string
	}{
		{"no weights", []Request{{Name: "a", URL: srv.URL + "/a"}, {Name: "b", URL: srv.URL + "/b"}}, map[string]int64{"a": 10, "b": 10}, ""},
		{"weights", []Request{{Name: "a", URL: srv.URL + "/a", Weight: 3}, {Name: "b", URL: srv.URL + "/b", Weight: 1}}, map[string]int64{"a": 15, "b": 5}, ""},
		{"0 among weights", []Request{{Name: "on", URL: srv.URL + "/a", Weight: 9}, {Name: "off", URL: srv.URL + "/b"}}, nil,
			`HTTP request "off": Weight is 0 while request 1 has 9: give it a weight of 1 or more, or leave it out of the mix to send none`},
		{"0 before weights", []Request{{URL: srv.URL + "/a"}, {URL: srv.URL + "/b", Weight: 2}}, nil,
			"HTTP request 1 (GET " + srv.URL + "/a): Weight is 0 while request 2 has 2"},
		{"negative", []Request{{Name: "a", URL: srv.URL + "/a", Weight: -1}}, nil, `HTTP request "a": Weight must not be negative`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Execute(t.Context(), Scenario{Name: "mix", Target: Mix(tt.give...), Load: Rate(100).For(200 * time.Millisecond)})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range tt.want {
				if got := res.ByName[name].Requests; got != want {
					t.Errorf("%s: %d requests, want %d of %d", name, got, want, res.Requests)
				}
			}
		})
	}
}
