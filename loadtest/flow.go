package loadtest

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptrace"
	"net/textproto"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/loadgate/loadgate/internal/allowhosts"
	"github.com/loadgate/loadgate/internal/traceid"
)

// FlowFunc runs one iteration of a user journey: the steps one user takes
// (log in, browse, add to cart, pay), each sent with [Iteration.Do]. Only
// those steps are checked against the host allow-list and counted: a
// request it sends through a client of its own is neither. It
// returns an error when the iteration failed; a step that failed fails
// the iteration even if FlowFunc returns nil. It is called concurrently
// from many goroutines and must honour ctx, which carries the scenario's
// timeout for the whole iteration.
type FlowFunc func(ctx context.Context, it *Iteration) error

// FlowTarget is a [Target] whose every hit is one iteration of a user
// journey written in Go: values carry from one step's response to the next
// step's request in plain Go. Build one with [Flow].
//
// The scenario's own counts and latencies are those of whole iterations:
// an iteration counts once, as a failure if it returned an error or any of
// its steps failed (its error kind and status are the first failed step's,
// or the returned error's). Each step is counted under its name in
// Result.ByName with its own latency (timed from the step's start: only
// the iteration's latency is timed from its intended start), status codes
// and error kinds, and its phases and connection reuse go to
// Result.Phases and Result.Connections as a [Mix]'s requests do.
//
// A FlowTarget serves one run at a time: a scenario that starts while
// another runs it (two scenarios of [RunAll] given one target) fails before
// its load. Give each scenario its own Flow; they may share the FlowFunc.
type FlowTarget struct {
	// Transport selects a connection profile: Pooled (the default),
	// NoKeepAlive or HTTP2. Lean does not apply: a journey's requests are
	// built by the caller. Ignored when Client is set.
	Transport Transport
	// Client, if set, sends the steps as it is, except that every step's
	// host and every redirect's, and the host of the proxy its transport
	// sends one through (as HTTP.Client), is checked against the
	// allow-list before it is sent, and idle connections are closed after
	// the run. One Client serves every user of the run: its Jar would
	// hand one user's session cookies to the others (use Cookies).
	Client *http.Client
	// Cookies gives each iteration a cookie jar of its own, empty when
	// the iteration starts, as a browser session (or a k6 VU's jar, which
	// k6 clears each iteration): the cookies its steps' responses set,
	// those of the redirects Do follows included, go with its later
	// steps. Without it a step sends only the cookies its request
	// carries (req.AddCookie with a value from an earlier response's
	// Cookies), and a cookie set by a redirect's response is lost. It
	// cannot be combined with a Client that has a Jar.
	Cookies bool
	// TLSConfig configures TLS for the profiles.
	TLSConfig *tls.Config
	// MaxBody is the most of a step's response body the harness reads
	// (default 1 MiB); a longer body fails the step as "body_too_large".
	MaxBody int64
	// RequestIDHeader and RunIDHeader name the headers that carry a unique
	// id per step and the run's id (defaults X-Request-ID and
	// X-Loadgate-Run); "-" leaves the header out. A header the caller set
	// on the request is kept.
	RequestIDHeader string
	RunIDHeader     string
	// NoTraceparent leaves out the W3C traceparent header that every step
	// is otherwise sent with (a new trace id per step, sampled), unless
	// the caller set one on the request.
	NoTraceparent bool

	fn        FlowFunc
	client    *http.Client
	transport *http.Transport
	guard     *allowhosts.List
	proxy     proxyFunc // Client's; nil for the profiles, which use none
	runID     string
	traceKey  traceKey
	idHeader  string
	runHeader string
	seq       atomic.Uint64 // steps sent
	iters     atomic.Int64  // iterations started
	serving   oneRun
}

var (
	_ Target   = (*FlowTarget)(nil)
	_ Preparer = (*FlowTarget)(nil)
	_ Finisher = (*FlowTarget)(nil)
)

