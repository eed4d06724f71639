package graph

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// appSecret is an app secret no test output may contain either.
const appSecret = "appSECRET+canary/0"

// wantProof is computed independently of AppSecretProof: HMAC-SHA256(key=secret, msg=token).
func wantProof(token, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

// TestAppSecretProof: with an app secret every request — GET, each followed page, POST —
// carries the proof a server can check, and never the secret; without one, no proof is sent
// even if a caller or a next URL supplies one.
func TestAppSecretProof(t *testing.T) {
	proof := wantProof(canary, appSecret)
	if got := AppSecretProof(canary, appSecret); got != proof {
		t.Fatalf("AppSecretProof = %s, want %s", got, proof)
	}
	var f *fakeGraph
	f = newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) {
		form, _ := url.ParseQuery(f.requests()[n-1].form) // the recorder has read the body
		r.Form = r.URL.Query()
		for k, v := range form {
			r.Form[k] = v
		}
		// A server like Meta's that demands the proof: wrong or missing is error 100.
		if r.Form.Get("appsecret_proof") != proof {
			writeJSON(w, 400, `{"error":{"message":"Invalid appsecret_proof provided in the API argument","type":"GraphMethodException","code":100}}`)
			return
		}
		switch {
		case r.Method == http.MethodPost:
			writeJSON(w, 200, `{"report_run_id":"1"}`)
		case r.URL.Query().Get("after") == "":
			// The next URL carries a stale proof and the token, as a copied URL might.
			next := f.URL + "/v25.0/act_1/campaigns?after=c1&appsecret_proof=stale&access_token=" + canary
			writeJSON(w, 200, `{"data":[{"id":"1"}],"paging":{"next":"`+next+`"}}`)
		default:
			writeJSON(w, 200, `{"data":[{"id":"2"}]}`)
		}
	})
	c, _ := newTestClient(t, f.URL, func(cfg *Config) { cfg.AppSecret = appSecret })
	rows := 0
	ctx := context.Background()
	if err := c.Get(ctx, "act_1/campaigns", Params{"appsecret_proof": "caller's"}, func(json.RawMessage) error { rows++; return nil }); err != nil {
		t.Fatalf("Get: %v", err)
	}
	if err := c.Post(ctx, "act_1/insights", Params{"level": "ad"}, nil); err != nil {
		t.Fatalf("Post: %v", err)
	}
	hits := f.requests()
	if rows != 2 || len(hits) != 3 {
		t.Fatalf("%d rows in %d requests, want 2 rows in 3", rows, len(hits))
	}
	if hits[2].query != "" || !strings.Contains(hits[2].form, "appsecret_proof="+proof) {
		t.Errorf("POST query %q, form %q: want the proof in the form only", hits[2].query, hits[2].form)
	}
	for _, h := range hits {
		all := h.query + h.form + h.auth
		if strings.Contains(all, appSecret) || strings.Contains(all, url.QueryEscape(appSecret)) || strings.Contains(h.query, "access_token") {
			t.Errorf("request %s %s?%s leaks the secret or the token", h.method, h.path, h.query)
		}
	}

	// Without an app secret no proof goes out, whatever the caller or the server put in.
	plain, _ := newTestClient(t, f.URL)
	err := plain.GetObject(ctx, "me", Params{"appsecret_proof": proof}, nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 100 {
		t.Errorf("without an app secret: err = %v, want the server's error 100", err)
	}
}

