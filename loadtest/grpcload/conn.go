package grpcload

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/status"

	"github.com/loadgate/loadgate/internal/allowhosts"
	"github.com/loadgate/loadgate/loadtest"
)

// Conn is a pool of gRPC connections to one target that records the calls
// made through it during a load test. It implements
// grpc.ClientConnInterface, so that generated clients take it. Build one
// with [NewClient]; the caller should call Close when finished.
//
// The connections live for a run: a target of the Conn ([Conn.Target])
// opens them before the load and closes them after it. Calls made outside
// a run (a test's own set-up) open them again on first use.
type Conn struct {
	target string
	host   string // the target's host, for the allow-list; "" for a Unix socket
	n      int
	allow  []string
	dial   []grpc.DialOption // the caller's

	mu     sync.Mutex
	runs   int // targets prepared and not yet finished
	closed bool
	pool   atomic.Pointer[pool] // nil until first used, and between runs
	next   atomic.Uint64
	names  sync.Map // method → *streamNames
}

var _ grpc.ClientConnInterface = (*Conn)(nil)

// errClosed is returned for a call through a closed Conn. Its code is
// CANCELLED, as gRPC's own for a closed grpc.ClientConn.
var errClosed = status.Error(codes.Canceled, "grpcload: the connection is closed")

// NewClient returns a Conn to target, in grpc.NewClient's syntax
// ("localhost:50051", "dns:///host:443", "passthrough:///127.0.0.1:8080",
// "unix:///tmp/svc.sock"). opts are passed to grpc.NewClient as they are,
// and must say how to secure the connection, as grpc.NewClient requires:
// grpc.WithTransportCredentials(insecure.NewCredentials()) or TLS
// credentials. Keepalive, compression and other options are passed
// through. [WithConnections] and [WithAllowHosts] are loadgate's own.
//
// Like grpc.NewClient, NewClient connects lazily: it checks the options,
// not the server. Every connection it opens must reach a loopback address
// unless the target's host is allowed; a dialer of the caller's
// (grpc.WithContextDialer, such as a bufconn listener's) replaces that
// check, and then the host named in target is still checked before a run.
func NewClient(target string, opts ...grpc.DialOption) (*Conn, error) {
	c := &Conn{target: target, n: 1}
	for _, o := range opts {
		switch o := o.(type) {
		case connections:
			if o.n < 1 {
				return nil, fmt.Errorf("grpcload.WithConnections(%d): want at least 1 connection", o.n)
			}
			c.n = o.n
		case allowHosts:
			c.allow = append(c.allow, o.hosts...)
		default:
			c.dial = append(c.dial, o)
		}
	}
	host, err := targetHost(target)
	if err != nil {
		return nil, err
	}
	c.host = host
	guard, err := c.idleGuard()
	if err != nil {
		return nil, err
	}
	p, err := c.newPool(guard)
	if err != nil {
		return nil, err
	}
	c.pool.Store(p)
	return c, nil
}

// targetHost returns the host a gRPC target names, as the allow-list sees
// it, parsed as grpc.NewClient parses it: the endpoint's host of
// "scheme://authority/endpoint" or of "scheme:endpoint" with a registered
// scheme ("dns:127.0.0.1:50051"; the endpoint, not the DNS server an
// authority names), or of a bare "host:port", which gRPC resolves through
// DNS; "" for a Unix socket, which is local.
func targetHost(target string) (string, error) {
	endpoint := target
	u, err := url.Parse(target)
	switch {
	case err != nil && strings.Contains(target, "://"):
		return "", fmt.Errorf("grpcload: target %q: %w", target, err)
	case err != nil:
		// A bare host:port, such as 127.0.0.1:50051.
	case u.Scheme == "unix" || u.Scheme == "unix-abstract":
		return "", nil
	case strings.Contains(target, "://") || u.Scheme != "" && resolver.Get(u.Scheme) != nil:
		endpoint = strings.TrimPrefix(u.Path, "/")
		if endpoint == "" {
			endpoint = u.Opaque
		}
	}
	host := endpoint
	if h, _, err := net.SplitHostPort(endpoint); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if host == "" {
		return "", fmt.Errorf("grpcload: target %q names no host", target)
	}
	return host, nil
}

