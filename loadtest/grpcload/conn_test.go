package grpcload_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/resolver/manual"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/loadgate/loadgate/loadtest"
	"github.com/loadgate/loadgate/loadtest/grpcload"
)

// smallLoad is a load of exactly 20 requests.
var smallLoad = loadtest.Users(2).Iterations(10).For(time.Minute)

// TestHostNotAllowed checks that a target whose host is neither loopback
// nor allowed is refused before any call, naming the host and the
// settings that allow it.
func TestHostNotAllowed(t *testing.T) {
	tests := []struct {
		name   string
		target string
		allow  []string
	}{
		{name: "another host", target: "dns:///example.com:443"},
		{name: "bare host and port", target: "example.com:443"},
		{name: "a name for loopback", target: "passthrough:///myhost.internal:50051"},
		{name: "another host allowed elsewhere", target: "203.0.113.7:50051", allow: []string{"203.0.113.8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := dial(t, tt.target)
			calls := 0
			_, err := loadtest.Execute(context.Background(), loadtest.Scenario{
				Target:     conn.Target(func(context.Context) error { calls++; return nil }),
				Load:       smallLoad,
				AllowHosts: tt.allow,
			})
			if !errors.Is(err, loadtest.ErrHostNotAllowed) || !strings.Contains(err.Error(), "Scenario.AllowHosts, grpcload.WithAllowHosts or") {
				t.Errorf("Execute: %v; want an error wrapping ErrHostNotAllowed that names Scenario.AllowHosts and WithAllowHosts", err)
			}
			if calls != 0 {
				t.Errorf("%d requests ran, want none", calls)
			}
		})
	}
}

// TestDialRefusesNonLoopback checks the check at dial time: a target named
// "localhost" passes the check of its name, but a resolver that answers
// with another machine's address is refused when gRPC dials it, and the
// calls fail as UNAVAILABLE saying why.
func TestDialRefusesNonLoopback(t *testing.T) {
	r := manual.NewBuilderWithScheme("lgtest")
	r.InitialState(resolver.State{Addresses: []resolver.Address{{Addr: "192.0.2.1:50051"}}})
	conn := dial(t, "lgtest:///localhost:50051", grpc.WithResolvers(r))
	client := testgrpc.NewTestServiceClient(conn)
	res := loadtest.Run(t, loadtest.Scenario{Target: conn.Target(unaryCall(client)), Load: smallLoad, Timeout: 2 * time.Second})
	if res == nil {
		return
	}
	if res.Errors != 20 || res.StatusCodes["UNAVAILABLE"] != 20 {
		t.Errorf("%d errors, codes %v; want 20 UNAVAILABLE", res.Errors, res.StatusCodes)
	}
	if msgs := res.ErrorSamples["grpc_unavailable"]; len(msgs) == 0 || !strings.Contains(msgs[0], "not loopback: host not allowed") {
		t.Errorf("error samples %q; want the refusal at dial time", msgs)
	}
}

// TestNewClientErrors checks the options NewClient refuses.
func TestNewClientErrors(t *testing.T) {
	tests := []struct {
		name   string
		target string
		opts   []grpc.DialOption
		want   string
	}{
		{name: "no connections", target: "localhost:1", opts: []grpc.DialOption{plaintext, grpcload.WithConnections(0)}, want: "WithConnections(0): want at least 1"},
		{name: "no transport security", target: "localhost:1", want: "no transport security set"},
		{name: "malformed allow-list", target: "localhost:1", opts: []grpc.DialOption{plaintext, grpcload.WithAllowHosts("*.example.com")}, want: "wildcards are not supported"},
		{name: "no host", target: "dns:///", opts: []grpc.DialOption{plaintext}, want: "names no host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := grpcload.NewClient(tt.target, tt.opts...)
			if err == nil {
				conn.Close()
				t.Fatalf("NewClient: no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewClient: %v, want %q", err, tt.want)
			}
		})
	}
}

// selfSigned returns a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "loadgate test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, roots
}

// TestTLSAndKeepalive loads a TLS server over three connections, with
// keepalive parameters passed through to gRPC.
func TestTLSAndKeepalive(t *testing.T) {
	checkNoLeaks(t)
	cert, roots := selfSigned(t)
	srv := &testServer{}
	addr := serve(t, srv, grpc.Creds(credentials.NewServerTLSFromCert(&cert)),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}))
	conn, err := grpcload.NewClient(addr,
		grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: roots})),
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: 10 * time.Second, Timeout: 5 * time.Second, PermitWithoutStream: true}),
		grpcload.WithConnections(3))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	res := loadtest.Run(t, loadtest.Scenario{Target: conn.Target(unaryCall(testgrpc.NewTestServiceClient(conn))), Load: smallLoad})
	if res == nil {
		return
	}
	if res.Errors != 0 || res.StatusCodes["OK"] != 20 || srv.accepted.Load() != 3 {
		t.Errorf("%d errors %v, codes %v, %d connections; want 20 OK over 3", res.Errors, res.ErrorSamples, res.StatusCodes, srv.accepted.Load())
	}
}

