// Package ghdouble is a stand-in for the part of the GitHub REST API that
// the loadgate Action uses, behaving as GitHub documents it: issue comments
// (list with Link pagination, create, update), pull requests (get), the
// GraphQL API's viewer (the token's login, [Login]), tokens with write or read-only permission, and the errors GitHub gives:
// 401 for a bad token, 403 "Resource not accessible by integration" for a
// read-only one, 404, 422 for a body over 65,536 characters. Faults can be
// injected: a 5xx once, a secondary rate limit with Retry-After, or a 5xx
// after the request was carried out (as GitHub's front end sometimes does).
//
// It is for tests: serve it on loopback with net/http/httptest, or run
// cmd/ghdouble for an end-to-end run under nektos/act.
package ghdouble

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// MaxBody is the longest comment body GitHub accepts, in characters.
const MaxBody = 65536

// Permission is what a token may do.
type Permission string

const (
	Write Permission = "write"
	Read  Permission = "read" // the GITHUB_TOKEN of a fork's pull request
)

// Comment is a stored issue comment.
type Comment struct {
	ID        int64     `json:"id"`
	Repo      string    `json:"repo"` // owner/name
	Issue     int       `json:"issue"`
	Body      string    `json:"body"`
	User      string    `json:"user"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Bodies is every body the comment had, the first one first.
	Bodies []string `json:"bodies"`
}

// Request is one request the double answered.
type Request struct {
	Method string `json:"method"`
	Path   string `json:"path"` // with the query
	Status int    `json:"status"`
	// Auth is "write", "read", "none" or "bad": how the request
	// authenticated. The token itself is never recorded.
	Auth string `json:"auth"`
}

// Fault is an answer to give instead of the normal one.
type Fault struct {
	Method string // "" matches every method
	// Path is matched as a prefix of the request's path ("" matches all).
	Path   string
	Status int
	// Header is added to the answer (Retry-After, x-ratelimit-*).
	Header map[string]string
	// Message is GitHub's "message"; "" means the status text.
	Message string
	// AfterEffect carries the request out before answering with Status:
	// the comment is created, but the client is told 502.
	AfterEffect bool
	// Times is how many matching requests get the fault; 0 means 1.
	Times int
}

// Server is the double. Its zero value is not usable; use New.
type Server struct {
	mu       sync.Mutex
	tokens   map[string]Permission
	pulls    map[string]map[int]string // repo → number → head sha
	comments []*Comment
	nextID   int64
	requests []Request
	faults   []*Fault
	// OnChange, when set, is called (without the lock) after every
	// request, for a program that saves the state.
	OnChange func()
	// Now returns the time; nil means time.Now.
	Now func() time.Time
}

// New returns a double that accepts the given tokens.
func New(tokens map[string]Permission) *Server {
	return &Server{tokens: tokens, pulls: map[string]map[int]string{}, nextID: 1000}
}

// AddPull makes pull request n of repo (owner/name) exist with head sha.
func (s *Server) AddPull(repo string, n int, headSHA string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pulls[repo] == nil {
		s.pulls[repo] = map[int]string{}
	}
	s.pulls[repo][n] = headSHA
}

// AddComment stores a comment as if user had posted it, for a PR that
// already has comments.
func (s *Server) AddComment(repo string, issue int, user, body string) *Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addComment(repo, issue, user, body)
}

func (s *Server) addComment(repo string, issue int, user, body string) *Comment {
	now := s.now()
	c := &Comment{ID: s.nextID, Repo: repo, Issue: issue, Body: body, User: user, CreatedAt: now, UpdatedAt: now, Bodies: []string{body}}
	s.nextID++
	s.comments = append(s.comments, c)
	return c
}

// Inject queues a fault.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times == 0 {
		f.Times = 1
	}
	s.faults = append(s.faults, &f)
}

// State is a snapshot of what the double holds and saw.
type State struct {
	Comments []Comment `json:"comments"`
	Requests []Request `json:"requests"`
}

// State returns a copy of the double's state.
func (s *Server) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := State{Requests: append([]Request(nil), s.requests...)}
	for _, c := range s.comments {
		cc := *c
		cc.Bodies = append([]string(nil), c.Bodies...)
		st.Comments = append(st.Comments, cc)
	}
	return st
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now().UTC().Truncate(time.Second)
}

// ServeHTTP answers like api.github.com.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &recorder{ResponseWriter: w, status: 200}
	s.serve(rec, r)
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.RequestURI(), Status: rec.status, Auth: s.authOf(r)})
	s.mu.Unlock()
	if s.OnChange != nil {
		s.OnChange()
	}
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (s *Server) authOf(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "none"
	}
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		tok, ok = strings.CutPrefix(h, "token ")
	}
	if p, known := s.tokens[tok]; ok && known {
		return string(p)
	}
	return "bad"
}

const docs = "https://docs.github.com/rest/issues/comments"

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"message": msg, "documentation_url": docs, "status": strconv.Itoa(status)})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	auth := s.authOf(r)
	fault := s.takeFault(r)
	s.mu.Unlock()

	if fault != nil && !fault.AfterEffect {
		s.writeFault(w, fault)
		return
	}
	switch auth {
	case "none":
		writeError(w, http.StatusUnauthorized, "Requires authentication")
		return
	case "bad":
		writeError(w, http.StatusUnauthorized, "Bad credentials")
		return
	}
	if r.URL.Path == "/graphql" {
		s.graphQL(w, r)
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	// repos/{owner}/{repo}/...
	if len(parts) < 4 || parts[0] != "repos" {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	repo := parts[1] + "/" + parts[2]
	rest := parts[3:]
	switch {
	case len(rest) == 3 && rest[0] == "issues" && rest[2] == "comments":
		n, err := strconv.Atoi(rest[1])
		if err != nil {
			writeError(w, http.StatusNotFound, "Not Found")
			return
		}
		switch r.Method {
		case http.MethodGet:
			s.list(w, r, repo, n)
		case http.MethodPost:
			if auth != string(Write) {
				writeError(w, http.StatusForbidden, "Resource not accessible by integration")
				return
			}
			s.create(w, r, repo, n, fault)
		default:
			writeError(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		}
	case len(rest) == 3 && rest[0] == "issues" && rest[1] == "comments":
		id, err := strconv.ParseInt(rest[2], 10, 64)
		if err != nil {
			writeError(w, http.StatusNotFound, "Not Found")
			return
		}
		switch r.Method {
		case http.MethodPatch:
			if auth != string(Write) {
				writeError(w, http.StatusForbidden, "Resource not accessible by integration")
				return
			}
			s.update(w, r, repo, id, fault)
		default:
			writeError(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		}
	case len(rest) == 2 && rest[0] == "pulls" && r.Method == http.MethodGet:
		n, _ := strconv.Atoi(rest[1])
		s.mu.Lock()
		sha, ok := s.pulls[repo][n]
		s.mu.Unlock()
		if !ok {
			writeError(w, http.StatusNotFound, "Not Found")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"number": n, "state": "open", "head": map[string]any{"sha": sha}})
	default:
		writeError(w, http.StatusNotFound, "Not Found")
	}
}

// takeFault returns the first queued fault that matches r, using it up.
func (s *Server) takeFault(r *http.Request) *Fault {
	for i, f := range s.faults {
		if (f.Method == "" || f.Method == r.Method) && strings.HasPrefix(r.URL.Path, f.Path) {
			f.Times--
			if f.Times <= 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			return f
		}
	}
	return nil
}

func (s *Server) writeFault(w http.ResponseWriter, f *Fault) {
	for k, v := range f.Header {
		w.Header().Set(k, v)
	}
	msg := f.Message
	if msg == "" {
		msg = http.StatusText(f.Status)
	}
	if f.Status >= 500 {
		// GitHub's front end answers 502 with an HTML page, not JSON.
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Status)
		fmt.Fprintf(w, "<html><body><h1>%d %s</h1></body></html>\n", f.Status, msg)
		return
	}
	writeError(w, f.Status, msg)
}

// list answers GET …/issues/{n}/comments with per_page (default 30, at
// most 100) and page, and a Link header as GitHub writes it.
func (s *Server) list(w http.ResponseWriter, r *http.Request, repo string, n int) {
	q := r.URL.Query()
	perPage := 30
	if v, err := strconv.Atoi(q.Get("per_page")); err == nil && v > 0 {
		perPage = min(v, 100)
	}
	page := 1
	if v, err := strconv.Atoi(q.Get("page")); err == nil && v > 0 {
		page = v
	}
	s.mu.Lock()
	var all []map[string]any
	for _, c := range s.comments {
		if c.Repo == repo && c.Issue == n {
			all = append(all, s.jsonOf(r, c))
		}
	}
	s.mu.Unlock()
	last := max(1, (len(all)+perPage-1)/perPage)
	from := min((page-1)*perPage, len(all))
	to := min(from+perPage, len(all))
	link := func(p int, rel string) string {
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
		v := url.Values{}
		v.Set("per_page", strconv.Itoa(perPage))
		v.Set("page", strconv.Itoa(p))
		u.RawQuery = v.Encode()
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	var links []string
	if page > 1 {
		links = append(links, link(page-1, "prev"))
	}
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	writeJSON(w, http.StatusOK, append([]map[string]any{}, all[from:to]...))
}

func (s *Server) jsonOf(r *http.Request, c *Comment) map[string]any {
	return map[string]any{
		"id":         c.ID,
		"body":       c.Body,
		"html_url":   fmt.Sprintf("https://github.com/%s/pull/%d#issuecomment-%d", c.Repo, c.Issue, c.ID),
		"url":        fmt.Sprintf("http://%s/repos/%s/issues/comments/%d", r.Host, c.Repo, c.ID),
		"user":       map[string]any{"login": c.User, "type": "Bot"},
		"created_at": c.CreatedAt.Format(time.RFC3339),
		"updated_at": c.UpdatedAt.Format(time.RFC3339),
	}
}

// Login is the login of every token the double accepts: that of a
// workflow's GITHUB_TOKEN, as the GraphQL API gives it, and the author of
// every comment the double creates.
const Login = "github-actions[bot]"

// graphQL answers POST /graphql as GitHub does for the one query the
// action sends, `query { viewer { login } }`; other queries get GraphQL's
// error, with status 200 as GitHub gives it.
func (s *Server) graphQL(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	var in struct {
		Query string `json:"query"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return
	}
	if strings.Join(strings.Fields(in.Query), " ") != "query { viewer { login } }" {
		writeJSON(w, http.StatusOK, map[string]any{"errors": []map[string]any{{"message": "the double answers only query { viewer { login } }"}}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"viewer": map[string]any{"login": Login}}})
}

