package loadtest

import "sync"

// Closed-model users of a Lean HTTP target run as coroutines on event
// loops (userloop_linux.go), not as a goroutine each. With a goroutine per
// user, every request parks its goroutine in Go's netpoller and the
// scheduler readies it when the answer comes, which on the project's
// 2-core machine held Lean at 0.8× wrk: more CPU per request in the
// scheduler, and more idle time between a server's answer and the client's
// next request. A loop per CPU instead waits on one epoll set for all its
// users' sockets, as wrk's threads do, and switches straight to each user
// whose answer came. docs/PERFORMANCE.md, "Closed model: users on loops",
// has the measurements.
//
// Everything a user does stays the engine's ordinary code (engine.user,
// engine.do, HTTP.hitLean); only its waits differ. A read or write that
// would block, think time, and a parked user's wait for the plan to change
// yield to the loop; a dial runs on a goroutine of its own meanwhile, so
// that a slow one stalls no other user. Code of the caller's that blocks
// (a Request's NewBody or Check) holds up the other users of its loop
// while it runs. Targets other than a Lean HTTP target over plain TCP,
// other platforms, and the open model keep a goroutine per user or worker.

// userLoopsEnabled lets tests run the goroutine-per-user path for a Lean
// target too.
var userLoopsEnabled = true

// usesUserLoops reports whether the closed-model users of t run on user
// loops: t is the scenario's Target itself, an *HTTP on the Lean profile
// whose origins are all plain TCP.
func usesUserLoops(t Target) bool {
	h, ok := t.(*HTTP)
	if !ok || h.lean == nil || !userLoopsEnabled || !userLoopPlatform {
		return false
	}
	for _, o := range h.lean.origins {
		if o.tls {
			return false
		}
	}
	return true
}

// userBody is what user loops run.
type userBody struct {
	run func(id int, u *loopUser) // user id's whole life, as a coroutine
	wg  *sync.WaitGroup           // counts each loop's goroutine
	own func()                    // called by each loop's goroutine first; nil for none
}

// interrupter is a connection that another goroutine stops by interrupt
// rather than Close (a loopConn).
type interrupter interface {
	interrupt()
}
