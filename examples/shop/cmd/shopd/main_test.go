package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRun serves the shop in-process and reads its endpoints, then stops it
// as SIGTERM would.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	pr, pw := io.Pipe()
	accessLog := filepath.Join(t.TempDir(), "access.log")
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"-addr", "127.0.0.1:0", "-leak", "-access-log", accessLog}, pw, io.Discard)
		pw.Close()
		done <- err
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the first line: %v", err)
	}
	base, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if !ok {
		t.Fatalf("first line = %q, want %q", line, "listening on http://ADDR")
	}
	client := &http.Client{Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	for _, tt := range []struct{ path, want string }{
		{"/products", `"name":"Blue Backpack"`},
		{"/metrics", "\ngo_goroutines "},
		{"/metrics", "\nprocess_open_fds "},
		{"/metrics", "\nshop_http_requests_total{code=\"200\",route=\"GET /products\"} 1\n"}, // the GET /products above
		{"/debug/pprof/goroutine?debug=1", "shop.(*Server).listProducts.func1"},
		{"/debug/pprof/", "goroutine"},
	} {
		resp, err := client.Get(base + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || !strings.Contains(string(body), tt.want) {
			t.Errorf("GET %s: %v %s, want 200 with %q", tt.path, err, resp.Status, tt.want)
		}
	}
	// The access log has the shop's one request, with the ids it was sent
	// with, and none of the metrics' or profiles'.
	req, _ := http.NewRequest("GET", base+"/products/1", nil)
	req.Header.Set("X-Request-ID", "run-42")
	req.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	if resp, err := client.Do(req); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	logged, err := os.ReadFile(accessLog)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(logged)), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"path":"/products","status":200`) ||
		!strings.Contains(lines[1], `"path":"/products/1","status":200,`) ||
		!strings.Contains(lines[1], `"request_id":"run-42","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"`) {
		t.Errorf("access log:\n%s\nwant the two shop requests, the second with its ids", logged)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after cancel = %v, want nil (a clean shutdown)", err)
		}
	case <-time.After(shutdownTimeout + time.Second):
		t.Fatal("run did not return after its context was canceled")
	}
}

func TestRunRefuses(t *testing.T) {
	tests := []struct {
		name string
		give []string
		want string
	}{
		{"all interfaces", []string{"-addr", ":0"}, "-addr must be a loopback address"},
		{"a name", []string{"-addr", "example.com:0"}, "-addr must be a loopback address"},
		{"no port", []string{"-addr", "127.0.0.1"}, "-addr: address 127.0.0.1: missing port"},
		{"extra argument", []string{"serve"}, `unexpected arguments ["serve"]`},
		{"unknown flag", []string{"-port", "8080"}, "flag provided but not defined: -port"},
		{"access log in no directory", []string{"-access-log", "/nonexistent/dir/access.log"}, "-access-log: open /nonexistent/dir/access.log"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(t.Context(), tt.give, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run(%q) = %v, want an error containing %q", tt.give, err, tt.want)
			}
		})
	}
}
