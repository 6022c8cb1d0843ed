package baseline

import (
	"errors"
	"fmt"
)

// Errors that callers test with [errors.Is].
var (
	// ErrNoBaseline means no baseline has been recorded for the scenario.
	ErrNoBaseline = errors.New("no baseline")
	// ErrSchema means a baseline file has a schema version this package
	// does not understand (see [SchemaVersion]).
	ErrSchema = errors.New("unsupported baseline schema")
	// ErrScenarioMismatch means a baseline, or a set of results, belongs to
	// another scenario than the one it is used for.
	ErrScenarioMismatch = errors.New("scenario mismatch")
	// ErrTargetMismatch means two sets of runs were sent to different
	// targets (LOADGATE_TARGET, loadtest.Env.Target): their numbers
	// describe different services and are not compared.
	ErrTargetMismatch = errors.New("target mismatch")
	// ErrScaleMismatch means two sets of runs ran at different
	// LOADGATE_SCALE or LOADGATE_RATE_SCALE: they put different loads on
	// the service and are not compared.
	ErrScaleMismatch = errors.New("scale mismatch")
	// ErrShard means a result is one shard of a sharded run
	// (loadtest.Result.Shard): a slice of the load, which is judged only
	// once the shards are merged (loadgate merge).
	ErrShard = errors.New("a shard's result")
	// ErrNoRuns means a sample or a baseline has no runs to compare.
	ErrNoRuns = errors.New("no runs")
	// ErrDuplicateRun means one run (one run_id) was given twice, as
	// when a result file was copied into a directory under another name:
	// counted twice, it would make the rank test see more runs than ran.
	ErrDuplicateRun = errors.New("the same run twice")
	// ErrLocked means the lock around a baseline file could not be taken in
	// time: another test process kept it.
	ErrLocked = errors.New("baseline file locked")
	// ErrConcurrentUpdate means two updates of one baseline ran at once,
	// in different processes: neither records its runs (their loads
	// overlapped), and the stored baseline is left as it was.
	ErrConcurrentUpdate = errors.New("another update of this baseline is running")
	// ErrDriverGone means the command that started an update (go test,
	// loadgate baseline update) has exited: the update records nothing
	// more, so that one the user stopped does not replace a baseline.
	ErrDriverGone = errors.New("the command driving the update has exited")
)

// SyntaxError is a baseline file that is not well-formed JSON or whose
// values have the wrong type. It gives the position in the file, as
// file:line:col: message.
type SyntaxError struct {
	File      string // as given to [Load] or [Parse]
	Line, Col int    // 1-based; Col counts bytes
	Err       error
}

// Error returns "file:line:col: message".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Col, e.Err)
}

// Unwrap returns the underlying error, for errors.Is and errors.As.
func (e *SyntaxError) Unwrap() error { return e.Err }
