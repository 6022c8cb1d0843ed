package loadtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// journeyServer counts what it served by method, path and status, and the
// connections it accepted.
type journeyServer struct {
	*httptest.Server
	mu    sync.Mutex
	count map[string]int64 // "GET /item 200"
	conns atomic.Int64
}

func newJourneyServer(t *testing.T) *journeyServer {
	js := &journeyServer{count: map[string]int64{}}
	mux := http.NewServeMux()
	var next atomic.Int64
	mux.HandleFunc("GET /item", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"id": %d, "padding": %q}`, next.Add(1), strings.Repeat("x", 2000))
	})
	mux.HandleFunc("POST /cart/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Request-ID") == "" {
			http.Error(w, "no request id", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusCreated)
	})
	mux.HandleFunc("GET /sometimes", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("fail") == "1" {
			http.Error(w, "gone", http.StatusNotFound)
			return
		}
		w.Write([]byte("ok"))
	})
	js.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusWriter{ResponseWriter: w, status: 200}
		mux.ServeHTTP(rec, r)
		js.mu.Lock()
		js.count[fmt.Sprintf("%s %s %d", r.Method, r.URL.Path, rec.status)]++
		js.mu.Unlock()
	}))
	js.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			js.conns.Add(1)
		}
	}
	js.Start()
	t.Cleanup(js.Close)
	return js
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }

// TestFlowAccountingMatchesServer runs a three-step journey whose bodies
// are never closed and checks that each step's counts are exactly what the
// server served, that the iterations count once, and that connections are
// reused.
func TestFlowAccountingMatchesServer(t *testing.T) {
	js := newJourneyServer(t)
	flow := Flow(func(ctx context.Context, it *Iteration) error {
		req, _ := http.NewRequestWithContext(ctx, "GET", js.URL+"/item", nil)
		resp, err := it.Do("item", req)
		if err != nil {
			return err
		}
		var item struct{ ID int64 }
		if err := json.NewDecoder(resp.Body).Decode(&item); err != nil {
			return err
		}
		req, _ = http.NewRequestWithContext(ctx, "POST", fmt.Sprintf("%s/cart/%d", js.URL, item.ID), nil)
		if _, err := it.Do("add", req, http.StatusCreated); err != nil {
			return err
		}
		fail := "0"
		if it.N%10 == 0 {
			fail = "1"
		}
		req, _ = http.NewRequestWithContext(ctx, "GET", js.URL+"/sometimes?fail="+fail, nil)
		_, err = it.Do("sometimes", req)
		return err // nil for a 404: the failed step fails the iteration all the same
	})
	res := runHTTPWith(t, flow, Users(4).For(time.Second), func(s *Scenario) { s.Warmup = 0 })
	// Every step of every iteration, the drain's included, reached the
	// server and the result: the counts must agree exactly.
	js.mu.Lock()
	defer js.mu.Unlock()
	var adds int64 // one path per item
	for k, n := range js.count {
		if strings.HasPrefix(k, "POST /cart/") && strings.HasSuffix(k, " 201") {
			adds += n
		}
	}
	want := map[string]map[string]int64{
		"item":      {"200": js.count["GET /item 200"]},
		"add":       {"201": adds},
		"sometimes": {"200": js.count["GET /sometimes 200"], "404": js.count["GET /sometimes 404"]},
	}
	for name, statuses := range want {
		got := res.ByName[name]
		var total int64
		for status, n := range statuses {
			total += n
			if got.StatusCodes[status] != n {
				t.Errorf("%s: %d responses %s, the server served %d", name, got.StatusCodes[status], status, n)
			}
		}
		if got.Requests != total {
			t.Errorf("%s: %d requests, the server served %d", name, got.Requests, total)
		}
	}
	iterations := js.count["GET /item 200"]
	if res.Requests != iterations {
		t.Errorf("the scenario counted %d iterations, the journeys started %d", res.Requests, iterations)
	}
	failed := js.count["GET /sometimes 404"]
	if res.Errors != failed || res.ErrorKinds[KindHTTP4xx] != failed || res.ByName["sometimes"].Errors != failed {
		t.Errorf("errors %d (kinds %v, step %d), want %d iterations failed by their 404 step", res.Errors, res.ErrorKinds, res.ByName["sometimes"].Errors, failed)
	}
	if res.Requests < 100 {
		t.Fatalf("only %d iterations: too few to judge", res.Requests)
	}
	if c := js.conns.Load(); c > 8 {
		t.Errorf("the server accepted %d connections for 4 users: bodies never closed by the flow held them", c)
	}
	if res.Connections == nil || res.Connections.ReuseShare < 0.9 {
		t.Errorf("connections %+v, want most steps over reused connections", res.Connections)
	}
}

// TestFlowStepErrors checks that a step to a host not allowed is refused
// before it is sent, and that a Flow's own error counts with its kind.
func TestFlowStepErrors(t *testing.T) {
	js := newJourneyServer(t)
	var refused atomic.Int64
	flow := Flow(func(ctx context.Context, it *Iteration) error {
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://example.com/", nil)
		if _, err := it.Do("away", req); err != nil {
			if errors.Is(err, ErrHostNotAllowed) {
				refused.Add(1)
			}
			return err
		}
		return nil
	})
	res := runHTTPWith(t, flow, Users(1).For(100*time.Millisecond), func(s *Scenario) { s.Warmup = 0 })
	if res.Requests == 0 || res.Errors != res.Requests || refused.Load() < res.Requests {
		t.Errorf("%d iterations, %d errors, %d refused: every step to example.com must be refused", res.Requests, res.Errors, refused.Load())
	}
	custom := errors.New("the cart was empty")
	flow = Flow(func(ctx context.Context, it *Iteration) error {
		req, _ := http.NewRequestWithContext(ctx, "GET", js.URL+"/item", nil)
		if _, err := it.Do("item", req); err != nil {
			return err
		}
		return KindError("empty_cart", custom)
	})
	res = runHTTPWith(t, flow, Users(1).For(100*time.Millisecond), func(s *Scenario) { s.Warmup = 0 })
	if res.Requests == 0 || res.ErrorKinds["empty_cart"] != res.Requests || res.ByName["item"].Errors != 0 {
		t.Errorf("kinds %v, item errors %d: the flow's own error must count with its kind, the step as a success", res.ErrorKinds, res.ByName["item"].Errors)
	}
}

// TestFlowStepCheck: a step whose body a check rejects fails as "check"
// under the step's name, and the FlowFunc still reads the body its check
// read. A k6 user's check of a login's token had to be done after Do, and
// its failure counted against the iteration alone: Result.ByName showed
// the step that lacked its token as a success.
func TestFlowStepCheck(t *testing.T) {
	js := newJourneyServer(t)
	var decoded, checked atomic.Int64
	flow := Flow(func(ctx context.Context, it *Iteration) error {
		req, _ := http.NewRequestWithContext(ctx, "GET", js.URL+"/item", nil)
		var id int64
		resp, err := it.DoCheck("item", req, func(resp *http.Response, body []byte) error {
			checked.Add(1)
			var item struct{ ID int64 }
			if err := json.Unmarshal(body, &item); err != nil {
				return err
			}
			if id = item.ID; id%2 == 0 {
				return fmt.Errorf("id %d is even", id)
			}
			return nil
		})
		if resp != nil {
			var again struct{ ID int64 }
			if json.NewDecoder(resp.Body).Decode(&again) == nil && again.ID == id {
				decoded.Add(1)
			}
		}
		return err
	})
	res := runHTTPWith(t, flow, Users(2).For(200*time.Millisecond), func(s *Scenario) { s.Warmup = 0 })
	item := res.ByName["item"]
	if res.Requests < 10 || item.Requests != res.Requests || item.Errors == 0 || item.Errors != res.Errors ||
		item.ErrorKinds[KindCheck] != item.Errors || res.ErrorKinds[KindCheck] != res.Errors {
		t.Errorf("%d iterations, %d errors %v; step item %d requests, %d errors %v: want the checks' failures counted as %q on the step and the iteration",
			res.Requests, res.Errors, res.ErrorKinds, item.Requests, item.Errors, item.ErrorKinds, KindCheck)
	}
	if got := res.ErrorSamples[KindCheck]; len(got) == 0 || !strings.HasPrefix(got[0], "step item: check: id ") {
		t.Errorf("samples %q: want the step named", got)
	}
	if decoded.Load() != checked.Load() || checked.Load() != res.Requests {
		t.Errorf("%d checks, %d bodies read again after them, %d iterations: the FlowFunc must read the body its check read", checked.Load(), decoded.Load(), res.Requests)
	}
	// A wrong status fails the step before its check is called.
	checked.Store(0)
	flow = Flow(func(ctx context.Context, it *Iteration) error {
		req, _ := http.NewRequestWithContext(ctx, "GET", js.URL+"/sometimes?fail=1", nil)
		_, err := it.DoCheck("gone", req, func(*http.Response, []byte) error { checked.Add(1); return nil })
		return err
	})
	res = runHTTPWith(t, flow, Users(1).For(50*time.Millisecond), func(s *Scenario) { s.Warmup = 0 })
	if res.Requests == 0 || res.ByName["gone"].ErrorKinds[KindHTTP4xx] != res.Requests || checked.Load() != 0 {
		t.Errorf("step gone %+v, %d checks: want every step failed as %q and no check called", res.ByName["gone"], checked.Load(), KindHTTP4xx)
	}
}

// TestFlowStepCheckPanics: a step whose check panics was sent and
// answered, so it counts under its name, as a "panic", and the iteration
// as the harness counts a panicking target. It went uncounted: the step's
// requests fell short of what the server served, and its failures showed
// only against the iterations.
func TestFlowStepCheckPanics(t *testing.T) {
	js := newJourneyServer(t)
	flow := Flow(func(ctx context.Context, it *Iteration) error {
		req, _ := http.NewRequestWithContext(ctx, "GET", js.URL+"/item", nil)
		_, err := it.DoCheck("item", req, func(_ *http.Response, body []byte) error {
			var item struct{ ID int64 }
			json.Unmarshal(body, &item)
			if item.ID%2 == 0 {
				var m map[string]int
				m["id"] = 1 // the kind of slip a check makes
			}
			return nil
		})
		return err
	})
	res := runHTTPWith(t, flow, Users(2).Iterations(20), func(s *Scenario) { s.Warmup = 0 })
	item := res.ByName["item"]
	js.mu.Lock()
	served := js.count["GET /item 200"]
	js.mu.Unlock()
	if res.Requests != 40 || item.Requests != served || item.Requests != res.Requests {
		t.Errorf("%d iterations, step item %d requests, the server served %d: want every step counted", res.Requests, item.Requests, served)
	}
	if res.ErrorKinds[KindPanic] == 0 || item.ErrorKinds[KindPanic] != res.ErrorKinds[KindPanic] || item.Errors != res.Errors {
		t.Errorf("iterations %d errors %v, step item %d errors %v: want each panic counted on the step and the iteration as %q",
			res.Errors, res.ErrorKinds, item.Errors, item.ErrorKinds, KindPanic)
	}
}

// TestFlowWithoutSteps: a Flow none of whose iterations sent a step with
// Do (its requests go through a client of its own, or it returns before
// its first) is warned of. It passed as a healthy, fast journey: its
// latencies timed the FlowFunc's own code.
func TestFlowWithoutSteps(t *testing.T) {
	js := newJourneyServer(t)
	flow := Flow(func(ctx context.Context, it *Iteration) error {
		req, _ := http.NewRequestWithContext(ctx, "GET", js.URL+"/item", nil)
		resp, err := http.DefaultClient.Do(req) // not a step
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	})
	res := runHTTPWith(t, flow, Users(1).For(50*time.Millisecond), func(s *Scenario) { s.Warmup = 0 })
	want := "none sent a step with Iteration.Do"
	if res.Requests == 0 || !slicesContain(res.Warnings, want) {
		t.Errorf("%d iterations, warnings %q: want one saying %q", res.Requests, res.Warnings, want)
	}
	flow = Flow(func(ctx context.Context, it *Iteration) error {
		if it.N > 1 {
			return nil // a journey that sometimes has no step is not warned of
		}
		req, _ := http.NewRequestWithContext(ctx, "GET", js.URL+"/item", nil)
		_, err := it.Do("item", req)
		return err
	})
	res = runHTTPWith(t, flow, Users(1).For(50*time.Millisecond), func(s *Scenario) { s.Warmup = 0 })
	if slicesContain(res.Warnings, want) {
		t.Errorf("warnings %q: a Flow that sent a step must not be warned of", res.Warnings)
	}
}

func slicesContain(ss []string, sub string) bool {
	for _, s := range ss {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// TestFlowStepNilRequest: a step given a nil request fails as "other",
// naming the step, as one given a relative URL does (it panicked, and the
// iteration counted as a "panic" of the target, its stack logged).
func TestFlowStepNilRequest(t *testing.T) {
	flow := Flow(func(ctx context.Context, it *Iteration) error {
		_, err := it.Do("login", nil)
		return err
	})
	res := runHTTPWith(t, flow, Users(1).For(50*time.Millisecond), func(s *Scenario) { s.Warmup = 0 })
	if res.Requests == 0 || res.ErrorKinds[KindOther] != res.Requests || res.ByName["login"].ErrorKinds[KindOther] != res.Requests {
		t.Errorf("kinds %v, login %+v: every iteration and step must fail as %q", res.ErrorKinds, res.ByName["login"], KindOther)
	}
	if got, want := res.ErrorSamples[KindOther], "step login: the request is nil"; len(got) != 1 || got[0] != want {
		t.Errorf("samples %q, want %q", got, want)
	}
}

// TestFlowTransportErrorNamesStep: a step that fails before any answer (a
// refused connection, a timeout) is named in the error, as a step that
// gets a wrong status is, and keeps its kind. Its error was net/http's
// alone, which names the URL, not the step.
func TestFlowTransportErrorNamesStep(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gone := "http://" + ln.Addr().String() + "/cart"
	ln.Close()
	flow := Flow(func(ctx context.Context, it *Iteration) error {
		req, _ := http.NewRequestWithContext(ctx, "POST", gone, nil)
		_, err := it.Do("add to cart", req)
		if !errors.Is(err, syscall.ECONNREFUSED) {
			return fmt.Errorf("the step's error %v does not wrap the transport's", err)
		}
		return err
	})
	res := runHTTPWith(t, flow, Users(1).For(50*time.Millisecond), func(s *Scenario) { s.Warmup = 0 })
	got := res.ErrorSamples[KindRefused]
	if res.Requests == 0 || res.ErrorKinds[KindRefused] != res.Requests || len(got) == 0 || !strings.HasPrefix(got[0], "step add to cart: ") {
		t.Errorf("kinds %v, samples %q: want every iteration refused, its error naming the step", res.ErrorKinds, res.ErrorSamples)
	}
}

// TestFlowCookies: with Cookies each iteration keeps the session cookie
// its login set, on the login's redirect too, and starts without the last
// iteration's. A k6 user's login journey had no way to it: the default
// client drops a cookie set by a redirect's response, and a Client with a
// Jar shares one session among all the users.
func TestFlowCookies(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: r.FormValue("user"), Path: "/"})
		http.Redirect(w, r, "/whoami", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("session")
		if err != nil {
			http.Error(w, "no session", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, c.Value)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	var wrong atomic.Int64
	flow := Flow(func(ctx context.Context, it *Iteration) error {
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/whoami", nil)
		if _, err := it.Do("fresh", req, http.StatusUnauthorized); err != nil {
			return err // a session left from the user's last iteration
		}
		me := fmt.Sprintf("user-%d", it.N)
		req, _ = http.NewRequestWithContext(ctx, "POST", srv.URL+"/login", strings.NewReader("user="+me))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, step := range []string{"login", "again"} {
			resp, err := it.Do(step, req)
			if err != nil {
				return err
			}
			var b strings.Builder
			io.Copy(&b, resp.Body)
			if b.String() != me {
				wrong.Add(1)
				return fmt.Errorf("step %s: %s's session is %q", step, me, b.String())
			}
			req, _ = http.NewRequestWithContext(ctx, "GET", srv.URL+"/whoami", nil)
		}
		return nil
	})
	flow.Cookies = true
	res := runHTTPWith(t, flow, Users(3).Iterations(4), func(s *Scenario) { s.Warmup = 0 })
	if res.Requests != 12 || res.Errors != 0 || wrong.Load() != 0 {
		t.Errorf("%d iterations, %d errors (%v), %d with another session; want 12, none", res.Requests, res.Errors, res.ErrorSamples, wrong.Load())
	}

	flow.Client = &http.Client{Jar: sharedJar{}}
	err := flow.Prepare(context.Background(), RunInfo{RunID: "r"})
	if err == nil || !strings.Contains(err.Error(), "shared by every user") {
		t.Errorf("Cookies with a Client's Jar: err = %v, want it refused", err)
	}
}

// sharedJar is a cookie jar that Cookies must refuse.
type sharedJar struct{}

func (sharedJar) SetCookies(*url.URL, []*http.Cookie) {}
func (sharedJar) Cookies(*url.URL) []*http.Cookie     { return nil }

func TestFlowRefusesLean(t *testing.T) {
	f := Flow(func(context.Context, *Iteration) error { return nil })
	f.Transport = Lean
	err := f.Prepare(context.Background(), RunInfo{RunID: "r"})
	if err == nil || !strings.Contains(err.Error(), "Lean transport does not apply") {
		t.Errorf("err = %v", err)
	}
}

// TestRecordStepAllocatesNothing checks that recording a Flow's step adds
// no allocation to the recording path once its name has been seen.
func TestRecordStepAllocatesNothing(t *testing.T) {
	r := newMeasuringRecorder(2, time.Unix(1_700_000_000, 0))
	s := Sample{Name: "checkout", Status: 201, Proto: "HTTP/1.1", Reused: true}
	s.SetPhase(PhaseTTFB, time.Millisecond)
	s.SetPhase(PhaseTotal, 2*time.Millisecond)
	r.recordStep(0, 1, &Step{Name: "checkout", Latency: time.Millisecond, Service: time.Millisecond, Status: 201}, &s, nil)
	lat := time.Duration(0)
	if allocs := testing.AllocsPerRun(1000, func() {
		lat += 997 * time.Nanosecond
		r.recordStep(0, 1, &Step{Name: "checkout", Latency: lat, Service: lat, Kind: KindHTTP4xx, Status: 201}, &s, nil)
	}); allocs != 0 {
		t.Errorf("recordStep allocates %v times per step, want 0", allocs)
	}
	if got := r.nameTallies()["checkout"].requests; got != 1002 {
		t.Errorf("recorded %d steps, want 1002", got)
	}
}

// TestSampleRecordStepAllocatesNothing checks the same for the steps a
// target of another package records, such as loadtest/grpcload's calls
// and stream messages, with a status name and messages.
func TestSampleRecordStepAllocatesNothing(t *testing.T) {
	r := newMeasuringRecorder(2, time.Unix(1_700_000_000, 0))
	s := Sample{rec: r, slot: 1}
	step := Step{Name: "/pkg.Svc/Get", Latency: time.Millisecond, Service: time.Microsecond,
		StatusName: "UNAVAILABLE", Kind: "grpc_unavailable", Messages: Messages{Sent: 1, Received: 1, SentBytes: 10, ReceivedBytes: 20}}
	s.RecordStep(step)
	if allocs := testing.AllocsPerRun(1000, func() { s.RecordStep(step) }); allocs != 0 {
		t.Errorf("RecordStep allocates %v times per step, want 0", allocs)
	}
	nt := r.nameTallies()["/pkg.Svc/Get"]
	if nt.requests != 1002 || nt.named["UNAVAILABLE"] != 1002 || nt.messages.ReceivedBytes != 20*1002 {
		t.Errorf("recorded %d steps, %v statuses, %+v messages; want 1002, 1002 UNAVAILABLE, 20040 bytes received", nt.requests, nt.named, nt.messages)
	}
	s.slot = 0 // the warm-up
	s.RecordStep(step)
	if got := r.nameTallies()["/pkg.Svc/Get"].requests; got != 1002 {
		t.Errorf("a step of the warm-up was recorded: %d", got)
	}
}

// BenchmarkFlowVsMix sends the same three requests per iteration as the
// three steps of a Flow and as a Mix of three requests (three hits), and
// reports the harness's CPU per request of each: with -count N the two
// alternate, so a noisy minute hits both (scripts/flow-cost.sh).
func BenchmarkFlowVsMix(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer srv.Close()
	paths := []string{"/browse", "/cart", "/checkout"}
	var reqs []Request
	for _, p := range paths {
		reqs = append(reqs, Request{Name: p, URL: srv.URL + p})
	}
	flow := Flow(func(ctx context.Context, it *Iteration) error {
		for _, p := range paths {
			req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+p, nil)
			if err != nil {
				return err
			}
			if _, err := it.Do(p, req); err != nil {
				return err
			}
		}
		return nil
	})
	for _, bm := range []struct {
		name   string
		target Target
		perHit int64 // requests per hit
	}{{"mix", Mix(reqs...), 1}, {"flow", flow, 3}} {
		b.Run(bm.name, func(b *testing.B) {
			s := Scenario{Name: bm.name, Target: bm.target, Load: Users(4).For(500 * time.Millisecond)}.withDefaults(1)
			var requests int64
			var cpu time.Duration
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				res := executeScenario(b, s)
				requests += res.Requests * bm.perHit
				cpu += time.Duration(res.Runtime.CPUSeconds * 1e9)
			}
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(cpu)/float64(requests), "cpu-ns/req")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(requests), "allocs/req")
		})
	}
}
