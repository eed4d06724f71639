package sandbox

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// Cursors are opaque to clients, as the API's are; inside they are the row
// position, which is stable because a result set is computed once and cached.

func encodeCursor(i int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("sbx:" + strconv.Itoa(i)))
}

func decodeCursor(s string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || !strings.HasPrefix(string(b), "sbx:") {
		return 0, false
	}
	i, err := strconv.Atoi(string(b[4:]))
	return i, err == nil && i >= 0
}

// pageBounds returns the half-open row window [start, end) for after/before.
func pageBounds(p params, total, limit int) (int, int, *apiError) {
	start := 0
	if a := p["after"]; a != "" {
		i, ok := decodeCursor(a)
		if !ok {
			return 0, 0, errCursor()
		}
		start = i + 1
	} else if b := p["before"]; b != "" {
		i, ok := decodeCursor(b)
		if !ok {
			return 0, 0, errCursor()
		}
		start = max(0, min(i, total)-limit)
		return start, min(i, total), nil
	}
	start = min(start, total)
	return start, min(start+limit, total), nil
}

// pagingObj builds the paging block for rows [start, end) of total: cursors
// always, previous after the first page, next unless this is the last page.
// An empty page has no paging block, like the API's empty results.
func pagingObj(c *call, start, end, total, limit int) obj {
	if end <= start {
		return nil
	}
	pg := obj{{"cursors", obj{{"before", encodeCursor(start)}, {"after", encodeCursor(end - 1)}}}}
	if start > 0 {
		pg = append(pg, kv{"previous", pageURL(c, limit, "before", encodeCursor(start))})
	}
	if end < total {
		pg = append(pg, kv{"next", pageURL(c, limit, "after", encodeCursor(end-1))})
	}
	return pg
}

// pageURL repeats the request's query with a new cursor. The token stays in
// the URL only if the client put it in the query, as graph.facebook.com does.
func pageURL(c *call, limit int, key, cursor string) string {
	q := c.r.URL.Query()
	q.Del("after")
	q.Del("before")
	q.Set("limit", strconv.Itoa(limit))
	q.Set(key, cursor)
	scheme := "http"
	if c.r.TLS != nil || c.r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: c.r.Host, Path: c.r.URL.Path, RawQuery: q.Encode()}
	return u.String()
}

// resultCache is a small LRU of computed insights result sets, keyed by the
// canonical request (parameters minus paging, plus "today"), so walking the
// pages of a large result computes it once. It is bounded by entry count and
// by total rows.
type resultCache struct {
	mu         sync.Mutex
	maxEntries int
	maxRows    int
	entries    []cacheEntry // most recently used first
}

type cacheEntry struct {
	key string
	rs  *resultSet
}

func newResultCache(maxEntries, maxRows int) *resultCache {
	return &resultCache{maxEntries: maxEntries, maxRows: maxRows}
}

func (c *resultCache) get(key string) *resultSet {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, e := range c.entries {
		if e.key == key {
			copy(c.entries[1:i+1], c.entries[:i])
			c.entries[0] = e
			return e.rs
		}
	}
	return nil
}

func (c *resultCache) put(key string, rs *resultSet) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = append([]cacheEntry{{key, rs}}, c.entries...)
	rows := 0
	for i, e := range c.entries {
		rows += e.rs.len()
		if i > 0 && (i >= c.maxEntries || rows > c.maxRows) {
			c.entries = c.entries[:i]
			break
		}
	}
}

// cacheKey canonicalises a request: path without version, every parameter
// except paging ones (url.Values.Encode sorts keys), and today's date.
func cacheKey(c *call, today int) string {
	v := url.Values{}
	for k, val := range c.p {
		switch k {
		case "after", "before", "limit":
			continue
		}
		v.Set(k, val)
	}
	return strings.Join(c.parts, "/") + "?" + v.Encode() + "#" + strconv.Itoa(today)
}
