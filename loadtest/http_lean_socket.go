package loadtest

import (
	"io"
	"net"
	"os"
	"syscall"
)

// Through net.Conn, a Lean request costs one write and two reads: the read
// right after the write almost always finds nothing yet (EAGAIN), and only
// then does the goroutine wait in the netpoller for the answer. wrk, with
// its own epoll loop, makes one read. leanSocket removes the empty read: it
// makes the request's write inside a syscall.RawConn.Read, whose readiness
// wait is armed before the write, returns false to wait for the answer, and
// reads once it is readable. A spurious wake-up or a short write falls back
// to the ordinary path, so the bytes on the wire and the timing (the first
// response byte read) are the same as through net.Conn.

// leanSocket is the reader under a plain-TCP Lean connection's
// bufio.Reader. The worker that owns the connection sets pending to the
// request it wants sent, then reads through the bufio.Reader: the first
// Read writes pending and waits for the answer in one step. Reads with
// nothing pending are ordinary reads.
type leanSocket struct {
	conn    net.Conn
	rc      syscall.RawConn
	pending []byte // the request to write before the next read

	// One rawStep sequence's state.
	p     []byte
	n     int
	err   error
	wrote bool
	step  func(fd uintptr) bool // rawStep, bound once so that Read allocates nothing
}

// newLeanSocket returns the socket for c, or nil when c is not a TCP
// connection whose descriptor the platform lets Lean use directly.
func newLeanSocket(c net.Conn) *leanSocket {
	tc, ok := c.(*net.TCPConn)
	if !ok || !rawSocketIO {
		return nil
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return nil
	}
	s := &leanSocket{conn: c, rc: rc}
	s.step = s.rawStep
	return s
}

// Read writes the pending request, if any, waits for the connection to be
// readable and reads into p.
func (s *leanSocket) Read(p []byte) (int, error) {
	if len(s.pending) == 0 {
		return s.conn.Read(p)
	}
	s.p, s.n, s.err, s.wrote = p, 0, nil, false
	err := s.rc.Read(s.step)
	s.p = nil
	switch {
	case err != nil: // the deadline, or the connection closed under us
		s.pending = nil
		return 0, err
	case s.err != nil:
		s.pending = nil
		op := "read"
		if !s.wrote {
			op = "write"
		}
		return 0, &net.OpError{Op: op, Net: "tcp", Source: s.conn.LocalAddr(), Addr: s.conn.RemoteAddr(), Err: os.NewSyscallError(op, s.err)}
	case !s.wrote:
		// The socket's send buffer was full (a large body): write the rest
		// the ordinary way, then read the ordinary way.
		rest := s.pending
		s.pending = nil
		if _, err := s.conn.Write(rest); err != nil {
			return 0, err
		}
		return s.conn.Read(p)
	case s.n == 0:
		return 0, io.EOF
	}
	return s.n, nil
}

// rawStep is the function RawConn.Read calls until it returns true: first
// it writes the pending request and asks to wait; after each wake-up it
// reads, and asks to wait again if there was nothing to read after all.
func (s *leanSocket) rawStep(fd uintptr) bool {
	if !s.wrote {
		for len(s.pending) > 0 {
			n, err := rawWrite(fd, s.pending)
			switch err {
			case nil:
				s.pending = s.pending[n:]
			case syscall.EINTR:
			case syscall.EAGAIN:
				return true // Read writes the rest through conn
			default:
				s.err = err
				return true
			}
		}
		s.pending, s.wrote = nil, true
		return false // wait until the answer is readable
	}
	for {
		n, err := rawRead(fd, s.p)
		switch err {
		case nil:
			s.n = n
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false // woken early: wait again
		default:
			s.err = err
		}
		return true
	}
}