// TestTLSRefused checks that a server whose certificate is not trusted
// fails the calls as UNAVAILABLE, and the run goes on.
func TestTLSRefused(t *testing.T) {
	cert, _ := selfSigned(t)
	addr := serve(t, &testServer{}, grpc.Creds(credentials.NewServerTLSFromCert(&cert)))
	conn, err := grpcload.NewClient(addr, grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{})))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	res := loadtest.Run(t, loadtest.Scenario{Target: conn.Target(unaryCall(testgrpc.NewTestServiceClient(conn))), Load: smallLoad})
	if res == nil {
		return
	}
	if res.StatusCodes["UNAVAILABLE"] != 20 {
		t.Errorf("codes %v, want 20 UNAVAILABLE", res.StatusCodes)
	}
}

// TestBufconn loads an in-memory server through a dialer of the caller's:
// it replaces loadgate's dial-time check, and the target's name must still
// be loopback.
func TestBufconn(t *testing.T) {
	checkNoLeaks(t)
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	ts := &testServer{}
	testgrpc.RegisterTestServiceServer(srv, ts)
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(lis) }()
	t.Cleanup(func() { srv.Stop(); <-done })
	conn := dial(t, "passthrough:///localhost", grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
		return lis.DialContext(ctx)
	}))
	res := loadtest.Run(t, loadtest.Scenario{Target: conn.Target(unaryCall(testgrpc.NewTestServiceClient(conn))), Load: smallLoad})
	if res == nil {
		return
	}
	if res.Errors != 0 || ts.unary.Load() != 20 {
		t.Errorf("%d errors %v, the server saw %d calls; want 0 and 20", res.Errors, res.ErrorSamples, ts.unary.Load())
	}
}

// TestUnixSocket loads a server on a Unix socket, which is local and needs
// no allow-list entry.
func TestUnixSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "svc.sock")
	lis, err := net.Listen("unix", path)
	if err != nil {
		t.Skipf("no Unix sockets here: %v", err)
	}
	srv := grpc.NewServer()
	ts := &testServer{}
	testgrpc.RegisterTestServiceServer(srv, ts)
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(lis) }()
	t.Cleanup(func() { srv.Stop(); <-done })
	conn := dial(t, "unix://"+path)
	res := loadtest.Run(t, loadtest.Scenario{Target: conn.Target(unaryCall(testgrpc.NewTestServiceClient(conn))), Load: smallLoad})
	if res != nil && (res.Errors != 0 || ts.unary.Load() != 20) {
		t.Errorf("%d errors %v, the server saw %d calls; want 0 and 20", res.Errors, res.ErrorSamples, ts.unary.Load())
	}
}

// TestOutsideARun checks the Conn before, between and after runs: a
// test's own calls are not recorded and reopen the connections that a run
// closed; after Close calls fail with CANCELLED.
func TestOutsideARun(t *testing.T) {
	checkNoLeaks(t)
	srv := &testServer{}
	conn := dial(t, serve(t, srv))
	client := testgrpc.NewTestServiceClient(conn)
	ctx := context.Background()
	if _, err := client.UnaryCall(ctx, &testgrpc.SimpleRequest{}); err != nil {
		t.Fatalf("a call before the run: %v", err)
	}
	target := conn.Target(unaryCall(client))
	for run := range 2 {
		res := loadtest.Run(t, loadtest.Scenario{Target: target, Load: smallLoad})
		if res != nil && (res.Requests != 20 || res.ByName[unaryMethod].Requests != 20) {
			t.Errorf("run %d: %d requests, %d recorded calls; want 20 and 20", run+1, res.Requests, res.ByName[unaryMethod].Requests)
		}
		if _, err := client.UnaryCall(ctx, &testgrpc.SimpleRequest{}); err != nil {
			t.Fatalf("a call after run %d: %v", run+1, err)
		}
	}
	if n := srv.unary.Load(); n != 43 {
		t.Errorf("the server saw %d calls, want 43", n)
	}
	if err := conn.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := conn.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := client.UnaryCall(ctx, &testgrpc.SimpleRequest{}); status.Code(err) != codes.Canceled {
		t.Errorf("a call after Close: %v, want CANCELLED", err)
	}
	if _, err := loadtest.Execute(ctx, loadtest.Scenario{Target: target, Load: smallLoad}); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("a run after Close: %v, want an error saying the Conn is closed", err)
	}
}

// TestTargetBeforePrepare checks that a target used outside a run says
// how to use it.
func TestTargetBeforePrepare(t *testing.T) {
	conn := dial(t, "localhost:1")
	err := conn.Target(func(context.Context) error { return nil }).Hit(context.Background(), &loadtest.Sample{})
	if err == nil || !strings.Contains(err.Error(), "before Prepare") {
		t.Errorf("Hit before Prepare: %v", err)
	}
}