// idleGuard is the allow-list outside a run: WithAllowHosts and
// LOADGATE_ALLOW_HOSTS.
func (c *Conn) idleGuard() (*allowhosts.List, error) {
	return allowhosts.Parse("grpcload.WithAllowHosts", append(append([]string(nil), c.allow...), allowhosts.FromEnv()...))
}

// pool is the connections of a Conn for one run, or between runs.
type pool struct {
	conns []*grpc.ClientConn
}

// newPool dials (lazily) c.n connections whose every connection is checked
// by guard when it is made.
func (c *Conn) newPool(guard *allowhosts.List) (*pool, error) {
	opts := make([]grpc.DialOption, 0, len(c.dial)+2)
	opts = append(opts, grpc.WithStatsHandler(sizes{}))
	if c.host != "" {
		// First, so that a dialer of the caller's, which comes later,
		// replaces it.
		opts = append(opts, grpc.WithContextDialer(dialer(guard, c.host)))
	}
	opts = append(opts, c.dial...)
	p := &pool{}
	for range c.n {
		cc, err := grpc.NewClient(c.target, opts...)
		if err != nil {
			p.close()
			return nil, fmt.Errorf("grpcload: %w", err)
		}
		p.conns = append(p.conns, cc)
	}
	return p, nil
}

// dialer connects over TCP without a proxy from the environment (load goes
// where the target says, as for loadtest's HTTP targets), and refuses an
// address that is not loopback unless host is listed: whatever DNS answers
// for a name, the load stays on this machine unless allowed.
func dialer(guard *allowhosts.List, host string) func(context.Context, string) (net.Conn, error) {
	d := net.Dialer{Control: guard.Control(host)}
	return func(ctx context.Context, addr string) (net.Conn, error) {
		return d.DialContext(ctx, "tcp", addr)
	}
}

// connect starts every connection of p and waits, up to wait, until each is
// ready or has failed: a call that finds it failed fails as UNAVAILABLE,
// which the run counts.
func (p *pool) connect(ctx context.Context, wait time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	for _, cc := range p.conns {
		cc.Connect()
	}
	for _, cc := range p.conns {
		for s := cc.GetState(); s == connectivity.Idle || s == connectivity.Connecting; s = cc.GetState() {
			if !cc.WaitForStateChange(ctx, s) {
				return
			}
		}
	}
}

