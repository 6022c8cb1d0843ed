package github

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestUpsertLeavesOthersMarkedComments: anyone may post a comment that
// starts with the action's marker before the action's first run, and
// edit it later to show another verdict. The action leaves it alone and
// keeps its own comment.
func TestUpsertLeavesOthersMarkedComments(t *testing.T) {
	d, c, _ := newDouble(t, writeToken)
	marker := markerOf("loadgate", "load")
	forged := d.AddComment(repoFull, prNumber, "mallory", marker+"\n### loadgate: all passed")

	login, err := c.Login(t.Context())
	if err != nil || login != ActionsBot {
		t.Fatalf("Login = %q, %v; want %q", login, err, ActionsBot)
	}
	first, created, err := Upsert(t.Context(), c, repoOwner, repoName, prNumber, login, marker, marker+"\nfailed", true)
	if err != nil || !created || first.ID == forged.ID {
		t.Fatalf("upsert: id %d (forged %d), created %v, err %v; want a comment of the action's own", first.ID, forged.ID, created, err)
	}
	second, created, err := Upsert(t.Context(), c, repoOwner, repoName, prNumber, login, marker, marker+"\nfailed again", true)
	if err != nil || created || second.ID != first.ID {
		t.Fatalf("second upsert: id %d, created %v, err %v; want the action's comment %d updated", second.ID, created, err, first.ID)
	}
	for _, cm := range d.State().Comments {
		if cm.ID == forged.ID && len(cm.Bodies) != 1 {
			t.Errorf("mallory's comment was written: %q", cm.Bodies)
		}
	}
	if _, _, err := Upsert(t.Context(), c, repoOwner, repoName, prNumber, "", marker, marker+"\nx", true); err == nil {
		t.Error("Upsert without an author: no error")
	}
}

// TestSameLogin: the REST API's login of a bot ends in "[bot]", the
// GraphQL API's may not. Trimming the suffix on both sides took a user
// named "github-actions" (or any App's name) for the bot, whose comment
// the action then overwrote, and whose author could later edit it.
func TestSameLogin(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"github-actions[bot]", "github-actions[bot]", true},
		{"github-actions[bot]", "github-actions", true}, // REST and GraphQL names of one bot
		// A comment's REST login without "[bot]" is a user's: a user
		// whose login is the bot's name must not pass for the bot.
		{"github-actions", "github-actions[bot]", false},
		{"Mallory", "mallory[bot]", false},
		{"Octocat", "octocat", true},
		{"octocat", "github-actions[bot]", false},
		{"github-actions-x", "github-actions[bot]", false},
		{"", "github-actions[bot]", false},
	} {
		if got := SameLogin(tc.a, tc.b); got != tc.want {
			t.Errorf("SameLogin(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestLoginEndpoint: the GraphQL endpoint is found beside the REST API's
// root on github.com and on GitHub Enterprise Server, and a GraphQL error
// (answered with 200) is an error.
func TestLoginEndpoint(t *testing.T) {
	for base, want := range map[string]string{
		"https://api.github.com":               "https://api.github.com/graphql",
		"https://api.github.com/":              "https://api.github.com/graphql",
		"https://ghe.example.com/api/v3":       "https://ghe.example.com/api/graphql",
		"https://api.acme.ghe.com":             "https://api.acme.ghe.com/graphql",
		"http://127.0.0.1:8080/prefix/api/v3/": "http://127.0.0.1:8080/prefix/api/graphql",
	} {
		got, err := (&Client{BaseURL: base}).graphQLURL()
		if err != nil || got != want {
			t.Errorf("GraphQL URL beside %s = %q, %v; want %s", base, got, err, want)
		}
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"errors":[{"message":"Resource not accessible by integration"}]}`))
	}))
	defer srv.Close()
	_, err := (&Client{BaseURL: srv.URL, HTTP: srv.Client()}).Login(t.Context())
	if err == nil || !strings.Contains(err.Error(), "Resource not accessible by integration") {
		t.Errorf("Login after a GraphQL error: %v, want the error's message", err)
	}
}

// TestLoginFallsBackToREST: a personal access token whose GraphQL viewer
// cannot be read (GraphQL's rate limit, a proxy that blocks it) is asked
// of GET /user; the action took the token for github-actions[bot] and,
// finding no comment of the bot's, posted a new comment on every push.
func TestLoginFallsBackToREST(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/graphql":
			w.Write([]byte(`{"errors":[{"type":"RATE_LIMITED","message":"API rate limit exceeded"}]}`))
		case "/user":
			w.Write([]byte(`{"login":"octocat","type":"User"}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	login, err := (&Client{BaseURL: srv.URL, HTTP: srv.Client()}).Login(t.Context())
	if err != nil || login != "octocat" {
		t.Errorf("Login = %q, %v; want octocat from GET /user", login, err)
	}
}
