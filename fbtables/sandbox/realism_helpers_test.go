package sandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable Config.Now, so tests move time instead of sleeping.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: testNow} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// post sends a form-encoded POST with the token in the Authorization header.
func (f *fixture) post(t *testing.T, path string, form url.Values) response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.http.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Authorization", "Bearer sandbox-token")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return f.do(t, req)
}

// createRun POSTs an insights request and returns the report_run_id.
func (f *fixture) createRun(t *testing.T, path string, form url.Values) string {
	t.Helper()
	r := f.post(t, path, form)
	id, _ := r.body["report_run_id"].(string)
	if r.status != 200 || id == "" || strings.Trim(id, "0123456789") != "" || len(r.body) != 1 {
		t.Fatalf("POST %s: want {\"report_run_id\":\"<digits>\"}, got %d %s", path, r.status, r.raw)
	}
	return id
}

// poll reads a report run's status and percent.
func (f *fixture) poll(t *testing.T, id string) (string, int, map[string]any) {
	t.Helper()
	r := f.get(t, "/v25.0/"+id, nil)
	if r.status != 200 {
		t.Fatalf("poll %s: %d %s", id, r.status, r.raw)
	}
	st, _ := r.body["async_status"].(string)
	pct, ok := r.body["async_percent_completion"].(float64)
	if !ok {
		t.Fatalf("async_percent_completion is not a number: %s", r.raw)
	}
	return st, int(pct), r.body
}

// header decodes a JSON-valued response header.
func header(t *testing.T, r response, name string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(r.header.Get(name)), &v); err != nil {
		t.Fatalf("header %s = %q is not a JSON object: %v", name, r.header.Get(name), err)
	}
	return v
}

// bucEntry returns the single business-use-case entry for account acct.
func bucEntry(t *testing.T, r response, acct string) map[string]any {
	t.Helper()
	list, _ := header(t, r, "x-business-use-case-usage")[acct].([]any)
	if len(list) != 1 {
		t.Fatalf("x-business-use-case-usage has no single entry for %s: %q", acct, r.header.Get("x-business-use-case-usage"))
	}
	return list[0].(map[string]any)
}

// dailyAds is a mid-sized request: ad level by day over a month.
func dailyAds() url.Values {
	return url.Values{"level": {"ad"}, "time_increment": {"1"}, "fields": {`["ad_id","impressions","spend","clicks"]`},
		"time_range": {tr("2026-01-01", "2026-01-31")}}
}
