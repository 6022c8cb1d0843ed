package loadtest

import (
	"container/heap"
	"errors"
	"iter"
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// userLoops runs the closed-model users of a scenario as coroutines on
// event loops, one per CPU (see usesUserLoops for when, and why).
type userLoops struct {
	users userBody
	mu    sync.Mutex
	loops []*userLoop
	err   error // creating the loops failed: users run as goroutines
}

// userLoop is one event loop: a goroutine that waits on one epoll set for
// its users' connections, timers and wake-ups, and runs each user (a
// coroutine, through iter.Pull) until it waits again. Only the loop and
// the user it is running touch the loop's state, except for what mu
// guards and the eventfd, through which other goroutines hand it work.
type userLoop struct {
	users userBody
	ep    int // epoll descriptor
	event int // eventfd: new users, wake-ups, offloaded work done, interrupts

	mu       sync.Mutex
	incoming []int       // users to start
	offDone  []*loopUser // users whose offloaded work ended
	closing  bool        // no users will come any more
	woke     bool        // wake was called
	broken   bool        // a connection was interrupted
	gone     bool        // the loop ended and closed its descriptors

	live      int // users started and not yet returned
	timers    userTimers
	wakeable  []*loopUser // users waiting for the engine's wake-up, each once (listed)
	current   *loopUser   // the user running now, if any
	restarted bool        // run is starting again after lostUser
	conns     []*loopConn // by descriptor: an event's lookup on the request path is an index
	events    []syscall.EpollEvent
	file      *os.File        // ep, registered with Go's netpoller
	raw       syscall.RawConn // file's
	deadline  int64           // mono time file's read deadline is set to (maybe passed); 0 for none
}

// loopUser is one closed-model user running as a coroutine on a loop. The
// user's code calls its wait methods, which yield to the loop; the loop
// resumes the user when what it waits for has come.
type loopUser struct {
	loop  *userLoop
	next  func() (struct{}, bool)
	yield func(struct{}) bool

	// What the user waits for, set before it yields.
	conn     *loopConn // for want on conn
	want     uint32    // epoll events
	until    int64     // mono time the wait ends at; 0 for none
	waitWake bool      // for the engine's wake-up (a parked or thinking user)
	listed   bool      // in the loop's wakeable list
	offload  bool      // for work running on another goroutine
	timedOut bool      // the loop resumed it because until came
	heapAt   int       // index in the loop's timers; -1 when not there
}

// userLoopPlatform says whether this platform has user loops.
const userLoopPlatform = true

const epollET = 1 << 31

// newUserLoops returns loops that run users' bodies. They start on the
// first user.
func newUserLoops(users userBody) *userLoops {
	return &userLoops{users: users}
}

// start runs user id on a loop, starting the loops on first use. It
// reports false when there are no loops (ls is nil, they could not be
// created, or the load is over); the caller then runs the user as a
// goroutine.
func (ls *userLoops) start(id int) bool {
	if ls == nil {
		return false
	}
	ls.mu.Lock()
	if ls.loops == nil && ls.err == nil {
		ls.open()
	}
	loops := ls.loops
	ls.mu.Unlock()
	if loops == nil {
		return false
	}
	l := loops[id%len(loops)]
	l.mu.Lock()
	closing := l.closing
	if !closing {
		l.incoming = append(l.incoming, id)
	}
	l.mu.Unlock()
	if closing {
		return false // the load is over; the user, as a goroutine, sees it and returns
	}
	l.signal()
	return true
}

func (ls *userLoops) open() {
	n := max(1, runtime.GOMAXPROCS(0))
	for range n {
		l, err := newUserLoop(ls.users)
		if err != nil {
			for _, l := range ls.loops {
				l.release()
			}
			ls.loops, ls.err = nil, err
			return
		}
		ls.loops = append(ls.loops, l)
	}
	for _, l := range ls.loops {
		ls.users.wg.Add(1)
		go l.run()
	}
}

// wake makes every loop resume its users that wait for the engine's
// wake-up, and those whose connection was interrupted.
func (ls *userLoops) wake() {
	if ls == nil {
		return
	}
	for _, l := range ls.started() {
		l.mu.Lock()
		l.woke = true
		l.signalLocked()
		l.mu.Unlock()
	}
}

// close tells the loops that no user will come any more, and wakes their
// users (see wake) so that they see the end of the load: each loop ends
// once its users have returned.
func (ls *userLoops) close() {
	if ls == nil {
		return
	}
	for _, l := range ls.started() {
		l.mu.Lock()
		l.closing, l.woke = true, true
		l.signalLocked()
		l.mu.Unlock()
	}
}

// started returns the loops, if they were started; it does not start them.
func (ls *userLoops) started() []*userLoop {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.loops
}

func newUserLoop(users userBody) (*userLoop, error) {
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	r, _, errno := syscall.Syscall(syscall.SYS_EVENTFD2, 0, syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if errno != 0 {
		syscall.Close(ep)
		return nil, errno
	}
	l := &userLoop{users: users, ep: ep, event: int(r), events: make([]syscall.EpollEvent, 128)}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(l.event)}
	err = syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, l.event, &ev)
	if err == nil {
		err = syscall.SetNonblock(ep, true) // for os.NewFile to register it with the netpoller
	}
	if err == nil {
		l.file = os.NewFile(uintptr(ep), "epoll")
		l.raw, err = l.file.SyscallConn()
	}
	if err != nil {
		l.release()
		return nil, err
	}
	return l, nil
}

