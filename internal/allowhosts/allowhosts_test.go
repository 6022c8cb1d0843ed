package allowhosts

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
)

// TestCheck covers the cases of both callers before they shared this
// package: loadtest's load (which used to resolve names) and
// loadtest/watch's scrapes (which took "localhost" only).
func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		give    []string // the caller's entries
		env     string   // LOADGATE_ALLOW_HOSTS
		host    string
		wantErr string // "" when allowed
	}{
		{name: "loopback IPv4", host: "127.0.0.1"},
		{name: "loopback IPv4 anywhere in 127/8", host: "127.1.2.3"},
		{name: "loopback IPv6", host: "::1"},
		{name: "loopback IPv6 in brackets", host: "[::1]"},
		{name: "loopback IPv6 long form", host: "0:0:0:0:0:0:0:1"},
		{name: "loopback IPv4-mapped", host: "::ffff:127.0.0.1"},
		{name: "localhost", host: "localhost"},
		{name: "localhost in capitals", host: "LocalHost"},
		// "localhost." goes to DNS, off this machine: refused.
		{name: "localhost with a final dot", host: "localhost.", wantErr: "host localhost. is localhost with a final dot, which the resolver asks DNS for: host not allowed; write localhost"},
		{name: "public IP", host: "203.0.113.9",
			wantErr: "URL: host 203.0.113.9 is not a loopback address: host not allowed; loadgate sends traffic only to this machine unless told otherwise: add the host to Setting or set LOADGATE_ALLOW_HOSTS=203.0.113.9 (loadgate run -allow-hosts 203.0.113.9)"},
		{name: "private IP", host: "10.1.2.3", wantErr: "LOADGATE_ALLOW_HOSTS=10.1.2.3"},
		{name: "unspecified address", host: "0.0.0.0", wantErr: "host 0.0.0.0 is not a loopback address"},
		{name: "mapped private IP", host: "::ffff:10.1.2.3", wantErr: "host 10.1.2.3 is not a loopback address"},
		{name: "name", host: "shop.internal", wantErr: "host shop.internal is a name other than localhost"},
		{name: "name of loopback is not resolved", host: "local.test", wantErr: "host local.test is a name other than localhost"},
		{name: "subdomain of localhost", host: "a.localhost", wantErr: "is a name other than localhost"},
		{name: "listed name", give: []string{"shop.internal"}, host: "shop.internal"},
		{name: "listed name, other case", give: []string{"Shop.Internal"}, host: "SHOP.internal"},
		{name: "listed name, final dot", give: []string{"shop.internal"}, host: "shop.internal."},
		{name: "listed name, padded", give: []string{" shop.internal "}, host: "shop.internal"},
		{name: "listed name is not its subdomain", give: []string{"example.com"}, host: "api.example.com", wantErr: "host api.example.com is a name"},
		{name: "listed name is not its parent", give: []string{"api.example.com"}, host: "example.com", wantErr: "host example.com is a name"},
		{name: "listed IP", give: []string{"10.1.2.3"}, host: "10.1.2.3"},
		{name: "listed IP does not allow its neighbour", give: []string{"10.1.2.3"}, host: "10.1.2.4", wantErr: "10.1.2.4"},
		{name: "listed IPv6 without brackets", give: []string{"2001:db8::1"}, host: "[2001:db8::1]"},
		{name: "listed IPv6 in brackets", give: []string{"[2001:DB8:0::1]"}, host: "2001:db8::1"},
		{name: "listed IPv4 allows its mapped form", give: []string{"10.1.2.3"}, host: "::ffff:10.1.2.3"},
		{name: "listed by env", env: "other, shop.internal", host: "shop.internal"},
		{name: "blank env entries", env: " , ,shop.internal,", host: "shop.internal"},
		{name: "env lists other hosts", env: "other", host: "shop.internal", wantErr: "shop.internal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(Env, tt.env)
			l, err := Parse("Setting", append(tt.give, FromEnv()...))
			if err != nil {
				t.Fatal(err)
			}
			err = l.Check("URL", tt.host)
			checkErr(t, fmt.Sprintf("Check(%q)", tt.host), err, tt.wantErr)
			if tt.wantErr != "" && !errors.Is(err, ErrNotAllowed) {
				t.Errorf("Check(%q) = %v, does not wrap ErrNotAllowed", tt.host, err)
			}
		})
	}
}

func TestCheckZeroList(t *testing.T) {
	var l List
	if err := l.Check("URL", "127.0.0.1"); err != nil {
		t.Errorf("zero List: Check(127.0.0.1) = %v", err)
	}
	if err := l.Check("URL", "10.0.0.1"); !errors.Is(err, ErrNotAllowed) {
		t.Errorf("zero List: Check(10.0.0.1) = %v, want ErrNotAllowed", err)
	}
}

