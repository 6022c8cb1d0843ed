package loadtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime/trace"
	"sync"
	"time"
)

// FlightRecorder configures the flight recording of a run: while the load
// runs, Go's flight recorder (runtime/trace.FlightRecorder) keeps the last
// moments of the process's execution trace in memory, and the harness
// keeps one snapshot of it, taken at the moment that mattered most:
//
//   - when a stage's gate fails (moment "gate"), covering that stage's
//     last seconds up to the gate's verdict;
//   - when the Abort rule stops the run (moment "abort");
//   - otherwise at the worst second of the run (moment "worst_second"):
//     whenever a second of the timeline ends with a higher p99 than every
//     second before it, its snapshot replaces the one kept, so that the
//     snapshot kept at the end was taken just after the second with the
//     highest p99 (within the timeline's grace of 250 ms).
//
// An SLA breach is judged after the run, from the whole result (package
// assert): its recording is the worst second's, the second most likely
// behind a breached latency percentile.
//
// The snapshot is written beside the result (<result>.trace, by
// [WriteFile]) and described by Result.FlightRecording; go tool trace opens
// it. The trace is the test process's: a service the test runs in-process
// is in it, one in another process is not (only the load generator is).
// The harness marks the trace with user log events of category "loadgate"
// (each stage's start, each second's p99, a gate's or the abort rule's
// verdict) to find one's way in it.
//
// One flight recorder can run in a process: when scenarios run in parallel
// only the first to start gets one, and the others' results say so in a
// warning. Each snapshot costs a flush of the trace and a copy of its
// window (up to MaxBytes), taken by the sampler goroutine once a second at
// most; memory holds the recorder's window and up to two snapshots (the
// one kept and the one being taken: a snapshot that fails leaves the one
// kept before it).
type FlightRecorder struct {
	// On records the run; LOADGATE_FLIGHT=1 (loadgate run -flight) turns
	// it on for every scenario.
	On bool
	// Window is how much of the past a snapshot holds at least (the
	// recorder's MinAge), default 10 s; MaxBytes wins over it.
	Window time.Duration
	// MaxBytes bounds the recorder's window in bytes, default 64 MiB: a
	// busy process may fill it in less than Window, and then a snapshot
	// reaches less far back.
	MaxBytes uint64
}

// Flight recording moments ([FlightRecording.Moment]).
const (
	FlightGate        = "gate"
	FlightAbort       = "abort"
	FlightWorstSecond = "worst_second"
)

// FlightRecording describes the flight recording a run kept
// ([FlightRecorder]).
type FlightRecording struct {
	// File is the trace file's name, in the directory of the result file;
	// [WriteFile] sets it, and it is empty until the result is written.
	File string `json:"file,omitempty"`
	// Moment is when the snapshot was taken: "gate", "abort" or
	// "worst_second".
	Moment string `json:"moment"`
	// Second is the second of the timeline the moment fell in: the worst
	// second, or the one in which the gate or the abort rule stopped the
	// run. Stage is the stage that was running.
	Second int64  `json:"second"`
	Stage  string `json:"stage,omitempty"`
	// Reason is the gate's or the abort rule's reason; for the worst
	// second, its p99.
	Reason string `json:"reason,omitempty"`
	// AtNS is when the snapshot was taken, from the start of the measured
	// load; WindowNS the recorder's window (the snapshot reaches at least
	// that far back unless MaxBytes cut it short); Bytes its size.
	AtNS     int64 `json:"at_ns"`
	WindowNS int64 `json:"window_ns"`
	Bytes    int64 `json:"bytes"`
	// AfterLoad says that the worst second began after the load's last
	// stage ended: in the drain, where requests sent during the load
	// completed (the timeline counts a request in the second it
	// completed), such as a request of a 1 s load that took 3 s.
	AfterLoad bool `json:"after_load,omitempty"`
}

// String describes the moment in a few words, its second as time from the
// start of the load, as the slowest requests' "at" is written: "at the
// worst second of the load, +3s to +4s (p99 48ms)", or, for a second
// after the load ended, "at the worst second, +3s to +4s, after the load
// ended, as requests sent during it completed (p99 3s)". (Second is an
// index of the timeline, from 0: "second 0" read as no second at all.)
func (f *FlightRecording) String() string {
	switch f.Moment {
	case FlightGate:
		return fmt.Sprintf("at the failed gate of stage %s (+%ds into the load)", f.Stage, f.Second)
	case FlightAbort:
		return fmt.Sprintf("at the abort in stage %s (+%ds into the load)", f.Stage, f.Second)
	case FlightWorstSecond:
		if f.AfterLoad {
			// "Of the load" would place it in a window it is not in.
			return fmt.Sprintf("at the worst second, +%ds to +%ds, after the load ended, as requests sent during it completed (%s)", f.Second, f.Second+1, f.Reason)
		}
		return fmt.Sprintf("at the worst second of the load, +%ds to +%ds (%s)", f.Second, f.Second+1, f.Reason)
	}
	return f.Moment
}

// flightHolder is the scenario holding the process's one flight recorder.
var flightHolder struct {
	sync.Mutex
	scenario string
	held     bool
}