// Flow returns a target that runs fn once per hit: one iteration of a
// user journey.
func Flow(fn FlowFunc) *FlowTarget { return &FlowTarget{fn: fn} }

// Prepare checks the target and builds its client. It is called by Run
// before any request is sent. It fails while another run is using the
// target (until its Finish).
func (f *FlowTarget) Prepare(ctx context.Context, run RunInfo) error {
	// A second run would replace the client, run id and counters under
	// the first: its steps would carry the second's run id.
	return f.serving.prepare("Flow target", "loadtest.Flow (they may share the function)", func() error { return f.prepare(run) })
}

func (f *FlowTarget) prepare(run RunInfo) error {
	if f.fn == nil {
		return errors.New("Flow target has no function (build it with loadtest.Flow)")
	}
	if f.Cookies && f.Client != nil && f.Client.Jar != nil {
		return errors.New("Flow target: Cookies gives each iteration a jar of its own; the Client's Jar would be shared by every user (leave it nil)")
	}
	if f.Client == nil && f.Transport == Lean {
		return errors.New("Flow target: the Lean transport does not apply to journeys (their requests are built by the caller); use Pooled, NoKeepAlive or HTTP2")
	}
	guard, err := allowhosts.Parse("Scenario.AllowHosts", run.AllowHosts)
	if err != nil {
		return err
	}
	f.guard, f.runID, f.traceKey = guard, run.RunID, newTraceKey(run.RunID)
	f.idHeader, f.runHeader = "", ""
	if name := orDefault(f.RequestIDHeader, DefaultRequestIDHeader); name != "-" {
		f.idHeader = textproto.CanonicalMIMEHeaderKey(name)
	}
	if name := orDefault(f.RunIDHeader, DefaultRunIDHeader); name != "-" {
		f.runHeader = textproto.CanonicalMIMEHeaderKey(name)
	}
	f.seq.Store(0)
	f.iters.Store(0)
	f.proxy = nil
	if f.Client != nil {
		f.client, f.proxy = guardRedirects(f.Client, guard), proxyOf(f.Client)
		return nil
	}
	f.transport = newTransport(f.Transport, f.TLSConfig, run.Concurrency, guard)
	f.client = guardRedirects(&http.Client{Transport: f.transport}, guard)
	return nil
}

// Finish closes the idle connections of the target's client.
func (f *FlowTarget) Finish() {
	if f.client != nil {
		f.client.CloseIdleConnections()
	}
	f.serving.finish()
}

// flowWithoutSteps is the warning of a run whose n measured iterations of
// a Flow sent no step with [Iteration.Do]. Such a run timed the FlowFunc's
// own code: a journey whose requests go through a client of its own, or
// that returns before its first step, looks healthy and fast.
func flowWithoutSteps(n int64) string {
	return fmt.Sprintf("the Flow ran %d iterations and none sent a step with Iteration.Do: "+
		"its latencies time the FlowFunc's own code, not the service (send each request with it.Do; "+
		"one sent through a client of its own is not counted)", n)
}

// Hit implements [Target]: it runs one iteration.
func (f *FlowTarget) Hit(ctx context.Context, s *Sample) error {
	if f.client == nil {
		return errors.New("Flow target used before Prepare (run it with loadtest.Run)")
	}
	it := s.iteration
	if it == nil {
		it = &Iteration{}
		s.iteration = it
	}
	if s.scratch == nil {
		s.scratch = newHTTPScratch()
	}
	it.start(f, s)
	// The steps' trace hooks ride in ctx: a request made from it needs no
	// copy to be traced (see send).
	err := f.fn(s.scratch.traced(ctx), it)
	it.end()
	switch {
	case err != nil && it.failKind != "" && errors.Is(err, it.failErr):
		s.Kind, s.Status = it.failKind, it.failStatus
	case err != nil:
		// The caller's own reason (a check of its own, a step's error it
		// wrapped): its kind, with the failed step's status if any.
		s.Status = it.failStatus
	case it.failErr != nil:
		s.Kind, s.Status = it.failKind, it.failStatus
		err = it.failErr
	}
	return err
}

