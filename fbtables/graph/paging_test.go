package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// pagedHandler serves three pages of act_1/insights: two rows, an empty page that still has a
// next, then one row. Every next URL carries the token, as the real API's do. fail, if set,
// may answer a request instead (returning true).
func pagedHandler(base func() string, fail func(w http.ResponseWriter, after string, n int) bool) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, r *http.Request, n int) {
		after := r.URL.Query().Get("after")
		if fail != nil && fail(w, after, n) {
			return
		}
		next := func(cursor string) string {
			return fmt.Sprintf(`%s/v25.0/act_1/insights?access_token=%s&fields=spend&limit=2&after=%s`, base(), canary, cursor)
		}
		switch after {
		case "":
			writeJSON(w, 200, `{"data":[{"spend":"1"},{"spend":"2"}],"paging":{"cursors":{"before":"a","after":"c1"},"next":"`+next("c1")+`"}}`)
		case "c1":
			writeJSON(w, 200, `{"data":[],"paging":{"cursors":{"before":"c1","after":"c2"},"next":"`+next("c2")+`"}}`)
		case "c2":
			writeJSON(w, 200, `{"data":[{"spend":"3"}],"paging":{"cursors":{"before":"c2","after":"c3"}}}`)
		default:
			writeJSON(w, 400, `{"error":{"message":"Invalid cursors values","code":2642}}`)
		}
	}
}

func collect(c *Client, ctx context.Context) ([]string, error) {
	var rows []string
	err := c.Get(ctx, "act_1/insights", Params{"fields": []string{"spend"}}, func(row json.RawMessage) error {
		rows = append(rows, string(row))
		return nil
	})
	return rows, err
}

func TestGetPaging(t *testing.T) {
	var f *fakeGraph
	f = newFakeGraph(t, pagedHandler(func() string { return f.URL }, nil))
	c, _ := newTestClient(t, f.URL)
	rows, err := collect(c, context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(rows, ","), `{"spend":"1"},{"spend":"2"},{"spend":"3"}`; got != want {
		t.Errorf("rows = %s, want %s", got, want)
	}
	hits := f.requests()
	if len(hits) != 3 {
		t.Fatalf("made %d requests, want 3 (the empty page must be followed)", len(hits))
	}
	for i, h := range hits {
		t.Run(fmt.Sprintf("request %d", i+1), func(t *testing.T) {
			if strings.Contains(h.query, "access_token") || strings.Contains(h.query, canary) {
				t.Errorf("token in URL: %s", h.query)
			}
			if h.auth != "Bearer "+canary {
				t.Errorf("Authorization = %q, want the bearer token", h.auth)
			}
			if h.path != "/v25.0/act_1/insights" {
				t.Errorf("path = %s", h.path)
			}
		})
	}
}

func TestGetPagingRetriesFailedPageInPlace(t *testing.T) {
	var f *fakeGraph
	var failed atomic.Bool
	f = newFakeGraph(t, pagedHandler(func() string { return f.URL }, func(w http.ResponseWriter, after string, n int) bool {
		if after == "c2" && !failed.Swap(true) {
			writeJSON(w, 500, `{"error":{"message":"An unexpected error has occurred. Please retry your request later.","type":"OAuthException","code":2,"is_transient":true}}`)
			return true
		}
		return false
	}))
	c, s := newTestClient(t, f.URL)
	rows, err := collect(c, context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Errorf("rows = %v, want 3 rows, none repeated or skipped", rows)
	}
	var cursors []string
	for _, h := range f.requests() {
		cursors = append(cursors, afterOf(h.query))
	}
	if got, want := strings.Join(cursors, " "), "- c1 c2 c2"; got != want {
		t.Errorf("cursors requested = %q, want %q (retry the failed page, not page one)", got, want)
	}
	if len(s.got()) != 1 {
		t.Errorf("slept %v, want one backoff", s.got())
	}
}

func afterOf(query string) string {
	for _, kv := range strings.Split(query, "&") {
		if v, ok := strings.CutPrefix(kv, "after="); ok {
			return v
		}
	}
	return "-"
}

func TestGetPagingFailsWhenRetriesRunOut(t *testing.T) {
	var f *fakeGraph
	f = newFakeGraph(t, pagedHandler(func() string { return f.URL }, func(w http.ResponseWriter, after string, n int) bool {
		if after == "c1" {
			writeJSON(w, 503, `{"error":{"message":"Service temporarily unavailable","code":2}}`)
			return true
		}
		return false
	}))
	c, _ := newTestClient(t, f.URL, func(cfg *Config) { cfg.MaxRetries = 2 })
	rows, err := collect(c, context.Background())
	var apiErr *APIError
	if !errors.As(err, &apiErr) || !apiErr.Temporary() {
		t.Fatalf("err = %v, want a temporary *APIError, never a silent partial result", err)
	}
	if !strings.Contains(err.Error(), "page 2") || !strings.Contains(err.Error(), "gave up after 3 attempts") {
		t.Errorf("err = %v, want it to name the page and the attempts", err)
	}
	if got := len(f.requests()); got != 4 {
		t.Errorf("made %d requests, want 1 + 3 attempts at page 2", got)
	}
	if len(rows) != 2 {
		t.Errorf("delivered %d rows before failing, want the 2 of page 1", len(rows))
	}
}

func TestGetStopsWhenCallbackFails(t *testing.T) {
	var f *fakeGraph
	f = newFakeGraph(t, pagedHandler(func() string { return f.URL }, nil))
	c, _ := newTestClient(t, f.URL)
	stop := errors.New("enough")
	err := c.Get(context.Background(), "act_1/insights", nil, func(json.RawMessage) error { return stop })
	if err != stop {
		t.Errorf("err = %v, want the callback's error unchanged", err)
	}
	if got := len(f.requests()); got != 1 {
		t.Errorf("made %d requests, want 1", got)
	}
}

func TestGetNextURLIsRetargetedToBase(t *testing.T) {
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			writeJSON(w, 200, `{"data":[{"id":"1"}],"paging":{"next":"https://attacker.example/v25.0/act_1/campaigns?after=x&access_token=`+canary+`"}}`)
			return
		}
		writeJSON(w, 200, `{"data":[{"id":"2"}],"paging":{}}`)
	})
	c, _ := newTestClient(t, f.URL)
	n := 0
	err := c.Get(context.Background(), "act_1/campaigns", nil, func(json.RawMessage) error { n++; return nil })
	if err != nil || n != 2 {
		t.Fatalf("Get: rows %d, err %v; want 2 rows from our own server", n, err)
	}
	if h := f.requests()[1]; h.query != "after=x" {
		t.Errorf("second query = %q, want after=x without the token", h.query)
	}
}

func TestGetRequiresDataArray(t *testing.T) {
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeJSON(w, 200, `{"id":"act_1"}`)
	})
	c, _ := newTestClient(t, f.URL)
	err := c.Get(context.Background(), "act_1", nil, func(json.RawMessage) error { return nil })
	if err == nil || !strings.Contains(err.Error(), `no "data" array`) {
		t.Errorf("err = %v, want a clear error about the missing data array", err)
	}
}
