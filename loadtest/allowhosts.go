package loadtest

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/loadgate/loadgate/internal/allowhosts"
)

// EnvAllowHosts names LOADGATE_ALLOW_HOSTS, which lists, comma-separated,
// more hosts load may be sent to, in addition to Scenario.AllowHosts and
// with the same rules.
const EnvAllowHosts = allowhosts.Env

// ErrHostNotAllowed is wrapped by the error of a target whose host is not
// loopback and not on the allow-list, and by that of a connection refused
// for the same reason.
var ErrHostNotAllowed = allowhosts.ErrNotAllowed

// proxyFunc picks the proxy of a request, as http.Transport.Proxy does.
type proxyFunc = func(*http.Request) (*url.URL, error)

// proxyOf returns how c picks the proxy of its requests: its
// *http.Transport's Proxy (that of http.DefaultTransport, which c uses
// without a Transport, reads HTTP_PROXY, HTTPS_PROXY and NO_PROXY), or
// nil when it has none or its transport is of another type.
func proxyOf(c *http.Client) proxyFunc {
	rt := c.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	if t, ok := rt.(*http.Transport); ok {
		return t.Proxy
	}
	return nil
}

// checkRequest refuses req, described by what, unless its host is loopback
// or allowed, and so is the host of the proxy it would go through: a
// user's Client sends every request, loopback ones too if its Proxy says
// so, to that proxy.
func checkRequest(guard *allowhosts.List, proxy proxyFunc, what string, req *http.Request) error {
	if err := guard.Check(what, req.URL.Hostname()); err != nil {
		return err
	}
	if proxy == nil {
		return nil
	}
	// An error is the client's to report when it sends the request.
	if pu, err := proxy(req); err == nil && pu != nil {
		via := fmt.Sprintf("%s through proxy %s (the Client's Transport.Proxy; HTTP_PROXY or HTTPS_PROXY with http.DefaultTransport)", what, pu.Redacted())
		return guard.Check(via, pu.Hostname())
	}
	return nil
}
