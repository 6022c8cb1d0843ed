package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
)

// EnvAllowHosts lists, comma-separated, the non-loopback hosts load may be
// sent to, in addition to Scenario.AllowHosts.
const EnvAllowHosts = "LOADGATE_ALLOW_HOSTS"

// ErrHostNotAllowed is wrapped by the error of a target whose host is not
// loopback and not on the allow-list.
var ErrHostNotAllowed = errors.New("host not allowed")

// allowHostsFromEnv returns the hosts in LOADGATE_ALLOW_HOSTS.
func allowHostsFromEnv() []string {
	var hosts []string
	for _, h := range strings.Split(os.Getenv(EnvAllowHosts), ",") {
		if h = strings.TrimSpace(h); h != "" {
			hosts = append(hosts, h)
		}
	}
	return hosts
}

// lookupNetIP resolves host names; tests replace it.
var lookupNetIP = net.DefaultResolver.LookupNetIP

// hostGuard refuses load to hosts that are neither loopback nor allowed.
// Load tests end up pointed at the wrong host (a shared staging database,
// production); the default is to hit only this machine.
type hostGuard struct {
	allowed map[string]bool // lower-case host names and IP literals
}

func newHostGuard(allow []string) *hostGuard {
	g := &hostGuard{allowed: map[string]bool{}}
	for _, h := range allow {
		g.allowed[strings.ToLower(strings.Trim(h, "[]"))] = true
	}
	return g
}

func (g *hostGuard) isAllowed(host string) bool {
	return g.allowed[strings.ToLower(strings.Trim(host, "[]"))]
}

// check resolves host and returns an error unless it is allowed or every
// address it resolves to is loopback. what names the request in the error.
func (g *hostGuard) check(ctx context.Context, what, host string) error {
	if g.isAllowed(host) {
		return nil
	}
	host = strings.Trim(host, "[]")
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip}
	} else {
		ips, err := lookupNetIP(ctx, "ip", host)
		if err != nil {
			return fmt.Errorf("%s: resolving host %s to check it is loopback: %w", what, host, err)
		}
		addrs = ips
	}
	for _, a := range addrs {
		if !a.Unmap().IsLoopback() {
			how := fmt.Sprintf("resolves to %s, which is", a)
			if a.String() == host {
				how = "is"
			}
			return fmt.Errorf("%s: host %s %s not loopback: %w; loadgate only sends load to "+
				"this machine unless told otherwise: add it to Scenario.AllowHosts or set %s=%s",
				what, host, how, ErrHostNotAllowed, EnvAllowHosts, host)
		}
	}
	return nil
}

// checkDial is a net.Dialer Control hook: it refuses a connection to a
// non-loopback address unless the host that was dialled is allowed. It
// closes the gap between the check before the run and a DNS answer that
// changes during it.
func (g *hostGuard) checkDial(host, address string) error {
	if g.isAllowed(host) {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: %w", address, err)
	}
	if !ap.Addr().Unmap().IsLoopback() {
		return fmt.Errorf("dial %s (%s): not loopback: %w (allow it with Scenario.AllowHosts or %s)",
			host, address, ErrHostNotAllowed, EnvAllowHosts)
	}
	return nil
}
