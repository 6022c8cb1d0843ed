package loadtest

import (
	"encoding/hex"
	"net/http"

	"github.com/loadgate/loadgate/internal/traceid"
)

// The W3C Trace Context header (https://www.w3.org/TR/trace-context/):
// HTTP targets and a Flow's steps send one with every request, so that a
// service instrumented with OpenTelemetry records each request as its own
// trace, sampled, and the slowest requests of a run ([Result.Slowest]) can
// be looked up in the tracing backend by their trace ids.
const (
	// traceparentHeader is the header's canonical name in an http.Header;
	// the Lean profile writes it in lower case, as the specification does.
	traceparentHeader = "Traceparent"
	// traceparentLen is the length of a version 00 value:
	// "00-" + 32 hex + "-" + 16 hex + "-" + 2 hex.
	traceparentLen = 55
)

// requestRef says how to find one request in a service's logs and traces:
// the request id and the trace id it was sent with. It is part of a
// [Sample] and copied, never allocated, on the recording path.
type requestRef struct {
	seq   uint64   // the target's number of the request: its id is runID-seq
	id    string   // an id the caller set on the request itself, sent as it is
	trace [16]byte // the trace id of the traceparent sent
	flags uint8
}

const (
	refSeqID  uint8 = 1 << iota // the harness sent runID-seq as the request id
	refTraced                   // trace holds the trace id of the request
)

// requestID returns the id the request was sent with, or "" for none.
func (r requestRef) requestID(runID string) string {
	switch {
	case r.id != "":
		return r.id
	case r.flags&refSeqID != 0:
		return runID + "-" + uitoa(r.seq)
	}
	return ""
}

// traceID returns the trace id as 32 lowercase hex digits, or "" for none.
func (r requestRef) traceID() string {
	if r.flags&refTraced == 0 {
		return ""
	}
	return hex.EncodeToString(r.trace[:])
}

func uitoa(v uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return string(b[i:])
		}
	}
}

// traceKey derives the trace ids of one run's requests (internal/traceid:
// the rule grpcload's calls follow too).
type traceKey = traceid.Key

func newTraceKey(runID string) traceKey { return traceid.New(runID) }

// parseTraceID reads a trace id of 32 hex digits, not all zero.
func parseTraceID(v string) (trace [16]byte, ok bool) {
	if len(v) != 32 {
		return trace, false
	}
	if _, err := hex.Decode(trace[:], []byte(v)); err != nil {
		return trace, false
	}
	return trace, trace != [16]byte{}
}

// parseTraceparent returns the trace id of a traceparent value the caller
// set, if it is well formed (any version but ff, a trace id not all zero).
func parseTraceparent(v string) (trace [16]byte, ok bool) {
	if len(v) < traceparentLen || v[2] != '-' || v[35] != '-' || v[:2] == "ff" {
		return trace, false
	}
	return parseTraceID(v[3:35])
}

// setIDHeaders sets header idHeader to b[:idLen] (none when idLen is 0)
// and the traceparent to the rest of b (none when empty). The two values
// share one string and one backing array: setting both costs as many
// allocations as the request id alone did.
func setIDHeaders(header http.Header, idHeader string, b []byte, idLen int) {
	switch {
	case idLen > 0 && len(b) > idLen:
		both := string(b)
		vals := new([2]string)
		vals[0], vals[1] = both[:idLen], both[idLen:]
		header[idHeader] = vals[0:1:1]
		header[traceparentHeader] = vals[1:2:2]
	case idLen > 0:
		header[idHeader] = []string{string(b)}
	case len(b) > 0:
		header[traceparentHeader] = []string{string(b)}
	}
}
