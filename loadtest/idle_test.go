package loadtest

import (
	"testing"
	"time"
)

// idleAfter makes a worker that receives on ch idle, in a goroutine of its
// own (take blocks), and waits until it is on the stack; what it takes
// arrives on got.
func idleAfter(t *testing.T, iw *idleWorkers, ch chan job, got chan<- job) {
	t.Helper()
	iw.mu.Lock()
	n := len(iw.stack)
	iw.mu.Unlock()
	go func() {
		j, ok := iw.take(ch)
		if ok {
			got <- j
		} else {
			got <- job{slot: -1}
		}
	}()
	for deadline := time.Now().Add(5 * time.Second); ; {
		iw.mu.Lock()
		m := len(iw.stack)
		iw.mu.Unlock()
		if m > n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("worker did not become idle")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestIdleWorkersLastInFirstOut checks that an arrival goes to the worker
// that became idle last, so that a pool grown by a spike leaves its extra
// workers (and their connections) idle, and that closing ends every idle
// worker.
func TestIdleWorkersLastInFirstOut(t *testing.T) {
	var iw idleWorkers
	if iw.hand(job{}) {
		t.Fatal("handed an arrival with no worker idle")
	}
	var gots []chan job
	for range 3 {
		got := make(chan job, 1)
		idleAfter(t, &iw, make(chan job, 1), got)
		gots = append(gots, got)
	}
	for want := 2; want >= 1; want-- {
		if !iw.hand(job{slot: 10 + want}) {
			t.Fatalf("hand %d found no idle worker", want)
		}
		if j := <-gots[want]; j.slot != 10+want {
			t.Fatalf("worker %d got arrival %d, want %d (the last idle gets it)", want, j.slot, 10+want)
		}
	}
	iw.close()
	if j := <-gots[0]; j.slot != -1 {
		t.Errorf("an idle worker got arrival %d after close, want to be told to exit", j.slot)
	}
	if _, ok := iw.take(make(chan job, 1)); ok {
		t.Error("a worker became idle after close")
	}
}

// TestIdleWorkersQueue checks the queue of arrivals that found no worker
// idle: oldest first, to a worker that finishes or to the scheduler, to an
// idle worker rather than the queue, and none lost at close.
func TestIdleWorkersQueue(t *testing.T) {
	var iw idleWorkers
	for i := 1; i <= 3; i++ {
		if iw.handOrQueue(job{slot: i}) {
			t.Fatalf("arrival %d handed with no worker idle", i)
		}
	}
	if !iw.waiting() {
		t.Fatal("waiting false with three arrivals queued")
	}
	if j, ok := iw.take(make(chan job, 1)); !ok || j.slot != 1 || !j.queued {
		t.Fatalf("a finishing worker took %+v, %v; want the oldest queued (1), marked queued", j, ok)
	}
	if j, ok := iw.takeQueued(); !ok || j.slot != 2 {
		t.Fatalf("takeQueued = %+v, %v; want arrival 2", j, ok)
	}
	iw.close()
	if j, ok := iw.take(make(chan job, 1)); !ok || j.slot != 3 {
		t.Fatalf("after close a worker took %+v, %v; want the last queued arrival (3)", j, ok)
	}
	if iw.waiting() {
		t.Fatal("queue not empty after every arrival was taken")
	}

	var iw2 idleWorkers
	got := make(chan job, 1)
	idleAfter(t, &iw2, make(chan job, 1), got)
	if !iw2.handOrQueue(job{slot: 7}) {
		t.Fatal("handOrQueue queued an arrival while a worker was idle")
	}
	if j := <-got; j.slot != 7 || j.queued {
		t.Fatalf("idle worker got %+v, want arrival 7, not queued", j)
	}
}
