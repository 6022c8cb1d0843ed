package loadtest

import "sync"

// idleWorkers holds the open model's idle workers, each waiting on a
// channel of its own, and the arrivals that found none idle (see
// [engine.submit]). It hands the next arrival to the worker that became
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
	// queue holds arrivals, oldest first, that wait for a worker: the
	// next worker to finish a request takes the oldest, or the scheduler
	// starts a new worker for it (startingWorkers).
	queue []job
	head  int // queue[head:] are waiting
}

// hand gives j to the worker that became idle last, and reports whether
// there was one.
func (iw *idleWorkers) hand(j job) bool {
	iw.mu.Lock()
	ch := iw.popIdle()
	iw.mu.Unlock()
	if ch == nil {
		return false
	}
	ch <- j // buffered: the worker is waiting for it, or about to
	return true
}

// handOrQueue gives j to the worker that became idle last or, if none is,
// queues it for the next worker to finish a request. It reports whether j
// was handed.
func (iw *idleWorkers) handOrQueue(j job) bool {
	iw.mu.Lock()
	ch := iw.popIdle()
	if ch == nil {
		j.queued = true
		iw.queue = append(iw.queue, j)
	}
	iw.mu.Unlock()
	if ch == nil {
		return false
	}
	ch <- j
	return true
}

// popIdle removes and returns the worker that became idle last; nil if
// none is. The caller holds mu.
func (iw *idleWorkers) popIdle() chan job {
	n := len(iw.stack)
	if n == 0 {
		return nil
	}
	ch := iw.stack[n-1]
	iw.stack[n-1] = nil
	iw.stack = iw.stack[:n-1]
	return ch
}

// take returns the worker's next arrival: the oldest queued one at once
// if any is waiting, else the one handed to it on ch after it becomes
// idle. false means the load is over and the worker must exit; queued
// arrivals are still taken after close, so none is lost.
func (iw *idleWorkers) take(ch chan job) (job, bool) {
	iw.mu.Lock()
	if j, ok := iw.dequeue(); ok {
		iw.mu.Unlock()
		return j, true
	}
	if iw.closed {
		iw.mu.Unlock()
		return job{}, false
	}
	iw.stack = append(iw.stack, ch)
	iw.mu.Unlock()
	j, ok := <-ch
	return j, ok
}

// takeQueued removes and returns the oldest queued arrival.
func (iw *idleWorkers) takeQueued() (job, bool) {
	iw.mu.Lock()
	defer iw.mu.Unlock()
	return iw.dequeue()
}

// waiting says arrivals are queued.
func (iw *idleWorkers) waiting() bool {
	iw.mu.Lock()
	defer iw.mu.Unlock()
	return iw.head < len(iw.queue)
}

// dequeue removes and returns the oldest queued arrival. The caller holds
// mu.
func (iw *idleWorkers) dequeue() (job, bool) {
	if iw.head == len(iw.queue) {
		return job{}, false
	}
	j := iw.queue[iw.head]
	iw.queue[iw.head] = job{}
	iw.head++
	if iw.head == len(iw.queue) {
		iw.queue, iw.head = iw.queue[:0], 0
	}
	return j, true
}

// close ends every idle worker, and those that become idle later once the
// queue is empty.
func (iw *idleWorkers) close() {
	iw.mu.Lock()
	defer iw.mu.Unlock()
	iw.closed = true
	for _, ch := range iw.stack {
		close(ch)
	}
	iw.stack = nil
}
