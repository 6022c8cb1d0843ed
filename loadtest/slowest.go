package loadtest

import (
	"cmp"
	"slices"
	"time"
)

// maxSlowest bounds Scenario.Slowest: each kept request costs about 200
// bytes in every shard.
const maxSlowest = 1000

// SlowRequest is one of the slowest requests of a run ([Result.Slowest]),
// with what it takes to find it in the service's logs (its request id) and
// in a tracing backend (its trace id). Durations are in nanoseconds.
type SlowRequest struct {
	// Name is the request's name (Sample.Name), if it had one.
	Name string `json:"name,omitempty"`
	// Stage is the stage the request was sent in.
	Stage string `json:"stage"`
	// RequestID is the id the request was sent with (the X-Request-ID
	// header, runID-seq, unless the target named another header or the
	// caller set its own); empty when the target sent none.
	RequestID string `json:"request_id,omitempty"`
	// TraceID is the W3C trace id (32 hex digits) of the traceparent the
	// request was sent with; empty when it sent none.
	TraceID string `json:"trace_id,omitempty"`
	// StartNS is when the request should have started (its latency is
	// timed from then), from the start of the measured load; Start is the
	// same moment on the wall clock, UTC.
	StartNS int64     `json:"start_ns"`
	Start   time.Time `json:"start"`
	// LatencyNS is timed from the intended start, ServiceTimeNS from the
	// actual start, as in [Result].
	LatencyNS     int64 `json:"latency_ns"`
	ServiceTimeNS int64 `json:"service_time_ns"`
	// Phases times the parts of the request the target reported (dns,
	// connect, tls, ttfb, total), in nanoseconds.
	Phases    map[string]int64 `json:"phases,omitempty"`
	Status    int              `json:"status,omitempty"`
	ErrorKind string           `json:"error_kind,omitempty"`
	// Step is set for an iteration of a [Flow], and for a request whose
	// target recorded steps with their ids ([Sample.RecordStep], such as
	// the calls of a gRPC target): its slowest step, whose request id,
	// trace id and phases these are (Status and ErrorKind are the
	// request's: for a Flow, those of its first failed step).
	Step *SlowStep `json:"step,omitempty"`
}

// SlowStep is the slowest step of a Flow's iteration: its name, latency
// and status.
type SlowStep struct {
	Name      string `json:"name"`
	LatencyNS int64  `json:"latency_ns"`
	Status    int    `json:"status,omitempty"`
	// StatusName is a status by name, such as a gRPC code ("OK",
	// "UNAVAILABLE"), when the step reported one.
	StatusName string `json:"status_name,omitempty"`
	// Steps is how many steps the request made that could stand for it
	// (those with ids); 0 in results written before it was kept. A
	// request of one step, such as a unary gRPC call, is that step.
	Steps int `json:"steps,omitempty"`
}

// slowEntry is one kept request, in a shard's fixed array: only values and
// strings the request already had, so keeping it allocates nothing.
type slowEntry struct {
	latency, service time.Duration
	start            int64 // intended start, unix nanoseconds
	slot             int
	status           int
	kind, name       string
	ref              requestRef
	step             slowStep
	phases           [numPhases]time.Duration
	phaseSet         uint8
}

// slowHeap keeps the n slowest requests a shard saw, in arrays allocated
// once: entries holds them, and order is a min-heap of indices into it on
// latency, so that the fastest kept request, the one to replace, is at the
// root. Sifting moves small indices, not entries of some 200 bytes, and a
// request kept is copied once. container/heap would box each push in an
// interface: an allocation per request kept.
type slowHeap struct {
	entries []slowEntry
	order   []int32
}

func newSlowHeap(n int) slowHeap {
	return slowHeap{entries: make([]slowEntry, 0, n), order: make([]int32, 0, n)}
}

// wants tells whether a request of this latency would be kept.
func (h *slowHeap) wants(latency time.Duration) bool {
	if len(h.order) < cap(h.order) {
		return true
	}
	return len(h.order) > 0 && latency > h.entries[h.order[0]].latency
}

// less orders heap positions i and j by latency.
func (h *slowHeap) less(i, j int) bool {
	return h.entries[h.order[i]].latency < h.entries[h.order[j]].latency
}

// keep adds the request described by s to the heap if it is among the
// slowest so far, in place of the fastest kept one if the heap is full.
func (h *slowHeap) keep(slot int, end time.Time, latency, service time.Duration, kind string, s *Sample) {
	if !h.wants(latency) {
		return
	}
	grow := len(h.order) < cap(h.order)
	var e *slowEntry
	if grow {
		h.entries = h.entries[:len(h.entries)+1]
		h.order = append(h.order, int32(len(h.entries)-1))
		e = &h.entries[len(h.entries)-1]
	} else {
		e = &h.entries[h.order[0]]
	}
	// Field by field, into the entry's place: no copy of a whole entry.
	e.latency, e.service, e.start = latency, service, end.UnixNano()-int64(latency)
	e.slot, e.status, e.kind, e.name = slot, s.Status, kind, s.Name
	e.ref, e.step = s.ref, s.step
	e.phases, e.phaseSet = s.phases, s.phaseSet
	if s.step.name != "" {
		e.phases, e.phaseSet = s.step.phases, s.step.phaseSet
	}
	if grow {
		for i := len(h.order) - 1; i > 0; {
			parent := (i - 1) / 2
			if !h.less(i, parent) {
				break
			}
			h.order[parent], h.order[i] = h.order[i], h.order[parent]
			i = parent
		}
		return
	}
	for i := 0; ; {
		least, l, r := i, 2*i+1, 2*i+2
		if l < len(h.order) && h.less(l, least) {
			least = l
		}
		if r < len(h.order) && h.less(r, least) {
			least = r
		}
		if least == i {
			return
		}
		h.order[i], h.order[least] = h.order[least], h.order[i]
		i = least
	}
}

// slowest merges the shards' kept requests into the n slowest of the run,
// slowest first. loadStart is the start of the measured load; runID names
// the requests' ids; stage names slot's stage.
func (r *recorder) slowest(runID string, loadStart time.Time, stage func(slot int) string) []SlowRequest {
	var all []slowEntry
	n := 0
	r.each(func(sh *shard) {
		all = append(all, sh.slow.entries...)
		n = max(n, cap(sh.slow.order))
	})
	if len(all) == 0 {
		return nil
	}
	slices.SortStableFunc(all, func(a, b slowEntry) int {
		return cmp.Or(cmp.Compare(b.latency, a.latency), cmp.Compare(a.start, b.start))
	})
	all = all[:min(len(all), n)]
	out := make([]SlowRequest, len(all))
	for i, e := range all {
		sr := SlowRequest{
			Name: e.name, Stage: stage(e.slot),
			RequestID: e.ref.requestID(runID), TraceID: e.ref.traceID(),
			StartNS: e.start - loadStart.UnixNano(), Start: time.Unix(0, e.start).UTC(),
			LatencyNS: int64(e.latency), ServiceTimeNS: int64(e.service),
			Status: e.status, ErrorKind: e.kind,
		}
		for p := range numPhases {
			if e.phaseSet&(1<<p) != 0 {
				if sr.Phases == nil {
					sr.Phases = map[string]int64{}
				}
				sr.Phases[p.String()] = int64(e.phases[p])
			}
		}
		if e.step.name != "" {
			sr.Step = &SlowStep{Name: e.step.name, LatencyNS: int64(e.step.latency), Status: e.step.status, StatusName: e.step.statusName, Steps: e.step.steps}
		}
		out[i] = sr
	}
	return out
}
