//go:build !unix

package main

// peakRSS returns 0: this system has neither /proc nor getrusage, and
// perf/run.sh, which reads the figure, runs on Linux.
func peakRSS() int64 { return 0 }
