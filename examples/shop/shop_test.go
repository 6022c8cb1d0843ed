package shop_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/examples/shop"
)

// serve sends one request to h and returns the recorded response.
func serve(h http.Handler, method, target, body string) *httptest.ResponseRecorder {
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, target, nil)
	} else {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestRoutes(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		target   string
		give     string // request body
		want     int    // status
		wantBody string // a substring of the response body
	}{
		{name: "healthz", method: "GET", target: "/healthz", want: 200, wantBody: "ok"},
		{name: "catalogue", method: "GET", target: "/products", want: 200, wantBody: `"name":"Blue Backpack"`},
		{name: "product", method: "GET", target: "/products/7", want: 200, wantBody: `"id":7`},
		{name: "unknown product", method: "GET", target: "/products/51", want: 404, wantBody: `"error"`},
		{name: "product id not a number", method: "GET", target: "/products/mug", want: 404},
		{name: "add item", method: "POST", target: "/cart/ann/items", give: `{"product": 3, "qty": 2}`, want: 200, wantBody: `"qty":2`},
		{name: "add item bad JSON", method: "POST", target: "/cart/ann/items", give: `{"product": 3,`, want: 400},
		{name: "add item unknown field", method: "POST", target: "/cart/ann/items", give: `{"sku": 3, "qty": 1}`, want: 400},
		{name: "add item zero qty", method: "POST", target: "/cart/ann/items", give: `{"product": 3, "qty": 0}`, want: 400},
		{name: "add item too big", method: "POST", target: "/cart/ann/items", give: `{"product": 3, "qty": 1` + strings.Repeat(" ", 2000) + `}`, want: 400},
		{name: "add unknown product", method: "POST", target: "/cart/ann/items", give: `{"product": 99, "qty": 1}`, want: 404},
		{name: "empty cart", method: "GET", target: "/cart/bob", want: 200, wantBody: `"lines":[]`},
		{name: "checkout empty cart", method: "POST", target: "/checkout/bob", want: 409},
		{name: "wrong method", method: "DELETE", target: "/products", want: 405},
		{name: "unknown path", method: "GET", target: "/orders", want: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(shop.NewServer(shop.Options{}), tt.method, tt.target, tt.give)
			if w.Code != tt.want {
				t.Errorf("%s %s: status = %d, want %d (body %q)", tt.method, tt.target, w.Code, tt.want, w.Body)
			}
			if !strings.Contains(w.Body.String(), tt.wantBody) {
				t.Errorf("%s %s: body = %q, want it to contain %q", tt.method, tt.target, w.Body, tt.wantBody)
			}
		})
	}
}

func TestCatalogue(t *testing.T) {
	w := serve(shop.NewServer(shop.Options{}), "GET", "/products", "")
	var got []shop.Product
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatalf("GET /products: %v", err)
	}
	if len(got) != 50 {
		t.Errorf("GET /products: %d products, want 50", len(got))
	}
	seen := map[int]bool{}
	for _, p := range got {
		if seen[p.ID] || p.Name == "" || p.Price <= 0 {
			t.Errorf("GET /products: bad or duplicate product %+v", p)
		}
		seen[p.ID] = true
	}
}

func TestCheckout(t *testing.T) {
	tests := []struct {
		name      string
		give      []string // bodies of POST /cart/ann/items
		wantLines int
		wantTotal int64
	}{
		{name: "one line", give: []string{`{"product": 1, "qty": 1}`}, wantLines: 1, wantTotal: 749},
		{name: "quantities add up", give: []string{`{"product": 1, "qty": 1}`, `{"product": 1, "qty": 2}`}, wantLines: 1, wantTotal: 3 * 749},
		{name: "two lines", give: []string{`{"product": 2, "qty": 1}`, `{"product": 1, "qty": 1}`}, wantLines: 2, wantTotal: 749 + 999},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := shop.NewServer(shop.Options{})
			for _, body := range tt.give {
				if w := serve(s, "POST", "/cart/ann/items", body); w.Code != 200 {
					t.Fatalf("POST /cart/ann/items %s: status %d, body %q", body, w.Code, w.Body)
				}
			}
			var cart shop.Cart
			decode(t, serve(s, "GET", "/cart/ann", ""), &cart)
			if len(cart.Lines) != tt.wantLines || cart.Total != tt.wantTotal {
				t.Errorf("cart = %+v, want %d lines totalling %d", cart, tt.wantLines, tt.wantTotal)
			}

			var order shop.Order
			decode(t, serve(s, "POST", "/checkout/ann", ""), &order)
			if order.ID != 1 || order.Total != tt.wantTotal || len(order.Receipt) != 32 {
				t.Errorf("order = %+v, want id 1, total %d and a 32-digit receipt", order, tt.wantTotal)
			}
			if got := s.Orders(); got != 1 {
				t.Errorf("Orders() = %d, want 1", got)
			}
			decode(t, serve(s, "GET", "/cart/ann", ""), &cart)
			if len(cart.Lines) != 0 {
				t.Errorf("cart after checkout = %+v, want it empty", cart)
			}
		})
	}
}

// decode checks that w is a 200 response and decodes its JSON body into v.
func decode(t *testing.T, w *httptest.ResponseRecorder, v any) {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, body %q", w.Code, w.Body)
	}
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatalf("decoding %q: %v", w.Body, err)
	}
}

// TestNoGoroutineLeaks is how a unit test guards against leaks: NoLeaks
// first, so that it checks after the server's Close and every other cleanup.
func TestNoGoroutineLeaks(t *testing.T) {
	assert.NoLeaks(t)
	srv := httptest.NewServer(shop.NewServer(shop.Options{}))
	t.Cleanup(srv.Close)
	for _, path := range []string{"/products", "/products/1", "/cart/ann", "/healthz"} {
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
}

// TestLeakOptionIsCaught checks that the leak Options.Leak switches on is
// the kind NoLeaks reports, grouped and named.
func TestLeakOptionIsCaught(t *testing.T) {
	ft := &recordingT{}
	assert.NoLeaksWithin(ft, 300*time.Millisecond)
	s := shop.NewServer(shop.Options{Leak: true})
	for range 20 {
		serve(s, "GET", "/products", "")
	}
	ft.runCleanups()
	want := "20 × [chan receive] blocked in github.com/loadgate/loadgate/examples/shop.(*Server).listProducts.func1"
	if len(ft.errors) != 1 || !strings.Contains(ft.errors[0], want) {
		t.Fatalf("NoLeaks reported %q, want a report containing %q", ft.errors, want)
	}
}

// recordingT stands in for a test whose failure is the expected outcome.
type recordingT struct {
	errors   []string
	cleanups []func()
}

func (r *recordingT) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recordingT) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *recordingT) runCleanups() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

// BenchmarkCheckout measures one checkout of a one-line cart, the figure
// checkoutRounds is sized by, and the cost of Options.Slowdown.
func BenchmarkCheckout(b *testing.B) {
	for _, bb := range []struct {
		name     string
		slowdown float64
	}{
		{"normal", 0},
		{"slowdown=0.25", 0.25},
		{"slowdown=0.4", 0.4},
	} {
		b.Run(bb.name, func(b *testing.B) {
			s := shop.NewServer(shop.Options{Slowdown: bb.slowdown})
			for b.Loop() {
				serve(s, "POST", "/cart/ann/items", `{"product": 1, "qty": 1}`)
				if w := serve(s, "POST", "/checkout/ann", ""); w.Code != http.StatusOK {
					b.Fatalf("checkout: status %d", w.Code)
				}
			}
		})
	}
}
