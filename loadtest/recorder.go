package loadtest

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/loadgate/loadgate/internal/histo"
)

// maxSamplesPerKind bounds the distinct error messages kept per error kind.
const maxSamplesPerKind = 5

// maxShards bounds the shards: each costs about 0.5 MB of histograms per
// stage, and beyond a few the lock is no longer contended.
const maxShards = 8

// timelineRing is how many seconds of per-second statistics a shard holds
// before the sampler folds them into the timeline. The sampler flushes a
// second shortly after it ends, so a few slots are enough.
const timelineRing = 4

// tally is what the recorder keeps for one stage (or the warm-up) in one
// shard, or for one request name.
type tally struct {
	latency  *hdrhistogram.Histogram // from the intended start
	service  *hdrhistogram.Histogram // from the actual start
	requests int64
	errors   int64
	kinds    map[string]int64
	statuses map[int]int64
	named    map[string]int64 // statuses by name (gRPC codes); made on first use
	messages Messages         // of the steps that reported messages
	withMsgs bool             // some step reported messages
}

func newTally() *tally {
	return &tally{latency: histo.New(), service: histo.New(), kinds: map[string]int64{}, statuses: map[int]int64{}}
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
	for k, n := range o.statuses {
		t.statuses[k] += n
	}
	for k, n := range o.named {
		t.addNamed(k, n)
	}
	if o.withMsgs {
		t.addMessages(o.messages)
	}
}

// add records one request into t: a status name, when set, is counted in
// place of status.
func (t *tally) add(latency, service time.Duration, kind string, status int, statusName string) {
	recordDuration(t.latency, latency)
	recordDuration(t.service, service)
	t.requests++
	if kind != "" {
		t.errors++
		t.kinds[kind]++
	}
	switch {
	case statusName != "":
		t.addNamed(statusName, 1)
	case status != 0:
		t.statuses[status]++
	}
}

func (t *tally) addNamed(name string, n int64) {
	if t.named == nil {
		t.named = map[string]int64{}
	}
	t.named[name] += n
}

func (t *tally) addMessages(m Messages) {
	t.withMsgs = true
	t.messages.Add(m)
}

// phaseTally holds the per-phase timings and connection use that targets
// such as HTTP report; phases are kept at 2 significant digits.
type phaseTally struct {
	hists     [numPhases]*hdrhistogram.Histogram
	withProto int64 // requests that reported a protocol
	reused    int64
	protos    map[string]int64
	// The waits for a pooled connection (Generator.ConnWaits): requests
	// whose wait was timed, those that waited ConnWaitCounted or more,
	// and the longest wait.
	connTimed, connWaits int64
	connWaitMax          time.Duration
}

func newPhaseTally() *phaseTally {
	p := &phaseTally{protos: map[string]int64{}}
	for i := range p.hists {
		p.hists[i] = newCoarseHistogram()
	}
	return p
}

func (p *phaseTally) add(s *Sample) {
	for i := range numPhases {
		if s.phaseSet&(1<<i) != 0 {
			recordDuration(p.hists[i], s.phases[i])
		}
	}
	if s.Proto != "" {
		p.withProto++
		p.protos[s.Proto]++
		if s.Reused {
			p.reused++
		}
	}
	if s.connTimed {
		p.connTimed++
		if s.connWait >= ConnWaitCounted {
			p.connWaits++
		}
		p.connWaitMax = max(p.connWaitMax, s.connWait)
	}
}

func (p *phaseTally) merge(o *phaseTally) {
	for i := range p.hists {
		p.hists[i].Merge(o.hists[i])
	}
	p.withProto += o.withProto
	p.reused += o.reused
	p.connTimed += o.connTimed
	p.connWaits += o.connWaits
	p.connWaitMax = max(p.connWaitMax, o.connWaitMax)
	for k, n := range o.protos {
		p.protos[k] += n
	}
}

