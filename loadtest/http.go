package loadtest

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/loadgate/loadgate/internal/allowhosts"
	"github.com/loadgate/loadgate/internal/traceid"
)

// HTTP error kinds, beside those of [ErrorKind].
const (
	KindHTTP4xx      = "http_4xx"       // a 4xx status the request did not expect
	KindHTTP5xx      = "http_5xx"       // a 5xx status the request did not expect
	KindHTTPStatus   = "http_status"    // another status the request did not expect
	KindBodyTooLarge = "body_too_large" // the body was longer than HTTP.MaxBody
	KindCheck        = "check"          // Request.Check rejected the response
)

// Defaults of an [HTTP] target's zero fields.
const (
	DefaultMaxBody         = 1 << 20
	DefaultCheckBytes      = 64 << 10
	DefaultRequestIDHeader = "X-Request-ID"
	DefaultRunIDHeader     = "X-Loadgate-Run"
)

// Request is one kind of HTTP request a target sends.
type Request struct {
	// Name groups the request's statistics in Result.ByName; it defaults to
	// the method and path when the target mixes several requests.
	Name string
	// Method defaults to GET.
	Method string
	// URL is absolute: http:// or https://, loopback unless allowed.
	URL string
	// Header is sent with every request; the harness adds the request id
	// and run id headers. A "Host" entry sets the Host header (the URL
	// still says where to connect), as curl -H and vegeta do.
	Header http.Header
	// Body is sent with every request; NewBody, if set, is called for each
	// request instead and must return a fresh reader.
	Body    []byte
	NewBody func() (io.Reader, error)
	// Weight is the request's share of a mix: weights 80, 15 and 5 send
	// 80% browse, 15% cart and 5% checkout requests. A mix whose requests
	// all leave it 0 sends them equally; in a mix where some have a
	// Weight, one without is refused (to send none, leave it out).
	Weight int
	// Expect lists the statuses that count as success; by default any 2xx
	// or 3xx status does.
	Expect []int
	// Check, if set, decides whether a response with an expected status is
	// a success. It sees the response and at most HTTP.CheckBytes bytes of
	// its body; the harness reads and closes the body itself.
	Check func(resp *http.Response, body []byte) error
}

// Transport picks how an [HTTP] target connects.
type Transport int

const (
	// Pooled keeps connections alive in an idle pool sized to the load:
	// HTTP/1.1, with dial, TLS handshake and idle timeouts set.
	Pooled Transport = iota
	// NoKeepAlive opens a fresh connection (and TLS handshake) for every
	// request, to measure connection set-up under load.
	NoKeepAlive
	// HTTP2 speaks HTTP/2: over TLS for https URLs, and with prior
	// knowledge (h2c) for http URLs.
	HTTP2
	// Lean is loadgate's own minimal HTTP/1.1 client, an opt-in for
	// finding the most a service can take when net/http's client would
	// saturate first (about twice the requests per CPU second; see
	// docs/PERFORMANCE.md). Each worker keeps its own keep-alive connection
	// and writes each request with one system call; responses are parsed
	// without allocating. It reports the same status, protocol, reuse and
	// phases (dns, connect, tls, ttfb, total) and keeps the host
	// allow-list, but it does not do what a real client does beyond
	// HTTP/1.1 framing: no HTTP/2, no proxies, no redirects (a 3xx is the
	// response), no cookies, no transparent gzip (it sends no
	// Accept-Encoding), no Expect: 100-continue, and a request body from
	// NewBody is read whole before sending (Content-Length, never chunked).
	// A request that times out is cut off at most 1% of the timeout (20 ms
	// at most) after its deadline; it counts as a timeout either way.
	// A failure on a reused connection before any response byte is retried
	// once on a new connection for idempotent methods, as net/http does.
	// On Linux, closed-model users of a Lean target over plain http run
	// as coroutines on one event loop per CPU rather than as a goroutine
	// each, as wrk's connections do: a Request's NewBody or Check that
	// blocks holds up the other users of its loop while it runs, so they
	// must not wait on anything slow.
	Lean
)

