package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/gotest"
	"github.com/loadgate/loadgate/internal/quantity"
)

// display shows a go test run while it happens. It is driven from one
// goroutine: update after every event that changed something, tick
// periodically, close before the summary.
type display interface {
	update(s *gotest.Session, t *gotest.Test, c gotest.Change, now time.Time)
	tick(s *gotest.Session, now time.Time)
	close(s *gotest.Session)
}

var (
	_ display = quietDisplay{}
	_ display = (*plainDisplay)(nil)
	_ display = (*ttyDisplay)(nil)
)

// Progress modes (-progress).
const (
	progressAuto  = "auto"
	progressTTY   = "tty"
	progressPlain = "plain"
	progressOff   = "off"
)

var progressModes = []string{progressAuto, progressTTY, progressPlain, progressOff}

// plainEvery is how often the plain display writes the running tests.
var plainEvery = 5 * time.Second

// newDisplay returns the display for mode on w and how often to tick it:
// on a terminal (auto, tty), one line per running test redrawn in place;
// otherwise (auto, plain) lines appended every few seconds, which a log
// file or a CI console keeps readable.
func newDisplay(mode string, w io.Writer) (display, time.Duration) {
	width, isTTY := terminalWidth(w)
	switch {
	case mode == progressOff:
		return quietDisplay{}, time.Hour
	case mode == progressTTY || mode == progressAuto && isTTY:
		return &ttyDisplay{w: w, width: func() int {
			if n, ok := terminalWidth(w); ok && n > 0 {
				return n
			}
			if width > 0 {
				return width
			}
			return 80
		}}, 250 * time.Millisecond
	}
	return &plainDisplay{w: w}, time.Second
}

// quietDisplay shows nothing (-progress off).
type quietDisplay struct{}

func (quietDisplay) update(*gotest.Session, *gotest.Test, gotest.Change, time.Time) {}
func (quietDisplay) tick(*gotest.Session, time.Time)                                {}
func (quietDisplay) close(*gotest.Session)                                          {}

// plainDisplay appends lines: one when a test or a package ends, and every
// plainEvery one per running test.
type plainDisplay struct {
	w     io.Writer
	last  time.Time // when the running tests were last written
	begun bool
}

func (d *plainDisplay) update(s *gotest.Session, t *gotest.Test, c gotest.Change, now time.Time) {
	if !d.begun {
		d.begun, d.last = true, now
	}
	switch c {
	case gotest.ChangeTestEnded:
		fmt.Fprintln(d.w, endLine(t))
	case gotest.ChangePackageEnded:
		if line := pkgLine(s); line != "" {
			fmt.Fprintln(d.w, line)
		}
	}
}

func (d *plainDisplay) tick(s *gotest.Session, now time.Time) {
	if !d.begun {
		d.begun, d.last = true, now
	}
	if now.Sub(d.last) < plainEvery {
		return
	}
	d.last = now
	for _, t := range s.Running() {
		fmt.Fprintln(d.w, "  "+progressLine(t, now, 0))
	}
}

func (d *plainDisplay) close(*gotest.Session) {}

// ttyDisplay keeps one line per running test at the bottom of the
// terminal, redrawn in place, with the lines of ended tests above it.
type ttyDisplay struct {
	w     io.Writer
	width func() int
	drawn int       // live lines on screen
	start time.Time // of the first redraw
}

// maxLive bounds the live lines; more running tests are counted.
const maxLive = 8

func (d *ttyDisplay) update(s *gotest.Session, t *gotest.Test, c gotest.Change, now time.Time) {
	var perm string
	switch c {
	case gotest.ChangeTestEnded:
		perm = endLine(t)
	case gotest.ChangePackageEnded:
		perm = pkgLine(s)
	case gotest.ChangeTestStarted:
	default:
		return
	}
	d.redraw(s, perm, now)
}

func (d *ttyDisplay) tick(s *gotest.Session, now time.Time) { d.redraw(s, "", now) }

func (d *ttyDisplay) close(s *gotest.Session) {
	var b bytes.Buffer
	d.erase(&b)
	d.w.Write(b.Bytes())
}

// erase moves the cursor up over the live lines and clears to the end of
// the screen.
func (d *ttyDisplay) erase(b *bytes.Buffer) {
	if d.drawn > 0 {
		fmt.Fprintf(b, "\x1b[%dA\r\x1b[J", d.drawn)
		d.drawn = 0
	}
}

