package loadtest

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/loadgate/loadgate/internal/allowhosts"
	"github.com/loadgate/loadgate/internal/h1"
	"github.com/loadgate/loadgate/internal/traceid"
)

// The Lean transport (see [Lean]) exists because net/http's client, built for
// fidelity, costs about 25 µs of CPU per request on the project's 2-core
// machine (two goroutines per connection, channels between them, a header
// map, a context and a trace per request), so that on a tiny handler the
// generator, not the service, is what saturates. Lean does the least a
// correct HTTP/1.1 client must: each worker goroutine owns one keep-alive
// connection per origin (no pool lock, no hand-off to another goroutine),
// writes the pre-rendered request with one system call, and parses the
// response head and body framing in place (internal/h1).

// leanDialTimeout bounds a connection's set-up, as the Pooled profile's
// dialer does.
const leanDialTimeout = 5 * time.Second

// leanRequest is a request of the mix rendered for the Lean profile.
type leanRequest struct {
	head       []byte // request line and every header but the request id
	origin     int    // index into leanPool.origins
	isHEAD     bool
	idempotent bool
	sendLength bool // send Content-Length even for an empty body
}

// leanOrigin is one scheme://host:port the mix sends to.
type leanOrigin struct {
	host string // without brackets or port
	addr string // host:port to dial
	tls  bool
}

// leanConn is one keep-alive connection, used by one worker at a time.
type leanConn struct {
	raw      net.Conn // the TCP connection, closed from other goroutines
	nc       net.Conn // raw, or the TLS connection over it
	br       *bufio.Reader
	sock     *leanSocket // under br for plain TCP; nil otherwise
	resp     h1.Response
	used     bool      // a request went over it already
	deadline time.Time // the deadline set on nc; zero for none
}

// leanPool holds the Lean profile's connections so that Finish, or the end
// of the run's context, can close them: the workers own them, the pool only
// keeps count.
type leanPool struct {
	origins []leanOrigin
	guard   *allowhosts.List
	tls     *tls.Config
	slack   time.Duration // how late a request's deadline may cut it off
	stop    func() bool   // unregisters the AfterFunc on the run's context

	mu     sync.Mutex
	conns  map[*leanConn]struct{}
	closed bool
}

// errLeanClosed fails requests that need a connection after the pool closed.
var errLeanClosed = errors.New("loadtest: lean HTTP transport closed")

// newLeanPool renders h's prepared requests for the Lean profile. The end
// of ctx (Prepare's: the requests' context) closes every connection, so
// that requests blocked in a read end at once, as they would with net/http.
func newLeanPool(ctx context.Context, h *HTTP, run RunInfo, guard *allowhosts.List) (*leanPool, error) {
	p := &leanPool{guard: guard, tls: h.TLSConfig, conns: map[*leanConn]struct{}{}}
	p.slack = min(run.Timeout/100, 20*time.Millisecond)
	runHeader := orDefault(h.RunIDHeader, DefaultRunIDHeader)
	for i := range h.prepared {
		r := &h.prepared[i]
		o := leanOrigin{host: r.url.Hostname(), tls: r.url.Scheme == "https"}
		port := r.url.Port()
		if port == "" {
			port = "80"
			if o.tls {
				port = "443"
			}
		}
		o.addr = net.JoinHostPort(o.host, port)
		r.lean.origin = slices.Index(p.origins, o)
		if r.lean.origin < 0 {
			r.lean.origin = len(p.origins)
			p.origins = append(p.origins, o)
		}
		head, err := renderLeanHead(r, runHeader, h.runID)
		if err != nil {
			return nil, err
		}
		r.lean.head = head
		r.lean.isHEAD = r.Method == http.MethodHead
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
			r.lean.idempotent = true
		}
		switch r.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch:
			r.lean.sendLength = true // as net/http does for an empty body
		}
	}
	p.stop = context.AfterFunc(ctx, p.closeConns)
	return p, nil
}