// HTTP is a [Target] that sends HTTP requests: one, or a weighted mix. It
// reads and closes every response body itself, times each phase with
// net/http/httptrace, and tags each request with a unique request id and the
// run's id. Except with the Lean profile, it follows redirects (at most 10)
// to loopback or allowed hosts only: one to another host fails the request,
// wrapping [ErrHostNotAllowed], before its name is looked up. Build one
// with [GET] or [Mix], or as a literal. An HTTP value
// serves one run at a time: a scenario that starts while another runs it
// (two scenarios of [RunAll] given one target) fails before its load, so
// give each scenario its own.
type HTTP struct {
	Requests []Request
	// Transport selects a connection profile; ignored when Client is set.
	Transport Transport
	// Client, if set, is used as it is, except that the harness checks the
	// requests' hosts before the run and the host of every redirect before
	// following it, and closes idle connections after the run. When its
	// transport is an *http.Transport with a Proxy (http.DefaultTransport's
	// reads HTTP_PROXY and HTTPS_PROXY), the proxy's host is checked too,
	// since every request it proxies goes there. Its
	// transport is the caller's: loadgate's check of every dialled address
	// (a DNS answer that changes during the run) does not reach into it.
	Client *http.Client
	// TLSConfig configures TLS for the profiles, e.g. the RootCAs that
	// trust a test server's certificate.
	TLSConfig *tls.Config
	// MaxBody is the most of a body the harness reads (default 1 MiB); a
	// longer body fails the request as "body_too_large" and the connection
	// is closed instead of drained.
	MaxBody int64
	// CheckBytes is how much of the body Request.Check sees (default 64 KiB).
	CheckBytes int
	// RequestIDHeader and RunIDHeader name the headers that carry a unique
	// id per request and the run's id (defaults X-Request-ID and
	// X-Loadgate-Run); "-" leaves the header out.
	RequestIDHeader string
	RunIDHeader     string
	// NoTraceparent leaves out the W3C traceparent header that the target
	// otherwise sends with every request (a new trace id per request,
	// sampled), unless the request's Header sets one. The trace ids of
	// the slowest requests are in Result.Slowest.
	NoTraceparent bool

	client    *http.Client
	transport *http.Transport // the profile's, closed by Finish
	lean      *leanPool       // the Lean profile's connections, closed by Finish
	watch     *deadlineWatch  // cuts off net/http requests past their deadline; stopped by Finish
	prepared  []preparedRequest
	order     []uint16 // request indices in smooth weighted round-robin order
	runID     string
	idHeader  string // canonical name of the request id header; "" for none
	traceKey  traceKey
	seq       atomic.Uint64
	next      atomic.Uint64 // position in order
	serving   oneRun
}

var (
	_ Target   = (*HTTP)(nil)
	_ Preparer = (*HTTP)(nil)
	_ Finisher = (*HTTP)(nil)
)

type preparedRequest struct {
	Request
	url    *url.URL
	host   string      // the Host header: Header's "Host", else the URL's host
	header http.Header // Header and the run id, with canonical names
	lean   leanRequest // the Lean profile's pre-rendered request
	// traceparent says the harness sends a traceparent of its own; else
	// ref holds the trace id of the one Header sets, if any.
	traceparent bool
	ref         requestRef
}

// GET returns a target that sends GET requests to url.
func GET(url string) *HTTP {
	return &HTTP{Requests: []Request{{Method: http.MethodGet, URL: url}}}
}

// Mix returns a target that sends the requests in proportion to their
// weights, interleaved evenly.
func Mix(requests ...Request) *HTTP {
	return &HTTP{Requests: requests}
}

// reportsConn says h tells the engine when a request has its connection:
// with its own transports (the Lean profile's dial, net/http's GotConn), not
// with a caller's Client, whose transport may not report GotConn.
func (h *HTTP) reportsConn() bool { return h.Client == nil }

