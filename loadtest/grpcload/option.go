package grpcload

import (
	"google.golang.org/grpc"
)

// The options of [NewClient] that are loadgate's own are grpc.DialOptions,
// so that NewClient keeps grpc.NewClient's signature. They embed
// grpc.EmptyDialOption, which gRPC documents for building custom options
// and ignores when it dials; NewClient reads them.

// connections is the option of [WithConnections].
type connections struct {
	grpc.EmptyDialOption
	n int
}

// WithConnections spreads the calls over n connections, round-robin: one
// HTTP/2 connection carries every call of a grpc.ClientConn and caps the
// throughput a single client reaches (ghz's --connections). The default
// is 1; NewClient refuses n < 1.
func WithConnections(n int) grpc.DialOption { return connections{n: n} }

// allowHosts is the option of [WithAllowHosts].
type allowHosts struct {
	grpc.EmptyDialOption
	hosts []string
}

// WithAllowHosts lists hosts other than loopback that the Conn may connect
// to, with the rules of loadtest's Scenario.AllowHosts (one host name or IP
// address per entry, no ports, wildcards or ranges). In a run they add to
// the scenario's list; outside a run (a test's own calls before the load)
// they and LOADGATE_ALLOW_HOSTS are the list.
func WithAllowHosts(hosts ...string) grpc.DialOption {
	return allowHosts{hosts: append([]string(nil), hosts...)}
}
