package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestHeaders checks that -headers prints the id headers each transport
// sends, and none with -bare: perf/run.sh hands these lines to wrk and hey.
func TestHeaders(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string // name prefixes, in order
	}{
		{[]string{"-transport", "lean"}, []string{"User-Agent: loadgate", "X-Loadgate-Run: ", "X-Request-ID: ", "traceparent: 00-"}},
		{[]string{"-transport", "lean", "-bare"}, []string{"User-Agent: loadgate"}},
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
