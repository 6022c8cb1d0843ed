package watch_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
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

// The whole flow, runnable: a service whose metrics endpoint reports 12
// goroutines, 9 open files, its heap and its GC pauses, loaded and watched
// through it. The watcher
// scrapes before, during and after the load (a cool-down of 100ms here),
// and the result's Server has what it saw.
func Example() {
	mux := http.NewServeMux()
	mux.HandleFunc("/products", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "[]") })
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		// What client_golang's promhttp serves, cut down to what the
		// watcher reads.
		fmt.Fprint(w, `# TYPE go_goroutines gauge
go_goroutines 12
# TYPE process_open_fds gauge
process_open_fds 9
# TYPE go_memstats_heap_inuse_bytes gauge
go_memstats_heap_inuse_bytes 4.194304e+06
# TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0"} 2e-05
go_gc_duration_seconds{quantile="1"} 0.0004
go_gc_duration_seconds_sum 0.001
go_gc_duration_seconds_count 5
`)
	})
	srv := httptest.NewServer(mux) // in a real test, a service in another process
	defer srv.Close()

	res, err := loadtest.Execute(context.Background(), loadtest.Scenario{
		Name:     "catalogue",
		Target:   loadtest.GET(srv.URL + "/products"),
		Load:     loadtest.Rate(50).For(200 * time.Millisecond),
		Watch:    watch.Prometheus(srv.URL+"/metrics", watch.WithoutPprof()),
		CoolDown: 100 * time.Millisecond,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := res.Server
	fmt.Printf("%d requests; goroutines %g before, %g at the peak, %g after; open files %g after; %d scrape errors\n",
		res.Requests, s.Before["go_goroutines"], s.Peak["go_goroutines"], s.After["go_goroutines"],
		s.After["process_open_fds"], len(s.Errors))
	// Output:
	// 10 requests; goroutines 12 before, 12 at the peak, 12 after; open files 9 after; 0 scrape errors
}
