package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestLeanRequests checks what the Lean profile puts on the wire and how it
// reads what comes back, against net/http's server.
func TestLeanRequests(t *testing.T) {
	defer goleak.VerifyNone(t)
	type seen struct {
		method, uri, host, body, agent, custom, length, runID string
		chunked                                               bool
	}
	var mu sync.Mutex
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, seen{method: r.Method, uri: r.RequestURI, host: r.Host, body: string(b),
			agent: r.UserAgent(), custom: r.Header.Get("X-Custom"), length: r.Header.Get("Content-Length"),
			runID: r.Header.Get("X-Loadgate-Run"), chunked: len(r.TransferEncoding) > 0})
		mu.Unlock()
		switch r.URL.Path {
		case "/chunked": // several flushes: a chunked response
			for i := range 3 {
				io.WriteString(w, strings.Repeat("x", 100*(i+1)))
				w.(http.Flusher).Flush()
			}
		case "/empty":
			w.WriteHeader(http.StatusNoContent)
		case "/redirect":
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		default:
			io.WriteString(w, "ok")
		}
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")

	tests := []struct {
		name string
		give Request
		want seen
		// wantStatus is the status the result counts.
		wantStatus string
	}{
		{
			name:       "GET with query and headers",
			give:       Request{URL: srv.URL + "/a/b?x=1&y=%20", Header: http.Header{"X-Custom": {"v"}, "Host": {"shop.example"}}},
			want:       seen{method: "GET", uri: "/a/b?x=1&y=%20", host: "shop.example", agent: "loadgate", custom: "v"},
			wantStatus: "200",
		},
		{
			name:       "POST with a body",
			give:       Request{Method: "POST", URL: srv.URL + "/cart", Body: []byte(`{"id":1}`), Header: http.Header{"User-Agent": {"me"}}},
			want:       seen{method: "POST", uri: "/cart", host: host, body: `{"id":1}`, agent: "me", length: "8"},
			wantStatus: "200",
		},
		{
			name:       "POST without a body sends Content-Length 0",
			give:       Request{Method: "POST", URL: srv.URL + "/cart"},
			want:       seen{method: "POST", uri: "/cart", host: host, agent: "loadgate", length: "0"},
			wantStatus: "200",
		},
		{
			name: "NewBody is read whole and sent with its length",
			give: Request{Method: "PUT", URL: srv.URL + "/put", NewBody: func() (io.Reader, error) {
				return io.MultiReader(strings.NewReader("ab"), strings.NewReader("cd")), nil
			}},
			want:       seen{method: "PUT", uri: "/put", host: host, body: "abcd", agent: "loadgate", length: "4"},
			wantStatus: "200",
		},
		{
			name:       "chunked response",
			give:       Request{URL: srv.URL + "/chunked"},
			want:       seen{method: "GET", uri: "/chunked", host: host, agent: "loadgate"},
			wantStatus: "200",
		},
		{
			name:       "204 without a body",
			give:       Request{URL: srv.URL + "/empty"},
			want:       seen{method: "GET", uri: "/empty", host: host, agent: "loadgate"},
			wantStatus: "204",
		},
		{
			name:       "HEAD",
			give:       Request{Method: "HEAD", URL: srv.URL + "/head"},
			want:       seen{method: "HEAD", uri: "/head", host: host, agent: "loadgate"},
			wantStatus: "200",
		},
		{
			name:       "redirects are not followed",
			give:       Request{URL: srv.URL + "/redirect"},
			want:       seen{method: "GET", uri: "/redirect", host: host, agent: "loadgate"},
			wantStatus: "302",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			got = nil
			mu.Unlock()
			target := Mix(tt.give)
			target.Transport = Lean
			res := runHTTP(t, target, Users(2).For(200*time.Millisecond))
			if res.Errors != 0 || res.Requests == 0 {
				t.Fatalf("%d requests, %d errors %v", res.Requests, res.Errors, res.ErrorSamples)
			}
			if n := res.StatusCodes[tt.wantStatus]; n != res.Requests {
				t.Errorf("status %s for %d of %d requests (%v)", tt.wantStatus, n, res.Requests, res.StatusCodes)
			}
			mu.Lock()
			defer mu.Unlock()
			if int64(len(got)) != res.Requests {
				t.Errorf("server saw %d requests, result counts %d", len(got), res.Requests)
			}
			want := tt.want
			want.runID = res.RunID
			if got[0] != want {
				t.Errorf("server saw %+v\nwant          %+v", got[0], want)
			}
			c := res.Connections
			if c == nil || c.Protocols["HTTP/1.1"] != res.Requests || c.ReuseShare < 0.9 {
				t.Errorf("connections %+v: want every request over HTTP/1.1, reused", c)
			}
			for _, phase := range []string{"connect", "ttfb", "total"} {
				if res.Phases[phase].Count == 0 {
					t.Errorf("no %s phase (phases %v)", phase, res.Phases)
				}
			}
			if res.Phases["connect"].Count > 2 {
				t.Errorf("%d connections for 2 users, want 2", res.Phases["connect"].Count)
			}
		})
	}
}

