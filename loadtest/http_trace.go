package loadtest

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"
)

// monoBase anchors mono: monotonic nanoseconds that fit in an atomic.
var monoBase = time.Now()

func mono() int64 { return int64(time.Since(monoBase)) }

// httpScratch is one goroutine's reusable state for HTTP requests: the
// httptrace hooks are built once and write into it, so tracing a request
// costs no closures. The hooks write atomically because net/http may call
// the dial hooks from its own goroutine, even after the request went on
// over another connection.
type httpScratch struct {
	buf   []byte // body prefix for Request.Check
	trace *httptrace.ClientTrace
	start int64
	id    []byte // the request id being built
	drain []byte // where the rest of a body is read and dropped

	// The Lean profile's: the worker's connection per origin, the request
	// being written, a NewBody read whole, the header a Check sees.
	lean   []*leanConn
	wbuf   []byte
	body   []byte
	header http.Header

	// The net/http profiles': the worker's context and its request, reused
	// while no request times out (http_deadline.go).
	wctx      *workerCtx
	req       *http.Request
	reqHeader http.Header

	dnsStart, dnsDone, connStart, connDone, tlsStart, tlsDone, firstByte atomic.Int64
	reused, tlsErr                                                       atomic.Bool
	getConn, gotConn                                                     atomic.Int64 // see connWait
	// starting is Sample.starting while a request that may dial runs:
	// GotConn takes the worker off the engine's count.
	starting atomic.Pointer[atomic.Int32]
}

func newHTTPScratch() *httpScratch {
	sc := &httpScratch{}
	sc.trace = &httptrace.ClientTrace{
		DNSStart:          func(httptrace.DNSStartInfo) { sc.dnsStart.Store(mono()) },
		DNSDone:           func(httptrace.DNSDoneInfo) { sc.dnsDone.Store(mono()) },
		ConnectStart:      func(_, _ string) { sc.connStart.Store(mono()) },
		ConnectDone:       func(_, _ string, _ error) { sc.connDone.Store(mono()) },
		TLSHandshakeStart: func() { sc.tlsStart.Store(mono()) },
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			sc.tlsDone.Store(mono())
			sc.tlsErr.Store(err != nil)
		},
		GetConn: func(string) { sc.getConn.Store(mono()) },
		GotConn: func(info httptrace.GotConnInfo) {
			sc.reused.Store(info.Reused)
			sc.gotConn.Store(mono())
			if n := sc.starting.Swap(nil); n != nil {
				n.Add(-1)
			}
		},
		GotFirstResponseByte: func() { sc.firstByte.Store(mono()) },
	}
	return sc
}

// traced returns ctx carrying the scratch's trace hooks.
func (sc *httpScratch) traced(ctx context.Context) context.Context {
	return httptrace.WithClientTrace(ctx, sc.trace)
}

// begin clears the timings of the previous request and starts the clock.
func (sc *httpScratch) begin() {
	for _, t := range []*atomic.Int64{&sc.dnsStart, &sc.dnsDone, &sc.connStart, &sc.connDone, &sc.tlsStart, &sc.tlsDone, &sc.firstByte, &sc.getConn, &sc.gotConn} {
		t.Store(0)
	}
	sc.reused.Store(false)
	sc.tlsErr.Store(false)
	sc.start = mono()
}

// report copies the request's phase timings into s.
func (sc *httpScratch) report(s *Sample) {
	end := mono()
	s.Reused = sc.reused.Load()
	span := func(p Phase, from, to *atomic.Int64) {
		if a, b := from.Load(), to.Load(); a != 0 && b >= a {
			s.SetPhase(p, time.Duration(b-a))
		}
	}
	span(PhaseDNS, &sc.dnsStart, &sc.dnsDone)
	span(PhaseConnect, &sc.connStart, &sc.connDone)
	span(PhaseTLS, &sc.tlsStart, &sc.tlsDone)
	if fb := sc.firstByte.Load(); fb != 0 {
		s.SetPhase(PhaseTTFB, time.Duration(fb-sc.start))
	}
	s.SetPhase(PhaseTotal, time.Duration(end-sc.start))
	s.connWait, s.connTimed = sc.connWait()
}
