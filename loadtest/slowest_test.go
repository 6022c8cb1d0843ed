package loadtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/traceid"
)

// TestSlowestKeepsTheSlowest records requests of random latencies over
// every shard and checks that the run keeps exactly the n slowest, slowest
// first, each with its request's description.
func TestSlowestKeepsTheSlowest(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name     string
		keep     int
		requests int
	}{
		{name: "fewer requests than kept", keep: 10, requests: 4},
		{name: "many requests", keep: 10, requests: 5000},
		{name: "one kept", keep: 1, requests: 300},
		{name: "none kept", keep: 0, requests: 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRecorder(3, tt.keep)
			r.loadStart.Store(start.UnixNano())
			rng := rand.New(rand.NewPCG(1, 2))
			var all []time.Duration
			for i := range tt.requests {
				lat := time.Duration(rng.Int64N(int64(time.Second)))
				all = append(all, lat)
				s := Sample{Name: "r" + fmt.Sprint(i), Status: 200 + i%3}
				s.ref = requestRef{seq: uint64(i + 1), flags: refSeqID}
				recordOne(r, i, 1+i%2, start.Add(2*time.Second), lat, lat/2, "", &s)
			}
			// The warm-up's requests are never among them, however slow.
			var slow Sample
			recordOne(r, 0, 0, start, time.Hour, time.Hour, "", &slow)

			got := r.slowest("run", start, func(slot int) string { return fmt.Sprint("stage ", slot) })
			slices.SortFunc(all, func(a, b time.Duration) int { return int(b - a) })
			want := all[:min(tt.keep, len(all))]
			if len(got) != len(want) {
				t.Fatalf("kept %d requests, want %d", len(got), len(want))
			}
			for i, sr := range got {
				if time.Duration(sr.LatencyNS) != want[i] {
					t.Errorf("slowest[%d] latency %v, want %v", i, time.Duration(sr.LatencyNS), want[i])
				}
				var n int
				fmt.Sscanf(sr.Name, "r%d", &n)
				if sr.RequestID != fmt.Sprintf("run-%d", n+1) || sr.Status != 200+n%3 || sr.Stage != fmt.Sprint("stage ", 1+n%2) {
					t.Errorf("slowest[%d] = %+v: not the request recorded as %s", i, sr, sr.Name)
				}
				if sr.ServiceTimeNS != sr.LatencyNS/2 || sr.StartNS != int64(2*time.Second)-sr.LatencyNS ||
					!sr.Start.Equal(start.Add(time.Duration(sr.StartNS))) {
					t.Errorf("slowest[%d] = %+v: times do not match the recorded ones", i, sr)
				}
			}
		})
	}
}

// TestRecordKeepingSlowestAllocatesNothing extends TestRecordAllocatesNothing
// to the slowest requests: every request below is slower than the last, so
// each one replaces the fastest kept (the costliest path), and an iteration
// of a Flow carries its slowest step's ids and phases.
func TestRecordKeepingSlowestAllocatesNothing(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	step := Sample{Name: "checkout"}
	step.ref = requestRef{seq: 7, flags: refSeqID | refTraced, trace: [16]byte{1, 2, 3}}
	iteration := Sample{Status: 200, ref: step.ref, step: slowStep{name: "pay", latency: time.Millisecond, phaseSet: 1 << PhaseTotal}}
	userID := Sample{Name: "browse", ref: requestRef{id: "caller-chose-this", seq: 1}}
	for _, tt := range []struct {
		name string
		give Sample
		kind string
	}{
		{name: "request", give: step},
		{name: "failed request", give: step, kind: KindTimeout},
		{name: "flow iteration", give: iteration},
		{name: "caller's id", give: userID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newMeasuringRecorder(2, start)
			s := tt.give
			end := start.Add(time.Second)
			recordOne(r, 0, 1, end, time.Millisecond, time.Millisecond, tt.kind, &s)
			lat := time.Millisecond
			allocs := testing.AllocsPerRun(1000, func() {
				lat += time.Microsecond
				recordOne(r, 0, 1, end, lat, lat, tt.kind, &s)
			})
			if allocs != 0 {
				t.Errorf("record allocates %v times per request when keeping the slowest, want 0", allocs)
			}
			got := r.slowest("run", start, func(int) string { return "s" })
			if len(got) != DefaultScenario.Slowest || got[0].LatencyNS != int64(lat) {
				t.Fatalf("kept %d, the slowest %v; want %d, the slowest %v", len(got), time.Duration(got[0].LatencyNS), DefaultScenario.Slowest, lat)
			}
			wantID := map[string]string{"request": "run-7", "failed request": "run-7", "flow iteration": "run-7", "caller's id": "caller-chose-this"}[tt.name]
			if got[0].RequestID != wantID || got[0].ErrorKind != tt.kind {
				t.Errorf("slowest = %+v, want request id %s and kind %q", got[0], wantID, tt.kind)
			}
			if tt.name == "flow iteration" && (got[0].Step == nil || got[0].Step.Name != "pay" || got[0].TraceID != "01020300000000000000000000000000" || got[0].Phases["total"] != 0) {
				t.Errorf("flow iteration kept as %+v (step %+v), want its step pay with the step's trace id and phases", got[0], got[0].Step)
			}
		})
	}
}