// secondTally is one second of the timeline in one shard.
type secondTally struct {
	second   int64
	requests int64
	errors   int64
	latency  *hdrhistogram.Histogram
	service  *hdrhistogram.Histogram
	// kinds counts the second's errors by kind; it is cleared, not
	// remade, so that a kind seen before costs no allocation.
	kinds map[string]int64
}

// reset makes st the empty tally of second sec.
func (st *secondTally) reset(sec int64) {
	st.second, st.requests, st.errors = sec, 0, 0
	st.latency.Reset()
	st.service.Reset()
	clear(st.kinds)
}

// shard is one lock's worth of recording state; workers spread over shards
// so that recording does not serialise on one mutex.
type shard struct {
	mu      sync.Mutex
	tallies []*tally // by slot: 0 is the warm-up, 1+i is stage i
	names   map[string]*tally
	phases  *phaseTally
	ring    [timelineRing]secondTally
	slow    slowHeap // the slowest requests of the measured load
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

	names nameGate

	panicked   atomic.Bool
	panicOnce  sync.Once
	panicStack string
}

// newRecorder returns a recorder of slots slots (the warm-up and the
// stages) that keeps the slowest requests of the measured load, at most
// slowest of them (none for 0).
func newRecorder(slots, slowest int) *recorder {
	r := &recorder{shards: make([]shard, min(runtime.GOMAXPROCS(0), maxShards)), samples: map[string][]string{}}
	for i := range r.shards {
		r.shards[i].tallies = make([]*tally, slots)
		r.shards[i].slow = newSlowHeap(slowest)
		for j := range r.shards[i].ring {
			r.shards[i].ring[j] = secondTally{second: -1, latency: newCoarseHistogram(), service: newCoarseHistogram(), kinds: map[string]int64{}}
		}
	}
	return r
}

// record adds one completed request described by s. slot is 0 for the
// warm-up and 1+i for stage i; kind is empty for a success.
func (r *recorder) record(shardIndex, slot int, end time.Time, latency, service time.Duration, kind string, s *Sample) {
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
	t.add(latency, service, kind, s.Status, s.StatusName)
	if slot > 0 {
		sh.slow.keep(slot, end, latency, service, kind, s)
		if s.Name != "" {
			r.nameTally(sh, s.Name).add(latency, service, kind, s.Status, s.StatusName)
		}
		sh.addPhases(s)
	}
	if start := r.loadStart.Load(); slot > 0 && start != 0 {
		sec := (end.UnixNano() - start) / int64(time.Second)
		if sec >= 0 {
			st := &sh.ring[sec%timelineRing]
			if st.second != sec {
				// The slot still holds a second the sampler has not taken;
				// the timeline loses it, the totals do not.
				st.reset(sec)
			}
			recordDuration(st.latency, latency)
			recordDuration(st.service, service)
			st.requests++
			if kind != "" {
				st.errors++
				st.kinds[kind]++
			}
		}
	}
	sh.mu.Unlock()
}

// recordStep adds one step of a request, described by st, to its name's
// tally, the phases that phases reports, if not nil (a Flow's step), and
// owner's slowest step, if owner is not nil (keepSlowestStep):
// the request itself is recorded by record. Steps of the warm-up (slot 0)
// are not kept, as requests of the warm-up are not. A Sample without a
// recorder (a hit outside a run) records nothing.
func (r *recorder) recordStep(shardIndex, slot int, st *Step, phases, owner *Sample) {
	if r == nil || slot <= 0 || r.closed.Load() {
		return
	}
	sh := &r.shards[shardIndex%len(r.shards)]
	sh.mu.Lock()
	t := r.nameTally(sh, st.Name)
	t.add(st.Latency, st.Service, st.Kind, st.Status, st.StatusName)
	if st.Messages != (Messages{}) {
		t.addMessages(st.Messages)
	}
	if phases != nil {
		sh.addPhases(phases)
	}
	if owner != nil {
		keepSlowestStep(owner, st)
	}
	sh.mu.Unlock()
}

