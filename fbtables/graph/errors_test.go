package graph

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestAPIErrorClass(t *testing.T) {
	tests := []struct {
		name string
		err  APIError
		want class
	}{
		{"unknown error 1", APIError{HTTPStatus: 500, Code: 1}, classTransient},
		{"code 2 intermittent", APIError{HTTPStatus: 400, Code: 2, Subcode: 1504043}, classTransient},
		{"code 2 sync timeout", APIError{HTTPStatus: 400, Code: 2, Subcode: 1504038}, classTransient},
		{"code 2 invalid breakdowns", APIError{HTTPStatus: 400, Code: 2, Subcode: 1504041}, classPermanent},
		{"async report failed -2", APIError{Code: -2, Subcode: 2490547}, classTransient},
		{"report too large -3", APIError{Code: -3, Subcode: 1504045}, classTooBig},
		{"report too large subcode alone", APIError{Code: 2, Subcode: 1504045}, classTooBig},
		{"reduce the amount of data, code 1 on a 500", APIError{HTTPStatus: 500, Code: 1,
			Message: "Please reduce the amount of data you're asking for, then retry your request", IsTransient: true}, classTooBig},
		{"code 1 stated not transient", APIError{HTTPStatus: 400, Code: 1, Subcode: 2853001, NotTransient: true}, classPermanent},
		{"code 1 without a flag", APIError{HTTPStatus: 400, Code: 1, Subcode: 2853001}, classTransient},
		{"is_transient flag", APIError{HTTPStatus: 400, Code: 100, IsTransient: true}, classTransient},
		{"plain 503", APIError{HTTPStatus: 503}, classTransient},
		{"non-JSON 200", APIError{HTTPStatus: 200}, classPermanent},
		{"HTTP 429 without a code", APIError{HTTPStatus: 429}, classRateLimited},
		{"app limit 4", APIError{Code: 4, Subcode: 1504022}, classRateLimited},
		{"user limit 17", APIError{Code: 17}, classRateLimited},
		{"page limit 32", APIError{Code: 32}, classRateLimited},
		{"613", APIError{Code: 613, Subcode: 1487742}, classRateLimited},
		{"BUC 80000", APIError{Code: 80000}, classRateLimited},
		{"BUC 80014", APIError{Code: 80014}, classRateLimited},
		{"throttle flagged transient still waits", APIError{Code: 80004, IsTransient: true}, classRateLimited},
		{"80015 is not a BUC throttle", APIError{HTTPStatus: 400, Code: 80015}, classPermanent},
		{"invalid parameter 100", APIError{Code: 100, Subcode: 33}, classPermanent},
		{"data-per-call limit", APIError{Code: 100, Subcode: 1487534}, classTooBig},
		{"token 190 on a 500", APIError{HTTPStatus: 500, Code: 190}, classPermanent},
		{"permission 200", APIError{Code: 200}, classPermanent},
		{"permission range 272", APIError{Code: 272}, classPermanent},
		{"37 months 3018", APIError{Code: 3018}, classPermanent},
		{"deprecated version 2635", APIError{Code: 2635}, classPermanent},
		{"10, 102, 104", APIError{Code: 102}, classPermanent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.err
			got := [4]bool{e.Temporary(), e.RateLimited(), e.Permanent(), e.TooBig()}
			want := [4]bool{tt.want == classTransient, tt.want == classRateLimited, tt.want == classPermanent, tt.want == classTooBig}
			if got != want {
				t.Errorf("Temporary/RateLimited/Permanent/TooBig = %v, want %v", got, want)
			}
		})
	}
}

func TestAPIErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		err  APIError
		want string
	}{
		{"code and subcode", APIError{Code: 100, Subcode: 33, Path: "act_1/insights", Message: "(#100) Unsupported get request."},
			"graph API error 100 (subcode 33) on act_1/insights: (#100) Unsupported get request."},
		{"code only", APIError{Code: 190, Path: "me", Message: "Error validating access token"},
			"graph API error 190 on me: Error validating access token"},
		{"no code", APIError{HTTPStatus: 502, Path: "me", Message: "HTTP 502 …"},
			"graph API error (HTTP 502) on me: HTTP 502 …"},
		{"user message and trace id", APIError{Code: 2, Subcode: 1504041, Path: "act_1/insights", Message: "Invalid breakdowns",
			UserMsg: "No data for these breakdowns.", FBTraceID: "AbC"},
			"graph API error 2 (subcode 1504041) on act_1/insights: Invalid breakdowns; No data for these breakdowns. [fbtrace_id AbC]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() =\n %s\nwant\n %s", got, tt.want)
			}
		})
	}
}

