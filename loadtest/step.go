package loadtest

import "time"

// Step is one part of a request that a [Target] records under a name of its
// own with [Sample.RecordStep]: one call of several that a request makes, a
// whole stream, or one message of a stream. Steps are counted in
// Result.ByName only; the request itself is counted once, as the harness
// records every request. A [Flow] records its steps this way.
type Step struct {
	// Name is the step's key in Result.ByName; a step without one is not
	// recorded.
	Name string
	// Latency is timed from when the step should have started and Service
	// from when it did. They differ for the first step of a request in the
	// open model, whose latency a target should time from
	// [Sample.Intended]; for the others they are the same.
	Latency, Service time.Duration
	// Kind is the step's error kind; empty for a success.
	Kind string
	// Status and StatusName are the step's protocol status, as in [Sample].
	Status     int
	StatusName string
	// Messages counts the messages the step sent and received and their
	// sizes; the zero value reports none.
	Messages Messages
	// RequestID and TraceID are the ids the step was sent with (its
	// request id, and the 32 hex digits of its W3C trace id), if any: the
	// slowest of the steps with ids stands for its request among the run's
	// slowest requests (Result.Slowest), with these ids to find it in the
	// service's logs and traces.
	RequestID, TraceID string
}

// RecordStep records one step of the request under st.Name: its latency,
// service time, error kind, status and messages go to Result.ByName. It
// may be called from several goroutines while Hit runs (a request that
// fans out), but not after Hit has returned. Steps of the warm-up are not
// kept, as its requests are not, and outside a run RecordStep does nothing.
func (s *Sample) RecordStep(st Step) {
	if st.Name == "" {
		return
	}
	var owner *Sample
	if st.RequestID != "" || st.TraceID != "" {
		owner = s // its slowest step with ids stands for it in Result.Slowest
	}
	s.rec.recordStep(s.shard, s.slot, &st, nil, owner)
}
