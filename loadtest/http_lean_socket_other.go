//go:build !unix

package loadtest

import "errors"

// rawSocketIO says whether leanSocket may write and read the descriptor of
// a TCP connection itself: not on this platform, where Lean reads and
// writes through net.Conn.
const rawSocketIO = false

var errNoRawIO = errors.New("loadtest: raw socket I/O is not available on this platform")

func rawWrite(uintptr, []byte) (int, error) { return 0, errNoRawIO }
func rawRead(uintptr, []byte) (int, error)  { return 0, errNoRawIO }
