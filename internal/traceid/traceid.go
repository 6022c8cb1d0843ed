// Package traceid derives the W3C trace context ids
// (https://www.w3.org/TR/trace-context/) of a run's requests, and writes
// the traceparent value that carries them: one rule for
// loadtest's HTTP targets and Flows and for loadtest/grpcload's calls, so
// that a trace id reads the same whichever target sent it.
package traceid

import (
	"encoding/binary"
	"encoding/hex"
	"hash/fnv"
)

// Key derives the trace ids of one run's requests, without allocating and
// without a random number per request: the first 8 bytes of every trace id
// are the run's id (so that a backend finds all of a run's traces by
// prefix), the last 8 a bijective mix of the request's number (so they are
// unique within the run and look random to a sampler that reads the low
// bytes, as OpenTelemetry's TraceIDRatioBased does: consecutive numbers
// would all fall under its threshold, and every request be sampled).
type Key struct {
	prefix [8]byte
	salt   uint64
}

// New returns the key of run runID: a run id of 16 hex digits (as loadgate
// makes them) is the prefix itself; any other is hashed.
func New(runID string) Key {
	var k Key
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

// IDs returns the trace id and parent (span) id of request seq: Trace(seq)
// and Span(seq).
func (k Key) IDs(seq uint64) (trace [16]byte, span [8]byte) { return k.Trace(seq), k.Span(seq) }

// Trace returns the trace id of number seq; distinct numbers give distinct
// ids.
func (k Key) Trace(seq uint64) (trace [16]byte) {
	copy(trace[:8], k.prefix[:])
	binary.BigEndian.PutUint64(trace[8:], mix64(seq^k.salt))
	return trace
}

// Span returns the parent (span) id of number seq, never all zero; a
// request's trace and its calls' spans may be numbered apart (grpcload: a
// trace per request, a span per call).
func (k Key) Span(seq uint64) (span [8]byte) {
	s := mix64((seq + 0x9e3779b97f4a7c15) ^ ^k.salt)
	if s == 0 {
		s = 1 // an all-zero parent id is invalid
	}
	binary.BigEndian.PutUint64(span[:], s)
	return span
}

// AppendTraceparent appends to b the version 00 traceparent value of
// trace and span with the sampled flag, "00-<32 hex>-<16 hex>-01": the
// value every target of loadgate sends.
func AppendTraceparent(b []byte, trace [16]byte, span [8]byte) []byte {
	b = append(b, "00-"...)
	b = hex.AppendEncode(b, trace[:])
	b = append(b, '-')
	b = hex.AppendEncode(b, span[:])
	return append(b, "-01"...)
}

// mix64 is the finalizer of splitmix64: a bijection of uint64, so distinct
// numbers give distinct ids.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
