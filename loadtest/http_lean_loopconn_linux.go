package loadtest

import (
	"errors"
	"io"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// loopConn is a Lean connection owned by a user running on a user loop
// (userloop_linux.go). It holds the socket's descriptor itself, outside
// Go's netpoller: the loop's epoll waits for it, and a read or write that
// would block yields to the loop instead of parking a goroutine. Only the
// owning user calls its methods, except interrupt.
type loopConn struct {
	fd            int
	user          *loopUser
	local, remote net.Addr

	// Edge-triggered readiness, set by the loop's events and cleared when
	// a read or write finds nothing to do; a stale true costs one EAGAIN.
	rready, wready bool
	// hup says an event reported the peer's end of the stream or an
	// error: whatever a read finds, the next one is worth trying, as no
	// further event will come.
	hup    bool
	waiter *loopUser // the owner while it waits for this connection

	deadline    int64       // mono time; 0 for none
	interrupted atomic.Bool // interrupt was called: waits and calls fail
	closed      bool        // the descriptor is closed
}

// newLoopConn takes nc's socket out of Go's netpoller (a duplicate of its
// descriptor, registered with u's loop, then nc is closed) for u to use.
// On error nc is closed.
func newLoopConn(u *loopUser, nc net.Conn) (*loopConn, error) {
	defer nc.Close()
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		return nil, errors.New("loadtest: user loop: not a TCP connection")
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return nil, err
	}
	fd := -1
	var dupErr error
	if err := rc.Control(func(s uintptr) {
		r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, s, syscall.F_DUPFD_CLOEXEC, 0)
		if errno != 0 {
			dupErr = errno
			return
		}
		fd = int(r)
	}); err != nil {
		return nil, err
	}
	if dupErr != nil {
		return nil, os.NewSyscallError("fcntl", dupErr)
	}
	// O_NONBLOCK belongs to the open file, which the duplicate shares.
	c := &loopConn{fd: fd, user: u, local: nc.LocalAddr(), remote: nc.RemoteAddr(), rready: true, wready: true}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLOUT | syscall.EPOLLRDHUP | epollET, Fd: int32(fd)}
	if err := syscall.EpollCtl(u.loop.ep, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
		syscall.Close(fd)
		return nil, os.NewSyscallError("epoll_ctl", err)
	}
	u.loop.addConn(c)
	return c, nil
}

// Read reads what the socket holds, waiting in the loop until it holds
// something.
func (c *loopConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if err := c.usable("read"); err != nil {
			return 0, err
		}
		if c.rready {
			n, err := sysRead(c.fd, p)
			switch {
			case err == syscall.EINTR:
				continue
			case err == syscall.EAGAIN:
				c.rready = false
			case err != nil:
				return 0, c.opError("read", os.NewSyscallError("read", err))
			case n == 0:
				return 0, io.EOF
			default:
				// A short read emptied the socket: the next data brings
				// an event, so the next read need not try first, unless
				// the end of the stream came already.
				c.rready = n == len(p) || c.hup
				return n, nil
			}
		}
		if err := c.wait("read", syscall.EPOLLIN); err != nil {
			return 0, err
		}
	}
}

// Write writes all of p, waiting in the loop while the socket's buffer is
// full.
func (c *loopConn) Write(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		if err := c.usable("write"); err != nil {
			return written, err
		}
		if c.wready {
			n, err := sysWrite(c.fd, p[written:])
			switch {
			case err == syscall.EINTR:
				continue
			case err == syscall.EAGAIN:
				c.wready = false
			case err != nil:
				return written, c.opError("write", os.NewSyscallError("write", err))
			default:
				written += n
				continue
			}
		}
		if err := c.wait("write", syscall.EPOLLOUT); err != nil {
			return written, err
		}
	}
	return written, nil
}

// usable fails a call on a closed or interrupted connection, or one past
// its deadline.
func (c *loopConn) usable(op string) error {
	if c.closed || c.interrupted.Load() {
		return c.opError(op, net.ErrClosed)
	}
	if c.deadline != 0 && mono() >= c.deadline {
		return c.opError(op, os.ErrDeadlineExceeded)
	}
	return nil
}

// wait yields to the loop until the socket is ready for want, the
// deadline comes or the connection is interrupted.
func (c *loopConn) wait(op string, want uint32) error {
	u := c.user
	u.conn, u.want, u.until = c, want, c.deadline
	u.suspend()
	u.conn, u.until = nil, 0
	if u.timedOut {
		return c.opError(op, os.ErrDeadlineExceeded)
	}
	return nil
}

func (c *loopConn) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: "tcp", Source: c.local, Addr: c.remote, Err: err}
}

// Close closes the descriptor; only the owner calls it, on its loop.
func (c *loopConn) Close() error {
	if c.closed {
		return nil
	}
	c.user.loop.conns[c.fd] = nil
	c.closeFD()
	return nil
}

func (c *loopConn) closeFD() {
	if !c.closed {
		c.closed = true
		syscall.Close(c.fd) // which takes it out of the epoll set
	}
}

// interrupt makes the owner's calls fail from now on, waking it if it
// waits; any goroutine may call it. The descriptor stays open until the
// owner closes it or its loop ends, so that its number cannot be reused
// under a read.
func (c *loopConn) interrupt() {
	if !c.interrupted.Swap(true) {
		l := c.user.loop
		l.mu.Lock()
		l.broken = true
		l.signalLocked()
		l.mu.Unlock()
	}
}

func (c *loopConn) LocalAddr() net.Addr  { return c.local }
func (c *loopConn) RemoteAddr() net.Addr { return c.remote }

// SetDeadline sets the time after which reads and writes fail with
// os.ErrDeadlineExceeded.
func (c *loopConn) SetDeadline(t time.Time) error {
	c.deadline = 0
	if !t.IsZero() {
		c.deadline = max(mono()+int64(time.Until(t)), 1)
	}
	return nil
}

func (c *loopConn) SetReadDeadline(t time.Time) error  { return c.SetDeadline(t) }
func (c *loopConn) SetWriteDeadline(t time.Time) error { return c.SetDeadline(t) }

// sysRead and sysWrite read and write a non-blocking descriptor without
// telling the scheduler that a system call may block (syscall.RawSyscall):
// they never block, and telling it costs on every request.
func sysRead(fd int, p []byte) (int, error) {
	r, _, errno := syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}

func sysWrite(fd int, p []byte) (int, error) {
	r, _, errno := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}
