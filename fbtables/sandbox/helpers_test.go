package sandbox

import (
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"
)

// testNow is the fixed clock every test uses unless it moves it on purpose.
var testNow = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

type fixture struct {
	srv  *Server
	http *httptest.Server
	acct string
}

func newFixture(t *testing.T, cfg Config) *fixture {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return testNow }
	}
	s := New(cfg)
	hs := httptest.NewServer(s) // binds 127.0.0.1
	t.Cleanup(hs.Close)
	return &fixture{srv: s, http: hs, acct: s.AccountIDs()[0]}
}

// response is a decoded reply.
type response struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// get sends a GET with the token in the Authorization header.
func (f *fixture) get(t *testing.T, path string, q url.Values) response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.http.URL+path+"?"+q.Encode(), nil)
	req.Header.Set("Authorization", "Bearer sandbox-token")
	return f.do(t, req)
}

func (f *fixture) do(t *testing.T, req *http.Request) response {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, raw)
	}
	return response{res.StatusCode, res.Header, raw, body}
}

// getAll walks paging.next from the first page and returns every row.
func (f *fixture) getAll(t *testing.T, path string, q url.Values) []map[string]any {
	t.Helper()
	r := f.get(t, path, q)
	var rows []map[string]any
	for pages := 0; ; pages++ {
		if r.status != 200 {
			t.Fatalf("status %d: %s", r.status, r.raw)
		}
		for _, d := range r.body["data"].([]any) {
			rows = append(rows, d.(map[string]any))
		}
		next := nextURL(r)
		if next == "" {
			return rows
		}
		req, _ := http.NewRequest(http.MethodGet, next, nil)
		req.Header.Set("Authorization", "Bearer sandbox-token")
		r = f.do(t, req)
		if pages > 10000 {
			t.Fatal("paging does not end")
		}
	}
}

func nextURL(r response) string {
	pg, _ := r.body["paging"].(map[string]any)
	next, _ := pg["next"].(string)
	return next
}

// sums adds impressions, clicks and spend (in cents) over rows.
func sums(t *testing.T, rows []map[string]any) (impr, clicks, spend int64) {
	t.Helper()
	for _, r := range rows {
		impr += num(t, r, "impressions")
		clicks += num(t, r, "clicks")
		spend += cents(t, r["spend"])
	}
	return
}

func num(t *testing.T, row map[string]any, key string) int64 {
	t.Helper()
	s, _ := row[key].(string)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("%s = %v is not an integer string", key, row[key])
	}
	return n
}

func cents(t *testing.T, v any) int64 {
	t.Helper()
	s, _ := v.(string)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("money %v is not a decimal string", v)
	}
	return int64(math.Round(f * 100))
}

func tr(since, until string) string {
	return `{"since":"` + since + `","until":"` + until + `"}`
}

// apiErr asserts an error reply: HTTP status, code, subcode and exact keys.
func apiErr(t *testing.T, r response, status, code, subcode int) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d: %s", r.status, status, r.raw)
	}
	e, ok := r.body["error"].(map[string]any)
	if !ok || len(r.body) != 1 {
		t.Fatalf("body is not {\"error\":{...}}: %s", r.raw)
	}
	if got := int(e["code"].(float64)); got != code {
		t.Fatalf("code = %d, want %d: %s", got, code, r.raw)
	}
	want := 4
	if subcode != 0 {
		want = 5
		if got, _ := e["error_subcode"].(float64); int(got) != subcode {
			t.Fatalf("error_subcode = %v, want %d", e["error_subcode"], subcode)
		}
	}
	for _, k := range []string{"message", "type", "fbtrace_id"} {
		if s, _ := e[k].(string); s == "" {
			t.Fatalf("error.%s missing: %s", k, r.raw)
		}
	}
	for _, k := range []string{"is_transient", "error_user_title", "error_user_msg"} {
		if _, ok := e[k]; ok {
			want++ // optional keys some errors carry
		}
	}
	if len(e) != want {
		t.Fatalf("error has %d keys, want %d: %s", len(e), want, r.raw)
	}
	return e
}
