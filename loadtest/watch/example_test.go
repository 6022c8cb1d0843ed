package watch_test

import (
	"testing"
	"time"

	"github.com/loadgate/loadgate/loadtest"
	"github.com/loadgate/loadgate/loadtest/watch"
)

// A load test of a service running in a process of its own, here on port
// 8080 with client_golang's promhttp at /metrics and net/http/pprof at
// /debug/pprof/. Package assert's ServerSettled then checks that the
// service's goroutines and files came back down after the cool-down; see
// examples/shop/remote_test.go for the whole flow.
func ExamplePrometheus() {
	testCheckout := func(t *testing.T) {
		res := loadtest.Run(t, loadtest.Scenario{
			Target:   loadtest.GET("http://127.0.0.1:8080/products"),
			Load:     loadtest.Rate(100).For(30 * time.Second),
			Watch:    watch.Prometheus("http://127.0.0.1:8080/metrics", watch.Metrics("http_requests_in_flight")),
			CoolDown: 5 * time.Second,
		})
		if s := res.Server; s != nil {
			t.Logf("goroutines: %g before, %g at the peak, %g after the cool-down",
				s.Before["go_goroutines"], s.Peak["go_goroutines"], s.After["go_goroutines"])
		}
	}
	_ = testCheckout
}
