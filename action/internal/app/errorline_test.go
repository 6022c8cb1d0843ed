package app

import (
	"testing"

	"github.com/loadgate/loadgate/internal/errorkinds"
	"github.com/loadgate/loadgate/internal/verdict"
	"github.com/loadgate/loadgate/loadtest"
)

// TestErrorLineQuotesMessages: an error's message often quotes the
// service (an HTTP Check that returns the body it rejected). The comment
// showed its | as \| and its backticks as quotes ('stock'), since the
// line's code spans were written for a table's cell; the HTML and the
// mention stay inert inside the span.
func TestErrorLineQuotesMessages(t *testing.T) {
	s := &Scenario{Scenario: &verdict.Scenario{HeadRuns: 1}, Errors: errorkinds.Of([]*loadtest.Result{{
		ErrorKinds:   map[string]int64{"check": 3, "my|kind": 1},
		ErrorSamples: map[string][]string{"check": {"GET /: 503: <h1>Out | of `stock`</h1>\n<script>alert(1)</script> @octocat #12"}},
	}}, nil)}
	want := "`check` 3 (e.g. ``GET /: 503: <h1>Out | of `stock`</h1> <script>alert(1)</script> @octocat #12``) · `my|kind` 1"
	if got := errorLine(s); got != want {
		t.Errorf("errorLine:\n got %s\nwant %s", got, want)
	}
}