// Iteration is one run of a [FlowFunc]: it sends the journey's steps and
// says which iteration this is. It belongs to the goroutine running the
// iteration and must not be kept after the FlowFunc returns.
type Iteration struct {
	// N numbers the iterations of the run from 1, the warm-up's included.
	N int64
	// User numbers the goroutine running the iteration from 1: the
	// closed model's user, or the open model's worker.
	User int

	f    *FlowTarget
	s    *Sample
	step Sample

	// client sends the steps with the iteration's own cookie jar, when
	// FlowTarget.Cookies asks for one: a copy of the target's client.
	client http.Client

	// failErr is the first failed step's error, failKind its kind and
	// failStatus its status.
	failErr    error
	failKind   string
	failStatus int

	// Bodies of this iteration's steps: one arena, valid until the
	// iteration ends, and their readers, reused across iterations.
	arena  []byte
	bodies []*stepBody
	used   int
}

func (it *Iteration) start(f *FlowTarget, s *Sample) {
	it.f, it.s = f, s
	it.N = f.iters.Add(1)
	it.User = s.shard // the worker's number, from 1
	it.failErr, it.failKind, it.failStatus = nil, "", 0
	it.arena = it.arena[:0]
	it.used = 0
	if f.Cookies {
		it.client = *f.client
		it.client.Jar, _ = cookiejar.New(nil) // never fails without options
	}
}

func (it *Iteration) end() {
	for _, b := range it.bodies[:it.used] {
		b.data = nil
	}
	it.client.Jar = nil
	it.f, it.s = nil, nil
}

// ID returns a unique id of the iteration: the run's id and N.
func (it *Iteration) ID() string {
	return it.f.runID + "-i" + strconv.FormatInt(it.N, 10)
}

// Do sends one step of the journey and records it under name: its latency,
// status, error kind, phases and connection reuse, as a [Mix] request.
// An empty name is the request's method and path ("GET /products").
// req must be a non-nil, absolute http:// or https:// request to a loopback or
// allowed host (else the step fails as "other", naming the step); Do adds the request id, run id and traceparent headers
// that req does not set. The slowest step of an iteration stands for it
// among the run's slowest requests (Result.Slowest): its request and trace
// ids are the ones to look up.
//
// A step succeeds when its status is one of expect, or any 2xx or 3xx
// without expect; otherwise Do returns the response and an error, and the
// step fails the iteration ([Iteration.DoCheck] also fails it on what the
// body holds). The harness reads the body (up to
// FlowTarget.MaxBody) and closes it: the returned response's Body reads
// from memory, needs no Close, and stays readable until the iteration
// ends, so a caller that never closes a body leaks nothing and the
// connection goes back to the pool.
func (it *Iteration) Do(name string, req *http.Request, expect ...int) (*http.Response, error) {
	return it.do(name, req, nil, expect)
}

// DoCheck sends one step as [Iteration.Do] does, then, when its status is
// expected, calls check with the response and its whole body (up to
// FlowTarget.MaxBody; resp.Body reads the same bytes). An error from check
// fails the step as "check", counted under the step's name in
// Result.ByName, as [Request.Check] fails a request: use it for what a k6
// check tests, such as a login's token in the body, so that the failure
// is the step's, not only the iteration's. Do a check in the FlowFunc
// after Do, and a failure counts against the iteration alone.
//
// check may keep values it finds (the token, an id) for the next steps;
// it must not keep body, which is valid until the iteration ends.
func (it *Iteration) DoCheck(name string, req *http.Request, check func(resp *http.Response, body []byte) error, expect ...int) (*http.Response, error) {
	return it.do(name, req, check, expect)
}

