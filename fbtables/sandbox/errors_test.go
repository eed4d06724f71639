package sandbox

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestErrors(t *testing.T) {
	f := newFixture(t, Config{})
	act := "/v25.0/act_" + f.acct
	ins := act + "/insights"
	cases := []struct {
		name          string
		method, path  string
		token         string // "" = none; sent as Bearer
		q             url.Values
		code, subcode int
		typ, message  string // message: substring, or exact when it starts with "="
	}{
		{"no token on /me", "GET", "/v25.0/me/adaccounts", "", nil, 2500, 0, "OAuthException",
			"=An active access token must be used to query information about the current user."},
		{"no token elsewhere", "GET", act, "", nil, 104, 0, "OAuthException", "access token is required"},
		{"wrong token", "GET", act, "nope", nil, 190, 0, "OAuthException",
			"=Invalid OAuth access token - Cannot parse access token"},
		{"bad version", "GET", "/v25/act_" + f.acct, "sandbox-token", nil, 2635, 0, "OAuthException", "deprecated version"},
		{"unknown account", "GET", "/v25.0/act_999", "sandbox-token", nil, 100, 33, "GraphMethodException",
			"Unsupported get request. Object with ID 'act_999' does not exist, cannot be loaded due to missing permissions, or does not support this operation"},
		{"unknown path", "GET", "/v25.0/12345/whatever", "sandbox-token", nil, 100, 33, "GraphMethodException", "Object with ID '12345'"},
		{"unknown edge", "GET", act + "/bogus", "sandbox-token", nil, 100, 0, "OAuthException",
			"=(#100) Tried accessing nonexisting field (bogus) on node type (AdAccount)"},
		{"unknown entity field", "GET", act + "/campaigns", "sandbox-token", url.Values{"fields": {"id,foo"}}, 100, 0, "OAuthException",
			"=(#100) Tried accessing nonexisting field (foo) on node type (Campaign)"},
		{"unknown insights field", "GET", ins, "sandbox-token", url.Values{"fields": {"impressions,foo"}}, 100, 0, "OAuthException",
			"=(#100) foo is not valid for fields param. please check https://developers.facebook.com/docs/marketing-api/reference/ads-insights/ for all valid values"},
		{"unknown breakdown", "GET", ins, "sandbox-token", url.Values{"breakdowns": {"agee"}}, 100, 0, "OAuthException", "breakdowns[0] must be one of"},
		{"invalid combination", "GET", ins, "sandbox-token", url.Values{"breakdowns": {"age,country"}}, 100, 0, "OAuthException",
			"=(#100) Current combination of data breakdown columns (age, country) is invalid "},
		{"impression_device alone", "GET", ins, "sandbox-token", url.Values{"breakdowns": {"impression_device"}}, 100, 0, "OAuthException",
			"(impression_device) is invalid"},
		{"since after until", "GET", ins, "sandbox-token", url.Values{"time_range": {tr("2026-02-01", "2026-01-01")}}, 100, 0, "OAuthException", "since"},
		{"beyond 37 months", "GET", ins, "sandbox-token", url.Values{"time_range": {tr("2022-01-01", "2022-01-31")}}, 3018, 0, "OAuthException",
			"The start date of the time range cannot be beyond 37 months from the current date"},
		{"bad time_increment", "GET", ins, "sandbox-token", url.Values{"time_increment": {"91"}}, 100, 0, "OAuthException", "time_increment"},
		{"bad level", "GET", ins, "sandbox-token", url.Values{"level": {"creative"}}, 100, 0, "OAuthException", "level"},
		{"bad date_preset", "GET", ins, "sandbox-token", url.Values{"date_preset": {"lifetime"}}, 100, 0, "OAuthException", "date_preset"},
		{"bad filter operator", "GET", ins, "sandbox-token", url.Values{"filtering": {`[{"field":"ad.id","operator":"LIKE","value":"1"}]`}}, 100, 0, "OAuthException", "operator"},
		{"bad filter field", "GET", ins, "sandbox-token", url.Values{"filtering": {`[{"field":"ad.colour","operator":"EQUAL","value":"1"}]`}}, 100, 0, "OAuthException", "ad.colour"},
		{"two sort elements", "GET", ins, "sandbox-token", url.Values{"sort": {"spend_descending,clicks_ascending"}}, 100, 0, "OAuthException", "sort"},
		{"report run validates like GET", "POST", ins, "sandbox-token", url.Values{"fields": {`["impressions","foo"]`}}, 100, 0, "OAuthException",
			"=(#100) foo is not valid for fields param. please check https://developers.facebook.com/docs/marketing-api/reference/ads-insights/ for all valid values"},
		{"report run bad combination", "POST", ins, "sandbox-token", url.Values{"breakdowns": {"age,country"}}, 100, 0, "OAuthException", "is invalid"},
		{"unknown report run", "GET", "/v25.0/6023920149059999", "sandbox-token", nil, 100, 33, "GraphMethodException", "Object with ID '6023920149059999'"},
		{"unknown report run rows", "GET", "/v25.0/6023920149059999/insights", "sandbox-token", nil, 100, 33, "GraphMethodException", "Object with ID '6023920149059999'"},
		{"POST elsewhere", "POST", act + "/campaigns", "sandbox-token", nil, 100, 33, "GraphMethodException", "Unsupported post request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, f.http.URL+tc.path+"?"+tc.q.Encode(), nil)
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			e := apiErr(t, f.do(t, req), 400, tc.code, tc.subcode)
			if e["type"] != tc.typ {
				t.Errorf("type = %v, want %s", e["type"], tc.typ)
			}
			msg := e["message"].(string)
			if exact, ok := strings.CutPrefix(tc.message, "="); ok && msg != exact {
				t.Errorf("message = %q, want %q", msg, exact)
			} else if !ok && !strings.Contains(msg, tc.message) {
				t.Errorf("message = %q, want it to contain %q", msg, tc.message)
			}
		})
	}
	t.Run("token as access_token param", func(t *testing.T) {
		req, _ := http.NewRequest("GET", f.http.URL+act+"?access_token=sandbox-token", nil)
		if r := f.do(t, req); r.status != 200 || r.body["id"] != "act_"+f.acct {
			t.Fatalf("%d %s", r.status, r.raw)
		}
	})
	t.Run("token as POST form param", func(t *testing.T) {
		req, _ := http.NewRequest("POST", f.http.URL+ins, strings.NewReader("access_token=wrong"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		apiErr(t, f.do(t, req), 400, 190, 0)
	})
}
