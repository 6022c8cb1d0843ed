package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// ActionsBot is the login of a workflow's GITHUB_TOKEN, the author of the
// comments it posts.
const ActionsBot = "github-actions[bot]"

// Login returns the login of the token's user: [ActionsBot] for a
// workflow's GITHUB_TOKEN, the user's for a personal access token,
// "name[bot]" for a GitHub App's. It asks the GraphQL API for the
// viewer, which every token may read (the REST API's GET /user refuses a
// GitHub App's installation token, which GITHUB_TOKEN is), and when that
// fails (GraphQL's own rate limit, a proxy or a server that blocks it)
// the REST API's GET /user, which answers for a personal access token:
// a token whose login is unknown cannot find its own comment, and would
// post a new one on every push. The error names both failures.
func (c *Client) Login(ctx context.Context) (string, error) {
	login, gqlErr := c.viewerLogin(ctx)
	if gqlErr == nil {
		return login, nil
	}
	var user struct {
		Login string `json:"login"`
	}
	u := c.url("/user")
	_, err := c.do(ctx, http.MethodGet, u, nil, &user, true)
	if err == nil && user.Login == "" {
		err = fmt.Errorf("GitHub API: GET %s: no login in the answer", u)
	}
	if err != nil {
		return "", fmt.Errorf("%w; and %w", gqlErr, err)
	}
	return user.Login, nil
}

// viewerLogin asks the GraphQL API for the viewer's login.
func (c *Client) viewerLogin(ctx context.Context) (string, error) {
	u, err := c.graphQLURL()
	if err != nil {
		return "", err
	}
	var out struct {
		Data struct {
			Viewer struct {
				Login string `json:"login"`
			} `json:"viewer"`
		} `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if _, err := c.do(ctx, http.MethodPost, u, map[string]string{"query": "query { viewer { login } }"}, &out, true); err != nil {
		return "", err
	}
	if len(out.Errors) > 0 {
		msgs := make([]string, len(out.Errors))
		for i, e := range out.Errors {
			msgs[i] = e.Message
		}
		return "", fmt.Errorf("GitHub API: POST %s: %s", u, strings.Join(msgs, "; "))
	}
	if out.Data.Viewer.Login == "" {
		return "", fmt.Errorf("GitHub API: POST %s: no viewer login in the answer", u)
	}
	return out.Data.Viewer.Login, nil
}

// graphQLURL is the GraphQL endpoint beside BaseURL, as GitHub lays them
// out: https://api.github.com/graphql beside https://api.github.com, and
// https://HOST/api/graphql beside GitHub Enterprise Server's
// https://HOST/api/v3. It is derived rather than read from
// GITHUB_GRAPHQL_URL so that the token goes to no host but the API's.
func (c *Client) graphQLURL() (string, error) {
	u, err := url.Parse(c.BaseURL)
	if err != nil || u.Host == "" {
		return "", errors.New("GitHub API: no API URL to find the GraphQL endpoint beside")
	}
	path := strings.TrimSuffix(u.Path, "/")
	if rest, ok := strings.CutSuffix(path, "/api/v3"); ok {
		path = rest + "/api/graphql"
	} else {
		path += "/graphql"
	}
	u.Path, u.RawQuery = path, ""
	return u.String(), nil
}

// SameLogin tells whether author, a comment's login as the REST API gives
// it, names the account of login, the token's ([Client.Login]): logins are
// not case-sensitive, and the GraphQL API may name a bot's account without
// the "[bot]" that the REST API adds. Only that side's suffix may be
// missing: a REST login without "[bot]" is a user's or an organization's,
// never a bot's, so a user named "name" is not the bot "name[bot]" and
// cannot post the comment the bot's token updates.
func SameLogin(author, login string) bool {
	return strings.EqualFold(author, login) || strings.EqualFold(author, login+"[bot]")
}
