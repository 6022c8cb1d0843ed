package shop_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadgate/loadgate/examples/shop"
	"github.com/loadgate/loadgate/loadtest"
)

// TestTargetShopd runs the catalogue's load test against shopd in a process
// of its own, as loadgate run -target does (issue 14): the load reaches
// that shop, by exactly as many requests as the result counts, and the
// result records the target.
func TestTargetShopd(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: it builds shopd and runs it as a separate process")
	}
	url := startShopd(t, buildShopd(t), "-addr", "127.0.0.1:0")
	t.Setenv(loadtest.EnvTarget, url)
	t.Setenv(loadtest.EnvRateScale, "") // the planned count is the shop's rate
	before := shopRequests(t, url)
	res := loadCatalogue(t)
	if res == nil {
		return
	}
	after := shopRequests(t, url)
	if got := after - before; got != res.Requests {
		t.Errorf("shopd answered %d requests during the load, the result counts %d", got, res.Requests)
	}
	if res.Env.Target != url {
		t.Errorf("the result's target is %q, want %s", res.Env.Target, url)
	}
}

// TestTargetNotAllowed: under LOADGATE_TARGET with a host that is neither
// loopback nor allowed, the shop's load tests send nothing, whichever
// client sends their requests, and the failure says how to allow the
// host (issue 14).
func TestTargetNotAllowed(t *testing.T) {
	if testing.Short() {
		t.Skip("load test skipped in -short mode")
	}
	t.Setenv(loadtest.EnvTarget, "http://staging.example.com")
	t.Setenv(loadtest.EnvAllowHosts, "")
	for _, tc := range []struct {
		name   string
		target func(url string, c *http.Client) loadtest.Target
	}{
		{"harness client", func(url string, _ *http.Client) loadtest.Target { return loadtest.GET(url + "/products") }},
		{"test's client", func(url string, c *http.Client) loadtest.Target {
			return loadtest.Func(func(ctx context.Context) error { return send(ctx, c, "GET", url+"/products", "") })
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ft := &fatalT{TB: t}
			s, url, c := startShop(ft, shop.Options{})
			if s != nil || url != "http://staging.example.com" {
				t.Fatalf("startShop = %v, %q; want no shop of its own and the target", s, url)
			}
			sent := &countingTransport{next: c.Transport}
			c.Transport = sent
			res := loadtest.Run(ft, loadtest.Scenario{
				Target:  tc.target(url, c),
				Load:    loadtest.Rate(200).For(time.Second),
				Timeout: timeout,
			})
			if res != nil || len(ft.fatals) != 1 {
				t.Fatalf("Run = %v, failures %q; want no result and one failure", res, ft.fatals)
			}
			for _, want := range []string{
				"host staging.example.com is a name other than localhost",
				"set LOADGATE_ALLOW_HOSTS=staging.example.com",
				"loadgate run -allow-hosts staging.example.com",
			} {
				if !strings.Contains(ft.fatals[0], want) {
					t.Errorf("the failure %q does not say %q", ft.fatals[0], want)
				}
			}
			if n := sent.n.Load(); n != 0 {
				t.Errorf("the test's client sent %d requests", n)
			}
		})
	}
}

// shopRequests reads the requests shopd at url has answered, every route
// and status code together, from its metrics.
func shopRequests(t *testing.T, url string) int64 {
	t.Helper()
	var n int64
	for _, codes := range shopRoutes(t, url) {
		for _, c := range codes {
			n += c
		}
	}
	return n
}

// fatalT is a test whose fatal failure is the expected outcome: it keeps
// the message instead of stopping (loadtest.Run returns after Fatalf).
type fatalT struct {
	testing.TB
	mu     sync.Mutex
	fatals []string
}

func (f *fatalT) Fatalf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fatals = append(f.fatals, fmt.Sprintf(format, args...))
}

// countingTransport counts the requests a client sends.
type countingTransport struct {
	next http.RoundTripper
	n    atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// TestJourneyShopd runs every shopper of testdata/shoppers.csv through the
// checkout journey against shopd in its own process, until the shoppers
// run out (3,000 journeys, 12,000 steps), and checks each step's counts,
// by status, against the shop's own counters by route (issue 14).
func TestJourneyShopd(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: it builds shopd and runs it as a separate process")
	}
	url := startShopd(t, buildShopd(t), "-addr", "127.0.0.1:0")
	t.Setenv(loadtest.EnvTarget, url)
	t.Setenv(loadtest.EnvRateScale, "")
	_, url, _ = startShop(t, shop.Options{})
	tab := shoppers(t)
	before := shopRoutes(t, url)
	res := loadtest.Run(t, loadtest.Scenario{
		Name:    "every shopper checks out",
		Target:  checkoutJourney(url, tab.Unique()),
		Load:    loadtest.Users(16).For(2 * time.Minute), // the shoppers run out long before
		Timeout: timeout,
	})
	if res == nil {
		return
	}
	after := shopRoutes(t, url)
	// The warm-up's journeys (if any) used shoppers too; they are not
	// counted.
	var warm int64
	if res.Warmup != nil {
		warm = res.Warmup.Requests
	}
	if res.Stopped == nil || res.Stopped.Cause != "data" || res.Requests+warm != int64(tab.Len()) {
		t.Fatalf("%d journeys after %d of the warm-up, stopped %+v; want all %d shoppers and a stop for the data",
			res.Requests, warm, res.Stopped, tab.Len())
	}
	steps := int64(0)
	for step, route := range map[string]string{
		"catalogue":   "GET /products",
		"product":     "GET /products/{id}",
		"add to cart": "POST /cart/{user}/items",
		"checkout":    "POST /checkout/{user}",
	} {
		got := res.ByName[step]
		steps += got.Requests
		var total int64
		for code, n := range after[route] {
			served := n - before[route][code]
			total += served
			if got.StatusCodes[code] != served {
				t.Errorf("%s: the result counts %d responses %s, shopd served %d on %s", step, got.StatusCodes[code], code, served, route)
			}
		}
		if got.Requests != total {
			t.Errorf("%s: the result counts %d steps, shopd served %d on %s", step, got.Requests, total, route)
		}
	}
	if steps < 10000 {
		t.Errorf("%d steps, want at least 10,000 to judge the accounting", steps)
	}
	t.Logf("%d journeys, %d steps: every count agrees with shopd's", res.Requests, steps)
}

// shopRoutes reads what shopd at url has answered, by route and status
// code, from its metrics.
func shopRoutes(t *testing.T, url string) map[string]map[string]int64 {
	t.Helper()
	c := &http.Client{Timeout: timeout}
	defer c.CloseIdleConnections()
	resp, err := c.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	label := regexp.MustCompile(`(\w+)="([^"]*)"`)
	out := map[string]map[string]int64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		series, value, ok := strings.Cut(sc.Text(), "} ")
		if !ok || !strings.HasPrefix(series, "shop_http_requests_total{") {
			continue
		}
		labels := map[string]string{}
		for _, m := range label.FindAllStringSubmatch(series, -1) {
			labels[m[1]] = m[2]
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			t.Fatalf("GET %s/metrics: %q: %v", url, sc.Text(), err)
		}
		if out[labels["route"]] == nil {
			out[labels["route"]] = map[string]int64{}
		}
		out[labels["route"]][labels["code"]] += int64(v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
