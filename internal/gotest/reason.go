package gotest

import (
	"regexp"
	"strings"

	"github.com/loadgate/loadgate/internal/cell"
)

// ReasonLimit is the most runes [Reason] returns; a longer line is cut
// with "…".
const ReasonLimit = 200

// position is the start of a message a test logged: "file_test.go:12: ".
var position = regexp.MustCompile(`^[^\s:]+\.go:\d+:(\s|$)`)

// informational are the messages loadgate's own packages log on a run
// that may well pass: a scenario's summary, where its result went,
// baseline.Check's progress. Never the reason a test failed, though they
// come first in its output. loadtest's and baseline's tests check that
// every such message of theirs is matched here (TestLogsAreNotReasons).
var informational = regexp.MustCompile(`^(` + strings.Join([]string{
	`scenario .+: \d+ requests in `,                            // loadtest.Summary, logged by loadtest.Run
	`loadtest: .+  \S+/\S+  stage .+  [\d.]+(/s| req/s)  p99 `, // progress, under go test -v or -json ("req/s": loadtest before v0.1.0)
	`loadtest: result written to `,
	`loadtest: profiles of the load written beside it`,
	`loadtest: flight recording .* written to `,
	`loadtest: \d+ profiles taken but not written`,
	`loadtest: a flight recording was taken .* but not written`,
	`loadtest: the runtime's goroutineleak profile is not available`,
	`baseline\.Check: .+: recorded run \d+ `,
	`baseline\.Check: .+: run \d+ of \d+; comparing with the baseline after run `,
	`baseline\.Check: .+: run \d+ was `,
	`baseline\.Check: .+: discarded \d+ runs? staged by update session `,
	`baseline\.Check: .+ compared with .+:$`, // the comparison of a run that passed
	`baseline\.Check: not compared, recorded or checked against SLA limits: `,
	`baseline\.Check: no baseline for scenario `, // failing only with Strict, then the one message
}, "|") + `)`)

// Reason returns the line of a failed test's output that says why it
// failed, for a one-line account (a PR comment, an annotation, a report):
// the first message the test logged at a file:line position ("x_test.go:12:
// got 3, want 4"), a message that starts on the next line joined to it,
// leaving out what loadgate's packages log on every run (a scenario's
// summary, where its result was written, baseline.Check's progress); else
// a panic's first line; else the first of loadgate's messages; else the
// first line that is not go test's own ("=== RUN", "--- FAIL", "FAIL",
// "exit status"). It returns "" for output with none of those.
func Reason(output string) string {
	var lines []string
	for line := range strings.Lines(output) {
		line = strings.TrimSpace(line)
		if line == "" || framing(line) {
			continue
		}
		lines = append(lines, line)
	}
	var first, logged, panicked string
	for i, line := range lines {
		if panicked == "" && strings.HasPrefix(line, "panic: ") {
			panicked = line
		}
		m := position.FindString(line)
		if m == "" || logged != "" {
			continue
		}
		pos, msg := strings.TrimSuffix(strings.TrimSpace(m), ":"), strings.TrimSpace(line[len(m):])
		if msg == "" && i+1 < len(lines) && !position.MatchString(lines[i+1]) {
			// t.Log("\n" + text): the message starts on the next line.
			msg = lines[i+1]
		}
		text := pos + ": " + msg
		if first == "" {
			first = text
		}
		if !informational.MatchString(msg) {
			logged = text
		}
	}
	for _, s := range []string{logged, panicked, first} {
		if s != "" {
			return cell.Clip(s, ReasonLimit)
		}
	}
	if len(lines) > 0 {
		return cell.Clip(lines[0], ReasonLimit)
	}
	return ""
}

// framing tells whether line is go test's own, not the test's.
func framing(line string) bool {
	for _, p := range []string{"=== ", "--- ", "FAIL\t", "ok \t", "ok  \t", "exit status ", "# "} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return line == "FAIL" || line == "PASS"
}
