//go:build unix

package loadtest

import "syscall"

// rawSocketIO says whether leanSocket may write and read the descriptor of
// a TCP connection itself.
const rawSocketIO = true

func rawWrite(fd uintptr, b []byte) (int, error) { return syscall.Write(int(fd), b) }
func rawRead(fd uintptr, b []byte) (int, error)  { return syscall.Read(int(fd), b) }