// TestParse: an entry that is not one host is an error rather than an
// entry that silently never matches (or matches more than it says).
func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		give    string
		wantErr string // "" when the entry is valid
	}{
		{name: "name", give: "shop.internal"},
		{name: "single label", give: "shop"},
		{name: "underscore", give: "my_host.internal"},
		{name: "IPv4", give: "10.1.2.3"},
		{name: "IPv6", give: "2001:db8::1"},
		{name: "IPv6 in brackets", give: "[2001:db8::1]"},
		{name: "blank", give: "  "},
		{name: "port", give: "shop.internal:8080", wantErr: `Setting or LOADGATE_ALLOW_HOSTS: entry "shop.internal:8080": want a host alone: an entry allows every port of its host`},
		{name: "IPv6 with port", give: "[::1]:80", wantErr: "want a host alone"},
		{name: "scheme", give: "https://shop.internal", wantErr: "without a scheme"},
		{name: "CIDR", give: "10.0.0.0/8", wantErr: "CIDR ranges and paths are not supported"},
		{name: "path", give: "shop.internal/api", wantErr: "CIDR ranges and paths are not supported"},
		{name: "wildcard", give: "*.example.com", wantErr: "wildcards are not supported"},
		{name: "space inside", give: "shop internal", wantErr: "want a host name or an IP address"},
		{name: "empty label", give: "shop..internal", wantErr: "want a host name or an IP address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("Setting", []string{tt.give})
			checkErr(t, fmt.Sprintf("Parse(%q)", tt.give), err, tt.wantErr)
		})
	}
	if _, err := Parse("Setting", []string{"a:1", "ok", "b/2"}); err == nil || strings.Count(err.Error(), `entry "`) != 2 {
		t.Errorf("Parse with two bad entries = %v, want both reported", err)
	}
}

// TestControl checks the dial-time hook: an address that is not loopback
// is refused unless the host dialled is listed, whatever it resolved to.
// It calls the hook directly; no connection is made.
func TestControl(t *testing.T) {
	l, err := Parse("Setting", []string{"shop.internal"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		host    string
		address string
		wantErr string
	}{
		{name: "localhost to loopback", host: "localhost", address: "[::1]:80"},
		{name: "loopback IP", host: "127.0.0.1", address: "127.0.0.1:80"},
		{name: "localhost resolving elsewhere", host: "localhost", address: "203.0.113.7:80",
			wantErr: "dial localhost (203.0.113.7:80): not loopback: host not allowed (allow it with Setting, LOADGATE_ALLOW_HOSTS or loadgate run -allow-hosts)"},
		{name: "name resolving elsewhere", host: "other.internal", address: "203.0.113.7:80", wantErr: "not loopback"},
		{name: "listed name", host: "shop.internal", address: "203.0.113.7:80"},
		{name: "mapped loopback", host: "localhost", address: "[::ffff:127.0.0.1]:80"},
		{name: "not an address", host: "localhost", address: "nowhere", wantErr: "dial nowhere"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := l.Control(tt.host)("tcp", tt.address, nil)
			checkErr(t, fmt.Sprintf("Control(%q)(%q)", tt.host, tt.address), err, tt.wantErr)
		})
	}
}

// TestDialer dials a loopback listener through the hook.
func TestDialer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var l List
	c, err := l.Dialer(net.Dialer{})(t.Context(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("dial %s: %v", ln.Addr(), err)
	}
	c.Close()
}

// checkErr fails t unless err is nil and want is "", or err contains want.
func checkErr(t *testing.T, call string, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("%s = %v, want nil", call, err)
	case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
		t.Errorf("%s = %v, want an error containing %q", call, err, want)
	}
}

// TestLocalhostDotListed: listing localhost. does not allow it: the query
// for it would still go to DNS.
func TestLocalhostDotListed(t *testing.T) {
	l, err := Parse("AllowHosts", []string{"localhost."})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Check("GET http://localhost.:8080/", "localhost."); err == nil || !strings.Contains(err.Error(), "write localhost") {
		t.Errorf("Check(localhost.) with it listed: %v, want refused", err)
	}
	if err := l.Check("GET http://localhost:8080/", "localhost"); err != nil {
		t.Errorf("Check(localhost): %v", err)
	}
}

// TestCheckEnv: CheckEnv names LOADGATE_ALLOW_HOSTS and each bad entry.
func TestCheckEnv(t *testing.T) {
	env := func(v string) func(string) string { return func(string) string { return v } }
	if err := CheckEnv(env(" staging.example.com, ,10.0.0.7 ")); err != nil {
		t.Errorf("CheckEnv of good entries: %v", err)
	}
	err := CheckEnv(env("ok.example.com,*.example.com,%%%"))
	for _, want := range []string{`LOADGATE_ALLOW_HOSTS: entry "*.example.com": want one host: wildcards`, `LOADGATE_ALLOW_HOSTS: entry "%%%"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckEnv: %v; want %q", err, want)
		}
	}
}