// snapshotter is what a flight takes snapshots from: a
// *trace.FlightRecorder, or a test's fake.
type snapshotter interface {
	WriteTo(io.Writer) (int64, error)
	Stop()
}

var _ snapshotter = (*trace.FlightRecorder)(nil)

// flight is one run's flight recording. Its methods do nothing on a nil
// *flight: the run records none.
type flight struct {
	fr     snapshotter
	window time.Duration

	mu        sync.Mutex
	loadStart time.Time // zero during the warm-up
	loadEnd   time.Time // zero until the last stage ended
	buf       bytes.Buffer
	spare     bytes.Buffer     // the next snapshot is written here, then swapped with buf
	kept      *FlightRecording // what buf holds; nil for nothing
	frozen    bool             // buf holds a gate's or the abort's snapshot, for good
	worstP99  int64
	err       error // of the last snapshot that failed
}

// startFlight starts the flight recorder for scenario name if c asks for
// one. It returns nil and why when the process's recorder is taken.
func startFlight(name string, c FlightRecorder) (*flight, string) {
	if !c.On {
		return nil, ""
	}
	flightHolder.Lock()
	defer flightHolder.Unlock()
	if flightHolder.held {
		return nil, fmt.Sprintf("no flight recording: scenario %s held the process's one flight recorder (scenarios running in parallel)", flightHolder.scenario)
	}
	fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{MinAge: c.Window, MaxBytes: c.MaxBytes})
	if err := fr.Start(); err != nil {
		// Another flight recorder of the process, not the harness's.
		return nil, fmt.Sprintf("no flight recording: %v", err)
	}
	flightHolder.scenario, flightHolder.held = name, true
	return &flight{fr: fr, window: c.Window}, ""
}

// measuring notes the start of the measured load.
func (f *flight) measuring(start time.Time) {
	if f == nil {
		return
	}
	f.mu.Lock()
	f.loadStart = start
	f.mu.Unlock()
}

// ended notes the end of the load's last stage, before the drain.
func (f *flight) ended(end time.Time) {
	if f == nil {
		return
	}
	f.mu.Lock()
	f.loadEnd = end
	f.mu.Unlock()
}

// mark writes a user log event into the trace.
func (f *flight) mark(format string, args ...any) {
	if f == nil {
		return
	}
	trace.Log(context.Background(), "loadgate", fmt.Sprintf(format, args...))
}

// second takes the snapshot of the worst second so far: s, if its p99 is
// higher than the kept snapshot's second's.
func (f *flight) second(s Second, stage string) {
	if f == nil || s.Requests == 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.frozen || s.P99NS <= f.worstP99 {
		return
	}
	after := !f.loadStart.IsZero() && !f.loadEnd.IsZero() &&
		!f.loadStart.Add(time.Duration(s.Second)*time.Second).Before(f.loadEnd)
	// The bar is the kept snapshot's p99: after a snapshot that failed, a
	// later second worse than the kept one is still worth its place.
	if f.snapshot(FlightRecording{Moment: FlightWorstSecond, Second: s.Second, Stage: stage,
		Reason: "p99 " + roundLatency(time.Duration(s.P99NS)).String(), AfterLoad: after}) {
		f.worstP99 = s.P99NS
	}
}

// stopped takes the snapshot of a gate that failed or of the abort rule,
// and keeps it for good.
func (f *flight) stopped(moment, stage, reason string) {
	if f == nil {
		return
	}
	f.mark("%s in stage %s: %s", moment, stage, reason)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.frozen {
		return
	}
	second := int64(0)
	if !f.loadStart.IsZero() {
		second = int64(time.Since(f.loadStart) / time.Second)
	}
	// A gate's or the abort's snapshot that failed leaves the worst
	// second's kept so far, which may still take a later one's place.
	f.frozen = f.snapshot(FlightRecording{Moment: moment, Second: second, Stage: stage, Reason: reason})
}

// snapshot replaces the kept snapshot with one taken now, described by m,
// and reports whether it did. A snapshot that fails leaves the kept one
// as it was (an earlier worst second's), and its error for stop's warning.
// The caller holds f.mu. The two buffers are reused: up to two snapshots
// in memory, the kept one and the one being taken.
func (f *flight) snapshot(m FlightRecording) bool {
	f.spare.Reset()
	n, err := f.fr.WriteTo(&f.spare)
	if err != nil {
		f.err = err
		f.spare.Reset()
		return false
	}
	f.buf, f.spare = f.spare, f.buf
	m.Bytes, m.WindowNS = n, int64(f.window)
	if !f.loadStart.IsZero() {
		m.AtNS = int64(time.Since(f.loadStart))
	}
	f.kept = &m
	return true
}

// stop stops the recorder and returns the kept snapshot and its
// description (nil if none), and a warning if a snapshot failed.
func (f *flight) stop() (*FlightRecording, []byte, string) {
	if f == nil {
		return nil, nil, ""
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fr.Stop()
	flightHolder.Lock()
	flightHolder.held, flightHolder.scenario = false, ""
	flightHolder.Unlock()
	warning := ""
	if f.err != nil {
		warning = fmt.Sprintf("a flight recording snapshot failed: %v", f.err)
	}
	if f.kept == nil {
		return nil, nil, warning
	}
	return f.kept, f.buf.Bytes(), warning
}
