//go:build unix

package main

import (
	"io"

	"golang.org/x/sys/unix"
)

// terminalWidth returns the width in columns of the terminal w writes to;
// ok is false when w is not a terminal. (x/sys is already a dependency of
// the module; x/term would add one for the same two calls.) Unlike a
// check of os.ModeCharDevice, it tells /dev/null from a terminal.
func terminalWidth(w io.Writer) (width int, ok bool) {
	f, isFile := fileOf(w)
	if !isFile {
		return 0, false
	}
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	if err != nil {
		return 0, false
	}
	return int(ws.Col), true
}
