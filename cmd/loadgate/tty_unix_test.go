//go:build linux

package main

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// TestTerminalWidthThroughPipeWatch: main wraps the standard output and
// error in a pipeWatch; a terminal behind it is still a terminal, so that
// loadgate run in a terminal draws its live display, not the plain one.
func TestTerminalWidthThroughPipeWatch(t *testing.T) {
	f, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer f.Close()
	if err := unix.IoctlSetWinsize(int(f.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 123}); err != nil {
		t.Skipf("setting the pseudo-terminal's size: %v", err)
	}
	w := &pipeWatch{w: f, broken: func() {}}
	if n, ok := terminalWidth(w); !ok || n != 123 {
		t.Errorf("terminalWidth(pipeWatch over a 123-column terminal) = %d, %v; want 123, true", n, ok)
	}
	if d, _ := newDisplay(progressAuto, w); !isTTYDisplay(d) {
		t.Errorf("newDisplay(auto, pipeWatch over a terminal) is not the terminal display")
	}
}

func isTTYDisplay(d display) bool {
	_, ok := d.(*ttyDisplay)
	return ok
}
