package gotest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"time"
)

// Event is one record of go test -json, as cmd/test2json documents it,
// with the fields go test -json adds for build output (Go 1.24+).
type Event struct {
	Time    time.Time
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64 // seconds
	// ImportPath is the package of a build-output or build-fail event.
	ImportPath string
	// FailedBuild is set on a package's fail event when its build failed.
	FailedBuild string
}

// ActionRaw marks a line of go test's standard output that was not an
// event (go test -json writes some messages as plain text).
const ActionRaw = "loadgate-raw"

// ReadEvents decodes the events of go test -json from r until EOF and
// hands each to fn. Lines that are not events become events with Action
// ActionRaw, so that nothing go test said is lost.
func ReadEvents(r io.Reader, fn func(Event)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			fn(decodeEvent(line))
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func decodeEvent(line []byte) Event {
	trimmed := bytes.TrimSpace(line)
	var e Event
	if len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &e) == nil && e.Action != "" {
		return e
	}
	return Event{Action: ActionRaw, Output: string(line)}
}
