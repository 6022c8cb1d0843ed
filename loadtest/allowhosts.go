package loadtest

import "github.com/loadgate/loadgate/internal/allowhosts"

// EnvAllowHosts names LOADGATE_ALLOW_HOSTS, which lists, comma-separated,
// more hosts load may be sent to, in addition to Scenario.AllowHosts and
// with the same rules.
const EnvAllowHosts = allowhosts.Env

// ErrHostNotAllowed is wrapped by the error of a target whose host is not
// loopback and not on the allow-list, and by that of a connection refused
// for the same reason.
var ErrHostNotAllowed = allowhosts.ErrNotAllowed
