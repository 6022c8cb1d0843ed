// Package shop is a small in-memory web shop used as the target of
// loadgate's example load tests.
//
// [NewServer] returns a [Server], an [net/http.Handler] with a product
// catalogue, per-user carts and a checkout that does a few milliseconds of
// CPU work. [Options] inject the faults the examples look for: a slower
// checkout ([Options.Slowdown]) and a goroutine leak ([Options.Leak]).
// The load tests in load_test.go start it with net/http/httptest and drive
// it with package loadtest.
package shop
