package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// envelope is an edge response: {"data": [...], "paging": {"cursors": {...}, "next": "..."}}.
type envelope struct {
	Data   *[]json.RawMessage `json:"data"`
	Paging struct {
		Cursors struct {
			Before string `json:"before"`
			After  string `json:"after"`
		} `json:"cursors"`
		Next     string `json:"next"`
		Previous string `json:"previous"`
	} `json:"paging"`
}

// Get pages through an edge: it sends GET {base}/{version}/{path}?params, calls each(row) for
// every element of "data" in order, and follows paging.next until a page has no next. An empty
// page that has a next is followed: the API may return short or empty pages mid-stream
// (reference §3.3). The next URL's access_token is removed before reuse; the token is always
// sent in the Authorization header only.
//
// A page that fails is retried in place; if retries run out Get returns the error, never a
// silent partial result. If each returns an error, paging stops and Get returns that error
// unchanged, so callers can stop early (e.g. for LIMIT) with a sentinel of their own.
func (c *Client) Get(ctx context.Context, path string, params Params, each func(row json.RawMessage) error) error {
	u, err := c.endpoint(path, params, http.MethodGet)
	if err != nil {
		return err
	}
	var loops loopGuard
	for page := 1; ; page++ {
		body, err := c.do(ctx, request{method: http.MethodGet, path: path, url: u})
		if err != nil {
			return c.scrub(fmt.Errorf("get %s, page %d: %w", path, page, err))
		}
		var env envelope
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&env); err != nil {
			return c.scrub(fmt.Errorf("get %s, page %d: decode page: %w", path, page, err))
		}
		if env.Data == nil {
			return fmt.Errorf("get %s, page %d: response has no \"data\" array (is %s a node rather than an edge? use GetObject)", path, page, path)
		}
		for _, row := range *env.Data {
			if err := each(row); err != nil {
				return err
			}
		}
		if env.Paging.Next == "" {
			return nil
		}
		next, err := c.nextURL(env.Paging.Next)
		if err != nil {
			return c.scrub(fmt.Errorf("get %s, page %d: %w", path, page, err))
		}
		if err := loops.check(u.String(), next.String(), len(*env.Data)); err != nil {
			return fmt.Errorf("get %s, page %d: %w", path, page, err)
		}
		u = next
	}
}

// maxEmptyRepeats bounds how often an empty page may name itself as next. The API (and the
// sandbox's emptypage fault) sometimes answers a page with no rows and a next that repeats
// the request; asking again yields the real page.
const maxEmptyRepeats = 5

// loopGuard stops paging that would never end: a next URL that was already fetched would
// repeat rows or cycle forever. The only repeat allowed is an empty page naming itself, a few
// times in a row.
type loopGuard struct {
	seen    map[string]bool
	repeats int
}

// check records that cur was fetched and returned rows rows, and fails if following next
// would loop.
func (g *loopGuard) check(cur, next string, rows int) error {
	if g.seen == nil {
		g.seen = map[string]bool{}
	}
	g.seen[cur] = true
	if next == cur && rows == 0 {
		if g.repeats++; g.repeats <= maxEmptyRepeats {
			return nil
		}
		return fmt.Errorf("paging.next repeated an empty page %d times", g.repeats)
	}
	g.repeats = 0
	if g.seen[next] {
		return errors.New("paging.next points back to a page already read; stopping rather than repeating rows")
	}
	return nil
}

// nextURL turns paging.next into the URL of the next request. The real API repeats the token
// as access_token in next; it is removed so the token lives only in the header, and
// appsecret_proof is set to ours whatever the server wrote. The scheme and
// host are ours, not the server's: the token is never sent to a host other than the configured
// base URL, and a sandbox behind a proxy still works.
func (c *Client) nextURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("invalid paging.next URL: %v", c.redact(err.Error()))
	}
	q := u.Query()
	c.authParams(q)
	u.RawQuery = q.Encode()
	u.Scheme = c.base.Scheme
	u.Host = c.base.Host
	u.User = nil
	u.Fragment = ""
	return u, nil
}
