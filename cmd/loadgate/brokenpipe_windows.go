package main

import (
	"errors"
	"syscall"
)

// errorNoData is ERROR_NO_DATA, "The pipe is being closed.": what a write
// to a pipe whose reader went away fails with on Windows (syscall does not
// name it).
const errorNoData syscall.Errno = 232

// isBrokenPipe reports whether err is a write's failure because the reader
// of the pipe went away. Windows has no EPIPE: its writes fail with
// ERROR_NO_DATA, or ERROR_BROKEN_PIPE once the pipe is gone.
func isBrokenPipe(err error) bool {
	var errno syscall.Errno
	return errors.As(err, &errno) && (errno == errorNoData || errno == syscall.ERROR_BROKEN_PIPE)
}