// body reads and checks {"body": …}: 422 when missing or too long.
func (s *Server) body(w http.ResponseWriter, r *http.Request) (string, bool) {
	var in struct {
		Body *string `json:"body"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return "", false
	}
	if in.Body == nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
			"message": "Invalid request.\n\n\"body\" wasn't supplied.", "documentation_url": docs, "status": "422"})
		return "", false
	}
	if utf8.RuneCountInString(*in.Body) > MaxBody {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
			"message": "Validation Failed",
			"errors": []map[string]any{{"resource": "IssueComment", "code": "custom", "field": "body",
				"message": fmt.Sprintf("body is too long (maximum is %d characters)", MaxBody)}},
			"documentation_url": docs, "status": "422"})
		return "", false
	}
	return *in.Body, true
}

func (s *Server) create(w http.ResponseWriter, r *http.Request, repo string, n int, fault *Fault) {
	body, ok := s.body(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	c := s.addComment(repo, n, Login, body)
	out := s.jsonOf(r, c)
	s.mu.Unlock()
	if fault != nil {
		s.writeFault(w, fault) // carried out, and yet an error
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) update(w http.ResponseWriter, r *http.Request, repo string, id int64, fault *Fault) {
	body, ok := s.body(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	var c *Comment
	for _, x := range s.comments {
		if x.ID == id && x.Repo == repo {
			c = x
		}
	}
	if c == nil {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	c.Body = body
	c.UpdatedAt = s.now()
	c.Bodies = append(c.Bodies, body)
	out := s.jsonOf(r, c)
	s.mu.Unlock()
	if fault != nil {
		s.writeFault(w, fault)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
