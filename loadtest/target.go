package loadtest

import "context"

// Target is what one request does. Hit is called concurrently from many
// goroutines; it must honour ctx (which carries the scenario's per-request
// timeout) and return a non-nil error for a failed request.
//
// Hit may describe the request in s (a name for per-request statistics, a
// status code, an error kind); s is reused between requests, so Hit must not
// keep it.
type Target interface {
	Hit(ctx context.Context, s *Sample) error
}

// Func is a plain function used as a [Target]: it returns nil for a
// successful request and an error for a failed one.
type Func func(ctx context.Context) error

// Hit implements [Target].
func (f Func) Hit(ctx context.Context, _ *Sample) error { return f(ctx) }

var _ Target = Func(nil)

// Sample is what a [Target] may tell the harness about one request, beyond
// its error. The harness resets it before every request.
type Sample struct {
	// Name groups the request for per-name statistics (for example the name
	// of one request in a weighted mix). Empty means no grouping.
	Name string
	// Status is a protocol status code, such as an HTTP status; 0 means none.
	Status int
	// Kind overrides the error kind the harness would derive from the
	// returned error (see [ErrorKind]).
	Kind string
}

func (s *Sample) reset() { *s = Sample{} }
