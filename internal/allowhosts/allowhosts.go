// Package allowhosts decides which hosts loadgate may send traffic to. The
// load of package loadtest and the scrapes of loadtest/watch follow the
// same rules, so that a load test cannot reach production by mistake:
//
//  1. Loopback is always allowed: an IP address of 127.0.0.0/8 or ::1 (in
//     any spelling, IPv4-mapped included), or the name "localhost" (not
//     "localhost.", which the resolver looks up in DNS). No
//     other name is resolved to decide: a name that points at 127.0.0.1
//     must still be listed, since what it points at can change.
//  2. Any other host is allowed only when listed: in the caller's own list
//     (loadtest's Scenario.AllowHosts, watch's AllowHost) or in
//     LOADGATE_ALLOW_HOSTS, comma-separated.
//  3. An entry is one host, a DNS name or an IP address (IPv6 with or
//     without brackets), and matches that host alone, case-insensitively,
//     on any port and scheme. There are no wildcards, ports or CIDR ranges:
//     an entry with one is an error, so a list never allows more, or less,
//     than it seems to. Blank entries are ignored.
//  4. A connection to a host that is not listed must reach a loopback
//     address, whatever DNS answers when it is dialled: "localhost"
//     resolving elsewhere is refused then ([List.Dialer]).
package allowhosts

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"
)

// Env is the environment variable that lists, comma-separated, more hosts
// to allow.
const Env = "LOADGATE_ALLOW_HOSTS"

// ErrNotAllowed is wrapped by every refusal: loadtest exports it as
// ErrHostNotAllowed.
var ErrNotAllowed = errors.New("host not allowed")

// FromEnv returns the entries of LOADGATE_ALLOW_HOSTS, trimmed, without
// blank ones; [Parse] checks them.
func FromEnv() []string { return split(os.Getenv(Env)) }

// split returns the entries of a comma-separated list, trimmed, without
// blank ones.
func split(v string) []string {
	var entries []string
	for _, e := range strings.Split(v, ",") {
		if e = strings.TrimSpace(e); e != "" {
			entries = append(entries, e)
		}
	}
	return entries
}

// CheckEnv checks the entries of LOADGATE_ALLOW_HOSTS as getenv gives it,
// by the rules of [Parse]; each error names the variable alone.
func CheckEnv(getenv func(string) string) error {
	var errs []error
	for _, e := range split(getenv(Env)) {
		if why := malformed(e); why != "" {
			errs = append(errs, fmt.Errorf("%s: entry %q: %s", Env, e, why))
		}
	}
	return errors.Join(errs...)
}

// List is a checked allow-list. The zero List allows loopback only.
type List struct {
	// setting is where the caller's users list hosts, such as
	// "Scenario.AllowHosts", for the messages.
	setting string
	hosts   map[string]bool // normalized by key
}

// Parse checks entries and returns their list. setting says where the
// caller's users write entries ("Scenario.AllowHosts"); refusals and
// errors name it and LOADGATE_ALLOW_HOSTS. The caller adds the entries of
// [FromEnv] when it wants them. Parse returns every malformed entry's
// error, joined.
func Parse(setting string, entries []string) (*List, error) {
	l := &List{setting: setting, hosts: map[string]bool{}}
	var errs []error
	for _, e := range entries {
		if strings.TrimSpace(e) == "" {
			continue
		}
		if why := malformed(e); why != "" {
			errs = append(errs, fmt.Errorf("%s or %s: entry %q: %s", setting, Env, e, why))
			continue
		}
		l.hosts[key(e)] = true
	}
	return l, errors.Join(errs...)
}

// malformed says what is wrong with an entry, or "" if it is one host.
func malformed(e string) string {
	k := key(e)
	if _, err := netip.ParseAddr(k); err == nil {
		return ""
	}
	switch {
	case strings.Contains(k, "://"):
		return "want a host alone, without a scheme"
	case strings.Contains(k, "/"):
		return "want one host: CIDR ranges and paths are not supported"
	case strings.Contains(k, "*"):
		return "want one host: wildcards are not supported"
	case strings.Contains(k, ":"):
		return "want a host alone: an entry allows every port of its host"
	}
	for _, label := range strings.Split(k, ".") {
		if label == "" || strings.Trim(label, "abcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			return "want a host name or an IP address"
		}
	}
	return ""
}

// key is the form of a host in which entries and hosts are compared:
// trimmed, lower-case, without brackets or a final dot; an IP address in
// its canonical form, unmapped from IPv6.
func key(host string) string {
	h := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), ".")
	if ip, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")); err == nil {
		return ip.Unmap().String()
	}
	return h
}

// listed reports whether host is on the list.
func (l *List) listed(host string) bool { return l.hosts[key(host)] }

// Check returns nil if traffic may go to host, a URL's Hostname(): it is
// loopback or listed. Otherwise its error wraps [ErrNotAllowed], starts
// with what (the request or URL refused) and says how to allow the host:
// the caller's setting, LOADGATE_ALLOW_HOSTS or loadgate run -allow-hosts,
// which sets the variable.
// Check resolves no name.
func (l *List) Check(what, host string) error {
	k := key(host)
	if k == "localhost" {
		if !strings.HasSuffix(strings.TrimSpace(host), ".") {
			return nil
		}
		// "localhost." is looked up in DNS, not in the hosts file: the
		// query would leave the machine, listed or not.
		return fmt.Errorf("%s: host %s is localhost with a final dot, which the resolver asks DNS for: %w; write localhost", what, strings.TrimSpace(host), ErrNotAllowed)
	}
	if l.listed(host) {
		return nil
	}
	why := "is a name other than localhost (names are not resolved to decide)"
	if ip, err := netip.ParseAddr(k); err == nil {
		if ip.IsLoopback() {
			return nil
		}
		why = "is not a loopback address"
	}
	return fmt.Errorf("%s: host %s %s: %w; loadgate sends traffic only to this machine unless told otherwise: "+
		"add the host to %s or set %s=%s (loadgate run -allow-hosts %s)", what, k, why, ErrNotAllowed, l.setting, Env, k, k)
}

// Control returns a net.Dialer Control hook for connections to host: it
// refuses an address that is not loopback unless host is listed. It closes
// the gap between [List.Check] and a DNS answer that changes afterwards.
func (l *List) Control(host string) func(network, address string, c syscall.RawConn) error {
	return func(_, address string, _ syscall.RawConn) error {
		if l.listed(host) {
			return nil
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("dial %s: %w", address, err)
		}
		if !ap.Addr().Unmap().IsLoopback() {
			return fmt.Errorf("dial %s (%s): not loopback: %w (allow it with %s, %s or loadgate run -allow-hosts)",
				host, address, ErrNotAllowed, l.setting, Env)
		}
		return nil
	}
}

// Dialer returns d's DialContext with the [List.Control] hook of the host
// it dials, for an http.Transport.
func (l *List) Dialer(d net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(addr)
		d := d
		d.Control = l.Control(host)
		return d.DialContext(ctx, network, addr)
	}
}
