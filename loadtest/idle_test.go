package loadtest

import (
	"testing"
	"time"
)

// TestIdleWorkersLastInFirstOut checks that an arrival goes to the worker
// that became idle last, so that a pool grown by a spike leaves its extra
// workers (and their connections) idle, and that closing ends every idle
// worker and refuses those that come back later.
func TestIdleWorkersLastInFirstOut(t *testing.T) {
	iw := idleWorkers{freed: make(chan struct{}, 1)}
	if iw.hand(job{}) {
		t.Fatal("handed an arrival with no worker idle")
	}
	chans := []chan job{make(chan job, 1), make(chan job, 1), make(chan job, 1)}
	for _, ch := range chans {
		if !iw.push(ch) {
			t.Fatal("push refused before close")
		}
	}
	select {
	case <-iw.freed:
	default:
		t.Error("no token on freed after workers became idle")
	}
	for want := 2; want >= 0; want-- {
		at := time.Unix(int64(want), 0)
		if !iw.hand(job{intended: at}) {
			t.Fatalf("hand %d found no idle worker", want)
		}
		for i, ch := range chans {
			select {
			case j := <-ch:
				if i != want || !j.intended.Equal(at) {
					t.Fatalf("arrival went to worker %d, want %d (the last idle)", i, want)
				}
			default:
			}
		}
	}
	iw.push(chans[0])
	iw.close()
	if _, ok := <-chans[0]; ok {
		t.Error("an idle worker's channel is open after close")
	}
	if iw.push(chans[1]) {
		t.Error("a worker became idle after close")
	}
}
