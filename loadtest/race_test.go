//go:build race

package loadtest_test

// raceEnabled says the race detector is on: it slows every request several
// times over, so measurements that depend on how fast a burst is served
// are only bounded from the side the slowdown cannot reach.
const raceEnabled = true
