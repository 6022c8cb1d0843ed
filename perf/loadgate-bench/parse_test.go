package main

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/loadtest"
)

// BenchmarkServerParse measures what parsing the request Lean sends costs a
// Go service (net/http's http.ReadRequest, as its server calls it), against
// the request wrk sends and with each of loadgate's id headers left out:
// the id headers' share of the Go server's CPU per request in
// docs/PERFORMANCE.md ("What the id headers cost").
func BenchmarkServerParse(b *testing.B) {
	lean := func(edit func(*loadtest.HTTP)) func(string) *loadtest.HTTP {
		return func(url string) *loadtest.HTTP {
			t := loadtest.GET(url)
			t.Transport = loadtest.Lean
			edit(t)
			return t
		}
	}
	for _, v := range []struct {
		name      string
		newTarget func(string) *loadtest.HTTP // nil: wrk's request, Host only
	}{
		{"wrk", nil},
		{"lean-bare", lean(func(t *loadtest.HTTP) { t.RequestIDHeader, t.RunIDHeader, t.NoTraceparent = "-", "-", true })},
		{"lean-request-id", lean(func(t *loadtest.HTTP) { t.RunIDHeader, t.NoTraceparent = "-", true })},
		{"lean-no-run-id", lean(func(t *loadtest.HTTP) { t.RunIDHeader = "-" })},
		{"lean", lean(func(*loadtest.HTTP) {})},
	} {
		var lines []string
		if v.newTarget != nil {
			var err error
			if lines, err = requestHeaders(context.Background(), v.newTarget); err != nil {
				b.Fatal(err)
			}
		}
		raw := []byte("GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n" + strings.Join(append(lines, "", ""), "\r\n"))
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(raw)))
			r := bytes.NewReader(raw)
			br := bufio.NewReader(r)
			for b.Loop() {
				r.Reset(raw)
				br.Reset(r)
				req, err := http.ReadRequest(br)
				if err != nil || len(req.Header) != len(lines) {
					b.Fatalf("parsed %d headers (%v), want %d", len(req.Header), err, len(lines))
				}
			}
		})
	}
}
