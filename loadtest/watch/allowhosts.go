package watch

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/loadgate/loadgate/internal/allowhosts"
)

// checkURL parses a URL to scrape and refuses its host unless allow lets
// the watcher reach it (the rules of loadtest.Scenario.AllowHosts).
func checkURL(what, raw string, allow *allowhosts.List) (*url.URL, error) {
	if !strings.Contains(raw, "://") && !strings.HasPrefix(raw, "/") && raw != "" {
		// "127.0.0.1:8080/metrics" is not even a URL to url.Parse ("first
		// path segment in URL cannot contain colon"); say what was meant.
		// Suggest the scheme only for what reads as a host (a port, a
		// dot, localhost): "http://metrics" would not help.
		if host, _, _ := strings.Cut(raw, "/"); strings.ContainsAny(host, ":.") || host == "localhost" {
			return nil, fmt.Errorf("%s %q: want an absolute http:// or https:// URL, such as %q", what, raw, "http://"+raw)
		}
		return nil, fmt.Errorf("%s %q: want an absolute http:// or https:// URL, such as \"http://127.0.0.1:9090/metrics\"", what, raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("%s %q: want an absolute http:// or https:// URL", what, raw)
	}
	if err := allow.Check(what, u.Hostname()); err != nil {
		return nil, err
	}
	return u, nil
}