// Prepare checks every request and its host, and builds the client. It is
// called by Run before any request is sent. It fails while another run is
// using the target (until its Finish).
func (h *HTTP) Prepare(ctx context.Context, run RunInfo) error {
	// A second run would rebuild the requests, client and run id under
	// the first one's requests: the first's would carry the second's run
	// id, or a half-built request.
	return h.serving.prepare("HTTP target", "(loadtest.GET, Mix or an HTTP literal)", func() error { return h.prepare(ctx, run) })
}

func (h *HTTP) prepare(ctx context.Context, run RunInfo) error {
	if len(h.Requests) == 0 {
		return errors.New("HTTP target has no Requests")
	}
	guard, err := allowhosts.Parse("Scenario.AllowHosts", run.AllowHosts)
	if err != nil {
		return err
	}
	var proxy proxyFunc
	if h.Client != nil {
		proxy = proxyOf(h.Client)
	}
	h.prepared = h.prepared[:0]
	weights := make([]int, len(h.Requests))
	weighted := slices.IndexFunc(h.Requests, func(r Request) bool { return r.Weight > 0 })
	for i, r := range h.Requests {
		if r.Method == "" {
			r.Method = http.MethodGet
		}
		// A password in the URL stays out of the test log, whether the
		// URL parses or not.
		u, err := url.Parse(r.URL)
		shown := redactRaw(r.URL)
		if err == nil {
			shown = u.Redacted()
		}
		what := fmt.Sprintf("HTTP request %d (%s %s)", i+1, r.Method, shown)
		if r.Name != "" {
			what = fmt.Sprintf("HTTP request %q", r.Name)
		}
		if err != nil {
			return fmt.Errorf("%s: URL: %w", what, errors.Unwrap(err)) // the *url.Error's text quotes the URL
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return fmt.Errorf("%s: URL must start with http:// or https://", what)
		}
		if u.Hostname() == "" {
			return fmt.Errorf("%s: URL has no host", what)
		}
		if err := checkRequest(guard, proxy, what, &http.Request{Method: r.Method, URL: u}); err != nil {
			return err
		}
		if r.Weight < 0 {
			return fmt.Errorf("%s: Weight must not be negative", what)
		}
		if r.Weight == 0 && weighted >= 0 {
			// Read as 1, a Weight of 0 meant to switch a request off
			// sent it, 10% of a mix of 9 and 0.
			return fmt.Errorf("%s: Weight is 0 while request %d has %d: give it a weight of 1 or more, or leave it out of the mix to send none", what, weighted+1, h.Requests[weighted].Weight)
		}
		if r.Weight == 0 {
			r.Weight = 1
		}
		if r.Name == "" && len(h.Requests) > 1 {
			r.Name = r.Method + " " + u.EscapedPath()
		}
		host := u.Host
		if v := r.Header.Get("Host"); v != "" {
			// As curl -H and vegeta do: net/http itself ignores it.
			if strings.ContainsAny(v, "\r\n\x00 /") {
				return fmt.Errorf("%s: invalid Host header %q", what, v)
			}
			host = v
		}
		weights[i] = r.Weight
		h.prepared = append(h.prepared, preparedRequest{Request: r, url: u, host: host})
	}
	order, err := weightedOrder(weights)
	if err != nil {
		return err
	}
	h.order = order
	h.idHeader = ""
	if name := orDefault(h.RequestIDHeader, DefaultRequestIDHeader); name != "-" {
		h.idHeader = textproto.CanonicalMIMEHeaderKey(name)
	}
	for i := range h.prepared {
		r := &h.prepared[i]
		r.header = make(http.Header, len(r.Header)+1)
		for k, v := range r.Header {
			r.header[k] = v
		}
		if name := orDefault(h.RunIDHeader, DefaultRunIDHeader); name != "-" {
			r.header[textproto.CanonicalMIMEHeaderKey(name)] = []string{run.RunID}
		}
	}
	for i := range h.prepared {
		r := &h.prepared[i]
		r.traceparent, r.ref = !h.NoTraceparent, requestRef{}
		for k, v := range r.Header {
			if textproto.CanonicalMIMEHeaderKey(k) == traceparentHeader {
				r.traceparent = false
				if len(v) > 0 {
					if trace, ok := parseTraceparent(v[0]); ok {
						r.ref = requestRef{trace: trace, flags: refTraced}
					}
				}
			}
		}
	}
	h.runID = run.RunID
	h.traceKey = newTraceKey(run.RunID)
	h.client, h.lean, h.watch = nil, nil, nil
	if h.Client != nil {
		h.client = guardRedirects(h.Client, guard)
		h.startWatch(ctx, run)
		return nil
	}
	if h.Transport == Lean {
		h.lean, err = newLeanPool(ctx, h, run, guard)
		return err
	}
	h.transport = newTransport(h.Transport, h.TLSConfig, run.Concurrency, guard)
	h.client = guardRedirects(&http.Client{Transport: h.transport}, guard)
	h.startWatch(ctx, run)
	return nil
}