// renderLeanHead writes the request line and the fixed headers. Headers are
// sorted by name so that the bytes on the wire are the same in every run. A
// header net/http would refuse to send is an error here too.
func renderLeanHead(r *preparedRequest, runHeader, runID string) ([]byte, error) {
	var b []byte
	b = fmt.Appendf(b, "%s %s HTTP/1.1\r\nHost: %s\r\n", r.Method, r.url.RequestURI(), r.host)
	names := make([]string, 0, len(r.Header))
	for name := range r.Header {
		names = append(names, name)
	}
	slices.Sort(names)
	hasAgent := false
	for _, name := range names {
		if strings.EqualFold(name, "Host") {
			continue // written first, as r.host
		}
		hasAgent = hasAgent || strings.EqualFold(name, "User-Agent")
		if name == "" || strings.ContainsFunc(name, func(c rune) bool { return c <= ' ' || c >= 0x7f || strings.ContainsRune("\"(),/:;<=>?@[\\]{}", c) }) {
			return nil, fmt.Errorf("HTTP request %s %s: invalid header name %q", r.Method, r.url.Redacted(), name)
		}
		for _, v := range r.Header[name] {
			if strings.ContainsAny(v, "\r\n\x00") {
				return nil, fmt.Errorf("HTTP request %s %s: invalid header value for %q", r.Method, r.url.Redacted(), name)
			}
			b = fmt.Appendf(b, "%s: %s\r\n", name, v)
		}
	}
	if !hasAgent {
		b = append(b, "User-Agent: loadgate\r\n"...)
	}
	if runHeader != "-" {
		b = fmt.Appendf(b, "%s: %s\r\n", runHeader, runID)
	}
	return b, nil
}

// conn returns the worker's connection to origin o, dialling one if it has
// none, and reports the set-up phases of a new one in s.
func (p *leanPool) conn(ctx context.Context, deadline time.Time, sc *httpScratch, o int, s *Sample) (*leanConn, error) {
	if o < len(sc.lean) && sc.lean[o] != nil {
		return sc.lean[o], nil
	}
	if !deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	c, err := p.dial(ctx, &p.origins[o], s)
	if err != nil {
		return nil, err
	}
	for len(sc.lean) <= o {
		sc.lean = append(sc.lean, nil)
	}
	sc.lean[o] = c
	return c, nil
}

// lookupNetIP resolves the Lean profile's host names; tests replace it.
var lookupNetIP = net.DefaultResolver.LookupNetIP

func (p *leanPool) dial(ctx context.Context, o *leanOrigin, s *Sample) (*leanConn, error) {
	var nc net.Conn
	var err error
	// On a user loop the dial runs on a goroutine of its own while the
	// loop goes on with its other users (userloop.go).
	s.loop.run(func() { nc, err = p.dialTCP(ctx, o, s) })
	if err != nil {
		return nil, err
	}
	if s.loop != nil {
		lc, err := newLoopConn(s.loop, nc)
		if err != nil {
			return nil, err
		}
		nc = lc
	}
	raw := nc
	if o.tls {
		cfg := &tls.Config{}
		if p.tls != nil {
			cfg = p.tls.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = o.host
		}
		cfg.NextProtos = []string{"http/1.1"}
		tc := tls.Client(nc, cfg)
		start := mono()
		hctx, cancel := context.WithTimeout(ctx, 10*time.Second) // as the Pooled profile's TLSHandshakeTimeout
		err := tc.HandshakeContext(hctx)
		cancel()
		s.SetPhase(PhaseTLS, time.Duration(mono()-start))
		if err != nil {
			nc.Close()
			s.Kind = KindTLS
			return nil, err
		}
		nc = tc
	}
	c := &leanConn{raw: raw, nc: nc}
	if nc == raw {
		c.sock = newLeanSocket(raw)
	}
	if c.sock != nil {
		c.br = bufio.NewReader(c.sock)
	} else {
		c.br = bufio.NewReader(nc)
	}
	p.mu.Lock()
	closed := p.closed
	if !closed {
		p.conns[c] = struct{}{}
	}
	p.mu.Unlock()
	if closed {
		nc.Close()
		return nil, errLeanClosed
	}
	return c, nil
}