var traceparentRE = regexp.MustCompile(`^00-([0-9a-f]{32})-([0-9a-f]{16})-01$`)

// TestSlowestFindable runs HTTP targets (both HTTP/1.1 profiles) and a
// Flow against a server that makes a few requests slow, and checks that
// every request carries a well-formed traceparent with a trace id of its
// own, and that the slowest requests of the result are the ones the
// server slowed, found by the request id and the trace id the server saw.
func TestSlowestFindable(t *testing.T) {
	if testing.Short() {
		t.Skip("runs load")
	}
	type seen struct{ id, traceparent string }
	var mu sync.Mutex
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		mu.Lock()
		got = append(got, seen{id, r.Header.Get("Traceparent")})
		mu.Unlock()
		// Every 25th request is slow: slower than the machine's noise
		// makes any other, even under the race detector.
		var n int
		fmt.Sscanf(id[strings.LastIndexByte(id, '-')+1:], "%d", &n)
		if n%25 == 0 {
			time.Sleep(slowedBy(n))
		}
	}))
	defer srv.Close()
	flow := Flow(func(ctx context.Context, it *Iteration) error {
		req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+"/step", nil)
		if err != nil {
			return err
		}
		_, err = it.Do("step", req)
		return err
	})
	for _, tt := range []struct {
		name   string
		target Target
	}{{"pooled", GET(srv.URL)}, {"lean", using(GET(srv.URL), Lean)}, {"flow", flow}} {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			got = nil
			mu.Unlock()
			res := runHTTPWith(t, tt.target, Users(2).For(400*time.Millisecond), func(s *Scenario) { s.Slowest = 3 })
			mu.Lock()
			defer mu.Unlock()
			traceOf := map[string]string{}
			traces := map[string]bool{}
			for _, s := range got {
				m := traceparentRE.FindStringSubmatch(s.traceparent)
				if m == nil {
					t.Fatalf("request %s sent traceparent %q, want 00-<32 hex>-<16 hex>-01", s.id, s.traceparent)
				}
				if traces[m[1]] {
					t.Fatalf("trace id %s sent twice", m[1])
				}
				if !strings.HasPrefix(m[1], res.RunID) {
					t.Errorf("trace id %s does not start with the run id %s", m[1], res.RunID)
				}
				traces[m[1]] = true
				traceOf[s.id] = m[1]
			}
			if len(res.Slowest) != 3 {
				t.Fatalf("%d slowest requests, want 3: %+v", len(res.Slowest), res.Slowest)
			}
			for i, sr := range res.Slowest {
				trace, ok := traceOf[sr.RequestID]
				if !ok || trace != sr.TraceID {
					t.Errorf("slowest[%d] %s with trace %s: the server saw no such request (its trace: %q)", i, sr.RequestID, sr.TraceID, trace)
				}
				// Their order is the server's sleeps' only up to the
				// machine's noise: examples/shop's access log shows it.
				var n int
				fmt.Sscanf(sr.RequestID[strings.LastIndexByte(sr.RequestID, '-')+1:], "%d", &n)
				if n%25 != 0 || time.Duration(sr.LatencyNS) < slowedBy(n) {
					t.Errorf("slowest[%d] is request %d (%v): want one the server slowed, at least by its sleep", i, n, time.Duration(sr.LatencyNS))
				}
				status := sr.Status
				if sr.Step != nil {
					status = sr.Step.Status // an iteration that succeeded has none
				}
				if sr.Phases["total"] == 0 || status != 200 {
					t.Errorf("slowest[%d] = %+v: want its phases and status", i, sr)
				}
				if (tt.name == "flow") != (sr.Step != nil) {
					t.Errorf("slowest[%d].Step = %+v for a %s target", i, sr.Step, tt.name)
				}
			}
		})
	}
}

// slowedBy is how long TestSlowestFindable's server sleeps on request n.
func slowedBy(n int) time.Duration {
	return 100*time.Millisecond + time.Duration(n/25)*time.Millisecond
}

