//go:build !unix

package gotest

import (
	"os"
	"os/exec"
)

// setProcessGroup does nothing where there are no Unix process groups.
func setProcessGroup(cmd *exec.Cmd) {}

// interruptGroup kills p: without process groups there is no interrupt
// to forward (os.Interrupt cannot be sent on Windows).
func interruptGroup(p *os.Process) { p.Kill() }

// killGroup kills p.
func killGroup(p *os.Process) { p.Kill() }
