package loadtest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

// scraper is a Watcher that opens a keep-alive connection during the load,
// as a watcher does whose metrics endpoint closed the connection of an
// earlier scrape, and closes it only when it stops.
type scraper struct {
	url    string
	client *http.Client
}

func (w *scraper) Start(context.Context) error { return nil }
func (w *scraper) LoadStarted(time.Time) {
	if resp, err := w.client.Get(w.url); err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}
func (w *scraper) LoadEnded(time.Time) {}
func (w *scraper) Stop() *loadtest.ServerStats {
	w.client.CloseIdleConnections()
	return nil
}

// TestWatcherConnectionsNamed: an idle connection the watcher opened
// during the load is not leaked, and the warning says whose it may be;
// it told the user to close the target's connections in a Finish method,
// which a target without a client of its own cannot do.
func TestWatcherConnectionsNamed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "up 1\n") }))
	defer srv.Close()
	w := &scraper{url: srv.URL, client: &http.Client{Transport: &http.Transport{}}}
	res, err := loadtest.Execute(t.Context(), loadtest.Scenario{
		Name:     "watched",
		Target:   loadtest.Func(func(ctx context.Context) error { return nil }),
		Load:     loadtest.Users(1).For(100 * time.Millisecond),
		Warmup:   time.Millisecond,
		Watch:    w,
		CoolDown: time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Leaks) > 0 {
		t.Errorf("leaks %v, want the watcher's idle connection left out", res.Leaks)
	}
	warnings := strings.Join(res.Warnings, "\n")
	if !strings.Contains(warnings, "idle keep-alive HTTP connections") || !strings.Contains(warnings, "the Watcher's scrapes keep theirs open") {
		t.Errorf("warnings %q, want the idle connection named as possibly the watcher's", res.Warnings)
	}
}
