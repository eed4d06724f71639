package graph

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"net/http"
	"net/url"
)

// pagingNext reads an edge response's "paging" value, {"cursors": {...}, "next": "..."}, and
// returns its "next". Member names compare exactly, as the API writes them: a struct field
// would also take "Next" or "NEXT", which no Graph server sends, and a fuzzed one could then
// loop where a page without a next ends the answer.
func pagingNext(raw []byte) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return "", err
	}
	next, ok := members["next"]
	if !ok || string(next) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(next, &s); err != nil {
		return "", fmt.Errorf("\"next\": %w", err)
	}
	return s, nil
}

// DefaultMaxPages bounds the pages one Get reads: at 5,000 rows a page that is 50 million rows,
// far beyond any real report, so a server handing out fresh cursors forever is stopped.
const DefaultMaxPages = 10_000

// Get pages through an edge: it sends GET {base}/{version}/{path}?params, calls each(row) for
// every element of "data" in order, and follows paging.next until a page has no next. An empty
// page that has a next is followed: the API may return short or empty pages mid-stream
// (reference §3.3). The next URL's access_token is removed before reuse; the token is always
// sent in the Authorization header only.
//
// Each row is valid JSON and valid UTF-8 (invalid bytes in strings become U+FFFD); with
// Config.CallerChecksRows a row is only delimited, and each must check its grammar. Its bytes
// belong to the page's buffer and are valid only during the call to each: copy what you keep.
//
// A page that fails is retried in place; if retries run out Get returns the error, never a
// silent partial result. Paging that loops, repeats a page of rows, or passes MaxPages is an
// error. If each returns an error, paging stops and Get returns that error unchanged, so
// callers can stop early (e.g. for LIMIT) with a sentinel of their own.
func (c *Client) Get(ctx context.Context, path string, params Params, each func(row json.RawMessage) error) error {
	return c.GetRows(ctx, path, params, Rows{Each: each})
}

// GetRows is Get delivering to rows: to rows.Each as Get does, or to rows.Pages, which reads
// each page's rows during the client's one pass over the page and keeps them once the page is
// known whole, valid and new (see PageReader).
func (c *Client) GetRows(ctx context.Context, path string, params Params, rows Rows) error {
	u, err := c.endpoint(path, params, http.MethodGet)
	if err != nil {
		return err
	}
	var loops loopGuard
	for page := 1; ; page++ {
		if page > c.maxPages {
			return fmt.Errorf("get %s: more than %d pages; stopping (the server keeps handing out next pages)", path, c.maxPages)
		}
		body, pg, err := c.do(ctx, request{method: http.MethodGet, path: path, url: u, pages: rows.Pages})
		if err != nil {
			return c.scrub(fmt.Errorf("get %s, page %d: %w", path, page, err))
		}
		if err := loops.repeated(pg); err != nil {
			if pg.read {
				rows.Pages.DropPage()
			}
			body.release()
			return fmt.Errorf("get %s, page %d: %w", path, page, err)
		}
		next, err := c.readPage(ctx, pg, path, page, rows)
		body.release()
		if err != nil || next == "" {
			return err
		}
		nu, err := c.nextURL(next)
		if err != nil {
			return c.scrub(fmt.Errorf("get %s, page %d: %w", path, page, err))
		}
		if err := loops.check(u.String(), nu.String(), pg.count); err != nil {
			return fmt.Errorf("get %s, page %d: %w", path, page, err)
		}
		u = nu
	}
}

