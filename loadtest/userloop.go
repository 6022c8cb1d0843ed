package loadtest

import "sync"

// Closed-model users of a Lean HTTP target run as coroutines on event
// loops (userloop_linux.go), not as a goroutine each. With a goroutine per
// user, every request parks its goroutine in Go's netpoller and the
// scheduler wakes it when the answer comes: on the project's 2-core
// machine that cost both sides CPU (the server spends more per request
// waking a client whose threads sleep between its requests, and the
// client more in the scheduler), and Lean reached 0.83-0.86× wrk. An event
// loop per CPU, locked to its thread, waits in epoll for all its users'
// sockets at once and switches to the user whose answer came, as wrk's
// threads do (docs/PERFORMANCE.md, "Closed model on user loops").
//
// Everything a user does stays the engine's ordinary code (engine.user,
// engine.do, HTTP.hitLean): only its waits differ. A read or write that
// would block, think time, and a parked user's wait for the plan to change
// yield to the loop; a dial runs on a goroutine of its own meanwhile, so
// that a slow one stalls no other user. Targets other than a Lean HTTP
// target over plain TCP, and other platforms, keep a goroutine per user,
// as does the open model.

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