// keepSlowestStep keeps st as the slowest step of owner's request if it is
// slower than the one kept, with its ids (Result.Slowest shows a request
// by its slowest step). The caller holds the shard's lock, as RecordStep
// may be called from several goroutines of one request.
func keepSlowestStep(owner *Sample, st *Step) {
	n := owner.step.steps + 1
	if owner.step.name != "" && st.Latency <= owner.step.latency {
		owner.step.steps = n
		return
	}
	owner.ref = requestRef{id: st.RequestID}
	if trace, ok := parseTraceID(st.TraceID); ok {
		owner.ref.trace, owner.ref.flags = trace, refTraced
	}
	owner.step = slowStep{name: st.Name, latency: st.Latency, status: st.Status, statusName: st.StatusName, steps: n}
}

// nameTally returns the shard's tally of a request name, made on first
// use; a name past MaxNames is counted as OtherNames. The caller holds
// sh.mu.
func (r *recorder) nameTally(sh *shard, name string) *tally {
	if nt := sh.names[name]; nt != nil {
		return nt
	}
	if !r.names.admit(name) {
		name = OtherNames
		if nt := sh.names[name]; nt != nil {
			return nt
		}
	}
	if sh.names == nil {
		sh.names = map[string]*tally{}
	}
	nt := newTally()
	sh.names[name] = nt
	return nt
}

// addPhases adds the phases and connection use s reports, if any; the
// caller holds sh.mu.
func (sh *shard) addPhases(s *Sample) {
	if s.phaseSet != 0 || s.Proto != "" {
		if sh.phases == nil {
			sh.phases = newPhaseTally()
		}
		sh.phases.add(s)
	}
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
		// Cut between characters: the sample must stay valid UTF-8.
		n := maxSamplesLen
		for n > 0 && !utf8.RuneStart(msg[n]) {
			n--
		}
		msg = msg[:n] + "…"
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

// each calls f with every shard, under the shard's lock.
func (r *recorder) each(f func(*shard)) {
	for i := range r.shards {
		sh := &r.shards[i]
		sh.mu.Lock()
		f(sh)
		sh.mu.Unlock()
	}
}

// takeSecond removes second sec from every shard's ring and returns its
// merged statistics: latency and service are reset and filled with the
// second's latencies and service times, kinds with its errors by kind.
func (r *recorder) takeSecond(sec int64, latency, service *hdrhistogram.Histogram, kinds map[string]int64) (requests, errors int64) {
	latency.Reset()
	service.Reset()
	clear(kinds)
	r.each(func(sh *shard) {
		s := &sh.ring[sec%timelineRing]
		if s.second == sec {
			latency.Merge(s.latency)
			service.Merge(s.service)
			requests += s.requests
			errors += s.errors
			for k, n := range s.kinds {
				kinds[k] += n
			}
			s.reset(-1)
		}
	})
	return requests, errors
}

// slotTally merges one slot across shards into a new tally.
func (r *recorder) slotTally(slot int) *tally {
	out := newTally()
	r.each(func(sh *shard) {
		if t := sh.tallies[slot]; t != nil {
			out.merge(t)
		}
	})
	return out
}

// nameTallies merges the per-name tallies across shards.
func (r *recorder) nameTallies() map[string]*tally {
	out := map[string]*tally{}
	r.each(func(sh *shard) {
		for name, t := range sh.names {
			if out[name] == nil {
				out[name] = newTally()
			}
			out[name].merge(t)
		}
	})
	return out
}

// phaseTally merges the phase timings across shards; nil if none reported.
func (r *recorder) phaseTally() *phaseTally {
	var out *phaseTally
	r.each(func(sh *shard) {
		if sh.phases != nil {
			if out == nil {
				out = newPhaseTally()
			}
			out.merge(sh.phases)
		}
	})
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
