package github

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/loadgate/loadgate/internal/cell"
)

// Client is a small client of the GitHub REST API: the issue-comment and
// pull-request endpoints the action needs (see the package doc for why not
// google/go-github). Its zero value is not usable; set at least BaseURL.
type Client struct {
	// BaseURL is the API's root, GITHUB_API_URL: https://api.github.com.
	BaseURL string
	// Token authenticates every request; it is never written anywhere.
	Token string
	// HTTP is the client to use; nil means one with a 30 s timeout.
	HTTP *http.Client
	// Retries is how often a request is tried again after a 5xx answer,
	// a network error or a secondary rate limit; 0 means 4.
	Retries int
	// Backoff is the wait before retry n (from 1) after a 5xx or a network
	// error; nil means 1 s, 2 s, 4 s, 8 s with ±25% jitter.
	Backoff func(n int) time.Duration
	// MaxWait bounds a wait asked for by a rate limit; a longer one is an
	// error instead. 0 means 2 minutes.
	MaxWait time.Duration
	// Sleep waits d or until ctx ends; nil means a timer. Tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	// UserAgent names the client, as GitHub asks every client to.
	UserAgent string
}

// Comment is an issue (or pull-request) comment.
type Comment struct {
	ID      int64  `json:"id"`
	Body    string `json:"body"`
	HTMLURL string `json:"html_url,omitempty"`
	User    struct {
		Login string `json:"login"`
	} `json:"user"`
}

// PullRequest is the part of a pull request the action reads.
type PullRequest struct {
	Number int `json:"number"`
	Head   struct {
		SHA string `json:"sha"`
	} `json:"head"`
	Base struct {
		SHA string `json:"sha"`
	} `json:"base"`
}

// APIError is an answer of the API other than 2xx.
type APIError struct {
	Method, Path string // the request, without the host
	StatusCode   int
	Message      string // GitHub's "message"
	// Details holds the messages of GitHub's "errors" list, such as
	// "body is too long (maximum is 65536 characters)".
	Details []string
	// RateLimited says the answer was a rate limit (a 403 or 429 with
	// Retry-After, x-ratelimit-remaining: 0 or a rate-limit message).
	RateLimited bool
}

func (e *APIError) Error() string {
	msg := e.Message
	if len(e.Details) > 0 {
		msg += ": " + strings.Join(e.Details, "; ")
	}
	return fmt.Sprintf("GitHub API: %s %s: %d %s", e.Method, e.Path, e.StatusCode, msg)
}

// IsForbidden reports whether err is a 403 that is not a rate limit: the
// token may not do this, as the read-only token of a fork's pull request
// may not comment.
func IsForbidden(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.StatusCode == http.StatusForbidden && !e.RateLimited
}

// isServerError reports whether err is a 5xx answer or a network error:
// worth trying again, and possibly acted upon.
func isServerError(err error) bool {
	var e *APIError
	if errors.As(err, &e) {
		return e.StatusCode >= 500
	}
	var ne *netError
	return errors.As(err, &ne)
}

// netError wraps a transport error.
type netError struct{ err error }

func (e *netError) Error() string { return e.err.Error() }
func (e *netError) Unwrap() error { return e.err }

// ListComments returns every comment of issue (or pull request) n,
// following the Link header's next pages.
func (c *Client) ListComments(ctx context.Context, owner, repo string, n int) ([]Comment, error) {
	next := c.url(fmt.Sprintf("/repos/%s/%s/issues/%d/comments?per_page=100", url.PathEscape(owner), url.PathEscape(repo), n))
	var all []Comment
	for pages := 0; next != ""; pages++ {
		if pages == 1000 {
			return nil, errors.New("GitHub API: listing comments: more than 1000 pages")
		}
		var page []Comment
		h, err := c.do(ctx, http.MethodGet, next, nil, &page, true)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		next, err = c.nextPage(h.Get("Link"))
		if err != nil {
			return nil, err
		}
	}
	return all, nil
}

// CreateComment posts a comment on issue (or pull request) n. It is not
// retried after a 5xx answer, which GitHub may have acted on: [Upsert]
// looks for the comment before trying again.
func (c *Client) CreateComment(ctx context.Context, owner, repo string, n int, body string) (Comment, error) {
	var out Comment
	_, err := c.do(ctx, http.MethodPost,
		c.url(fmt.Sprintf("/repos/%s/%s/issues/%d/comments", url.PathEscape(owner), url.PathEscape(repo), n)),
		map[string]string{"body": body}, &out, false)
	return out, err
}

