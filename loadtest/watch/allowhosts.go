package watch

import (
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/loadtest"
)

// checkURL parses a URL to scrape and refuses its host unless it is
// loopback or allowed. Unlike the load's check, it does not resolve names:
// a host must be a loopback IP address or "localhost", or be allowed by
// [AllowHost] or LOADGATE_ALLOW_HOSTS.
func checkURL(what, raw string, allow []string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("%s %q: want an absolute http:// or https:// URL", what, raw)
	}
	host := strings.ToLower(u.Hostname())
	if host == "localhost" {
		return u, nil
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.Unmap().IsLoopback() {
		return u, nil
	}
	allowed := slices.ContainsFunc(append(slices.Clone(allow), strings.Split(os.Getenv(loadtest.EnvAllowHosts), ",")...),
		func(h string) bool { return strings.EqualFold(strings.Trim(strings.TrimSpace(h), "[]"), host) })
	if !allowed {
		return nil, fmt.Errorf("%s: host %s is not a loopback address: %w; allow it with watch.AllowHost or %s=%s",
			what, host, loadtest.ErrHostNotAllowed, loadtest.EnvAllowHosts, host)
	}
	return u, nil
}