func (l *userLoop) release() {
	l.mu.Lock()
	l.gone = true
	l.mu.Unlock()
	for _, c := range l.conns {
		if c != nil {
			c.closeFD()
		}
	}
	l.conns = nil
	syscall.Close(l.event)
	if l.file != nil {
		l.file.Close()
	} else {
		syscall.Close(l.ep)
	}
}

// conn returns the connection of descriptor fd, or nil.
func (l *userLoop) conn(fd int32) *loopConn {
	if int(fd) < len(l.conns) {
		return l.conns[fd]
	}
	return nil
}

// addConn registers c under its descriptor.
func (l *userLoop) addConn(c *loopConn) {
	if c.fd >= len(l.conns) {
		l.conns = append(l.conns, make([]*loopConn, c.fd+1-len(l.conns))...)
	}
	l.conns[c.fd] = c
}

// signal wakes the loop from any goroutine; once the loop has ended it
// does nothing (the eventfd's number may belong to another file by then).
func (l *userLoop) signal() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.signalLocked()
}

func (l *userLoop) signalLocked() {
	if !l.gone {
		one := [8]byte{1}
		syscall.Write(l.event, one[:])
	}
}

func (l *userLoop) run() {
	generatorLabels()
	normal := false
	defer func() {
		if !normal && l.current != nil {
			l.lostUser()
			return
		}
		l.release()
		l.users.wg.Done()
	}()
	if l.users.own != nil {
		l.users.own()
	}
	if l.restarted { // see lostUser
		l.restarted = false
		for _, c := range l.conns {
			if c != nil && c.waiter != nil {
				l.resume(c.waiter, false)
			}
		}
	}
	l.handOver()
	for {
		l.mu.Lock()
		done := l.closing && l.live == 0 && len(l.incoming) == 0
		l.mu.Unlock()
		if done {
			normal = true
			return
		}
		n := l.poll()
		for _, ev := range l.events[:n] {
			if ev.Fd == int32(l.event) {
				var b [8]byte
				syscall.Read(l.event, b[:])
				l.handOver()
				continue
			}
			c := l.conn(ev.Fd)
			if c == nil {
				continue
			}
			if ev.Events&(syscall.EPOLLIN|syscall.EPOLLHUP|syscall.EPOLLERR|syscall.EPOLLRDHUP) != 0 {
				c.rready = true
			}
			if ev.Events&(syscall.EPOLLHUP|syscall.EPOLLERR|syscall.EPOLLRDHUP) != 0 {
				c.hup = true
			}
			if ev.Events&(syscall.EPOLLOUT|syscall.EPOLLHUP|syscall.EPOLLERR) != 0 {
				c.wready = true
			}
			if u := c.waiter; u != nil && (u.want&syscall.EPOLLIN != 0 && c.rready || u.want&syscall.EPOLLOUT != 0 && c.wready) {
				l.resume(u, false)
			}
		}
		if len(l.timers) > 0 {
			now := mono()
			for len(l.timers) > 0 && l.timers[0].until <= now {
				l.resume(l.timers[0], true)
			}
		}
	}
}

// poll waits for events, up to the earliest timer, and returns how many
// came. The loop waits in Go's netpoller, where its epoll descriptor is
// registered, not in a blocking epoll_wait: a goroutine blocked in a
// system call makes the runtime's monitor hand its processor to another
// thread and wake every 20 µs while it lasts, which cost the loop a tenth
// of its CPU.
func (l *userLoop) poll() int {
	if len(l.timers) > 0 {
		// The deadline may lie before the earliest timer (the loop wakes,
		// finds nothing due and waits again), never after it; it is moved
		// only when it is more than timerSlack early, as moving it costs.
		first, now := l.timers[0].until, mono()
		if l.deadline == 0 || l.deadline <= now || first < l.deadline || first-l.deadline > int64(timerSlack) {
			l.deadline = first
			l.file.SetReadDeadline(time.Now().Add(time.Duration(first - now)))
		}
	} else if l.deadline != 0 {
		l.deadline = 0
		l.file.SetReadDeadline(time.Time{})
	}
	n := 0
	err := l.raw.Read(func(fd uintptr) bool { // called before it parks, and after
		n = epollNow(int(fd), l.events)
		return n != 0
	})
	if err != nil {
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			panic("loadtest: user loop: " + err.Error()) // the descriptor is the loop's own: a bug here
		}
		return 0
	}
	return max(n, 0)
}