// UpdateComment replaces the body of comment id.
func (c *Client) UpdateComment(ctx context.Context, owner, repo string, id int64, body string) (Comment, error) {
	var out Comment
	_, err := c.do(ctx, http.MethodPatch,
		c.url(fmt.Sprintf("/repos/%s/%s/issues/comments/%d", url.PathEscape(owner), url.PathEscape(repo), id)),
		map[string]string{"body": body}, &out, true)
	return out, err
}

// GetPullRequest returns pull request n.
func (c *Client) GetPullRequest(ctx context.Context, owner, repo string, n int) (PullRequest, error) {
	var out PullRequest
	_, err := c.do(ctx, http.MethodGet,
		c.url(fmt.Sprintf("/repos/%s/%s/pulls/%d", url.PathEscape(owner), url.PathEscape(repo), n)), nil, &out, true)
	return out, err
}

func (c *Client) url(path string) string {
	return strings.TrimSuffix(c.BaseURL, "/") + path
}

// nextPage returns the rel="next" URL of a Link header, "" on the last
// page. A next page on another host is refused: the token goes with every
// request, and must go nowhere but the API.
func (c *Client) nextPage(link string) (string, error) {
	for part := range strings.SplitSeq(link, ",") {
		target, params, ok := strings.Cut(strings.TrimSpace(part), ";")
		if !ok || !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
			continue
		}
		isNext := false
		for p := range strings.SplitSeq(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if k == "rel" && slices.Contains(strings.Fields(strings.Trim(v, `"`)), "next") {
				isNext = true
			}
		}
		if !isNext {
			continue
		}
		next := target[1 : len(target)-1]
		nu, err := url.Parse(next)
		if err != nil {
			return "", fmt.Errorf("GitHub API: bad Link header: %w", err)
		}
		base, err := url.Parse(c.BaseURL)
		if err != nil {
			return "", err
		}
		if nu.Scheme != base.Scheme || nu.Host != base.Host {
			return "", fmt.Errorf("GitHub API: next page %s://%s is not on the API's host %s", nu.Scheme, nu.Host, base.Host)
		}
		return next, nil
	}
	return "", nil
}

// do sends one request, retrying as the Client says. retry5xx is false
// for requests that must not be repeated blindly.
func (c *Client) do(ctx context.Context, method, rawURL string, in, out any, retry5xx bool) (http.Header, error) {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return nil, err
		}
	}
	retries := c.Retries
	if retries == 0 {
		retries = 4
	}
	for attempt := 0; ; attempt++ {
		h, wait, err := c.once(ctx, method, rawURL, body, out)
		if err == nil {
			return h, nil
		}
		if attempt >= retries {
			if wait > 0 || isServerError(err) {
				return nil, fmt.Errorf("%w (gave up after %s)", err, cell.Plural(attempt+1, "attempt"))
			}
			return nil, err
		}
		switch {
		case wait > 0: // a rate limit: the request was not processed
		case retry5xx && isServerError(err):
			wait = c.backoff(attempt + 1)
		default:
			return nil, err
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// once sends a request. wait > 0 says the answer was a rate limit to
// wait out before trying again.
func (c *Client) once(ctx context.Context, method, rawURL string, body []byte, out any) (http.Header, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, method, rawURL, bytes.NewReader(body))
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	ua := c.UserAgent
	if ua == "" {
		ua = "loadgate-action"
	}
	req.Header.Set("User-Agent", ua)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		// url.Error quotes the URL, which holds no secret; the token is
		// only in a header.
		return nil, 0, &netError{err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, 0, &netError{err}
	}
	if resp.StatusCode/100 == 2 {
		if out != nil && len(data) > 0 {
			if err := json.Unmarshal(data, out); err != nil {
				return nil, 0, fmt.Errorf("GitHub API: %s %s: decoding the answer: %w", method, req.URL.Path, err)
			}
		}
		return resp.Header, 0, nil
	}
	apiErr := &APIError{Method: method, Path: req.URL.Path, StatusCode: resp.StatusCode}
	var e struct {
		Message string `json:"message"`
		Errors  []struct {
			Message string `json:"message"`
			Field   string `json:"field"`
			Code    string `json:"code"`
		} `json:"errors"`
	}
	if json.Unmarshal(data, &e) == nil {
		apiErr.Message = e.Message
		for _, d := range e.Errors {
			msg := d.Message
			if msg == "" {
				msg = strings.TrimSpace(d.Field + " " + d.Code)
			}
			apiErr.Details = append(apiErr.Details, msg)
		}
	} else {
		apiErr.Message = http.StatusText(resp.StatusCode)
	}
	wait, limited, err := c.rateLimitWait(resp, apiErr.Message)
	apiErr.RateLimited = limited
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %w", apiErr, err)
	}
	if limited {
		return nil, wait, apiErr
	}
	return nil, 0, apiErr
}

