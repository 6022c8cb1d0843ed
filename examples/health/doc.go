// Package health is a small gRPC service used as the target of loadgate's
// gRPC example load tests: gRPC's health-checking API
// (grpc.health.v1.Health), whose generated client and server ship with
// grpc-go, so that the example needs no code generation.
//
// [NewServer] returns a [Server] that reports the status of named
// components through Check (unary) and Watch (a server stream), and counts
// the answers it gives by code. [Options] inject the faults the examples
// look for: refusals ([Options.FailEvery]) and a goroutine leaked per
// Watch stream ([Options.LeakWatch]). The load tests in load_test.go serve
// it on a loopback port and drive it with package loadtest/grpcload.
package health
