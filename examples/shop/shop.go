package shop

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
)

// checkoutRounds is how many SHA-256 rounds a checkout spends signing its
// receipt: about 1.5 ms on one core of the project's 2-core machine (AMD
// EPYC with SHA extensions) for a cart of one line; see BenchmarkCheckout.
// The work is real CPU, not a sleep, so that a slower checkout also queues
// the requests behind it, as a real regression does.
const checkoutRounds = 8000

// maxBodyBytes bounds a request body; a cart item is a few dozen bytes.
const maxBodyBytes = 1 << 10

// Options change how a [Server] behaves. The zero value is a healthy shop.
type Options struct {
	// Slowdown makes every checkout do this fraction more CPU work: 0.25
	// makes the checkout handler about 25% slower. An order (a cart item,
	// then a checkout) slows less, as the signing is most but not all of
	// its latency: 0.4 raises TestBaselineCheckout's p99 by about 25% on
	// the project's 2-core machine. Zero, and anything below it, is the
	// normal speed.
	Slowdown float64
	// Leak, when true, makes every GET /products start a goroutine that
	// never ends, the bug that goroutine-leak checks are meant to catch.
	Leak bool
}

// Product is one item of the catalogue. Prices are in cents.
type Product struct {
	ID    int    `json:"id"`
	Name  string `json:"name"`
	Price int64  `json:"price_cents"`
}

// Line is one product in a cart, with its quantity.
type Line struct {
	Product int   `json:"product"`
	Qty     int   `json:"qty"`
	Price   int64 `json:"price_cents"` // of one unit
}

// Cart is what GET /cart/{user} returns.
type Cart struct {
	User  string `json:"user"`
	Lines []Line `json:"lines"`
	Total int64  `json:"total_cents"`
}

// Order is what POST /checkout/{user} returns.
type Order struct {
	ID    int64  `json:"id"`
	User  string `json:"user"`
	Lines []Line `json:"lines"`
	Total int64  `json:"total_cents"`
	// Receipt is an opaque signature of the order.
	Receipt string `json:"receipt"`
}

// Server is the shop: an [http.Handler] with these endpoints.
//
//	GET  /healthz              200 "ok"
//	GET  /products             the catalogue, as a JSON array of [Product]
//	GET  /products/{id}        one [Product]; 404 for an unknown id
//	POST /cart/{user}/items    add {"product": id, "qty": n} to the cart and
//	                           return the [Cart]; 400 for a bad body, 404 for
//	                           an unknown product
//	GET  /cart/{user}          the [Cart], empty if the user has none
//	POST /checkout/{user}      turn the cart into an [Order] and empty it;
//	                           409 for an empty cart
//
// Errors are JSON objects {"error": "..."}. A Server is safe for concurrent
// use; its state lives in memory and is lost with it.
type Server struct {
	opts      Options
	mux       *http.ServeMux
	catalogue []Product       // sorted by ID
	byID      map[int]Product // the same products

	mu     sync.Mutex
	carts  map[string]map[int]int // user → product ID → quantity
	orders int64
}

var _ http.Handler = (*Server)(nil)

// NewServer returns a shop with a catalogue of 50 products and no carts.
func NewServer(opts Options) *Server {
	s := &Server{
		opts:      opts,
		mux:       http.NewServeMux(),
		catalogue: newCatalogue(),
		byID:      map[int]Product{},
		carts:     map[string]map[int]int{},
	}
	for _, p := range s.catalogue {
		s.byID[p.ID] = p
	}
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /products", s.listProducts)
	s.mux.HandleFunc("GET /products/{id}", s.getProduct)
	s.mux.HandleFunc("POST /cart/{user}/items", s.addItem)
	s.mux.HandleFunc("GET /cart/{user}", s.getCart)
	s.mux.HandleFunc("POST /checkout/{user}", s.checkout)
	return s
}

// ServeHTTP implements [http.Handler].
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// Orders returns how many checkouts have succeeded so far.
func (s *Server) Orders() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.orders
}

// newCatalogue builds the same 50 products every time.
func newCatalogue() []Product {
	adjectives := []string{"Blue", "Classic", "Compact", "Deluxe", "Rustic"}
	nouns := []string{"Backpack", "Bottle", "Candle", "Kettle", "Lamp", "Mug", "Notebook", "Scarf", "Teapot", "Umbrella"}
	var ps []Product
	for _, a := range adjectives {
		for _, n := range nouns {
			id := len(ps) + 1
			ps = append(ps, Product{ID: id, Name: a + " " + n, Price: int64(499 + 250*(id%13))})
		}
	}
	return ps
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}