// startWatch gives the net/http profiles their deadline watchdog, stopped
// by Finish or the end of ctx.
func (h *HTTP) startWatch(ctx context.Context, run RunInfo) {
	h.watch = newDeadlineWatch(run.Timeout)
	context.AfterFunc(ctx, h.watch.close)
}

// guardRedirects returns a copy of c that refuses to follow a redirect to
// a host the guard does not allow, or through a proxy it does not allow,
// before it dials: the dial-time check of loadgate's own transports does
// not reach into a user's client, and in loadgate's own it comes after the
// name's DNS lookup, which would leave the machine for a name other than
// localhost. c's own CheckRedirect, if any, still applies; without one, as
// net/http, at most 10 redirects are followed.
func guardRedirects(c *http.Client, guard *allowhosts.List) *http.Client {
	guarded := *c
	next := c.CheckRedirect
	proxy := proxyOf(c)
	guarded.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := checkRequest(guard, proxy, "redirect to "+req.URL.Redacted(), req); err != nil {
			return err
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &guarded
}

// Finish closes the idle connections of the target's client.
func (h *HTTP) Finish() {
	if h.client != nil {
		h.client.CloseIdleConnections()
	}
	if h.lean != nil {
		h.lean.close()
	}
	if h.watch != nil {
		h.watch.close()
	}
	h.serving.finish()
}

// weightedOrder spreads the request indices over one cycle in proportion to
// their weights (smooth weighted round-robin), so that even a short run sees
// the mix.
func weightedOrder(weights []int) ([]uint16, error) {
	total := 0
	for _, w := range weights {
		total += w
	}
	if total > 100000 {
		return nil, fmt.Errorf("HTTP request weights add up to %d; keep them under 100000", total)
	}
	current := make([]int, len(weights))
	order := make([]uint16, 0, total)
	for range total {
		best := 0
		for i, w := range weights {
			current[i] += w
			if current[i] > current[best] {
				best = i
			}
		}
		current[best] -= total
		order = append(order, uint16(best))
	}
	return order, nil
}

// newTransport builds the connection profile. Connections go only to
// loopback addresses or allowed hosts, whatever DNS says during the run.
func newTransport(profile Transport, tlsConfig *tls.Config, concurrency int, guard *allowhosts.List) *http.Transport {
	if concurrency <= 0 {
		concurrency = 100
	}
	t := &http.Transport{
		Proxy:                 nil, // load goes where the URL says, never through a proxy from the environment
		DialContext:           guard.Dialer(net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}),
		TLSHandshakeTimeout:   10 * time.Second,
		MaxIdleConns:          concurrency,
		MaxIdleConnsPerHost:   concurrency,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableKeepAlives:     profile == NoKeepAlive,
		Protocols:             new(http.Protocols),
	}
	if tlsConfig != nil {
		t.TLSClientConfig = tlsConfig.Clone()
	}
	if profile == HTTP2 {
		t.Protocols.SetHTTP2(true)
		t.Protocols.SetUnencryptedHTTP2(true)
	} else {
		t.Protocols.SetHTTP1(true)
	}
	return t
}

