package loadtest

import (
	"encoding/binary"
	"encoding/hex"
	"hash/fnv"
	"net/http"
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

// traceKey derives the trace ids of one run's requests, without allocating
// and without a random number per request: the first 8 bytes of every
// trace id are the run's id (so that a backend finds all of a run's traces
// by prefix), the last 8 a bijective mix of the request's number (so they
// are unique within the run and look random to a sampler that reads the
// low bytes, as OpenTelemetry's TraceIDRatioBased does).
type traceKey struct {
	prefix [8]byte
	salt   uint64
}

// newTraceKey returns the key of run runID: a run id of 16 hex digits (as
// loadgate makes them) is the prefix itself; any other is hashed.
func newTraceKey(runID string) traceKey {
	var k traceKey
	if len(runID) == 16 {
		if _, err := hex.Decode(k.prefix[:], []byte(runID)); err != nil {
			k.prefix = [8]byte{}
		}
	}
	if k.prefix == ([8]byte{}) {
		h := fnv.New64a()
		h.Write([]byte(runID))
		binary.BigEndian.PutUint64(k.prefix[:], h.Sum64()|1) // never all zero: that id is invalid
	}
	k.salt = binary.BigEndian.Uint64(k.prefix[:])
	return k
}

// ids returns the trace id and parent (span) id of request seq.
func (k traceKey) ids(seq uint64) (trace [16]byte, span [8]byte) {
	copy(trace[:8], k.prefix[:])
	binary.BigEndian.PutUint64(trace[8:], mix64(seq^k.salt))
	s := mix64((seq + 0x9e3779b97f4a7c15) ^ ^k.salt)
	if s == 0 {
		s = 1 // an all-zero parent id is invalid
	}
	binary.BigEndian.PutUint64(span[:], s)
	return trace, span
}

// mix64 is the finalizer of splitmix64: a bijection of uint64, so distinct
// numbers give distinct ids.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// appendTraceparent appends the version 00 value with the sampled flag.
func appendTraceparent(b []byte, trace [16]byte, span [8]byte) []byte {
	b = append(b, "00-"...)
	b = hex.AppendEncode(b, trace[:])
	b = append(b, '-')
	b = hex.AppendEncode(b, span[:])
	return append(b, "-01"...)
}

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
