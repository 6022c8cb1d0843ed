package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestHeaders checks that -headers prints the id headers each transport
// sends, and none with -bare: perf/run.sh hands these lines to wrk and hey.
func TestHeaders(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string // line prefixes, in order
	}{
		{[]string{"-transport", "lean"}, []string{"User-Agent: loadgate", "X-Loadgate-Run: ", "X-Request-ID: ", "traceparent: 00-"}},
		{[]string{"-transport", "lean", "-bare"}, []string{"User-Agent: loadgate"}},
		{[]string{"-transport", "pooled"}, []string{"User-Agent: ", "Traceparent: 00-", "X-Loadgate-Run: ", "X-Request-Id: ", "Accept-Encoding: gzip"}},
		{[]string{"-transport", "pooled", "-bare"}, []string{"User-Agent: ", "Accept-Encoding: gzip"}},
	} {
		var out, errOut bytes.Buffer
		if err := run(append([]string{"-headers"}, tc.args...), &out, &errOut); err != nil {
			t.Fatalf("%v: %v (%s)", tc.args, err, errOut.String())
		}
		lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		if len(lines) != len(tc.want) {
			t.Fatalf("%v: printed %q, want %d lines starting %q", tc.args, lines, len(tc.want), tc.want)
		}
		for i, w := range tc.want {
			if !strings.HasPrefix(lines[i], w) {
				t.Errorf("%v: line %d is %q, want it to start %q", tc.args, i+1, lines[i], w)
			}
		}
	}
}

// TestHeadersNoRequest checks that -headers fails, and does not hang, when
// no request reaches its listener: here the second shard of a run of one
// user, which sends nothing.
func TestHeadersNoRequest(t *testing.T) {
	t.Setenv("LOADGATE_SHARD", "2/2")
	t.Setenv("LOADGATE_START_AT", time.Now().UTC().Format(time.RFC3339))
	var out, errOut bytes.Buffer
	err := run([]string{"-headers", "-transport", "lean"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "did not reach the listener") {
		t.Fatalf("err = %v, want it to say the request did not reach the listener (printed %q)", err, out.String())
	}
}