// dialTCP resolves o's host, timing the dns phase, and connects to it,
// timing the connect phase.
func (p *leanPool) dialTCP(ctx context.Context, o *leanOrigin, s *Sample) (net.Conn, error) {
	dialer := net.Dialer{
		Timeout:   leanDialTimeout,
		KeepAlive: 30 * time.Second,
		Control:   p.guard.Control(o.host),
	}
	addrs := []string{o.addr}
	if _, err := netip.ParseAddr(o.host); err != nil {
		// Resolve here rather than in the dialer, to time the dns phase.
		start := mono()
		ips, err := lookupNetIP(ctx, "ip", o.host)
		if err != nil {
			return nil, fmt.Errorf("dial tcp %s: %w", o.addr, err)
		}
		s.SetPhase(PhaseDNS, time.Duration(mono()-start))
		_, port, _ := net.SplitHostPort(o.addr)
		addrs = addrs[:0]
		for _, ip := range ips {
			addrs = append(addrs, net.JoinHostPort(ip.Unmap().String(), port))
		}
	}
	start := mono()
	var nc net.Conn
	var err error
	for _, addr := range addrs {
		if nc, err = dialer.DialContext(ctx, "tcp", addr); err == nil {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	s.SetPhase(PhaseConnect, time.Duration(mono()-start))
	return nc, nil
}

// drop closes the worker's connection to origin o.
func (p *leanPool) drop(sc *httpScratch, o int) {
	c := sc.lean[o]
	sc.lean[o] = nil
	c.nc.Close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// closeConns closes every connection; requests still running on one fail.
func (p *leanPool) closeConns() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for c := range p.conns {
		if i, ok := c.raw.(interrupter); ok {
			i.interrupt() // its owner closes it
		} else {
			c.raw.Close() // not the TLS layer's Close, which may wait to send close_notify
		}
	}
	clear(p.conns)
}

func (p *leanPool) close() {
	p.stop()
	p.closeConns()
}

// setDeadline makes c's deadline follow the request's, d (zero for none),
// without moving it for every request: the deadline set on the connection may
// lie up to slack after d, and is moved only when it is outside
// [d, d + slack].
func (c *leanConn) setDeadline(d time.Time, slack time.Duration) error {
	if d.IsZero() {
		if c.deadline.IsZero() {
			return nil
		}
		c.deadline = time.Time{}
		return c.nc.SetDeadline(c.deadline)
	}
	if !c.deadline.IsZero() && !c.deadline.Before(d) && !c.deadline.After(d.Add(slack)) {
		return nil
	}
	c.deadline = d.Add(slack)
	return c.nc.SetDeadline(c.deadline)
}

// hitLean sends r over the worker's own connection and reads the response,
// by deadline (ctx's when zero).
func (h *HTTP) hitLean(ctx context.Context, deadline time.Time, s *Sample, r *preparedRequest, sc *httpScratch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if deadline.IsZero() {
		deadline, _ = ctx.Deadline()
	}
	start := mono()
	w := append(sc.wbuf[:0], r.lean.head...)
	seq := h.seq.Add(1)
	s.ref = r.ref
	s.ref.seq = seq
	if name := orDefault(h.RequestIDHeader, DefaultRequestIDHeader); name != "-" {
		w = append(w, name...)
		w = append(w, ": "...)
		w = append(w, h.runID...)
		w = append(w, '-')
		w = strconv.AppendUint(w, seq, 10)
		w = append(w, "\r\n"...)
		s.ref.flags |= refSeqID
	}
	if r.traceparent {
		trace, span := h.traceKey.IDs(seq)
		w = append(w, "traceparent: "...)
		w = traceid.AppendTraceparent(w, trace, span)
		w = append(w, "\r\n"...)
		s.ref.trace = trace
		s.ref.flags |= refTraced
	}
	body := r.Body
	if r.NewBody != nil {
		rd, err := r.NewBody()
		if err != nil {
			return KindError(KindOther, fmt.Errorf("%s: NewBody: %w", r.Method, err))
		}
		if sc.body, err = readAllInto(sc.body[:0], rd); err != nil {
			return KindError(KindOther, fmt.Errorf("%s: reading NewBody: %w", r.Method, err))
		}
		body = sc.body
	}
	if len(body) > 0 || r.lean.sendLength {
		w = append(w, "Content-Length: "...)
		w = strconv.AppendInt(w, int64(len(body)), 10)
		w = append(w, "\r\n"...)
	}
	w = append(w, "\r\n"...)
	w = append(w, body...)
	sc.wbuf = w

	var header http.Header
	if r.Check != nil {
		if sc.header == nil {
			sc.header = http.Header{}
		}
		header = sc.header
		clear(header)
	}
	o := r.lean.origin
	var c *leanConn
	for attempt := 0; ; attempt++ {
		var err error
		c, err = h.lean.conn(ctx, deadline, sc, o, s)
		s.connected()
		if err != nil {
			return h.leanFailed(ctx, s, start, r, err)
		}
		s.Reused = c.used
		c.used = true
		if err = c.setDeadline(deadline, h.lean.slack); err == nil {
			if c.sock != nil && c.br.Buffered() == 0 {
				c.sock.pending = w // written by the read below, which then waits once
			} else {
				_, err = c.nc.Write(w)
			}
			if err == nil {
				_, err = c.br.Peek(1)
			}
		}
		if err == nil {
			s.SetPhase(PhaseTTFB, time.Duration(mono()-start))
			err = h1.ReadResponse(c.br, &c.resp, r.lean.isHEAD, header)
			if err == nil {
				break
			}
		} else if s.Reused && attempt == 0 && r.lean.idempotent && staleConn(err) {
			// The server closed the idle connection before it read the
			// request: try once more on a new one, as net/http does.
			h.lean.drop(sc, o)
			continue
		}
		h.lean.drop(sc, o)
		return h.leanFailed(ctx, s, start, r, err)
	}
	resp := &c.resp
	s.Status, s.Proto = resp.Status, resp.Proto()

	limit := orDefault(h.MaxBody, DefaultMaxBody)
	var checked []byte
	var n int64
	if r.Check != nil {
		size := orDefault(h.CheckBytes, DefaultCheckBytes)
		if cap(sc.buf) < size {
			sc.buf = make([]byte, size)
		}
		want := sc.buf[:min(int64(size), limit+1)]
		for len(checked) < len(want) {
			m, err := resp.Read(c.br, want[len(checked):])
			checked = want[:len(checked)+m]
			if err == io.EOF {
				break
			}
			if err != nil {
				h.lean.drop(sc, o)
				return h.leanFailed(ctx, s, start, r, fmt.Errorf("reading body: %w", err))
			}
		}
		n = int64(len(checked))
	}
	tooLarge := n > limit
	if !tooLarge {
		m, more, err := resp.Discard(c.br, limit-n)
		if err != nil {
			h.lean.drop(sc, o)
			return h.leanFailed(ctx, s, start, r, fmt.Errorf("reading body: %w", err))
		}
		n += m
		tooLarge = more
	}
	if tooLarge || resp.Close {
		h.lean.drop(sc, o) // a longer body is left unread: the connection cannot be reused
	}
	s.SetPhase(PhaseTotal, time.Duration(mono()-start))
	if err := r.verdict(resp.Status, tooLarge, limit); err != nil {
		return err
	}
	if r.Check == nil {
		return nil
	}
	return r.check(&http.Response{
		Status:     strconv.Itoa(resp.Status) + " " + string(resp.Reason),
		StatusCode: resp.Status, Proto: resp.Proto(), ProtoMajor: 1, ProtoMinor: resp.Minor,
		Header: header, Body: http.NoBody, ContentLength: resp.ContentLength, Close: resp.Close,
	}, checked[:min(int64(len(checked)), limit)])
}

// leanFailed reports a failed request: the total phase, and the run's
// cancellation or the request's timeout as such when they caused it (a
// closed connection or a deadline on it says neither).
func (h *HTTP) leanFailed(ctx context.Context, s *Sample, start int64, r *preparedRequest, err error) error {
	s.SetPhase(PhaseTotal, time.Duration(mono()-start))
	if cerr := ctx.Err(); cerr != nil {
		err = cerr
	} else if errors.Is(err, net.ErrClosed) {
		// Only the end of Prepare's context closes a busy connection of
		// the pool: under the engine that is ctx itself, ended above, but
		// a caller of Hit may pass a context of its own.
		err = fmt.Errorf("%w (connection closed as the run ended)", context.Canceled)
	}
	return fmt.Errorf("%s %q: %w", r.Method, r.URL, err)
}

// staleConn reports an error that a server closing an idle keep-alive
// connection produces.
func staleConn(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// readAllInto appends everything r yields to b.
func readAllInto(b []byte, r io.Reader) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}
