//go:build !windows

package main

import (
	"errors"
	"syscall"
)

// isBrokenPipe reports whether err is a write's failure because the reader
// of the pipe went away: EPIPE, once SIGPIPE is caught.
func isBrokenPipe(err error) bool { return errors.Is(err, syscall.EPIPE) }
