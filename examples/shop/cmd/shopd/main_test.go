package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
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
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"-addr", "127.0.0.1:0", "-leak"}, pw, io.Discard)
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
