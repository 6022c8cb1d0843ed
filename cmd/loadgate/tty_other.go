//go:build !unix

package main

import (
	"io"
	"os"
)

// terminalWidth reports a character device as a terminal of unknown
// width where loadgate has no system call to ask.
func terminalWidth(w io.Writer) (width int, ok bool) {
	f, isFile := fileOf(w)
	if !isFile {
		return 0, false
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return 0, false
	}
	return 0, true
}