func (s *Server) listProducts(w http.ResponseWriter, _ *http.Request) {
	if s.opts.Leak {
		// Deliberately broken: nothing ever sends on block, so the
		// goroutine outlives the request and the server.
		block := make(chan struct{})
		go func() { <-block }()
	}
	writeJSON(w, http.StatusOK, s.catalogue)
}

func (s *Server) getProduct(w http.ResponseWriter, r *http.Request) {
	p, ok := s.product(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, "no product %q", r.PathValue("id"))
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// product looks a product up by the decimal ID in a path.
func (s *Server) product(id string) (Product, bool) {
	n, err := strconv.Atoi(id)
	if err != nil {
		return Product{}, false
	}
	p, ok := s.byID[n]
	return p, ok
}

// addRequest is the body of POST /cart/{user}/items.
type addRequest struct {
	Product int `json:"product"`
	Qty     int `json:"qty"`
}

func (s *Server) addItem(w http.ResponseWriter, r *http.Request) {
	user := r.PathValue("user")
	var req addRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "bad cart item: %v", err)
		return
	}
	if req.Qty <= 0 {
		writeError(w, http.StatusBadRequest, "bad cart item: qty must be positive, got %d", req.Qty)
		return
	}
	if _, ok := s.byID[req.Product]; !ok {
		writeError(w, http.StatusNotFound, "no product %d", req.Product)
		return
	}
	s.mu.Lock()
	c := s.carts[user]
	if c == nil {
		c = map[int]int{}
		s.carts[user] = c
	}
	c[req.Product] += req.Qty
	lines := s.lines(c)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, Cart{User: user, Lines: lines, Total: total(lines)})
}

func (s *Server) getCart(w http.ResponseWriter, r *http.Request) {
	user := r.PathValue("user")
	s.mu.Lock()
	lines := s.lines(s.carts[user])
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, Cart{User: user, Lines: lines, Total: total(lines)})
}

func (s *Server) checkout(w http.ResponseWriter, r *http.Request) {
	user := r.PathValue("user")
	// Take the cart out under the lock and do the slow part without it, so
	// that one checkout does not hold up every other shopper.
	s.mu.Lock()
	lines := s.lines(s.carts[user])
	delete(s.carts, user)
	if len(lines) > 0 {
		s.orders++
	}
	id := s.orders
	s.mu.Unlock()
	if len(lines) == 0 {
		writeError(w, http.StatusConflict, "cart of %q is empty", user)
		return
	}
	o := Order{ID: id, User: user, Lines: lines, Total: total(lines)}
	o.Receipt = sign(o, s.rounds())
	writeJSON(w, http.StatusOK, o)
}

// lines returns the cart c as lines sorted by product ID; the caller must
// hold s.mu.
func (s *Server) lines(c map[int]int) []Line {
	lines := make([]Line, 0, len(c))
	for id, qty := range c {
		lines = append(lines, Line{Product: id, Qty: qty, Price: s.byID[id].Price})
	}
	slices.SortFunc(lines, func(a, b Line) int { return cmp.Compare(a.Product, b.Product) })
	return lines
}

func total(lines []Line) int64 {
	var t int64
	for _, l := range lines {
		t += int64(l.Qty) * l.Price
	}
	return t
}

// rounds is the number of signing rounds of one checkout.
func (s *Server) rounds() int {
	return checkoutRounds + int(float64(checkoutRounds)*max(s.opts.Slowdown, 0))
}

// sign chains SHA-256 over the order rounds times and returns the first 16
// bytes of the last digest in hex. It stands in for the CPU-bound part of a
// real checkout (pricing rules, fraud scoring, signing).
func sign(o Order, rounds int) string {
	body, _ := json.Marshal(o) // cannot fail: Order has only plain fields
	buf := make([]byte, sha256.Size+len(body))
	copy(buf[sha256.Size:], body)
	var sum [sha256.Size]byte
	for range rounds {
		copy(buf, sum[:])
		sum = sha256.Sum256(buf)
	}
	return hex.EncodeToString(sum[:16])
}

// writeJSON writes v as the JSON body of a response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// writeError writes {"error": message} with the given status.
func writeError(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, struct {
		Error string `json:"error"`
	}{fmt.Sprintf(format, args...)})
}
