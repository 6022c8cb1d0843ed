package loadtest_test

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/loadgate/loadgate/loadtest"
	"go.uber.org/goleak"
)

// stallModel is a server that freezes periodically: a request arriving at
// phase p of a period, with p < window, is held until the window ends
// (window − p later); every other request is answered at once. The clock is
// shared by every request and anchored at the server's start.
type stallModel struct {
	period, window time.Duration
}

// quantile returns the analytic latency at quantile q of a stream of
// requests arriving at a constant rate, ignoring the (tiny) service time.
//
// A share f = window/period of the requests arrives in a window; each waits
// window − p with p uniform on [0, window), so the wait is uniform on
// [0, window]. Then P(L > x) = f·(window − x)/window for 0 ≤ x ≤ window,
// and for q ≥ 1 − f the quantile is x = window·(1 − (1 − q)/f), which is
// window − (1 − q)·period: the p99 is the 90th percentile of the waiting
// requests when f = 10%, 200 ms − 0.01·2 s = 180 ms. Any whole
// number of periods gives the same f wherever the run starts in the cycle,
// since the windows it cuts at both ends add up to one.
func (m stallModel) quantile(q float64) time.Duration {
	x := m.window - time.Duration(math.Round((1-q)*float64(m.period)))
	return max(x, 0)
}

// start runs the model as an httptest server on loopback.
func (m stallModel) start(t *testing.T) *httptest.Server {
	anchor := time.Now()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if phase := time.Since(anchor) % m.period; phase < m.window {
			time.Sleep(m.window - phase)
		}
		io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return srv
}

// httpGet returns a target that GETs url with client.
func httpGet(client *http.Client, url string) loadtest.Func {
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %s", resp.Status)
		}
		return nil
	}
}

// TestCoordinatedOmission loads a server that freezes for 200 ms every 2 s
// at 1,000 req/s. The open model times each request from when it should
// have started, so its p99 is at least the analytic 180 ms less 15% (a
// machine short of CPU can only add to it); the
// closed model (users that wait for each answer, as hey and wrk do) sends
// little during a stall and reports a p95 (and usually a p99) far below
// the truth.
func TestCoordinatedOmission(t *testing.T) {
	defer verifyNoLeaks(t, 3*time.Second, goleak.IgnoreCurrent())

	model := stallModel{period: 2 * time.Second, window: 200 * time.Millisecond}
	wantP99, wantP95 := model.quantile(0.99), model.quantile(0.95)
	if wantP99 != 180*time.Millisecond || wantP95 != 100*time.Millisecond {
		t.Fatalf("analytic p99 %v p95 %v, want 180ms and 100ms", wantP99, wantP95)
	}

	tests := []struct {
		name string
		load loadtest.Load
		// open says the row measures from the intended start and must
		// match the model; a closed row must fall far short of it.
		open bool
		long bool
	}{
		{name: "open_1000rps_4s", load: loadtest.Rate(1000).For(4 * time.Second), open: true},
		{name: "closed_10_users_2s", load: loadtest.Users(10).Thinking(10 * time.Millisecond).For(2 * time.Second)},
		{name: "open_1000rps_10s", load: loadtest.Rate(1000).For(10 * time.Second), open: true, long: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.long {
				skipUnlessLong(t)
			}
			srv := model.start(t)
			tr := &http.Transport{MaxIdleConns: 1000, MaxIdleConnsPerHost: 1000}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}

			res := loadtest.Run(t, loadtest.Scenario{
				Target:  httpGet(client, srv.URL),
				Load:    tt.load,
				Timeout: 5 * time.Second,
			})
			if res == nil {
				return
			}
			if res.Errors != 0 || res.Dropped != 0 {
				t.Errorf("%d errors %v, %d dropped; want none", res.Errors, res.ErrorSamples, res.Dropped)
			}
			p99, p95 := time.Duration(res.Latency.P99NS), time.Duration(res.Latency.P95NS)
			sp99 := time.Duration(res.ServiceTime.P99NS)
			t.Logf("%s: %d requests (%.1f/s): latency p50 %v p95 %v (analytic %v) p99 %v (analytic %v, %+.1f%%) max %v; service time p50 %v p99 %v; pacer lag max %v",
				tt.name, res.Requests, res.Rate, time.Duration(res.Latency.P50NS), p95, wantP95, p99, wantP99,
				100*(float64(p99)/float64(wantP99)-1), time.Duration(res.Latency.MaxNS),
				time.Duration(res.ServiceTime.P50NS), sp99, time.Duration(res.PacerLagMaxNS))

			if !tt.open {
				// Coordinated omission: each user is stuck once per stall
				// (plus once more if the run starts or ends in one), so
				// about 1% of the requests are slow instead of 10%; even
				// the p99 can land either side. The p95 cannot.
				if p95 > wantP95/2 {
					t.Errorf("closed model p95 %v, want well below the analytic %v (coordinated omission)", p95, wantP95)
				}
				return
			}
			// Only the bound a slow machine cannot break is asserted, as in
			// grpcload's test: a machine short of CPU serves the burst at
			// the end of each stall late, and the open model rightly charges
			// that wait to the requests (it counts from their intended
			// start), so the tail rises; it cannot fall below the freeze the
			// server sleeps unless requests that waited were left out. The
			// upper side (+2.8% on a quiet machine, docs/PERFORMANCE.md) is a
			// measurement, not a test: a two-sided ±15% failed at load
			// average ~9 (+17.2%, docs/RELIABILITY.md), on one busy core
			// (+9.6%) and with the process stalled 4 ms in 5 (+20% to +34%).
			if dev := float64(p99)/float64(wantP99) - 1; dev < -0.15 {
				t.Errorf("p99 %v, want at least %v (the analytic %v less 15%%; off by %+.1f%%): requests that waited were left out",
					p99, wantP99*85/100, wantP99, 100*dev)
			}
			if sp99 > p99 {
				t.Errorf("service time p99 %v above latency p99 %v: service time starts later", sp99, p99)
			}
		})
	}
}