func (it *Iteration) do(name string, req *http.Request, check func(*http.Response, []byte) error, expect []int) (*http.Response, error) {
	if it.f == nil {
		return nil, errors.New("loadtest: Iteration.Do called after its iteration ended")
	}
	switch {
	case name != "":
	case req == nil:
		name = "(nil request)"
	case req.URL == nil:
		name = req.Method
	default:
		name = req.Method + " " + req.URL.EscapedPath()
	}
	st := &it.step
	st.reset()
	st.Name = name
	sc := it.s.scratch
	begin := time.Now()
	resp, err := it.send(req, sc, expect)
	// The step's time is the service's: the check's own is left out.
	took := time.Since(begin)
	if err == nil && check != nil {
		// A check that panics was given a response: its step was sent
		// and is counted, as a "panic" under its name, while the panic
		// goes on to the harness, which counts the iteration and logs the
		// stack. Unrecorded, the step's count fell short of what the
		// service served.
		checked := false
		defer func() {
			if !checked {
				it.record(name, took, KindError(KindPanic, fmt.Errorf("step %s: check panicked", name)))
			}
		}()
		err = runCheck(name, resp, check)
		checked = true
	}
	it.record(name, took, err)
	return resp, err
}

// record counts the step described by it.step under name, and err, if
// not nil, as its failure and the iteration's.
func (it *Iteration) record(name string, took time.Duration, err error) {
	st := &it.step
	var kind string
	if err != nil {
		kind = st.Kind
		if kind == "" {
			kind = ErrorKind(err)
		}
		it.fail(err, kind, st.Status)
	}
	it.s.rec.recordStep(it.s.shard, it.s.slot, &Step{Name: name, Latency: took, Service: took, Kind: kind, Status: st.Status}, st, nil)
	n := it.s.step.steps + 1
	if it.s.step.name == "" || took > it.s.step.latency {
		it.s.ref = st.ref
		it.s.step = slowStep{name: name, latency: took, status: st.Status, phases: st.phases, phaseSet: st.phaseSet}
	}
	it.s.step.steps = n
}

// send sends req and reads its body, describing the step in it.step.
func (it *Iteration) send(req *http.Request, sc *httpScratch, expect []int) (*http.Response, error) {
	f, st := it.f, &it.step
	if req == nil {
		return nil, KindError(KindOther, fmt.Errorf("step %s: the request is nil", st.Name))
	}
	if req.URL == nil || (req.URL.Scheme != "http" && req.URL.Scheme != "https") || req.URL.Host == "" {
		return nil, KindError(KindOther, fmt.Errorf("step %s: the request's URL must be absolute, http:// or https://", st.Name))
	}
	if err := checkRequest(f.guard, f.proxy, "step "+st.Name, req); err != nil {
		return nil, KindError(KindOther, err)
	}
	if req.Header == nil {
		req.Header = make(http.Header, 3)
	}
	f.setIDs(req.Header, sc, st)
	if f.runHeader != "" && req.Header[f.runHeader] == nil {
		req.Header[f.runHeader] = []string{f.runID}
	}
	sc.begin()
	if httptrace.ContextClientTrace(req.Context()) != sc.trace {
		req = req.WithContext(sc.traced(req.Context()))
	}
	client := f.client
	if f.Cookies {
		client = &it.client
	}
	resp, err := client.Do(req)
	if err != nil {
		sc.report(st)
		if sc.tlsErr.Load() {
			st.Kind = KindTLS
		}
		// Named as every other failure of a step is: two steps may
		// send to one URL.
		return nil, fmt.Errorf("step %s: %w", st.Name, err)
	}
	st.Status, st.Proto = resp.StatusCode, resp.Proto
	body, tooLarge, err := it.readBody(resp)
	resp.Body.Close()
	sc.report(st)
	resp.Body = body
	limit := orDefault(f.MaxBody, DefaultMaxBody)
	switch {
	case err != nil:
		return resp, fmt.Errorf("step %s: reading body: %w", st.Name, err)
	case tooLarge:
		return resp, KindError(KindBodyTooLarge, fmt.Errorf("step %s: body longer than %d bytes", st.Name, limit))
	case !expected(resp.StatusCode, expect):
		return resp, KindError(statusKind(resp.StatusCode), fmt.Errorf("step %s: unexpected status %d %s", st.Name, resp.StatusCode, http.StatusText(resp.StatusCode)))
	}
	return resp, nil
}