// TestLeanConnectionHandling covers what a server does to connections: a
// server that closes each one, one that closes idle ones (the next request
// on such a connection is retried once), HTTP/1.0 without keep-alive, and
// a response too long for MaxBody.
func TestLeanConnectionHandling(t *testing.T) {
	defer goleak.VerifyNone(t)
	tests := []struct {
		name     string
		server   func(*httptest.Server)
		handler  http.HandlerFunc
		load     Load
		maxBody  int64
		wantKind string // every request fails with this kind; "" for success
		// noReuse says no request may go over a reused connection.
		noReuse bool
	}{
		{
			name:    "server closes every connection",
			server:  func(s *httptest.Server) { s.Config.SetKeepAlivesEnabled(false) },
			handler: func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") },
			load:    Users(2).For(300 * time.Millisecond),
			noReuse: true,
		},
		{
			// Whether the server has closed the connection by the next
			// request depends on scheduling; either way nothing fails.
			name:    "server closes idle connections",
			server:  func(s *httptest.Server) { s.Config.IdleTimeout = 20 * time.Millisecond },
			handler: func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") },
			load:    Users(2).Thinking(60 * time.Millisecond).For(500 * time.Millisecond),
		},
		{
			name: "HTTP/1.0 response without keep-alive",
			handler: func(w http.ResponseWriter, r *http.Request) {
				conn, buf, _ := w.(http.Hijacker).Hijack()
				defer conn.Close()
				buf.WriteString("HTTP/1.0 200 OK\r\n\r\nuntil the end")
				buf.Flush()
			},
			load:    Users(2).For(300 * time.Millisecond),
			noReuse: true,
		},
		{
			name:     "body longer than MaxBody",
			handler:  func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, 4096)) },
			load:     Users(2).For(300 * time.Millisecond),
			maxBody:  1000,
			wantKind: KindBodyTooLarge,
		},
		{
			name: "malformed response",
			handler: func(w http.ResponseWriter, r *http.Request) {
				conn, buf, _ := w.(http.Hijacker).Hijack()
				defer conn.Close()
				buf.WriteString("HTTP/1.1 abc\r\n\r\n")
				buf.Flush()
			},
			load:     Users(1).For(200 * time.Millisecond),
			wantKind: KindOther,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewUnstartedServer(tt.handler)
			if tt.server != nil {
				tt.server(srv)
			}
			srv.Start()
			defer srv.Close()
			target := GET(srv.URL)
			target.Transport, target.MaxBody = Lean, tt.maxBody
			res := runHTTP(t, target, tt.load)
			if res.Requests == 0 {
				t.Fatal("no requests")
			}
			if tt.wantKind == "" && res.Errors != 0 {
				t.Errorf("%d errors of %d requests: %v", res.Errors, res.Requests, res.ErrorSamples)
			}
			if tt.wantKind != "" && res.ErrorKinds[tt.wantKind] != res.Requests {
				t.Errorf("%s errors = %d of %d requests (%v)", tt.wantKind, res.ErrorKinds[tt.wantKind], res.Requests, res.ErrorSamples)
			}
			if c := res.Connections; tt.noReuse && c != nil && c.Reused > 0 {
				t.Errorf("%d requests reused a connection the server had closed", c.Reused)
			}
		})
	}
}

