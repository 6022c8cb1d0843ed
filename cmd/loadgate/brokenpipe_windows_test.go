package main

import "syscall"

// brokenPipeErrnos are the errors a write to a pipe whose reader went away
// fails with here.
var brokenPipeErrnos = []syscall.Errno{errorNoData, syscall.ERROR_BROKEN_PIPE}
