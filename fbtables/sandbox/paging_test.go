package sandbox

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestPaging(t *testing.T) {
	f := newFixture(t, Config{})
	path := "/v25.0/act_" + f.acct + "/insights"
	q := url.Values{"level": {"ad"}, "time_increment": {"1"}, "fields": {"ad_id,impressions"},
		"time_range": {tr("2026-01-01", "2026-01-10")}, "limit": {"97"}}

	t.Run("walking next returns every row exactly once", func(t *testing.T) {
		all := f.getAll(t, path, url.Values{"level": q["level"], "time_increment": q["time_increment"],
			"fields": q["fields"], "time_range": q["time_range"], "limit": {"5000"}})
		paged := f.getAll(t, path, q)
		if len(paged) != len(all) || len(all) < 200 {
			t.Fatalf("paged %d rows, single page %d", len(paged), len(all))
		}
		seen := map[string]bool{}
		for _, r := range paged {
			k := r["ad_id"].(string) + r["date_start"].(string)
			if seen[k] {
				t.Fatalf("row %s twice", k)
			}
			seen[k] = true
		}
	})
	t.Run("next keeps params, previous appears after the first page", func(t *testing.T) {
		r := f.get(t, path, q)
		next := nextURL(r)
		u, err := url.Parse(next)
		if err != nil || u.Host == "" || u.Scheme != "http" {
			t.Fatalf("next %q is not an absolute URL", next)
		}
		for _, k := range []string{"level", "time_increment", "fields", "time_range"} {
			if u.Query().Get(k) != q.Get(k) {
				t.Errorf("next lost %s: %q", k, next)
			}
		}
		if u.Query().Get("limit") != "97" || u.Query().Get("after") == "" || u.Query().Has("access_token") {
			t.Errorf("next = %q", next)
		}
		if _, ok := r.body["paging"].(map[string]any)["previous"]; ok {
			t.Error("first page has previous")
		}
		req, _ := http.NewRequest(http.MethodGet, next, nil)
		req.Header.Set("Authorization", "Bearer sandbox-token")
		r2 := f.do(t, req)
		pg := r2.body["paging"].(map[string]any)
		if _, ok := pg["previous"]; !ok {
			t.Error("second page has no previous")
		}
		if c := pg["cursors"].(map[string]any); c["before"] == "" || c["after"] == "" {
			t.Error("cursors missing")
		}
	})
	t.Run("token stays in next only when sent in the query", func(t *testing.T) {
		q2 := url.Values{"access_token": {"sandbox-token"}, "limit": {"1"}, "fields": {"name"}}
		req, _ := http.NewRequest(http.MethodGet, f.http.URL+"/v25.0/act_"+f.acct+"/campaigns?"+q2.Encode(), nil)
		r := f.do(t, req)
		if !strings.Contains(nextURL(r), "access_token=sandbox-token") {
			t.Errorf("next = %q", nextURL(r))
		}
	})
	t.Run("last page has no next", func(t *testing.T) {
		r := f.get(t, path, url.Values{"time_range": q["time_range"]})
		if nextURL(r) != "" || len(r.body["data"].([]any)) != 1 {
			t.Errorf("single-row result: %s", r.raw)
		}
	})
	t.Run("malformed cursor", func(t *testing.T) {
		bad := url.Values{"after": {"not-a-cursor!"}}
		for k, v := range q {
			bad[k] = v
		}
		apiErr(t, f.get(t, path, bad), 400, 2642, 0)
	})
	t.Run("result is computed once while paging", func(t *testing.T) {
		before := len(f.srv.cache.entries)
		f.getAll(t, path, q)
		if len(f.srv.cache.entries) != before {
			t.Errorf("paging added %d cache entries, want 0 (same canonical request)", len(f.srv.cache.entries)-before)
		}
	})
}

func TestConcurrentPaging(t *testing.T) {
	f := newFixture(t, Config{})
	q := url.Values{"level": {"adset"}, "time_increment": {"1"}, "fields": {"impressions"},
		"time_range": {tr("2026-01-01", "2026-01-15")}, "limit": {"50"}}
	want := len(f.getAll(t, "/v25.0/act_"+f.acct+"/insights", q))
	errs := make(chan int, 6)
	for range 6 {
		go func() { errs <- len(f.getAll(t, "/v25.0/act_"+f.acct+"/insights", q)) }()
	}
	for range 6 {
		if got := <-errs; got != want {
			t.Errorf("concurrent walk got %d rows, want %d", got, want)
		}
	}
}