func TestErrorBodyParsing(t *testing.T) {
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeJSON(w, 400, `{"error":{"message":"(#100) Invalid parameter","type":"OAuthException","code":"100",`+
			`"error_subcode":1487534,"fbtrace_id":"Xyz","is_transient":false,"error_user_title":"Too much data",`+
			`"error_user_msg":"Ask for less.","error_data":{"blame_field_specs":[["fields"]]}}}`)
	})
	c, _ := newTestClient(t, f.URL)
	err := c.GetObject(context.Background(), "act_1/insights", nil, nil)
	var got *APIError
	if !errors.As(err, &got) {
		t.Fatalf("err = %v, want *APIError", err)
	}
	want := APIError{HTTPStatus: 400, Code: 100, Subcode: 1487534, Type: "OAuthException", Message: "(#100) Invalid parameter",
		FBTraceID: "Xyz", UserTitle: "Too much data", UserMsg: "Ask for less.", Path: "act_1/insights", NotTransient: true}
	if *got != want {
		t.Errorf("parsed %+v\nwant   %+v", *got, want)
	}
}

// TestTokenNeverInErrors provokes every kind of failure with a server that echoes the token
// back, and checks no error string carries it.
func TestTokenNeverInErrors(t *testing.T) {
	echo := "https://graph.facebook.com/v25.0/me?access_token=" + canary
	escaped := url.QueryEscape(canary)
	tests := []struct {
		name   string
		status int
		body   string
		get    bool // page with Get instead of GetObject
	}{
		{"error message echoes the URL", 400, `{"error":{"message":"(#190) bad token ` + canary + ` in ` + echo + `","type":"OAuthException ` + canary + `","code":190,"error_user_msg":"` + canary + `","fbtrace_id":"` + canary + `"}}`, false},
		{"error is a bare string", 400, `{"error":"invalid token ` + canary + `"}`, false},
		{"non-JSON body echoes the token", 502, `<html>token=` + canary + ` ` + escaped + `</html>`, false},
		{"unparseable next URL with the token", 200, `{"data":[],"paging":{"next":"http://[bad` + canary + `/?access_token=` + canary + `"}}`, true},
		{"HTTP 200 error body", 200, `{"error":{"message":"token ` + canary + ` expired","code":190}}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) { writeJSON(w, tt.status, tt.body) })
			c, _ := newTestClient(t, f.URL, func(cfg *Config) { cfg.MaxRetries = 1 })
			var err error
			if tt.get {
				err = c.Get(context.Background(), "me/adaccounts", nil, func(json.RawMessage) error { return nil })
			} else {
				err = c.GetObject(context.Background(), "me", Params{"access_token": canary}, nil)
			}
			assertNoToken(t, err)
		})
	}
	t.Run("snippets are redacted before they are cut", func(t *testing.T) {
		for _, body := range []string{
			"<html>" + strings.Repeat("x", maxSnippet-12) + canary + "</html>", // cut inside the token
			"<html><pre>GET /me HTTP/1.1\nAuthorization: Bearer " + canary[:14] + "…</pre></html>",
			"<html>authorization: Bearer OTHERtoken1234567 and bearer " + escaped[:9] + "</html>",
		} {
			f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, n int) { writeJSON(w, 502, body) })
			c, _ := newTestClient(t, f.URL, func(cfg *Config) { cfg.MaxRetries = -1 })
			err := c.GetObject(context.Background(), "me", nil, nil)
			assertNoToken(t, err)
			for _, leak := range []string{canary[:8], escaped[:8], "OTHERtoken"} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("error shows %q: %v", leak, err)
				}
			}
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln.Close()
		c, _ := newTestClient(t, "http://"+ln.Addr().String())
		assertNoToken(t, c.Post(context.Background(), "act_1/insights", Params{"access_token": canary}, nil))
	})
}

func assertNoToken(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("want an error")
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if _, raw := e.(*redactedError); raw {
			t.Errorf("error needed last-resort redaction, scrub it at the source: %v", e.(*redactedError).err)
		}
		if strings.Contains(e.Error(), canary) || strings.Contains(e.Error(), url.QueryEscape(canary)) {
			t.Errorf("error leaks the token: %v", e)
		}
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		for _, field := range []string{apiErr.Message, apiErr.Type, apiErr.UserMsg, apiErr.UserTitle, apiErr.FBTraceID} {
			if strings.Contains(field, canary) {
				t.Errorf("APIError field leaks the token: %q", field)
			}
		}
	}
}

// TestRedactionKeepsProse: words after "OAuth" or "bearer" in an API message are not taken for
// credentials; Authorization values always are.
func TestRedactionKeepsProse(t *testing.T) {
	c, _ := newTestClient(t, "http://127.0.0.1:1")
	for in, want := range map[string]string{
		"Invalid OAuth access token - Cannot parse access token": "Invalid OAuth access token - Cannot parse access token",
		"a bearer token is required":                             "a bearer token is required",
		"Bearer EAAB1234567890abcdef sent":                       "Bearer [redacted] sent",
		"Authorization: OAuth abc":                               "Authorization: OAuth [redacted]",
		`{"authorization":"Bearer x1"}`:                          `{"authorization":"Bearer [redacted]"}`,
	} {
		if got := c.redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}
