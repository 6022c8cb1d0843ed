package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loadgate/loadgate/action/internal/ghdouble"
)

const (
	writeToken = "ghs_writeTOKEN0123456789"
	readToken  = "ghs_readonlyTOKEN0123456789"
	repoOwner  = "loadgate"
	repoName   = "loadgate"
	prNumber   = 7
)

// newDouble serves a GitHub API double on loopback and returns it with a
// client whose sleeps are recorded instead of slept.
func newDouble(t *testing.T, token string) (*ghdouble.Server, *Client, *[]time.Duration) {
	t.Helper()
	d := ghdouble.New(map[string]ghdouble.Permission{writeToken: ghdouble.Write, readToken: ghdouble.Read})
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	var mu sync.Mutex
	var waits []time.Duration
	c := &Client{
		BaseURL: srv.URL, Token: token, HTTP: srv.Client(),
		Sleep: func(ctx context.Context, dd time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			waits = append(waits, dd)
			return ctx.Err()
		},
		Backoff: func(n int) time.Duration { return time.Duration(n) * time.Second },
	}
	return d, c, &waits
}

func requests(d *ghdouble.Server) []string {
	var out []string
	for _, r := range d.State().Requests {
		out = append(out, fmt.Sprintf("%s %s %d", r.Method, r.Path, r.Status))
	}
	return out
}

const repoFull = repoOwner + "/" + repoName

func TestUpsertCreatesThenUpdatesInPlace(t *testing.T) {
	d, c, _ := newDouble(t, writeToken)
	ctx := t.Context()
	marker := markerOf("loadgate", "load")
	d.AddComment(repoFull, prNumber, "octocat", "LGTM, but "+marker+" quoted in a review is not ours")

	first, created, err := Upsert(ctx, c, repoOwner, repoName, prNumber, ActionsBot, marker, marker+"\nfirst", true)
	if err != nil || !created {
		t.Fatalf("first upsert: created %v, err %v; want a new comment", created, err)
	}
	second, created, err := Upsert(ctx, c, repoOwner, repoName, prNumber, ActionsBot, marker, marker+"\nsecond", true)
	if err != nil || created || second.ID != first.ID {
		t.Fatalf("second upsert: id %d (first %d), created %v, err %v; want the same comment updated", second.ID, first.ID, created, err)
	}
	// Same body again: nothing to write.
	if _, _, err := Upsert(ctx, c, repoOwner, repoName, prNumber, ActionsBot, marker, marker+"\nsecond", true); err != nil {
		t.Fatal(err)
	}
	// Another job's marker keeps its own comment.
	other, created, err := Upsert(ctx, c, repoOwner, repoName, prNumber, ActionsBot, markerOf("loadgate", "other-job"), markerOf("loadgate", "other-job")+"\nx", true)
	if err != nil || !created || other.ID == first.ID {
		t.Fatalf("another job: id %d, created %v, err %v; want a comment of its own", other.ID, created, err)
	}

	st := d.State()
	if len(st.Comments) != 3 {
		t.Fatalf("%d comments, want 3 (octocat's, two jobs')", len(st.Comments))
	}
	if got := st.Comments[1].Bodies; len(got) != 2 || got[1] != marker+"\nsecond" {
		t.Errorf("the job's comment went through %q, want first then second", got)
	}
	patches := 0
	for _, r := range st.Requests {
		if r.Method == http.MethodPatch {
			patches++
		}
		if r.Auth != "write" {
			t.Errorf("%s %s authenticated as %s", r.Method, r.Path, r.Auth)
		}
	}
	if patches != 1 {
		t.Errorf("%d updates, want 1 (an unchanged body is not written again)", patches)
	}
}

func TestUpsertOnlyUpdates(t *testing.T) {
	d, c, _ := newDouble(t, writeToken)
	marker := markerOf("w", "j")
	cm, created, err := Upsert(t.Context(), c, repoOwner, repoName, prNumber, ActionsBot, marker, marker+"\nbody", false)
	if err != nil || created || cm.ID != 0 || len(d.State().Comments) != 0 {
		t.Fatalf("on-change without changes created a comment: %+v %v %v", cm, created, err)
	}
	d.AddComment(repoFull, prNumber, "github-actions[bot]", marker+"\nold")
	cm, _, err = Upsert(t.Context(), c, repoOwner, repoName, prNumber, ActionsBot, marker, marker+"\nnew", false)
	if err != nil || cm.ID == 0 || d.State().Comments[0].Body != marker+"\nnew" {
		t.Fatalf("an existing comment must be updated even without changes: %+v %v", cm, err)
	}
}