// redraw writes perm (if any) above the live lines and the live lines
// anew, in one write so that the terminal does not flicker.
func (d *ttyDisplay) redraw(s *gotest.Session, perm string, now time.Time) {
	width := d.width()
	var b bytes.Buffer
	d.erase(&b)
	if perm != "" {
		b.WriteString(perm)
		b.WriteByte('\n')
	}
	if d.start.IsZero() {
		d.start = now
	}
	running := s.Running()
	if len(s.Order) == 0 && len(s.PackageOrder) == 0 {
		// Nothing yet: go test is building the test binaries.
		b.WriteString(fit("  building the tests… "+clock(now.Sub(d.start)), width))
		b.WriteByte('\n')
		d.drawn++
	}
	for i, t := range running {
		if i == maxLive-1 && len(running) > maxLive {
			b.WriteString(fit(fmt.Sprintf("  … and %d more running", len(running)-i), width))
			b.WriteByte('\n')
			d.drawn++
			break
		}
		b.WriteString(fit("  "+progressLine(t, now, width), width))
		b.WriteByte('\n')
		d.drawn++
	}
	d.w.Write(b.Bytes())
}

// fit cuts s to width-1 columns, so that no line wraps and the cursor
// arithmetic of the redraw holds.
func fit(s string, width int) string {
	if width <= 1 {
		return s
	}
	return cell.Clip(s, width-1)
}

// progressLine describes a running test: its scenario's elapsed time of
// the total, a bar when width > 0, the rate, p99 and errors so far, and
// the stage. Elapsed time runs on between records, by loadgate's clock,
// so that a terminal line moves smoothly.
func progressLine(t *gotest.Test, now time.Time, width int) string {
	name := t.Test
	p := t.Progress
	if p == nil {
		return fmt.Sprintf("%s  running %s", name, clock(now.Sub(t.Started)))
	}
	if p.Scenario != "" && p.Scenario != t.Test {
		name += " (" + p.Scenario + ")"
	}
	total := time.Duration(p.TotalNS)
	elapsed := time.Duration(p.ElapsedNS) + now.Sub(t.ProgressAt)
	finishing := total > 0 && elapsed >= total
	if finishing {
		elapsed = total
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s/%s", name, clock(elapsed), total.Round(time.Second))
	if width > 0 {
		b.WriteString("  " + bar(elapsed, total, 20))
	}
	if p.Requests > 0 {
		// Until the first second is measured there is nothing to show.
		fmt.Fprintf(&b, "  %s  p99 %s  %s", assert.UnitRate.Format(p.Rate), assert.UnitDuration.Format(float64(p.P99NS)), quantity.Errors(p.Errors, p.Requests))
	}
	switch {
	case finishing:
		// The load is over; the test drains, checks for leaks, cools down.
		b.WriteString("  finishing")
	case p.Stage != "":
		fmt.Fprintf(&b, "  stage %s", p.Stage)
	}
	return b.String()
}

// clock writes a duration to a tenth of a second.
func clock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	return d.Round(100 * time.Millisecond).String()
}

// bar draws how much of total has elapsed in n cells.
func bar(elapsed, total time.Duration, n int) string {
	filled := n
	if total > 0 {
		filled = int(float64(n) * float64(elapsed) / float64(total))
	}
	filled = max(0, min(n, filled))
	return strings.Repeat("█", filled) + strings.Repeat("░", n-filled)
}

// endLine is the lasting line of an ended test.
func endLine(t *gotest.Test) string {
	word := map[string]string{gotest.StatusPass: "PASS", gotest.StatusFail: "FAIL", gotest.StatusSkip: "SKIP"}[t.Status]
	if word == "" {
		word = strings.ToUpper(t.Status)
	}
	line := fmt.Sprintf("%-4s  %s (%s)", word, t.Test, t.Elapsed.Round(10*time.Millisecond))
	if r := t.Result; r != nil {
		line += fmt.Sprintf("  %d requests, p99 %s, %s", r.Requests, assert.UnitDuration.Format(float64(r.Latency.P99NS)), quantity.Errors(r.Errors, r.Requests))
	}
	return line
}

// pkgLine is the lasting line of the package that ended last, as go test
// writes it; "" for a package that ran no test and did not fail.
func pkgLine(s *gotest.Session) string {
	p := s.LastEnded
	if p == nil {
		return ""
	}
	tests := 0
	for _, t := range s.Order {
		if t.Package == p.Path {
			tests++
		}
	}
	switch {
	case p.Status == gotest.StatusFail || p.FailedBuild:
		return fmt.Sprintf("FAIL  %s (%s)", p.Path, p.Elapsed.Round(10*time.Millisecond))
	case tests == 0:
		return ""
	}
	return fmt.Sprintf("ok    %s (%s)", p.Path, p.Elapsed.Round(10*time.Millisecond))
}