// Hit implements [Target]: it sends the next request of the mix.
func (h *HTTP) Hit(ctx context.Context, s *Sample) error {
	return h.hitBy(ctx, time.Time{}, s)
}

var _ deadlineTarget = (*HTTP)(nil)

// hitBy sends the next request of the mix. The Lean profile bounds it by
// deadline, or by ctx's deadline when deadline is zero; the others by ctx.
func (h *HTTP) hitBy(ctx context.Context, deadline time.Time, s *Sample) error {
	if h.client == nil && h.lean == nil {
		return errors.New("HTTP target used before Prepare (run it with loadtest.Run)")
	}
	sc := s.scratch
	if sc == nil {
		sc = newHTTPScratch()
		s.scratch = sc
	}
	// One position for all goroutines: per-goroutine positions would each
	// start the cycle over and skew a short run towards its first entries.
	r := &h.prepared[h.order[(h.next.Add(1)-1)%uint64(len(h.order))]]
	s.Name = r.Name
	if h.lean != nil {
		return h.hitLean(ctx, deadline, s, r, sc)
	}

	var body io.Reader
	if r.NewBody != nil {
		b, err := r.NewBody()
		if err != nil {
			return KindError(KindOther, fmt.Errorf("%s: NewBody: %w", r.Method, err))
		}
		body = b
	} else if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	sc.begin()
	if s.starting != nil { // GotConn, or the end of the request, tells the engine
		sc.starting.Store(s.starting)
		s.starting = nil
		defer func() {
			if n := sc.starting.Swap(nil); n != nil {
				n.Add(-1)
			}
		}()
	}
	var req *http.Request
	var w *workerCtx
	if !deadline.IsZero() && body == nil && h.watch != nil {
		w = h.watch.context(ctx, sc)
	}
	if w != nil {
		var err error
		if req, err = sc.reusableRequest(w.ctx, r); err != nil {
			return KindError(KindOther, err)
		}
		w.begin(deadline)
	} else {
		if !deadline.IsZero() {
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, deadline)
			defer cancel()
		}
		// The URL was parsed in Prepare and the fixed headers built there:
		// parsing the URL again for every request was 2.3% of the Pooled
		// profile's CPU (docs/PERFORMANCE.md). net/http only reads req.URL,
		// so requests can share it.
		var err error
		if req, err = http.NewRequestWithContext(sc.traced(ctx), r.Method, "", body); err != nil {
			return KindError(KindOther, err)
		}
		req.URL, req.Host = r.url, r.host
		req.Header = make(http.Header, len(r.header)+2)
		for k, v := range r.header {
			req.Header[k] = v
		}
	}
	h.setIDs(req.Header, r, sc, s)
	err := h.roundTrip(req, r, sc, s)
	if w != nil && w.end(deadline) && err != nil && !errors.Is(err, context.DeadlineExceeded) {
		err = KindError(KindTimeout, fmt.Errorf("%w (%v)", err, context.DeadlineExceeded))
	}
	return err
}

// roundTrip sends req, the net/http profiles' request for r, and reads
// the response.
func (h *HTTP) roundTrip(req *http.Request, r *preparedRequest, sc *httpScratch, s *Sample) error {
	resp, err := h.client.Do(req)
	if err != nil {
		sc.report(s)
		if sc.tlsErr.Load() {
			s.Kind = KindTLS
		}
		return err
	}
	s.Status, s.Proto = resp.StatusCode, resp.Proto
	checked, tooLarge, err := h.readBody(resp, r, sc)
	resp.Body.Close()
	sc.report(s)
	if err != nil {
		return fmt.Errorf("%s %s: reading body: %w", r.Method, r.url.Path, err)
	}
	if err := r.verdict(resp.StatusCode, tooLarge, orDefault(h.MaxBody, DefaultMaxBody)); err != nil {
		return err
	}
	return r.check(resp, checked)
}

