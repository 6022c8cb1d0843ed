package ghdouble_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/action/internal/ghdouble"
)

func do(t *testing.T, srv *httptest.Server, method, path, token, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestAsDocumented checks the answers GitHub documents for the issue
// comment endpoints.
func TestAsDocumented(t *testing.T) {
	d := ghdouble.New(map[string]ghdouble.Permission{"w": ghdouble.Write, "r": ghdouble.Read})
	srv := httptest.NewServer(d)
	defer srv.Close()
	for range 5 {
		d.AddComment("o/r", 1, "octocat", "hi")
	}
	const list = "/repos/o/r/issues/1/comments"
	tests := []struct {
		name, method, path, token, body string
		wantStatus                      int
		wantBody, wantLink              string
	}{
		{"no token", "GET", list, "", "", 401, `"message":"Requires authentication"`, ""},
		{"bad token", "GET", list, "x", "", 401, `"message":"Bad credentials"`, ""},
		{"first page", "GET", list + "?per_page=2", "r", "", 200, `"body":"hi"`,
			`<` + srv.URL + list + `?page=2&per_page=2>; rel="next", <` + srv.URL + list + `?page=3&per_page=2>; rel="last"`},
		{"last page", "GET", list + "?per_page=2&page=3", "r", "", 200, `"id":1004`,
			`<` + srv.URL + list + `?page=2&per_page=2>; rel="prev", <` + srv.URL + list + `?page=1&per_page=2>; rel="first"`},
		{"read-only create", "POST", list, "r", `{"body":"x"}`, 403, `"message":"Resource not accessible by integration"`, ""},
		{"read-only update", "PATCH", "/repos/o/r/issues/comments/1000", "r", `{"body":"x"}`, 403, `Resource not accessible by integration`, ""},
		{"create", "POST", list, "w", `{"body":"x"}`, 201, `"id":1005`, ""},
		{"too long", "POST", list, "w", `{"body":"` + strings.Repeat("a", ghdouble.MaxBody+1) + `"}`, 422,
			`"message":"body is too long (maximum is 65536 characters)"`, ""},
		{"no body", "POST", list, "w", `{}`, 422, `wasn't supplied`, ""},
		{"update", "PATCH", "/repos/o/r/issues/comments/1000", "w", `{"body":"y"}`, 200, `"body":"y"`, ""},
		{"update missing", "PATCH", "/repos/o/r/issues/comments/9", "w", `{"body":"y"}`, 404, `Not Found`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, srv, tt.method, tt.path, tt.token, tt.body)
			if resp.StatusCode != tt.wantStatus || !strings.Contains(body, tt.wantBody) {
				t.Errorf("%d %s, want %d with %s", resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
			if got := resp.Header.Get("Link"); got != tt.wantLink {
				t.Errorf("Link: %s\nwant: %s", got, tt.wantLink)
			}
		})
	}
	st := d.State()
	if len(st.Comments) != 6 || st.Comments[0].Body != "y" || len(st.Comments[0].Bodies) != 2 {
		t.Errorf("state: %+v", st.Comments[:1])
	}
	for _, r := range st.Requests {
		if strings.Contains(r.Path, "Bearer") || r.Auth == "" {
			t.Errorf("request record %+v", r)
		}
	}
	b, _ := json.Marshal(st)
	if strings.Contains(string(b), `"w"`) && strings.Contains(string(b), "Bearer") {
		t.Errorf("the state must not hold tokens")
	}
}

func TestFaults(t *testing.T) {
	d := ghdouble.New(map[string]ghdouble.Permission{"w": ghdouble.Write})
	srv := httptest.NewServer(d)
	defer srv.Close()
	d.Inject(ghdouble.Fault{Method: "GET", Status: 502})
	d.Inject(ghdouble.Fault{Method: "POST", Status: 403, Header: map[string]string{"Retry-After": "30"},
		Message: "You have exceeded a secondary rate limit"})
	const list = "/repos/o/r/issues/1/comments"
	if resp, _ := do(t, srv, "GET", list, "w", ""); resp.StatusCode != 502 {
		t.Errorf("first GET: %d, want 502", resp.StatusCode)
	}
	if resp, _ := do(t, srv, "GET", list, "w", ""); resp.StatusCode != 200 {
		t.Errorf("second GET: %d, want 200 (once)", resp.StatusCode)
	}
	resp, body := do(t, srv, "POST", list, "w", `{"body":"x"}`)
	if resp.StatusCode != 403 || resp.Header.Get("Retry-After") != "30" || !strings.Contains(body, "secondary rate limit") {
		t.Errorf("POST: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	if n := len(d.State().Comments); n != 0 {
		t.Errorf("a rate-limited create must not create: %d comments", n)
	}
}
