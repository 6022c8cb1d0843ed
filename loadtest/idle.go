package loadtest

import "sync"

// idleWorkers holds the open model's idle workers, each waiting on a
// channel of its own, and hands the next arrival to the one that became
// idle last. A channel shared by all idle workers hands arrivals round the
// whole pool instead (its waiting receivers are served first come, first
// served): after a latency spike had grown the pool to thousands of
// workers, each with a connection of its own, every worker and connection
// was then used in turn, cold, and the server kept thousands of busy
// connections, which made it slower still. Last in, first out keeps the
// workers that the steady rate needs busy, and the rest idle.
type idleWorkers struct {
	mu     sync.Mutex
	stack  []chan job
	closed bool
	// freed has a token after a worker became idle: the scheduler waits on
	// it when every worker exists and none is idle yet.
	freed chan struct{}
}

// hand gives j to the worker that became idle last, and reports whether
// there was one.
func (iw *idleWorkers) hand(j job) bool {
	iw.mu.Lock()
	n := len(iw.stack)
	if n == 0 {
		iw.mu.Unlock()
		return false
	}
	ch := iw.stack[n-1]
	iw.stack[n-1] = nil
	iw.stack = iw.stack[:n-1]
	iw.mu.Unlock()
	ch <- j // buffered: the worker is waiting for it, or about to
	return true
}

// push makes the worker that receives on ch idle; false means the load is
// over and the worker must exit.
func (iw *idleWorkers) push(ch chan job) bool {
	iw.mu.Lock()
	if iw.closed {
		iw.mu.Unlock()
		return false
	}
	iw.stack = append(iw.stack, ch)
	iw.mu.Unlock()
	select {
	case iw.freed <- struct{}{}:
	default:
	}
	return true
}

// close ends every idle worker, and those that become idle later.
func (iw *idleWorkers) close() {
	iw.mu.Lock()
	defer iw.mu.Unlock()
	iw.closed = true
	for _, ch := range iw.stack {
		close(ch)
	}
	iw.stack = nil
}