// timerSlack is how much earlier than its earliest timer a loop may wake.
const timerSlack = 500 * time.Microsecond

// epollNow returns the events ready on ep without waiting, or -1 when
// interrupted.
func epollNow(ep int, events []syscall.EpollEvent) int {
	r, _, errno := syscall.RawSyscall6(syscall.SYS_EPOLL_PWAIT, uintptr(ep), uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), 0, 0, 0)
	switch errno {
	case 0:
		return int(r)
	case syscall.EINTR:
		return -1
	}
	panic("loadtest: user loop: epoll_wait: " + errno.Error()) // EBADF, EFAULT or EINVAL: a bug here
}

// handOver takes the work other goroutines handed the loop: starts new
// users, resumes those whose offloaded work ended, and those waiting for
// the engine's wake-up or on an interrupted connection when either came.
func (l *userLoop) handOver() {
	l.mu.Lock()
	incoming, offDone, woke, broken := l.incoming, l.offDone, l.woke, l.broken
	l.incoming, l.offDone, l.woke, l.broken = nil, nil, false, false
	l.mu.Unlock()
	for _, id := range incoming {
		l.startUser(id)
	}
	for _, u := range offDone {
		l.resume(u, false)
	}
	if woke {
		wakeable := l.wakeable
		l.wakeable = nil
		for _, u := range wakeable {
			u.listed = false
			if u.waitWake {
				l.resume(u, false)
			}
		}
	}
	if broken {
		for _, c := range l.conns {
			if c != nil && c.interrupted.Load() && c.waiter != nil {
				l.resume(c.waiter, false)
			}
		}
	}
}

func (l *userLoop) startUser(id int) {
	u := &loopUser{loop: l, heapAt: -1}
	// A loop ends only once all its users have returned, so no coroutine is
	// left suspended and iter.Pull's stop function is never needed.
	u.next, _ = iter.Pull(func(yield func(struct{}) bool) {
		u.yield = yield
		l.users.run(id, u)
	})
	l.live++
	l.resume(u, false)
}

// resume runs u until it waits again or returns, and registers what it
// waits for.
func (l *userLoop) resume(u *loopUser, timedOut bool) {
	if u.heapAt >= 0 {
		heap.Remove(&l.timers, u.heapAt)
	}
	if u.conn != nil && u.conn.waiter == u {
		u.conn.waiter = nil
	}
	u.waitWake, u.offload, u.timedOut = false, false, timedOut
	l.current = u
	_, ok := u.next()
	l.current = nil
	if !ok {
		l.live--
		return
	}
	if u.offload {
		return // handOver resumes it
	}
	if u.until > 0 {
		heap.Push(&l.timers, u)
	}
	if u.conn != nil {
		u.conn.waiter = u
	}
	if u.waitWake && !u.listed {
		u.listed = true
		l.wakeable = append(l.wakeable, u)
	}
}

// lostUser goes on after the user running called runtime.Goexit (a Check
// that calls t.FailNow, say), which iter.Pull passes on to the loop's
// goroutine: that user is gone, its deferred calls done, as a goroutine
// user would be; the loop goes on for the others on a new goroutine. The
// events of the batch being handled are lost with the old one, so every
// user waiting for a connection is resumed to look again (a socket with
// nothing to read says so, and the next data brings a new event).
func (l *userLoop) lostUser() {
	l.current = nil
	l.live--
	for _, c := range l.conns {
		if c != nil {
			c.rready, c.wready = true, true
		}
	}
	l.restarted = true
	go l.run()
}

// suspend yields to the loop until what the caller set it to wait for
// comes. The loop resumes every user it suspends: it ends only once they
// have all returned (startUser).
func (u *loopUser) suspend() {
	u.yield(struct{}{})
}

// pause waits for the engine's wake-up, or until mono time until (0: no
// limit); the caller looks again at what it waits for.
func (u *loopUser) pause(until int64) {
	u.conn, u.until, u.waitWake = nil, until, true
	u.suspend()
	u.until = 0
}

// run runs f on a goroutine of its own, for work that blocks (dialling a
// connection), while the loop goes on with its other users.
func (u *loopUser) run(f func()) {
	if u == nil {
		f()
		return
	}
	l := u.loop
	u.offload = true
	go func() {
		f()
		l.mu.Lock()
		l.offDone = append(l.offDone, u)
		l.mu.Unlock()
		l.signal()
	}()
	u.suspend()
}

// userTimers is a min-heap of users by the mono time their wait ends.
type userTimers []*loopUser

func (h userTimers) Len() int           { return len(h) }
func (h userTimers) Less(i, j int) bool { return h[i].until < h[j].until }
func (h userTimers) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapAt, h[j].heapAt = i, j
}
func (h *userTimers) Push(x any) {
	u := x.(*loopUser)
	u.heapAt = len(*h)
	*h = append(*h, u)
}
func (h *userTimers) Pop() any {
	old := *h
	u := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	u.heapAt = -1
	return u
}
