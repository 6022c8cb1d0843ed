package main

import (
	"bufio"
	"context"
	"errors"
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
	got := make(chan []string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		// The lines as sent, names unchanged: http.ReadRequest would
		// canonicalise them.
		var lines []string
		r := bufio.NewReader(c)
		if _, err := r.ReadString('\n'); err != nil { // the request line
			got <- nil
			return
		}
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				got <- nil
				return
			}
			line = strings.TrimRight(line, "\r\n")
			if line == "" {
				break
			}
			if name, _, _ := strings.Cut(line, ":"); !strings.EqualFold(name, "Host") {
				lines = append(lines, line)
			}
		}
		got <- lines
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
	}()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := loadtest.Scenario{
		Name:    "loadgate-bench-headers",
		Timeout: 10 * time.Second,
		Load:    loadtest.Users(1).For(10 * time.Second),
		Target:  &counted{HTTP: newTarget("http://" + ln.Addr().String() + "/"), limit: 1, stop: cancel},
	}
	if _, err := loadtest.Execute(ctx, s); err != nil {
		return nil, err
	}
	lines := <-got
	if lines == nil {
		return nil, errors.New("the request did not reach the listener")
	}
	return lines, nil
}