// setIDs numbers the request and sets its request id and traceparent
// headers in header, noting both in s.
func (h *HTTP) setIDs(header http.Header, r *preparedRequest, sc *httpScratch, s *Sample) {
	seq := h.seq.Add(1)
	s.ref = r.ref
	s.ref.seq = seq
	b := sc.id[:0]
	if h.idHeader != "" {
		b = strconv.AppendUint(append(append(b, h.runID...), '-'), seq, 10)
		s.ref.flags |= refSeqID
	}
	idLen := len(b)
	if r.traceparent {
		trace, span := h.traceKey.IDs(seq)
		b = traceid.AppendTraceparent(b, trace, span)
		s.ref.trace = trace
		s.ref.flags |= refTraced
	}
	sc.id = b
	setIDHeaders(header, h.idHeader, b, idLen)
}

// verdict is the one verdict on a response, for both transport profiles
// (Pooled here, Lean in hitLean): a body over limit, or a status the
// request does not expect, fails the request.
func (r *preparedRequest) verdict(status int, tooLarge bool, limit int64) error {
	if tooLarge {
		return KindError(KindBodyTooLarge, fmt.Errorf("%s %s: body longer than %d bytes", r.Method, r.url.Path, limit))
	}
	if !r.expects(status) {
		return KindError(statusKind(status), fmt.Errorf("%s %s: unexpected status %d %s", r.Method, r.url.Path, status, http.StatusText(status)))
	}
	return nil
}

// check runs the request's Check, if it has one, on the response and the
// start of its body.
func (r *preparedRequest) check(resp *http.Response, body []byte) error {
	if r.Check == nil {
		return nil
	}
	if err := r.Check(resp, body); err != nil {
		return KindError(KindCheck, fmt.Errorf("%s %s: %w", r.Method, r.url.Path, err))
	}
	return nil
}

// readBody reads the body up to MaxBody, keeping the first CheckBytes for a
// Check. A longer body is left unread: closing it closes the connection.
func (h *HTTP) readBody(resp *http.Response, r *preparedRequest, sc *httpScratch) (checked []byte, tooLarge bool, err error) {
	limit := orDefault(h.MaxBody, DefaultMaxBody)
	var n int64
	if r.Check != nil {
		size := orDefault(h.CheckBytes, DefaultCheckBytes)
		if cap(sc.buf) < size {
			sc.buf = make([]byte, size)
		}
		m, err := io.ReadFull(resp.Body, sc.buf[:min(int64(size), limit+1)])
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			return nil, false, err
		}
		checked, n = sc.buf[:m], int64(m)
	}
	if n <= limit {
		// A loop over a buffer the worker keeps, where io.Copy through an
		// io.LimitReader allocated twice per request.
		if sc.drain == nil {
			sc.drain = make([]byte, 4096)
		}
		for n <= limit {
			m, err := resp.Body.Read(sc.drain[:min(int64(len(sc.drain)), limit+1-n)])
			n += int64(m)
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, false, err
			}
		}
	}
	if n > limit {
		return checked[:min(int64(len(checked)), limit)], true, nil
	}
	return checked, false, nil
}

func (r *preparedRequest) expects(status int) bool { return expected(status, r.Expect) }

// expected tells whether status is one of expect, or any 2xx or 3xx when
// expect is empty.
func expected(status int, expect []int) bool {
	if len(expect) == 0 {
		return status >= 200 && status < 400
	}
	return slices.Contains(expect, status)
}

func statusKind(status int) string {
	switch {
	case status >= 400 && status < 500:
		return KindHTTP4xx
	case status >= 500 && status < 600:
		return KindHTTP5xx
	}
	return KindHTTPStatus
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// redactRaw is rawURL with the password of its user information, if any,
// replaced by "xxxxx", as url.URL.Redacted gives it: for a URL that does
// not parse, whose text an error would otherwise quote whole.
func redactRaw(rawURL string) string {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return rawURL
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		return rawURL
	}
	user, _, hasPassword := strings.Cut(rest[:at], ":")
	if !hasPassword {
		return rawURL
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}
