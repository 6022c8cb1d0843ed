package loadtest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptrace"
	"runtime"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/allowhosts"
)

// BenchmarkDefaultPathCost takes the default (Pooled, net/http) path apart,
// one request at a time against a canned loopback server in the process:
// plain net/http, what hey does per request (a cloned request, a trace of
// its own, a result sent to a collector), loadgate's Hit alone, Hit with the
// per-request timeout the engine gives it, and whole scenarios. The
// server's cost is in every line, so compare lines, not absolute figures.
func BenchmarkDefaultPathCost(b *testing.B) {
	addr, stop := startCannedServer(b, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok")
	defer stop()
	url := "http://" + addr + "/"
	perRequest := func(b *testing.B, f func()) {
		f() // dials
		cpu0, _ := processCPU()
		n := 0
		for b.Loop() {
			f()
			n++
		}
		cpu1, _ := processCPU()
		b.ReportMetric(float64(cpu1-cpu0)/float64(n), "cpu-ns/req")
	}

	b.Run("net/http bare", func(b *testing.B) {
		guard, err := allowhosts.Parse("", nil)
		if err != nil {
			b.Fatal(err)
		}
		client := &http.Client{Transport: newTransport(Pooled, nil, 1, guard)}
		defer client.CloseIdleConnections()
		buf := make([]byte, 4096)
		b.ReportAllocs()
		perRequest(b, func() {
			req, _ := http.NewRequest(http.MethodGet, url, nil)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			for {
				if _, err := resp.Body.Read(buf); err != nil {
					break
				}
			}
			resp.Body.Close()
		})
	})
	b.Run("hey", func(b *testing.B) {
		// hey v0.1.5's requester.makeRequest, reduced to what it costs.
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
		defer client.CloseIdleConnections()
		base, _ := http.NewRequest(http.MethodGet, url, nil)
		base.Header.Set("User-Agent", "hey/0.0.1")
		type result struct {
			err                 error
			status              int
			dur, conn, dns, res time.Duration
			size                int64
		}
		results := make(chan *result, 1000)
		done := make(chan struct{})
		go func() {
			for range results {
			}
			close(done)
		}()
		b.ReportAllocs()
		perRequest(b, func() {
			s := time.Now()
			var dnsStart, connStart, resStart time.Time
			var dns, conn time.Duration
			req := new(http.Request)
			*req = *base
			req.Header = base.Header.Clone()
			trace := &httptrace.ClientTrace{
				DNSStart:             func(httptrace.DNSStartInfo) { dnsStart = time.Now() },
				DNSDone:              func(httptrace.DNSDoneInfo) { dns = time.Since(dnsStart) },
				GetConn:              func(string) { connStart = time.Now() },
				GotConn:              func(httptrace.GotConnInfo) { conn = time.Since(connStart) },
				WroteRequest:         func(httptrace.WroteRequestInfo) {},
				GotFirstResponseByte: func() { resStart = time.Now() },
			}
			req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
			resp, err := client.Do(req)
			r := &result{err: err, dns: dns, conn: conn}
			if err == nil {
				r.size, r.status = resp.ContentLength, resp.StatusCode
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			r.res, r.dur = time.Since(resStart), time.Since(s)
			results <- r
		})
		close(results)
		<-done
	})
	hit := func(b *testing.B, engine bool) {
		target := GET(url)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		if err := target.Prepare(ctx, RunInfo{RunID: "run", Timeout: time.Second, Concurrency: 1}); err != nil {
			b.Fatal(err)
		}
		defer target.Finish()
		var s Sample
		b.ReportAllocs()
		perRequest(b, func() {
			s.reset()
			var err error
			if engine {
				// As the engine calls it: the run's context and a deadline.
				err = target.hitBy(ctx, time.Now().Add(time.Second), &s)
			} else {
				err = target.Hit(ctx, &s)
			}
			if err != nil {
				b.Fatal(err)
			}
		})
	}
	b.Run("Hit", func(b *testing.B) { hit(b, false) })
	b.Run("hitBy deadline", func(b *testing.B) { hit(b, true) })
	b.Run("scenario", func(b *testing.B) {
		// One scenario of b.N requests, as one user sends them.
		s := Scenario{Name: "cost", Target: GET(url), Load: Users(1).For(time.Minute).SharedIterations(b.N)}.withDefaults(1)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		res := executeScenario(b, s)
		runtime.ReadMemStats(&after)
		b.ReportMetric(res.Runtime.CPUSeconds*1e9/float64(res.Requests), "cpu-ns/req")
		b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(res.Requests), "allocs/req")
	})
}
