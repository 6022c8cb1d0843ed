// Command shopd serves the example shop (package shop) in a process of its
// own, the way a real service runs, so that load tests can watch it from
// outside: Prometheus metrics at /metrics (the default registry, with the
// Go and process collectors, and shop_http_requests_total, the requests
// the shop answered by route and status code) and the runtime's profiles at
// /debug/pprof/. The example's load tests run against it with
// loadgate run -target (LOADGATE_TARGET).
//
// Usage:
//
//	shopd [-addr 127.0.0.1:0] [-leak] [-access-log FILE]
//
// -addr must be a loopback address; port 0 picks a free port. Once it
// accepts connections, shopd prints "listening on http://ADDR" on standard
// output, and nothing else there. -leak switches on shop.Options.Leak: every
// GET /products leaks a goroutine. -access-log appends a JSON line per shop
// request to FILE ("-" for standard error) with its request id, trace id
// and duration (shop.AccessLog), where a load test's slowest requests can
// be found again. SIGINT or SIGTERM shut it down
// gracefully: it stops accepting connections and waits up to 5 s for the
// requests in flight.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/loadgate/loadgate/examples/shop"
)

// shutdownTimeout bounds the wait for requests in flight at shutdown.
const shutdownTimeout = 5 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "shopd:", err)
		os.Exit(1)
	}
}

// run serves the shop until ctx is done, then shuts it down.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("shopd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "loopback `address` to listen on (port 0 picks a free port)")
	leak := fs.Bool("leak", false, "leak a goroutine per GET /products")
	accessLog := fs.String("access-log", "", "append a JSON line per shop request (request id, trace id, duration) to `file`; - for standard error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var logTo io.Writer
	switch *accessLog {
	case "":
	case "-":
		logTo = stderr
	default:
		f, err := os.OpenFile(*accessLog, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return fmt.Errorf("-access-log: %w", err)
		}
		defer f.Close()
		logTo = f
	}

	// An example that leaks on purpose and shows its profiles must not be
	// reachable from other machines.
	notLoopback := fmt.Errorf("-addr must be a loopback address such as 127.0.0.1:8080, got %q", *addr)
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return fmt.Errorf("-addr: %w", err)
	}
	if ip, err := netip.ParseAddr(host); host != "localhost" && (err != nil || !ip.IsLoopback()) {
		return notLoopback
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("-addr: %w", err)
	}
	if ap, err := netip.ParseAddrPort(ln.Addr().String()); err != nil || !ap.Addr().IsLoopback() {
		ln.Close() // "localhost" resolved elsewhere
		return notLoopback
	}

	srv := &http.Server{
		Handler:           newMux(shop.NewServer(shop.Options{Leak: *leak}), logTo),
		ReadHeaderTimeout: 10 * time.Second,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "listening on http://%s\n", ln.Addr())

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// shopRequests counts the requests the shop answered, by route and status;
// requests for the metrics and the profiles are not the shop's. A load
// test compares it with what it sent.
var shopRequests = promauto.NewCounterVec(prometheus.CounterOpts{
	Name: "shop_http_requests_total",
	Help: "Requests the shop answered, by route (the pattern that served it, such as \"POST /checkout/{user}\") and status code.",
}, []string{"route", "code"})

// counted counts every request h answers in shopRequests.
func counted(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(sw, r)
		// The shop's ServeMux set the pattern that served r.
		shopRequests.WithLabelValues(r.Pattern, strconv.Itoa(sw.code)).Inc()
	})
}

// statusWriter remembers the status code of a response.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

// newMux routes the shop, its metrics and its profiles, and logs the
// shop's requests to accessLog unless it is nil. The pprof handlers
// are registered here by hand: importing net/http/pprof also registers them
// on http.DefaultServeMux, which shopd never serves.
func newMux(s *shop.Server, accessLog io.Writer) *http.ServeMux {
	mux := http.NewServeMux()
	var h http.Handler = s
	if accessLog != nil {
		h = shop.AccessLog(accessLog, s)
	}
	mux.Handle("/", counted(h))
	mux.Handle("GET /metrics", promhttp.Handler())
	mux.HandleFunc("/debug/pprof/", pprof.Index) // also serves the named profiles, e.g. goroutine
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
