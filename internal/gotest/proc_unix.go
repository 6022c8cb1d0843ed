//go:build unix

package gotest

import (
	"os"
	"os/exec"
	"syscall"
)

// setProcessGroup starts cmd in a process group of its own, so that the
// terminal's Ctrl-C reaches loadgate only, and loadgate can stop go test
// with everything it started (test binaries, servers they run).
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// interruptGroup sends SIGINT to p's process group.
func interruptGroup(p *os.Process) { syscall.Kill(-p.Pid, syscall.SIGINT) }

// killGroup sends SIGKILL to p's process group.
func killGroup(p *os.Process) { syscall.Kill(-p.Pid, syscall.SIGKILL) }
