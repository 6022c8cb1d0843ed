// Command server is the target of the generator comparison in
// docs/PERFORMANCE.md: a tiny HTTP handler that answers "ok", or, with
// -stall, the same handler frozen for -window at the start of every -period
// (the stalling server of loadtest/coordinated_omission_test.go).
//
// It listens on loopback only and prints its base URL on the first line of
// standard output, so that a script can start it on port 0 and read where it
// went:
//
//	go build -o /tmp/server ./perf/server && /tmp/server -addr 127.0.0.1:0
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "loopback `address` to listen on")
	stall := fs.Bool("stall", false, "freeze for -window at the start of every -period")
	period := fs.Duration("period", 2*time.Second, "stall period (with -stall)")
	window := fs.Duration("window", 200*time.Millisecond, "stall length (with -stall)")
	life := fs.Duration("max-life", time.Hour, "exit after this long, in case the script that started it dies")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *stall && (*window <= 0 || *period <= *window) {
		return errors.New("-window must be positive and shorter than -period")
	}
	ap, err := netip.ParseAddrPort(*addr)
	if err != nil || !ap.Addr().IsLoopback() {
		return fmt.Errorf("-addr %q: want a loopback address such as 127.0.0.1:0", *addr)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	body := []byte("ok")
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(body)
	})
	if *stall {
		// Every request that arrives during a window is held until the
		// window ends, as in the analytic model of the coordinated-omission
		// test: the p99 at a constant rate is window − 1% of period.
		anchor := time.Now()
		tiny := h
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if phase := time.Since(anchor) % *period; phase < *window {
				time.Sleep(*window - phase)
			}
			tiny.ServeHTTP(w, r)
		})
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "http://%s\n", ln.Addr())
	if f, ok := stdout.(*os.File); ok {
		f.Sync()
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *life)
	defer cancel()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
		srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
