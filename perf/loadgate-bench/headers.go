package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

// requestHeaders sends one request through the target newTarget makes for
// a URL (its transport, its id headers) to a listener of its own on
// loopback, and returns the header lines the listener received but Host,
// in the order sent and spelled as sent. perf/run.sh gives them to wrk and
// hey, so that a peer sends the request loadgate sends and the server does
// the same work for both.
func requestHeaders(ctx context.Context, newTarget func(url string) *loadtest.HTTP) ([]string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	defer ln.Close()
	// got carries the lines received, or nil when no request was read
	// whole; the goroutine sends exactly once.
	got := make(chan []string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		lines, ok := readHead(bufio.NewReader(c))
		if !ok {
			got <- nil
			return
		}
		got <- lines
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
	}()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := loadtest.Scenario{
		Name:    "loadgate-bench-headers",
		Timeout: 3 * time.Second,
		Load:    loadtest.Users(1).For(3 * time.Second), // ended by the first answer
		Target:  &counted{HTTP: newTarget("http://" + ln.Addr().String() + "/"), limit: 1, stop: cancel},
	}
	res, err := loadtest.Execute(ctx, s)
	ln.Close() // a goroutine still waiting in Accept ends
	if err != nil {
		return nil, err
	}
	lines := <-got
	if lines == nil {
		for kind, samples := range res.ErrorSamples {
			return nil, fmt.Errorf("the request did not reach the listener: %s: %s", kind, samples[0])
		}
		return nil, errors.New("the request did not reach the listener")
	}
	return lines, nil
}

// readHead reads a request's head from r and returns its header lines but
// Host, in the order sent and spelled as sent (http.ReadRequest would
// canonicalise the names); ok is false when the head did not end.
func readHead(r *bufio.Reader) (lines []string, ok bool) {
	lines = []string{}
	if _, err := r.ReadString('\n'); err != nil { // the request line
		return nil, false
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, false
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return lines, true
		}
		if name, _, _ := strings.Cut(line, ":"); !strings.EqualFold(name, "Host") {
			lines = append(lines, line)
		}
	}
}
