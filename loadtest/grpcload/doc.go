// Package grpcload loads gRPC services from go test, with the service's own
// generated client, and measures them as package loadtest measures HTTP:
// every call timed from when it should have started, status codes, error
// kinds, message sizes, the host allow-list and the leak check. It is a
// package of its own so that only the test binaries that import it link
// gRPC.
//
// The parts fit together in the order a call flows through them:
//
//  1. [NewClient] opens a [Conn]: one or more gRPC connections to a target
//     ([WithConnections]; calls are spread over them round-robin, as ghz's
//     --connections), with the caller's grpc.DialOptions (transport
//     credentials, TLS or insecure, keepalive) passed through as they are.
//     A Conn is a grpc.ClientConnInterface, so generated clients take it:
//     pb.NewGreeterClient(conn).
//  2. [Conn.Target] turns a function that makes one call, or a short
//     sequence of calls, into a loadtest.Target. Before the load its
//     Prepare checks the target's host against the allow-list (loopback
//     unless Scenario.AllowHosts, LOADGATE_ALLOW_HOSTS or [WithAllowHosts]
//     lists it) and opens the connections, so that connection set-up is
//     not in the latencies; every connection it dials must reach a
//     loopback address unless its host is listed. It opens them under
//     loadtest's generator label (loadtest.GeneratorLabelKey), so that a CPU
//     profile of a test process that also runs the server tells gRPC's
//     client goroutines from the server's. After the load its
//     Finish closes them, so that the leak check sees only goroutines the
//     calls left behind.
//  3. Every call made through the Conn with the request's context carries
//     metadata x-request-id (the run's id and the call's number),
//     x-loadgate-run and a W3C traceparent (one trace per request, one
//     span per call), unless the caller set them, and is recorded under
//     its full method name in Result.ByName: latency (the request's first
//     call from the request's intended start, so that a stalled server is
//     charged for every call that waited; the others from their own
//     start), service time (from the call's actual start), the gRPC status
//     code by the specification's name in status_codes ("OK",
//     "UNAVAILABLE"), an error kind per failed code ("grpc_unavailable",
//     "grpc_deadline_exceeded") and the messages sent and received with
//     their sizes (NameResult.Messages).
//  4. A stream (client, server or bidirectional) is recorded under its
//     method name when it ends, with its total time and how it ended: the
//     status it ended with, or CANCELLED, not counted as an error, when
//     the caller ended it (canceled its context, or returned without
//     reading it to its end: the target then cancels it). Each message is
//     recorded as well, under "<method>#send" and "<method>#recv", with
//     how long SendMsg and RecvMsg took: the wait for each message.
//  5. The request itself is counted once by the harness, as for any
//     target: it fails when the function returns an error, with that
//     error's gRPC code in the run's status_codes and its kind (for an
//     error that is not a gRPC status, the code of the request's first
//     failed call, or OK if none failed). A call
//     whose failure the function handles (and does not return) still
//     counts as a failure of its method in ByName.
//
// SLA expressions read the codes by name: "status(UNAVAILABLE) < 1%",
// `p99{name="/grpc.health.v1.Health/Check"} < 20ms`.
package grpcload