// stallingServer starts a loopback server whose handlers answer nothing
// until their client goes away or stop is called; stop also closes it.
func stallingServer() (url string, stop func()) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	return srv.URL, func() { close(release); srv.Close() }
}

// TestLeanTimeout checks that a request is cut off at its timeout (plus at
// most the documented slack) and counted as a timeout, and that the
// connection is replaced.
func TestLeanTimeout(t *testing.T) {
	defer goleak.VerifyNone(t)
	url, stop := stallingServer()
	defer stop()
	target := GET(url)
	target.Transport = Lean
	const timeout = 100 * time.Millisecond
	res := runHTTPWith(t, target, Users(2).For(450*time.Millisecond), func(s *Scenario) { s.Timeout = timeout })
	if res.Requests == 0 || res.ErrorKinds[KindTimeout] != res.Requests {
		t.Fatalf("timeouts = %d of %d requests (%v)", res.ErrorKinds[KindTimeout], res.Requests, res.ErrorSamples)
	}
	// Latency is measured by the engine, around the whole request.
	slack := min(timeout/100, 20*time.Millisecond)
	if lat := time.Duration(res.Latency.MaxNS); lat < timeout || lat > timeout+slack+20*time.Millisecond {
		t.Errorf("latency max %v, want %v plus at most the %v slack and some scheduling", lat, timeout, slack)
	}
	if got := res.Phases["connect"].Count; got != res.Requests {
		t.Errorf("%d connections for %d timed-out requests, want a new one each", got, res.Requests)
	}
}

// TestLeanCanceledRunEndsAtOnce checks that canceling the run's context
// ends requests blocked in a read at once, as net/http's do, instead of at
// their 30 s timeout.
func TestLeanCanceledRunEndsAtOnce(t *testing.T) {
	defer goleak.VerifyNone(t)
	url, stop := stallingServer()
	defer stop()
	target := GET(url)
	target.Transport = Lean
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	res, err := Execute(ctx, Scenario{Target: target, Load: Users(3).For(10 * time.Second), Leaks: LeakCheck{Off: true}})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("run took %v after its context ended at 300ms", took)
	}
	if res.Stopped == nil || res.Stopped.Cause != "canceled" || res.Abandoned != 0 {
		t.Errorf("stopped %+v, abandoned %d; want canceled, none abandoned", res.Stopped, res.Abandoned)
	}
	if res.ErrorKinds[KindCanceled] != res.Requests || res.Requests > 3 {
		t.Errorf("requests %d, kinds %v: want the 3 blocked requests, canceled; samples %q", res.Requests, res.ErrorKinds, res.ErrorSamples)
	}
}