// runCheck calls a step's check with its response and body, and gives the
// response a fresh reader over the same bytes afterwards: the check may
// have read it.
func runCheck(name string, resp *http.Response, check func(*http.Response, []byte) error) error {
	b := resp.Body.(*stepBody)
	err := check(resp, b.data)
	b.off = 0
	resp.Body = b
	if err != nil {
		return KindError(KindCheck, fmt.Errorf("step %s: check: %w", name, err))
	}
	return nil
}

// setIDs numbers the step and sets the request id and traceparent headers
// that header does not have, noting in st the ids the step is sent with:
// those the caller set, or the harness's.
func (f *FlowTarget) setIDs(header http.Header, sc *httpScratch, st *Sample) {
	seq := f.seq.Add(1)
	st.ref = requestRef{seq: seq}
	b := sc.id[:0]
	if f.idHeader != "" {
		if v := header[f.idHeader]; v != nil {
			if len(v) > 0 {
				st.ref.id = v[0]
			}
		} else {
			b = strconv.AppendUint(append(append(b, f.runID...), '-'), seq, 10)
			st.ref.flags |= refSeqID
		}
	}
	idLen := len(b)
	if v := header[traceparentHeader]; v != nil {
		if len(v) > 0 {
			if trace, ok := parseTraceparent(v[0]); ok {
				st.ref.trace = trace
				st.ref.flags |= refTraced
			}
		}
	} else if !f.NoTraceparent {
		trace, span := f.traceKey.IDs(seq)
		b = traceid.AppendTraceparent(b, trace, span)
		st.ref.trace = trace
		st.ref.flags |= refTraced
	}
	sc.id = b
	setIDHeaders(header, f.idHeader, b, idLen)
}

// fail keeps the first failed step's error.
func (it *Iteration) fail(err error, kind string, status int) {
	if it.failErr == nil {
		it.failErr, it.failKind, it.failStatus = err, kind, status
	}
}

// readBody reads resp's body, up to MaxBody, into the iteration's arena and
// returns a reader over it. A longer body is left unread: closing it
// closes the connection.
func (it *Iteration) readBody(resp *http.Response) (*stepBody, bool, error) {
	limit := orDefault(it.f.MaxBody, DefaultMaxBody)
	from := len(it.arena)
	var err error
	tooLarge := false
	for {
		if len(it.arena) == cap(it.arena) {
			it.arena = append(it.arena, 0)[:len(it.arena)]
		}
		room := it.arena[len(it.arena):cap(it.arena)]
		if over := int64(len(it.arena)-from) + int64(len(room)) - (limit + 1); over > 0 {
			room = room[:int64(len(room))-over]
		}
		n, rerr := resp.Body.Read(room)
		it.arena = it.arena[:len(it.arena)+n]
		if int64(len(it.arena)-from) > limit {
			tooLarge = true
			it.arena = it.arena[:from+int(limit)]
			break
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			err = rerr
			break
		}
	}
	if it.used == len(it.bodies) {
		it.bodies = append(it.bodies, &stepBody{})
	}
	b := it.bodies[it.used]
	it.used++
	b.data, b.off = it.arena[from:len(it.arena):len(it.arena)], 0
	return b, tooLarge, err
}

// stepBody is a step's response body, read whole by the harness.
type stepBody struct {
	data []byte
	off  int
}

func (b *stepBody) Read(p []byte) (int, error) {
	if b.off >= len(b.data) {
		return 0, io.EOF
	}
	n := copy(p, b.data[b.off:])
	b.off += n
	return n, nil
}

// Close does nothing: the harness closed the real body.
func (b *stepBody) Close() error { return nil }