// TestListCommentsPagination follows GitHub's Link header across pages.
func TestListCommentsPagination(t *testing.T) {
	d, c, _ := newDouble(t, writeToken)
	for i := range 250 {
		d.AddComment(repoFull, prNumber, "octocat", fmt.Sprintf("comment %d", i))
	}
	marker := markerOf("loadgate", "load")
	mine := d.AddComment(repoFull, prNumber, "github-actions[bot]", marker+"\nold report")

	all, err := c.ListComments(t.Context(), repoOwner, repoName, prNumber)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 251 {
		t.Fatalf("%d comments, want 251", len(all))
	}
	got, created, err := Upsert(t.Context(), c, repoOwner, repoName, prNumber, ActionsBot, marker, marker+"\nnew report", true)
	if err != nil || created || got.ID != mine.ID {
		t.Fatalf("upsert found %d (created %v, err %v), want the comment on page 3, %d", got.ID, created, err, mine.ID)
	}
	want := []string{
		"GET /repos/loadgate/loadgate/issues/7/comments?per_page=100 200",
		"GET /repos/loadgate/loadgate/issues/7/comments?page=2&per_page=100 200",
		"GET /repos/loadgate/loadgate/issues/7/comments?page=3&per_page=100 200",
	}
	if got := requests(d)[:3]; strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestNextPageOnAnotherHost: the token must not follow a Link elsewhere.
func TestNextPageOnAnotherHost(t *testing.T) {
	var leaked bool
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked = r.Header.Get("Authorization") != ""
		w.Write([]byte("[]"))
	}))
	defer evil.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", fmt.Sprintf(`<%s/repos/o/r/issues/1/comments?page=2>; rel="next"`, evil.URL))
		w.Write([]byte("[]"))
	}))
	defer api.Close()
	c := &Client{BaseURL: api.URL, Token: writeToken}
	_, err := c.ListComments(t.Context(), "o", "r", 1)
	if err == nil || leaked {
		t.Fatalf("err %v, token sent to the other host: %v; want an error and no request", err, leaked)
	}
}

func TestReadOnlyToken(t *testing.T) {
	d, c, waits := newDouble(t, readToken)
	_, _, err := Upsert(t.Context(), c, repoOwner, repoName, prNumber, ActionsBot, "<!-- m -->", "<!-- m -->\nbody", true)
	if !IsForbidden(err) {
		t.Fatalf("err = %v, want a 403", err)
	}
	if !strings.Contains(err.Error(), "Resource not accessible by integration") {
		t.Errorf("err = %v, want GitHub's message", err)
	}
	if len(*waits) != 0 || len(d.State().Comments) != 0 {
		t.Errorf("a 403 that is not a rate limit must not be retried: waits %v", *waits)
	}
	if strings.Contains(err.Error(), readToken) {
		t.Errorf("the error shows the token: %v", err)
	}
}

func TestBodyTooLong(t *testing.T) {
	d, c, waits := newDouble(t, writeToken)
	body := strings.Repeat("é", ghdouble.MaxBody+1) // characters, not bytes, count
	_, err := c.CreateComment(t.Context(), repoOwner, repoName, prNumber, body)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("err = %v, want a 422", err)
	}
	if !strings.Contains(err.Error(), "body is too long (maximum is 65536 characters)") {
		t.Errorf("err = %v, want GitHub's reason", err)
	}
	if len(*waits) != 0 {
		t.Errorf("a 422 must not be retried")
	}
	// At the limit it is accepted.
	if _, err := c.CreateComment(t.Context(), repoOwner, repoName, prNumber, strings.Repeat("é", ghdouble.MaxBody)); err != nil {
		t.Errorf("a body of exactly %d characters: %v", ghdouble.MaxBody, err)
	}
	if n := len(d.State().Comments); n != 1 {
		t.Errorf("%d comments, want 1", n)
	}
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name      string
		fault     ghdouble.Fault
		wantWaits []time.Duration
	}{
		{"502 once on list", ghdouble.Fault{Method: "GET", Status: 502}, []time.Duration{time.Second}},
		{"503 twice on update", ghdouble.Fault{Method: "PATCH", Status: 503, Times: 2}, []time.Duration{time.Second, 2 * time.Second}},
		{"secondary rate limit with retry-after", ghdouble.Fault{Status: 403, Header: map[string]string{"Retry-After": "7"},
			Message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}, []time.Duration{7 * time.Second}},
		{"429 without headers waits a minute", ghdouble.Fault{Status: 429}, []time.Duration{time.Minute}},
		{"403 with x-ratelimit-remaining 0", ghdouble.Fault{Status: 403, Header: map[string]string{
			"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": "0"}, Message: "API rate limit exceeded"}, []time.Duration{time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, c, waits := newDouble(t, writeToken)
			marker := "<!-- m -->"
			d.AddComment(repoFull, prNumber, "github-actions[bot]", marker+"\nold")
			d.Inject(tt.fault)
			if _, _, err := Upsert(t.Context(), c, repoOwner, repoName, prNumber, ActionsBot, marker, marker+"\nnew", true); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(*waits) != fmt.Sprint(tt.wantWaits) {
				t.Errorf("waited %v, want %v", *waits, tt.wantWaits)
			}
			if st := d.State(); len(st.Comments) != 1 || st.Comments[0].Body != marker+"\nnew" {
				t.Errorf("comments after the retry: %+v", st.Comments)
			}
		})
	}
}

