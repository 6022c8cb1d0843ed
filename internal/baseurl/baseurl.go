// Package baseurl checks the base URL of a service that load tests are
// pointed at (LOADGATE_TARGET, loadgate run -target), by one rule for
// package loadtest and the loadgate command.
package baseurl

import (
	"errors"
	"net/url"
	"strings"
)

var errAbsolute = errors.New("want an absolute http:// or https:// URL, such as http://127.0.0.1:8080")

// Parse checks raw and returns it in the form tests join paths to: an
// absolute http or https URL with a host, and without user info, query or
// fragment (a path prefix, such as https://staging.example.com/shop, is
// kept). The scheme and host are lower-cased and trailing slashes
// removed, so that url+"/products" is one slash apart and two spellings of
// one target compare equal. The error says what is wrong; the caller names
// the variable or flag.
func Parse(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", errors.New("empty: want a base URL such as http://127.0.0.1:8080")
	}
	if !strings.Contains(raw, "://") {
		return "", errAbsolute
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("not a URL: " + strings.TrimPrefix(err.Error(), "parse "))
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", errAbsolute
	case u.Opaque != "" || u.Host == "" || u.Hostname() == "":
		return "", errors.New("no host: want a URL such as http://127.0.0.1:8080")
	case u.User != nil:
		// The URL is written into results and baselines.
		return "", errors.New("user info is not allowed: the URL is written into results; pass credentials another way")
	case u.RawQuery != "" || u.ForceQuery:
		return "", errors.New("a query is not allowed: give the base URL alone; the tests add paths to it")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return "", errors.New("a fragment is not allowed: give the base URL alone; the tests add paths to it")
	}
	u.Host = strings.ToLower(u.Host)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u.String(), nil
}
