// Package progress is the private protocol by which a load test tells the
// loadgate command how far it is: loadtest.Run logs a [Record] about every
// second when the environment asks for it ([Env]), and the command reads
// the records back from go test -json's output ([Parse]) to draw its live
// display. It is not user API: both ends live in this module and change
// together.
package progress

import (
	"encoding/json"
	"strings"
)

// Env set to "json" makes loadtest.Run log a record every second under
// go test -v (go test -json included).
const Env = "LOADGATE_PROGRESS"

// Enabled tells whether getenv asks for records.
func Enabled(getenv func(string) string) bool { return getenv(Env) == "json" }

// Prefix starts every record's line.
const Prefix = "loadgate:progress "

// Record is one progress record.
type Record struct {
	Scenario  string  `json:"scenario"`
	Stage     string  `json:"stage"`
	ElapsedNS int64   `json:"elapsed_ns"`
	TotalNS   int64   `json:"total_ns"`
	Requests  int64   `json:"requests"`
	Errors    int64   `json:"errors"`
	Rate      float64 `json:"rate"` // completions per second over the last full second
	P99NS     int64   `json:"p99_ns"`
}

// Line returns the log line of r, without a newline.
func (r Record) Line() string {
	b, err := json.Marshal(r)
	if err != nil {
		return "" // a struct of strings and numbers always marshals
	}
	return Prefix + string(b)
}

// Parse finds a record in a line of test output, such as
// "    run.go:72: loadgate:progress {...}" (the testing package puts the
// file and line before what a test logs).
func Parse(output string) (Record, bool) {
	i := strings.Index(output, Prefix)
	if i < 0 {
		return Record{}, false
	}
	var r Record
	if err := json.Unmarshal([]byte(strings.TrimSpace(output[i+len(Prefix):])), &r); err != nil {
		return Record{}, false
	}
	return r, true
}