// rateLimitWait tells whether resp is a rate limit and how long to wait,
// as GitHub documents for secondary rate limits: retry-after seconds if
// given; else, when x-ratelimit-remaining is 0, until x-ratelimit-reset;
// else at least a minute.
func (c *Client) rateLimitWait(resp *http.Response, message string) (time.Duration, bool, error) {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return 0, false, nil
	}
	maxWait := c.MaxWait
	if maxWait == 0 {
		maxWait = 2 * time.Minute
	}
	var wait time.Duration
	switch ra, remaining := resp.Header.Get("Retry-After"), resp.Header.Get("X-Ratelimit-Remaining"); {
	case ra != "":
		s, err := strconv.Atoi(strings.TrimSpace(ra))
		if err != nil || s < 0 {
			wait = time.Minute
		} else {
			wait = time.Duration(s) * time.Second
		}
	case remaining == "0":
		reset, err := strconv.ParseInt(resp.Header.Get("X-Ratelimit-Reset"), 10, 64)
		if err != nil {
			wait = time.Minute
		} else {
			wait = time.Until(time.Unix(reset, 0)) + time.Second
		}
	case resp.StatusCode == http.StatusTooManyRequests || strings.Contains(strings.ToLower(message), "rate limit"):
		wait = time.Minute
	default:
		return 0, false, nil // a plain 403: not allowed
	}
	wait = max(wait, time.Second)
	if wait > maxWait {
		return 0, true, fmt.Errorf("rate limited for %s, more than the %s the action waits", wait.Round(time.Second), maxWait)
	}
	return wait, true, nil
}

func (c *Client) backoff(n int) time.Duration {
	if c.Backoff != nil {
		return c.Backoff(n)
	}
	d := time.Second << (n - 1)
	return d + time.Duration(rand.Int64N(int64(d/2))) - d/4
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Upsert makes the body of the one comment on pull request n that author
// wrote and that starts with marker equal to body: it updates that
// comment, or creates it when mayCreate (else it returns a Comment with ID
// 0). author is the token's login ([Client.Login]); comments by others are
// left alone, whatever they start with. After a failure that GitHub may
// have acted on (a 5xx, a lost connection) it lists the comments again
// before trying again, so that a retry never leaves two comments. created
// tells which it did.
func Upsert(ctx context.Context, c *Client, owner, repo string, n int, author, marker, body string, mayCreate bool) (Comment, bool, error) {
	if author == "" {
		return Comment{}, false, errors.New("GitHub API: no author for the comment (want the token's login)")
	}
	retries := c.Retries
	if retries == 0 {
		retries = 4
	}
	for attempt := 0; ; attempt++ {
		comments, err := c.ListComments(ctx, owner, repo, n)
		if err != nil {
			return Comment{}, false, err
		}
		if old, ok := findMarked(comments, author, marker); ok {
			if old.Body == body {
				return old, false, nil
			}
			cm, err := c.UpdateComment(ctx, owner, repo, old.ID, body)
			return cm, false, err
		}
		if !mayCreate {
			return Comment{}, false, nil
		}
		cm, err := c.CreateComment(ctx, owner, repo, n, body)
		if err == nil || !isServerError(err) || attempt >= retries {
			return cm, err == nil, err
		}
		if err := c.sleep(ctx, c.backoff(attempt+1)); err != nil {
			return Comment{}, false, err
		}
	}
}

// findMarked returns the first comment by author whose body starts with
// marker. Only the start counts, so that a comment quoting the marker is
// not taken for the action's; and only the author's, so that anyone's
// comment that starts with the marker (which anyone may post, and edit
// later to show another verdict) is not the one the action updates.
func findMarked(comments []Comment, author, marker string) (Comment, bool) {
	for _, cm := range comments {
		if SameLogin(cm.User.Login, author) && strings.HasPrefix(strings.TrimLeft(cm.Body, " \r\n"), marker) {
			return cm, true
		}
	}
	return Comment{}, false
}