// TestTraceparentCallerWins checks that a traceparent the caller set is
// sent as it is and kept with the request, and that NoTraceparent sends
// none.
func TestTraceparentCallerWins(t *testing.T) {
	const mine = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	var mu sync.Mutex
	sent := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		sent[r.Header.Get("Traceparent")]++
		mu.Unlock()
	}))
	defer srv.Close()
	withMine := func() *HTTP {
		return Mix(Request{URL: srv.URL, Header: http.Header{"traceparent": {mine}}})
	}
	none := GET(srv.URL)
	none.NoTraceparent = true
	noneFlow := Flow(func(ctx context.Context, it *Iteration) error {
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
		_, err := it.Do("x", req)
		return err
	})
	noneFlow.NoTraceparent = true
	for _, tt := range []struct {
		name      string
		target    Target
		wantSent  string
		wantTrace string
	}{
		{"pooled, caller's", withMine(), mine, "4bf92f3577b34da6a3ce929d0e0e4736"},
		{"lean, caller's", using(withMine(), Lean), mine, "4bf92f3577b34da6a3ce929d0e0e4736"},
		{"flow, caller's", Flow(func(ctx context.Context, it *Iteration) error {
			req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
			req.Header.Set("Traceparent", mine)
			_, err := it.Do("x", req)
			return err
		}), mine, "4bf92f3577b34da6a3ce929d0e0e4736"},
		{"pooled, none", none, "", ""},
		{"flow, none", noneFlow, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			clear(sent)
			mu.Unlock()
			res := runHTTP(t, tt.target, Users(1).For(50*time.Millisecond))
			mu.Lock()
			defer mu.Unlock()
			if len(sent) != 1 || sent[tt.wantSent] == 0 {
				t.Errorf("traceparents sent: %v, want only %q", sent, tt.wantSent)
			}
			if len(res.Slowest) == 0 || res.Slowest[0].TraceID != tt.wantTrace || res.Slowest[0].RequestID == "" {
				t.Errorf("slowest = %+v, want trace id %q and a request id", res.Slowest, tt.wantTrace)
			}
		})
	}
}

// TestTraceIDs checks the ids of the traceparent: unique per request,
// never zero, prefixed by the run id, and read back by parseTraceparent.
func TestTraceIDs(t *testing.T) {
	for _, runID := range []string{"0123456789abcdef", "not hex at all", ""} {
		k := newTraceKey(runID)
		traces, spans := map[[16]byte]bool{}, map[[8]byte]bool{}
		var b []byte
		for seq := range uint64(100000) {
			trace, span := k.IDs(seq)
			if traces[trace] || spans[span] || trace == [16]byte{} || span == [8]byte{} {
				t.Fatalf("run %q: request %d has trace %x span %x: zero or repeated", runID, seq, trace, span)
			}
			traces[trace], spans[span] = true, true
			b = traceid.AppendTraceparent(b[:0], trace, span)
			if len(b) != traceparentLen || !traceparentRE.Match(b) {
				t.Fatalf("traceparent %q", b)
			}
			if back, ok := parseTraceparent(string(b)); !ok || back != trace {
				t.Fatalf("parseTraceparent(%q) = %x, %v", b, back, ok)
			}
		}
		if runID == "0123456789abcdef" {
			tr, _ := k.IDs(1)
			if !strings.HasPrefix(fmt.Sprintf("%x", tr), runID) {
				t.Errorf("trace id %x does not start with the run id", tr)
			}
		}
	}
	for _, bad := range []string{"", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e473x-00f067aa0ba902b7-01"} {
		if _, ok := parseTraceparent(bad); ok {
			t.Errorf("parseTraceparent(%q) accepted it", bad)
		}
	}
}

// TestTraceparentCostsNoAllocation checks that sending the traceparent
// adds no allocation to a Pooled request: it shares the request id's.
func TestTraceparentCostsNoAllocation(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	perRequest := func(noTrace bool) float64 {
		target := GET(srv.URL)
		target.NoTraceparent = noTrace
		if err := target.Prepare(context.Background(), RunInfo{RunID: "0123456789abcdef", Concurrency: 1, Timeout: time.Second}); err != nil {
			t.Fatal(err)
		}
		defer target.Finish()
		var s Sample
		r := &target.prepared[0]
		sc := newHTTPScratch()
		header := http.Header{}
		return testing.AllocsPerRun(1000, func() {
			clear(header)
			target.setIDs(header, r, sc, &s)
		})
	}
	with, without := perRequest(false), perRequest(true)
	if with != without {
		t.Errorf("setting the request id and traceparent allocates %v times, the request id alone %v", with, without)
	}
}
