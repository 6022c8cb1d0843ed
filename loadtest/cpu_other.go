//go:build !unix

package loadtest

import "time"

// processCPU is not available on this platform; cpu_seconds stays 0.
func processCPU() (time.Duration, bool) { return 0, false }
