package loadtest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/loadtest"
)

// A load test is an ordinary test function: TargetURL gives it the server
// to load (its own, or LOADGATE_TARGET's), Run sends the load and returns
// the result, and the test asserts on it. Run needs the t of a running test,
// so this example is compiled but not run; ExampleGET runs the same
// scenario with Execute.
func ExampleRun() {
	_ = func(t *testing.T) {
		url := loadtest.TargetURL(t, func() string {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "ok") // your handler here
			}))
			t.Cleanup(srv.Close)
			return srv.URL
		})
		res := loadtest.Run(t, loadtest.Scenario{
			Target: loadtest.GET(url + "/products"),
			Load:   loadtest.Rate(200).For(10 * time.Second),
		})
		assert.SLA(t, res, "p99 < 200ms", "error_rate < 0.1%", "dropped == 0")
	}
}

// An HTTP target sends one request at the planned rate; the result counts
// the responses by status.
func ExampleGET() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	defer srv.Close()

	res, err := loadtest.Execute(context.Background(), loadtest.Scenario{
		Target: loadtest.GET(srv.URL + "/products"),
		Load:   loadtest.Rate(100).For(200 * time.Millisecond),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Requests, "requests,", res.Errors, "errors; status 200:", res.StatusCodes["200"])
	// Output:
	// 20 requests, 0 errors; status 200: 20
}

// A mix sends its requests in proportion to their weights, and the result
// splits by request name.
func ExampleMix() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			w.WriteHeader(http.StatusCreated)
		}
	}))
	defer srv.Close()

	res, err := loadtest.Execute(context.Background(), loadtest.Scenario{
		Target: loadtest.Mix(
			loadtest.Request{Name: "browse", URL: srv.URL + "/products", Weight: 3},
			loadtest.Request{Name: "order", Method: http.MethodPost, URL: srv.URL + "/orders",
				Body: []byte(`{"sku":"A1"}`), Weight: 1, Expect: []int{http.StatusCreated}},
		),
		Load: loadtest.Rate(100).For(200 * time.Millisecond),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("browse:", res.ByName["browse"].Requests, "order:", res.ByName["order"].Requests, "errors:", res.Errors)
	// Output:
	// browse: 15 order: 5 errors: 0
}

// A Flow is a user journey in Go: each step's response feeds the next
// step's request, and each step is counted under its own name.
func ExampleFlow() {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "token-42") })
	mux.HandleFunc("GET /cart", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer token-42" {
			w.WriteHeader(http.StatusUnauthorized)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	journey := loadtest.Flow(func(ctx context.Context, it *loadtest.Iteration) error {
		login, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/login", strings.NewReader("user=ann"))
		resp, err := it.Do("login", login)
		if err != nil {
			return err
		}
		token, _ := io.ReadAll(resp.Body) // read from memory: Do has read and closed the body
		cart, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/cart", nil)
		cart.Header.Set("Authorization", "Bearer "+string(token))
		_, err = it.Do("cart", cart)
		return err
	})
	res, err := loadtest.Execute(context.Background(), loadtest.Scenario{
		Target: journey,
		Load:   loadtest.Users(2).SharedIterations(10),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Requests, "iterations,", res.Errors, "failed;", "login:", res.ByName["login"].Requests, "cart:", res.ByName["cart"].Requests)
	// Output:
	// 10 iterations, 0 failed; login: 10 cart: 10
}