// TestLeanDialGuard checks that localhost, allowed without a lookup, cannot
// be dialled once it resolves elsewhere. The check runs before connect: no
// packet leaves the machine.
func TestLeanDialGuard(t *testing.T) {
	defer func(old func(context.Context, string, string) ([]netip.Addr, error)) { lookupNetIP = old }(lookupNetIP)
	var public atomic.Bool
	lookupNetIP = func(context.Context, string, string) ([]netip.Addr, error) {
		if public.Load() {
			return []netip.Addr{netip.MustParseAddr("203.0.113.7")}, nil
		}
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	target := GET("http://localhost" + srv.URL[strings.LastIndex(srv.URL, ":"):] + "/")
	target.Transport = Lean
	if err := target.Prepare(context.Background(), RunInfo{RunID: "x", Timeout: time.Second}); err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	defer target.Finish()
	var s Sample
	if err := target.Hit(context.Background(), &s); err != nil {
		t.Fatalf("request to the name while it resolves to loopback: %v", err)
	}
	if s.phaseSet&(1<<PhaseDNS) == 0 {
		t.Error("no dns phase for a host name")
	}
	public.Store(true)
	s = Sample{scratch: s.scratch}
	target.lean.drop(s.scratch, 0) // as if the server had closed it
	if err := target.Hit(context.Background(), &s); !errors.Is(err, ErrHostNotAllowed) {
		t.Errorf("request after the name moved to a public address: %v, want ErrHostNotAllowed", err)
	}
}

// TestLeanHitAllocatesNothing guards the Lean profile's claim: once its
// connection is open, a request allocates nothing in the client. The server
// is a raw loop that allocates nothing either, since AllocsPerRun counts the
// whole process.
func TestLeanHitAllocatesNothing(t *testing.T) {
	addr, stop := startCannedServer(t, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok")
	defer stop()
	s, hit := leanHits(t, addr)
	hit() // dials
	if allocs := testing.AllocsPerRun(1000, hit); allocs != 0 {
		t.Errorf("a Lean request allocates %v times, want 0", allocs)
	}
	if s.Status != 200 || s.Proto != "HTTP/1.1" || !s.Reused {
		t.Errorf("sample %+v: want status 200 over a reused HTTP/1.1 connection", s)
	}
}

// leanHits prepares a Lean GET of the server at addr, finished when the test
// ends, and returns the sample and a function that sends one request as
// the engine does, failing the test on an error.
func leanHits(t *testing.T, addr string) (*Sample, func()) {
	t.Helper()
	target := GET("http://" + addr + "/")
	target.Transport = Lean
	if err := target.Prepare(context.Background(), RunInfo{RunID: "run", Timeout: time.Second}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(target.Finish)
	s := new(Sample)
	deadline := time.Now().Add(time.Minute)
	return s, func() {
		s.reset()
		if err := target.hitBy(context.Background(), deadline, s); err != nil {
			t.Fatal(err)
		}
	}
}

// startCannedServer answers every request that ends with an empty line with
// response, on one loopback connection at a time, without allocating per
// request.
func startCannedServer(tb testing.TB, response string) (addr string, stop func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				br := bufio.NewReader(c)
				out := []byte(response)
				for {
					line, err := br.ReadSlice('\n')
					if err != nil {
						return
					}
					if len(bytes.TrimSpace(line)) == 0 {
						if _, err := c.Write(out); err != nil {
							return
						}
					}
				}
			}()
		}
	}()
	return ln.Addr().String(), func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	}
}

// BenchmarkHTTPHit measures one request of each keep-alive profile against
// a canned response over loopback: what the client costs per request,
// system calls included, and what it allocates.
func BenchmarkHTTPHit(b *testing.B) {
	addr, stop := startCannedServer(b, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok")
	defer stop()
	for _, bm := range []struct {
		name string
		tr   Transport
	}{{"pooled", Pooled}, {"lean", Lean}} {
		b.Run(bm.name, func(b *testing.B) {
			target := GET("http://" + addr + "/")
			target.Transport = bm.tr
			if err := target.Prepare(context.Background(), RunInfo{RunID: "run", Timeout: time.Second, Concurrency: 1}); err != nil {
				b.Fatal(err)
			}
			defer target.Finish()
			var s Sample
			b.ReportAllocs()
			for b.Loop() {
				s.reset()
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				if err := target.Hit(ctx, &s); err != nil {
					b.Fatal(err)
				}
				cancel()
			}
		})
	}
}

// TestLeanRefusesInvalidHeaders checks that a header net/http would refuse
// to send fails Prepare instead of being written as it is (a newline in a
// value would start a header of its own).
func TestLeanRefusesInvalidHeaders(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
	}{
		{name: "newline in value", header: http.Header{"X-A": {"a\r\nX-Injected: 1"}}},
		{name: "space in name", header: http.Header{"X A": {"a"}}},
		{name: "colon in name", header: http.Header{"X:A": {"a"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := Mix(Request{URL: "http://127.0.0.1:1/", Header: tt.header})
			target.Transport = Lean
			err := target.Prepare(context.Background(), RunInfo{RunID: "x"})
			defer target.Finish()
			if err == nil || !strings.Contains(err.Error(), "invalid header") {
				t.Errorf("Prepare = %v, want an invalid header error", err)
			}
		})
	}
}
