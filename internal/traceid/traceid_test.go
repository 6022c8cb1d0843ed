package traceid

import (
	"regexp"
	"testing"
)

var traceparentRE = regexp.MustCompile(`^00-([0-9a-f]{32})-([0-9a-f]{16})-01$`)

// TestAppendTraceparent: the one writer of the traceparent that
// loadtest's HTTP targets and Flows and grpcload's calls send (grpcload
// had a copy of loadtest's): version 00, the run id first in the trace
// id, the sampled flag.
func TestAppendTraceparent(t *testing.T) {
	k := New("0123456789abcdef")
	trace, span := k.IDs(1)
	got := AppendTraceparent([]byte("x:"), trace, span)
	m := traceparentRE.FindSubmatch(got[2:])
	if string(got[:2]) != "x:" || m == nil || string(m[1][:16]) != "0123456789abcdef" {
		t.Errorf("AppendTraceparent = %q, want x:00-0123456789abcdef<16 hex>-<16 hex>-01", got)
	}
}