// TestCreateRetryNoDuplicate: GitHub answered 502 but created the comment;
// the retry finds it instead of posting a second one.
func TestCreateRetryNoDuplicate(t *testing.T) {
	d, c, waits := newDouble(t, writeToken)
	d.Inject(ghdouble.Fault{Method: "POST", Status: 502, AfterEffect: true})
	marker := "<!-- m -->"
	cm, _, err := Upsert(t.Context(), c, repoOwner, repoName, prNumber, ActionsBot, marker, marker+"\nbody", true)
	if err != nil {
		t.Fatal(err)
	}
	st := d.State()
	if len(st.Comments) != 1 || cm.ID != st.Comments[0].ID {
		t.Fatalf("%d comments after a 502 that created one, want 1", len(st.Comments))
	}
	if len(*waits) != 1 {
		t.Errorf("waits %v, want one backoff before looking again", *waits)
	}
	// A plain 502 (nothing created) is retried by creating again.
	d2, c2, _ := newDouble(t, writeToken)
	d2.Inject(ghdouble.Fault{Method: "POST", Status: 502})
	if _, created, err := Upsert(t.Context(), c2, repoOwner, repoName, prNumber, ActionsBot, marker, marker+"\nbody", true); err != nil || !created {
		t.Fatalf("created %v, err %v", created, err)
	}
	if n := len(d2.State().Comments); n != 1 {
		t.Errorf("%d comments, want 1", n)
	}
}

func TestGiveUp(t *testing.T) {
	d, c, waits := newDouble(t, writeToken)
	d.Inject(ghdouble.Fault{Method: "GET", Status: 502, Times: 100})
	_, err := c.ListComments(t.Context(), repoOwner, repoName, prNumber)
	if err == nil || !strings.Contains(err.Error(), "gave up after 5 attempts") {
		t.Fatalf("err = %v, want giving up after 5 attempts", err)
	}
	if len(*waits) != 4 {
		t.Errorf("waits %v, want 4", *waits)
	}
	// A rate limit longer than MaxWait is an error at once.
	d2, c2, _ := newDouble(t, writeToken)
	d2.Inject(ghdouble.Fault{Status: 403, Header: map[string]string{"Retry-After": "3600"}, Message: "secondary rate limit"})
	_, err = c2.ListComments(t.Context(), repoOwner, repoName, prNumber)
	if err == nil || !strings.Contains(err.Error(), "rate limited for 1h0m0s") {
		t.Errorf("err = %v, want a refusal to wait an hour", err)
	}
	if IsForbidden(err) {
		t.Errorf("a rate limit is not a read-only token: %v", err)
	}
}

func TestBadCredentials(t *testing.T) {
	_, c, _ := newDouble(t, "ghs_wrong")
	_, err := c.ListComments(t.Context(), repoOwner, repoName, prNumber)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || strings.Contains(err.Error(), "ghs_wrong") {
		t.Fatalf("err = %v, want a 401 that does not show the token", err)
	}
}

func TestGetPullRequest(t *testing.T) {
	d, c, _ := newDouble(t, readToken)
	d.AddPull(repoFull, prNumber, "abc123")
	pr, err := c.GetPullRequest(t.Context(), repoOwner, repoName, prNumber)
	if err != nil || pr.Head.SHA != "abc123" {
		t.Fatalf("pr %+v, err %v", pr, err)
	}
}

// markerOf is a comment marker as the Action writes one.
func markerOf(workflow, job string) string {
	return "<!-- loadgate-action: " + workflow + " / " + job + " -->"
}
