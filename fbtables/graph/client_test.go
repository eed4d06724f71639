package graph

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// canary is a token no test output may ever contain.
const canary = "EAAcanary+SECRET/token0"

// hit is what the fake server saw in one request.
type hit struct {
	method, path, query, auth, ua, accept, form string
}

// fakeGraph is an httptest server on 127.0.0.1 that records requests and answers with handle.
type fakeGraph struct {
	*httptest.Server
	mu   sync.Mutex
	hits []hit
}

func newFakeGraph(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, n int)) *fakeGraph {
	t.Helper()
	f := &fakeGraph{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.hits = append(f.hits, hit{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"),
			r.Header.Get("User-Agent"), r.Header.Get("Accept"), string(body)})
		n := len(f.hits)
		f.mu.Unlock()
		handle(w, r, n)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeGraph) requests() []hit {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]hit(nil), f.hits...)
}

// sleeps records the waits the client asked for instead of waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// newTestClient points a client with the canary token and recorded sleeps at f.
func newTestClient(t *testing.T, baseURL string, mods ...func(*Config)) (*Client, *sleeps) {
	t.Helper()
	s := &sleeps{}
	cfg := Config{BaseURL: baseURL, Token: canary, Sleep: s.sleep}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, s
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func TestNewValidatesConfig(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string // empty: New must succeed
	}{
		{"defaults", Config{Token: canary}, ""},
		{"https anywhere", Config{Token: canary, BaseURL: "https://graph.example.com/"}, ""},
		{"http on 127.0.0.1", Config{Token: canary, BaseURL: "http://127.0.0.1:8080"}, ""},
		{"http on 127.1.2.3", Config{Token: canary, BaseURL: "http://127.1.2.3"}, ""},
		{"http on ::1", Config{Token: canary, BaseURL: "http://[::1]:9000"}, ""},
		{"http on localhost", Config{Token: canary, BaseURL: "http://localhost:9000"}, ""},
		{"http to a remote host rejected", Config{Token: canary, BaseURL: "http://graph.facebook.com"}, "http:// is allowed only for loopback"},
		{"http to a LAN address rejected", Config{Token: canary, BaseURL: "http://10.0.0.5:8080"}, "http:// is allowed only for loopback"},
		{"http to a look-alike host rejected", Config{Token: canary, BaseURL: "http://localhost.evil.com"}, "http:// is allowed only for loopback"},
		{"other schemes rejected", Config{Token: canary, BaseURL: "ftp://127.0.0.1"}, "scheme must be https"},
		{"missing token names FB_ACCESS_TOKEN", Config{}, "FB_ACCESS_TOKEN"},
		{"bad version", Config{Token: canary, Version: "25.0"}, "invalid Graph API version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.cfg)
			if tt.wantErr == "" {
				if err != nil || c == nil {
					t.Fatalf("New() error = %v, want success", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New() error = %v, want one containing %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), canary) {
				t.Fatalf("error leaks the token: %v", err)
			}
		})
	}
}

func TestGetObjectSendsHeadersAndDecodesNumbers(t *testing.T) {
	var seen []ResponseInfo
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("X-App-Usage", `{"call_count":5}`)
		writeJSON(w, 200, `{"id":"act_1","amount_spent":12345678901234567890}`)
	})
	c, _ := newTestClient(t, f.URL, func(cfg *Config) {
		cfg.OnResponse = func(ri ResponseInfo) { seen = append(seen, ri) }
	})
	var out map[string]any
	if err := c.GetObject(context.Background(), "act_1", Params{"fields": []string{"id", "amount_spent"}}, &out); err != nil {
		t.Fatal(err)
	}
	if got, ok := out["amount_spent"].(json.Number); !ok || got.String() != "12345678901234567890" {
		t.Errorf("amount_spent = %#v, want the exact json.Number", out["amount_spent"])
	}
	h := f.requests()[0]
	checks := []struct{ name, got, want string }{
		{"path", h.path, "/v25.0/act_1"},
		{"query", h.query, "fields=id%2Camount_spent"},
		{"authorization", h.auth, "Bearer " + canary},
		{"user agent", h.ua, "fbsql/0.1"},
		{"accept", h.accept, "application/json"},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %q, want %q", ck.name, ck.got, ck.want)
		}
	}
	if len(seen) != 1 || seen[0].Status != 200 || seen[0].Path != "act_1" || seen[0].Header.Get("X-App-Usage") == "" {
		t.Errorf("OnResponse saw %+v, want one 200 for act_1 with headers", seen)
	}
}

func TestPostSendsForm(t *testing.T) {
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeJSON(w, 200, `{"report_run_id":"6023"}`)
	})
	c, _ := newTestClient(t, f.URL)
	var out struct {
		ReportRunID string `json:"report_run_id"`
	}
	params := Params{"fields": []string{"impressions", "spend"}, "level": "ad", "access_token": "leak"}
	if err := c.Post(context.Background(), "act_1/insights", params, &out); err != nil {
		t.Fatal(err)
	}
	h := f.requests()[0]
	if out.ReportRunID != "6023" || h.method != "POST" || h.query != "" {
		t.Errorf("got id %q, %s with query %q", out.ReportRunID, h.method, h.query)
	}
	if want := "fields=%5B%22impressions%22%2C%22spend%22%5D&level=ad"; h.form != want {
		t.Errorf("form = %s, want %s", h.form, want)
	}
}

// TestDefaultClientKeepsConnections: the default transport keeps an idle connection for every
// request the throttle may run at once, so connections are reused rather than dialled again.
func TestDefaultClientKeepsConnections(t *testing.T) {
	tr := DefaultHTTPClient().Transport.(*http.Transport)
	if tr.MaxIdleConnsPerHost < DefaultMaxInFlight || tr.MaxIdleConns != 0 && tr.MaxIdleConns < DefaultMaxInFlight {
		t.Errorf("idle connections kept: %d per host, %d in all; want at least %d (DefaultMaxInFlight)",
			tr.MaxIdleConnsPerHost, tr.MaxIdleConns, DefaultMaxInFlight)
	}
}
