package loadtest

import (
	"context"
	"sync/atomic"
	"time"
)

// Target is what one request does. Hit is called concurrently from many
// goroutines; it must honour ctx (which carries the scenario's per-request
// timeout) and return a non-nil error for a failed request.
//
// Hit may describe the request in s (a name for per-request statistics, a
// status code, an error kind, phase timings); s belongs to the calling
// goroutine and is reused between requests, so Hit must not keep it.
type Target interface {
	Hit(ctx context.Context, s *Sample) error
}

// Func is a plain function used as a [Target]: it returns nil for a
// successful request and an error for a failed one.
//
// The host allow-list (Scenario.AllowHosts) does not see what a Func
// sends: its client goes wherever its code says. Only its base URL is
// checked, when the test took it from [TargetURL] under LOADGATE_TARGET.
// Use [HTTP], [Flow] or loadtest/grpcload for requests the list guards.
type Func func(ctx context.Context) error

// Hit implements [Target].
func (f Func) Hit(ctx context.Context, _ *Sample) error { return f(ctx) }

var _ Target = Func(nil)

// Preparer is implemented by targets that must do something before the load
// starts, such as checking that their hosts may be load-tested or sizing a
// connection pool. An error from Prepare fails the run before any request is
// sent. ctx is the requests' context: it ends when no new request can start
// (the run ended or was canceled, or its drain gave up), so a target may
// tie the release of what its requests block on to it.
type Preparer interface {
	Prepare(ctx context.Context, run RunInfo) error
}

// Finisher is implemented by targets that hold resources to release after
// the load, such as idle connections. Run calls Finish once the requests in
// flight have ended.
type Finisher interface {
	Finish()
}

// RunInfo tells a [Preparer] about the run it is about to serve.
type RunInfo struct {
	Scenario string
	RunID    string
	// Concurrency is the most requests that can run at once: the largest
	// Users of a closed-model stage, or MaxInFlight in the open model.
	Concurrency int
	// Timeout is the per-request timeout.
	Timeout time.Duration
	// AllowHosts lists the non-loopback hosts the scenario may send load to
	// (Scenario.AllowHosts and LOADGATE_ALLOW_HOSTS).
	AllowHosts []string
}

// Phase is a part of a request's time that a target can report with
// [Sample.SetPhase]; HTTP targets report all of them.
type Phase int

const (
	PhaseDNS     Phase = iota // name resolution
	PhaseConnect              // TCP connect
	PhaseTLS                  // TLS handshake
	PhaseTTFB                 // from the start of the request to the first response byte
	PhaseTotal                // from the start of the request to the end of the body
	numPhases
)

var phaseNames = [numPhases]string{"dns", "connect", "tls", "ttfb", "total"}

// String returns the phase's key in Result.Phases.
func (p Phase) String() string {
	if p < 0 || p >= numPhases {
		return "unknown"
	}
	return phaseNames[p]
}

// Sample is what a [Target] may tell the harness about one request, beyond
// its error. The harness resets it before every request.
type Sample struct {
	// Name groups the request for per-name statistics (for example the name
	// of one request in a weighted mix). Empty means no grouping.
	Name string
	// Status is a protocol status code, such as an HTTP status; 0 means none.
	Status int
	// StatusName is a protocol status by name, such as a gRPC status code
	// ("OK", "UNAVAILABLE"); when set it is counted in status_codes in
	// place of Status.
	StatusName string
	// Kind overrides the error kind the harness would derive from the
	// returned error (see [ErrorKind]).
	Kind string
	// Proto is the protocol the request used, such as "HTTP/1.1" or
	// "HTTP/2.0"; empty means not reported.
	Proto string
	// Reused reports that the request went over a pooled connection; it is
	// only counted when Proto is set.
	Reused bool

	phases    [numPhases]time.Duration
	phaseSet  uint8
	connWait  time.Duration // how long the request waited for a pooled connection
	connTimed bool          // connWait was measured
	scratch   *httpScratch  // per-goroutine state of HTTP targets; kept across requests
	// starting, set on a new open-model worker's sample until its first
	// request has a connection, is the engine's count of workers opening
	// one: connected takes the worker off it (see startingWorkers).
	starting  *atomic.Int32
	iteration *Iteration // per-goroutine state of a Flow; kept across requests
	loop      *loopUser  // the user-loop coroutine that runs the worker; nil for a goroutine

	// Where a Flow's steps are recorded (shard is also the worker's number,
	// from 1, a Flow's Iteration.User) and when the
	// request should have started: set by the engine before each request.
	rec         *recorder
	shard, slot int
	intended    time.Time

	// ref finds the request in the service's logs and traces: set by the
	// HTTP targets, and for a Flow's iteration copied from its slowest
	// step, which step describes.
	ref  requestRef
	step slowStep
}

// slowStep is the slowest step of a Flow's iteration so far: the one whose
// request id and trace id stand for the iteration among the slowest
// requests.
type slowStep struct {
	name       string
	latency    time.Duration
	status     int
	statusName string // a status by name, such as a gRPC code (Step.StatusName)
	// steps counts the request's steps so far that could stand for it,
	// this one included: a request of one step is shown by its name alone.
	steps    int
	phases   [numPhases]time.Duration
	phaseSet uint8
}

// SetPhase records how long phase p of the request took.
func (s *Sample) SetPhase(p Phase, d time.Duration) {
	if p < 0 || p >= numPhases {
		return
	}
	s.phases[p] = d
	s.phaseSet |= 1 << p
}

// Intended returns when the request should have started: its time in the
// open model's schedule, or its actual start in the closed model. A target
// that records steps ([Sample.RecordStep]) times the first from it, so that
// a late start is charged to the step that waited, as the harness charges
// it to the request. It is the zero time outside a run.
func (s *Sample) Intended() time.Time { return s.intended }

// connected tells the engine that the request has its connection (or
// will not get one), if it is a new worker's first.
func (s *Sample) connected() {
	if s.starting != nil {
		s.starting.Add(-1)
		s.starting = nil
	}
}

func (s *Sample) reset() {
	// The engine sets where the request is recorded (rec, shard, slot,
	// intended) after every reset; starting lasts until connected.
	*s = Sample{scratch: s.scratch, iteration: s.iteration, starting: s.starting, loop: s.loop}
}
