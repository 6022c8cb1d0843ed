package loadtest

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// maxSamplesPerKind bounds the distinct error messages kept per error kind.
const maxSamplesPerKind = 5

// timelineRing is how many seconds of per-second statistics a shard holds
// before the sampler folds them into the timeline. The sampler flushes a
// second shortly after it ends, so a few slots are enough.
const timelineRing = 4

// tally is what the recorder keeps for one stage (or the warm-up) in one
// shard.
type tally struct {
	latency  *hdrhistogram.Histogram // from the intended start
	service  *hdrhistogram.Histogram // from the actual start
	requests int64
	errors   int64
	kinds    map[string]int64
}

func newTally() *tally {
	return &tally{latency: newHistogram(), service: newHistogram(), kinds: map[string]int64{}}
}

// merge adds o into t.
func (t *tally) merge(o *tally) {
	t.latency.Merge(o.latency)
	t.service.Merge(o.service)
	t.requests += o.requests
	t.errors += o.errors
	for k, n := range o.kinds {
		t.kinds[k] += n
	}
}

// secondTally is one second of the timeline in one shard.
type secondTally struct {
	second   int64
	requests int64
	errors   int64
	latency  *hdrhistogram.Histogram
}

// shard is one lock's worth of recording state; workers spread over shards
// so that recording does not serialise on one mutex.
type shard struct {
	mu      sync.Mutex
	tallies []*tally // by slot: 0 is the warm-up, 1+i is stage i
	ring    [timelineRing]secondTally
	_       [64]byte // keep shards on separate cache lines
}

// recorder accumulates completed requests. record is safe for concurrent
// use and allocates nothing once a shard has seen a stage.
type recorder struct {
	shards    []shard
	loadStart atomic.Int64 // unix nanoseconds when the measured load began; 0 during warm-up
	closed    atomic.Bool

	samplesMu sync.Mutex
	samples   map[string][]string

	panicOnce  sync.Once
	panicStack string
}

func newRecorder(slots int) *recorder {
	r := &recorder{shards: make([]shard, runtime.GOMAXPROCS(0)), samples: map[string][]string{}}
	for i := range r.shards {
		r.shards[i].tallies = make([]*tally, slots)
		for j := range r.shards[i].ring {
			r.shards[i].ring[j] = secondTally{second: -1, latency: newCoarseHistogram()}
		}
	}
	return r
}

// record adds one completed request. slot is 0 for the warm-up and 1+i for
// stage i; kind is empty for a success.
func (r *recorder) record(shardIndex, slot int, end time.Time, latency, service time.Duration, kind string) {
	if r.closed.Load() {
		return // a request that outlived the run's drain: already reported as abandoned
	}
	sh := &r.shards[shardIndex%len(r.shards)]
	sh.mu.Lock()
	t := sh.tallies[slot]
	if t == nil {
		t = newTally()
		sh.tallies[slot] = t
	}
	recordDuration(t.latency, latency)
	recordDuration(t.service, service)
	t.requests++
	if kind != "" {
		t.errors++
		t.kinds[kind]++
	}
	if start := r.loadStart.Load(); slot > 0 && start != 0 {
		sec := (end.UnixNano() - start) / int64(time.Second)
		if sec >= 0 {
			s := &sh.ring[sec%timelineRing]
			if s.second != sec {
				// The slot still holds a second the sampler has not taken;
				// the timeline loses it, the totals do not.
				s.second, s.requests, s.errors = sec, 0, 0
				s.latency.Reset()
			}
			recordDuration(s.latency, latency)
			s.requests++
			if kind != "" {
				s.errors++
			}
		}
	}
	sh.mu.Unlock()
}

// noteError keeps a few distinct messages per kind. It is off the success
// path and may allocate.
func (r *recorder) noteError(kind string, err error) {
	r.samplesMu.Lock()
	defer r.samplesMu.Unlock()
	msgs := r.samples[kind]
	if len(msgs) >= maxSamplesPerKind {
		return
	}
	msg := err.Error()
	if len(msg) > maxSamplesLen {
		msg = msg[:maxSamplesLen] + "…"
	}
	for _, m := range msgs {
		if m == msg {
			return
		}
	}
	r.samples[kind] = append(msgs, msg)
}

// notePanic keeps the first panic's value and stack.
func (r *recorder) notePanic(stack string) {
	r.panicOnce.Do(func() { r.panicStack = stack })
}

// takeSecond removes second sec from every shard's ring and returns its
// merged statistics; into is reset and filled with the latencies.
func (r *recorder) takeSecond(sec int64, into *hdrhistogram.Histogram) (requests, errors int64) {
	into.Reset()
	for i := range r.shards {
		sh := &r.shards[i]
		sh.mu.Lock()
		s := &sh.ring[sec%timelineRing]
		if s.second == sec {
			into.Merge(s.latency)
			requests += s.requests
			errors += s.errors
			s.second, s.requests, s.errors = -1, 0, 0
			s.latency.Reset()
		}
		sh.mu.Unlock()
	}
	return requests, errors
}

// slotTally merges one slot across shards into a new tally.
func (r *recorder) slotTally(slot int) *tally {
	out := newTally()
	for i := range r.shards {
		sh := &r.shards[i]
		sh.mu.Lock()
		if t := sh.tallies[slot]; t != nil {
			out.merge(t)
		}
		sh.mu.Unlock()
	}
	return out
}

// errorSamples returns a copy of the kept error messages.
func (r *recorder) errorSamples() map[string][]string {
	r.samplesMu.Lock()
	defer r.samplesMu.Unlock()
	if len(r.samples) == 0 {
		return nil
	}
	out := make(map[string][]string, len(r.samples))
	for k, v := range r.samples {
		out[k] = append([]string(nil), v...)
	}
	return out
}