func (p *pool) close() error {
	if p == nil {
		return nil
	}
	var errs []error
	for _, cc := range p.conns {
		if err := cc.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// conn returns the next connection, round-robin, opening the pool if it is
// closed between runs.
func (c *Conn) conn() (*grpc.ClientConn, error) {
	p := c.pool.Load()
	if p == nil {
		var err error
		if p, err = c.reopen(); err != nil {
			return nil, err
		}
	}
	return p.conns[(c.next.Add(1)-1)%uint64(len(p.conns))], nil
}

// reopen opens the pool for calls outside a run.
func (c *Conn) reopen() (*pool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errClosed
	}
	if p := c.pool.Load(); p != nil {
		return p, nil
	}
	guard, err := c.idleGuard()
	if err != nil {
		return nil, err
	}
	p, err := c.newPool(guard)
	if err != nil {
		return nil, err
	}
	c.pool.Store(p)
	return p, nil
}

// prepare readies c for a run: it checks the target's host against the
// run's allow-list and, for the first run at a time, opens fresh
// connections that the run's list guards and waits for them.
func (c *Conn) prepare(ctx context.Context, run loadtest.RunInfo) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return errors.New("grpcload: the Conn is closed")
	}
	guard, err := allowhosts.Parse("Scenario.AllowHosts, grpcload.WithAllowHosts", append(append([]string(nil), run.AllowHosts...), c.allow...))
	if err != nil {
		return err
	}
	if c.host != "" {
		if err := guard.Check("gRPC target "+c.target, c.host); err != nil {
			return err
		}
	}
	if c.runs == 0 {
		c.pool.Swap(nil).close()
		wait := run.Timeout
		if wait <= 0 {
			wait = loadtest.DefaultScenario.Timeout
		}
		var p *pool
		// The connections are the load generator's: opened under its
		// label, every goroutine gRPC starts for them (its resolver's
		// and balancer's, each transport's reader and writer, and
		// those of reconnections) carries it in a CPU profile, as the
		// goroutines that make the calls do, so that a test process
		// that also runs the server tells the client's cost from the
		// service's (see internal/rootcause).
		pprof.Do(ctx, generatorLabels, func(ctx context.Context) {
			if p, err = c.newPool(guard); err == nil {
				p.connect(ctx, wait)
			}
		})
		if err != nil {
			return err
		}
		c.pool.Store(p)
	}
	c.runs++
	return nil
}

// generatorLabels is loadtest's label of the load generator's goroutines.
var generatorLabels = pprof.Labels(loadtest.GeneratorLabelKey, loadtest.GeneratorLabelValue)

// finish ends a run's use of c; the last run closes the connections.
func (c *Conn) finish() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.runs--; c.runs == 0 {
		c.pool.Swap(nil).close()
	}
}

// Close closes the connections. Calls after it fail with CANCELLED.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	return c.pool.Swap(nil).close()
}

// Invoke implements grpc.ClientConnInterface: it sends a unary call over
// the next connection and, when ctx is a request's of a [Conn.Target],
// records it.
func (c *Conn) Invoke(ctx context.Context, method string, args, reply any, opts ...grpc.CallOption) error {
	h := hitOf(ctx)
	if h == nil {
		cc, err := c.conn()
		if err != nil {
			return err
		}
		return cc.Invoke(ctx, method, args, reply, opts...)
	}
	cl := h.begin(method)
	cc, err := c.conn()
	if err == nil {
		err = cc.Invoke(cl.context(ctx), method, args, reply, opts...)
	}
	cl.endUnary(err)
	return err
}

// NewStream implements grpc.ClientConnInterface: it opens a stream over
// the next connection and, when ctx is a request's of a [Conn.Target],
// records it and each of its messages.
func (c *Conn) NewStream(ctx context.Context, desc *grpc.StreamDesc, method string, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	h := hitOf(ctx)
	if h == nil {
		cc, err := c.conn()
		if err != nil {
			return nil, err
		}
		return cc.NewStream(ctx, desc, method, opts...)
	}
	cl := h.beginStream(ctx, method, c.streamNames(method))
	cc, err := c.conn()
	if err != nil {
		cl.finish(err)
		return nil, err
	}
	// OnFinish runs once when the stream ends, however it ends: read to
	// its end, failed, or canceled (gRPC then ends it from a goroutine of
	// its own).
	opts = append(opts[:len(opts):len(opts)], grpc.OnFinish(cl.finish))
	s, err := cc.NewStream(cl.context(ctx), desc, method, opts...)
	if err != nil {
		cl.finish(err) // gRPC has called it already; the first call counts
		return nil, err
	}
	return &clientStream{ClientStream: s, cl: cl}, nil
}

// streamNames are the names a stream's messages are recorded under.
type streamNames struct{ send, recv string }

func (c *Conn) streamNames(method string) *streamNames {
	if n, ok := c.names.Load(method); ok {
		return n.(*streamNames)
	}
	n, _ := c.names.LoadOrStore(method, &streamNames{send: method + "#send", recv: method + "#recv"})
	return n.(*streamNames)
}