// readPage delivers a page's rows and returns its paging.next. Rows a PageReader read during
// the scan are kept here, or dropped if the page's paging is bad; rows of a page scanned the
// classic way go to it one by one, each a whole element.
func (c *Client) readPage(ctx context.Context, pg scannedPage, path string, page int, rows Rows) (string, error) {
	next, err := c.pageNext(pg, path, page)
	if err != nil {
		if pg.read {
			rows.Pages.DropPage()
		}
		return "", err
	}
	switch {
	case pg.read:
		return next, rows.Pages.KeepPage(ctx)
	case rows.Pages != nil:
		for _, row := range pg.rows {
			if end, err := rows.Pages.ReadRow(row, 0); err != nil || end != len(row) {
				rows.Pages.DropPage()
				if err == nil {
					err = fmt.Errorf("get %s, page %d: a row has bytes after its end: %.40q", path, page, row[end:])
				}
				return "", err
			}
		}
		return next, rows.Pages.KeepPage(ctx)
	}
	for _, row := range pg.rows {
		if err := rows.Each(row); err != nil {
			return "", err
		}
	}
	return next, nil
}

// pageNext checks that a page is an edge's and reads its paging.next.
func (c *Client) pageNext(pg scannedPage, path string, page int) (string, error) {
	if pg.badData != "" {
		return "", fmt.Errorf("get %s, page %d: decode page: \"data\" is %s, not an array", path, page, pg.badData)
	}
	if !pg.hasData {
		return "", fmt.Errorf("get %s, page %d: response has no \"data\" array (is %s a node rather than an edge? use GetObject)", path, page, path)
	}
	next, err := pagingNext(pg.paging)
	if err != nil {
		return "", c.scrub(fmt.Errorf("get %s, page %d: decode paging: %w", path, page, err))
	}
	return next, nil
}

// maxEmptyRepeats bounds how often an empty page may name itself as next. The API (and the
// sandbox's emptypage fault) sometimes answers a page with no rows and a next that repeats
// the request; asking again yields the real page.
const maxEmptyRepeats = 5

// loopGuard stops paging that would never end or repeat rows: a next URL that was already
// fetched, or a page whose rows are those of an earlier page under a fresh cursor. The only
// repeat allowed is an empty page naming itself, a few times in a row.
type loopGuard struct {
	seen    map[string]bool
	pages   map[uint64]bool // hash of each non-empty page's rows
	seed    maphash.Seed
	repeats int
}

// repeated fails if rows are those of an earlier page: checked before they are delivered. The
// hash is a fast 64-bit one with a random seed: the chance that two different pages of one Get
// collide, which would stop paging with an error (never a wrong answer), is negligible.
func (g *loopGuard) repeated(pg scannedPage) error {
	if pg.count == 0 {
		return nil
	}
	if g.pages == nil {
		g.pages = map[uint64]bool{}
		g.seed = maphash.MakeSeed()
	}
	sum := pageFingerprint(g.seed, pg)
	if g.pages[sum] {
		return errors.New("a page repeated the rows of an earlier page under a new cursor; stopping rather than counting rows twice")
	}
	g.pages[sum] = true
	return nil
}

// fingerprintEdge and fingerprintStride shape what pageFingerprint reads of a long page.
const (
	fingerprintEdge   = 4096
	fingerprintStride = 16 << 10
)

// pageFingerprint hashes a page's rows for loopGuard: all of a short page; of a long one its
// length, its first and last 4 KB and 64 bytes every 16 KB between. A page that repeats an
// earlier one repeats all of these; two different pages that agree on all of them would stop
// paging with an error, never give a wrong answer. Hashing whole pages was 1% of a year
// workload's CPU.
func pageFingerprint(seed maphash.Seed, pg scannedPage) uint64 {
	d := pg.data
	if len(d) <= 2*fingerprintEdge+fingerprintStride {
		return maphash.Bytes(seed, d)
	}
	var h maphash.Hash
	h.SetSeed(seed)
	var n [16]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(d)))
	binary.LittleEndian.PutUint64(n[8:], uint64(pg.count))
	h.Write(n[:])
	h.Write(d[:fingerprintEdge])
	for i := fingerprintEdge; i+64 <= len(d)-fingerprintEdge; i += fingerprintStride {
		h.Write(d[i : i+64])
	}
	h.Write(d[len(d)-fingerprintEdge:])
	return h.Sum64()
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
