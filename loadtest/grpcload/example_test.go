package grpcload_test

import (
	"context"
	"fmt"
	"net"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/loadtest"
	"github.com/loadgate/loadgate/loadtest/grpcload"
)

// A load test of a gRPC service with its generated client (here gRPC's
// health service), judged by an SLA on gRPC codes. In a test, call
// loadtest.Run(t, ...) and assert.SLA(t, ...) instead.
func ExampleConn_Target() {
	lis, _ := net.Listen("tcp", "127.0.0.1:0")
	srv := grpc.NewServer()
	healthpb.RegisterHealthServer(srv, health.NewServer())
	go srv.Serve(lis)
	defer srv.Stop()

	conn, err := grpcload.NewClient(lis.Addr().String(),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpcload.WithConnections(2))
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	client := healthpb.NewHealthClient(conn)

	res, err := loadtest.Execute(context.Background(), loadtest.Scenario{
		Target: conn.Target(func(ctx context.Context) error {
			_, err := client.Check(ctx, &healthpb.HealthCheckRequest{})
			return err
		}),
		Load: loadtest.Users(2).Iterations(50).For(time.Minute),
	})
	if err != nil {
		panic(err)
	}
	check := res.ByName["/grpc.health.v1.Health/Check"]
	fmt.Println(res.Requests, "requests:", res.StatusCodes, "leaks:", len(res.Leaks))
	fmt.Println("calls of Check:", check.Requests, check.StatusCodes, "messages:", check.Messages.Sent, "sent,", check.Messages.Received, "received")
	outcomes, _ := assert.Check(res, "status(UNAVAILABLE) < 1%", "error_rate == 0")
	for _, o := range outcomes {
		fmt.Println(o.Expr, "pass:", o.Pass)
	}
	// Output:
	// 100 requests: map[OK:100] leaks: 0
	// calls of Check: 100 map[OK:100] messages: 100 sent, 100 received
	// status(UNAVAILABLE) < 1% pass: true
	// error_rate == 0 pass: true
}