// TestEchoingServerNeverSeesTokenBack: a hostile server echoes the whole request (URL, every
// header, the form) into error messages, error fields and next URLs that carry
// access_token=<canary>. No error the client returns, and no URL it follows, holds the token
// or the app secret in any encoding.
func TestEchoingServerNeverSeesTokenBack(t *testing.T) {
	echo := func(r *http.Request) string {
		r.ParseForm()
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s form=%s", r.Method, r.URL.String(), r.Form.Encode())
		for k, v := range r.Header {
			fmt.Fprintf(&b, " %s: %s", k, strings.Join(v, ","))
		}
		fmt.Fprintf(&b, " token=%s secret=%s b64=%s", canary, appSecret, base64.StdEncoding.EncodeToString([]byte(canary)))
		return b.String()
	}
	jsonString := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	var f *fakeGraph
	f = newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) {
		e := jsonString(echo(r))
		switch q := r.URL.Query(); {
		case r.Method == http.MethodPost:
			writeJSON(w, 400, `{"error":{"message":`+e+`,"type":`+e+`,"code":100,"error_user_title":`+e+`,"error_user_msg":`+e+`,"fbtrace_id":`+e+`}}`)
		case strings.HasSuffix(r.URL.Path, "/me"):
			writeJSON(w, 502, echo(r)) // a proxy page, not JSON
		case q.Get("after") == "":
			next := f.URL + "/v25.0/act_1/ads?after=p2&access_token=" + url.QueryEscape(canary)
			writeJSON(w, 200, `{"data":[{"id":"1"}],"paging":{"next":"`+next+`"}}`)
		case q.Get("after") == "p2":
			next := "https://" + canary + "@evil.example/v25.0/act_1/ads?after=p3&access_token=" + canary + "#" + canary
			writeJSON(w, 200, `{"data":[{"id":"2"}],"paging":{"next":`+jsonString(next)+`}}`)
		default:
			writeJSON(w, 400, `{"error":`+e+`}`)
		}
	})
	c, _ := newTestClient(t, f.URL, func(cfg *Config) { cfg.AppSecret = appSecret; cfg.MaxRetries = -1 })
	ctx := context.Background()
	errs := map[string]error{
		"get":       c.Get(ctx, "act_1/ads", nil, func(json.RawMessage) error { return nil }),
		"getobject": c.GetObject(ctx, "me", Params{"access_token": canary}, nil),
		"post":      c.Post(ctx, "act_1/insights", Params{"access_token": canary}, nil),
	}
	for name, err := range errs {
		if err == nil {
			t.Errorf("%s: want an error", name)
			continue
		}
		assertNoToken(t, err)
		for e := err; e != nil; e = errors.Unwrap(e) {
			if leak := leaked(e.Error()); leak != "" {
				t.Errorf("%s: error leaks the %s: %v", name, leak, e)
			}
		}
	}
	for _, h := range f.requests() {
		if leak := leaked(h.path + "?" + h.query + h.form); leak != "" {
			t.Errorf("followed URL %s?%s carries the %s", h.path, h.query, leak)
		}
	}
	if hits := f.requests(); len(hits) != 5 {
		t.Errorf("%d requests, want 5 (three pages of ads, me, one post)", len(hits))
	}
}

// leaked names the secret s holds in raw, URL-encoded or base64 form, or "".
func leaked(s string) string {
	for name, secret := range map[string]string{"token": canary, "app secret": appSecret} {
		for _, form := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret),
			base64.StdEncoding.EncodeToString([]byte(secret)), base64.URLEncoding.EncodeToString([]byte(secret))} {
			if strings.Contains(s, form) {
				return name
			}
		}
	}
	return ""
}

// TestGetStopsPagingLoops: an empty page that names itself as next is asked again a few times
// (the sandbox's emptypage fault, and the real API on a bad day); a next that returns to a page
// already read is an error, never an endless stream of repeated rows.
func TestGetStopsPagingLoops(t *testing.T) {
	tests := []struct {
		name    string
		pages   map[string]string // after cursor → body; next URLs use {next:X}
		rows    int
		wantErr string
	}{
		{"an empty page repeating itself forever",
			map[string]string{"": `{"data":[{"id":"1"}],"paging":{"next":"{next:a}"}}`,
				"a": `{"data":[],"paging":{"next":"{next:a}"}}`}, 1, "repeated an empty page"},
		{"a cycle of two pages with rows",
			map[string]string{"": `{"data":[{"id":"1"}],"paging":{"next":"{next:a}"}}`,
				"a": `{"data":[{"id":"2"}],"paging":{"next":"{next:b}"}}`,
				"b": `{"data":[{"id":"3"}],"paging":{"next":"{next:a}"}}`}, 3, "points back to a page already read"},
		{"a page with rows repeating itself",
			map[string]string{"": `{"data":[{"id":"1"}],"paging":{"next":"{next:a}"}}`,
				"a": `{"data":[{"id":"2"}],"paging":{"next":"{next:a}"}}`}, 2, "points back to a page already read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f *fakeGraph
			f = newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) {
				body := tt.pages[r.URL.Query().Get("after")]
				for _, cur := range []string{"a", "b"} {
					body = strings.ReplaceAll(body, "{next:"+cur+"}", f.URL+"/v25.0/act_1/ads?after="+cur)
				}
				writeJSON(w, 200, body)
			})
			c, _ := newTestClient(t, f.URL)
			rows := 0
			err := c.Get(context.Background(), "act_1/ads", nil, func(json.RawMessage) error { rows++; return nil })
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || rows != tt.rows {
				t.Errorf("rows %d, err %v; want %d rows and an error containing %q", rows, err, tt.rows, tt.wantErr)
			}
		})
	}

	t.Run("empty page repeating itself once, then the real page", func(t *testing.T) {
		var f *fakeGraph
		f = newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) {
			if n <= 3 {
				writeJSON(w, 200, `{"data":[],"paging":{"next":"`+f.URL+`/v25.0/act_1/ads"}}`)
				return
			}
			writeJSON(w, 200, `{"data":[{"id":"1"},{"id":"2"}]}`)
		})
		c, _ := newTestClient(t, f.URL)
		rows := 0
		if err := c.Get(context.Background(), "act_1/ads", nil, func(json.RawMessage) error { rows++; return nil }); err != nil || rows != 2 {
			t.Errorf("rows %d, err %v; want 2 rows after the empty repeats", rows, err)
		}
	})
}
