package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestRequestLog(t *testing.T) {
	var buf bytes.Buffer
	f := newFixture(t, Config{Log: &buf, Token: "s3cret"})
	q := url.Values{"fields": {"impressions"}, "level": {"campaign"}, "access_token": {"s3cret"}}
	req, _ := http.NewRequest(http.MethodGet, f.http.URL+"/v25.0/act_"+f.acct+"/insights?"+q.Encode(), nil)
	if r := f.do(t, req); r.status != 200 {
		t.Fatalf("%s", r.raw)
	}
	req, _ = http.NewRequest(http.MethodGet, f.http.URL+"/v25.0/act_"+f.acct+"/campaigns", nil)
	req.Header.Set("Authorization", "Bearer s3cret")
	f.do(t, req)

	reqs := f.srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests logged", len(reqs))
	}
	want := Request{Method: "GET", Path: "/v25.0/act_" + f.acct + "/insights", Params: map[string]string{"fields": "impressions", "level": "campaign"}}
	got := reqs[0]
	if got.Method != want.Method || got.Path != want.Path || len(got.Params) != 2 || got.Params["fields"] != "impressions" || got.Params["level"] != "campaign" {
		t.Errorf("logged %+v, want %+v", got, want)
	}
	if strings.Contains(buf.String(), "s3cret") {
		t.Error("token written to the log")
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d log lines", len(lines))
	}
	var line struct {
		Method, Path string
		Params       map[string]string
	}
	if err := json.Unmarshal([]byte(lines[0]), &line); err != nil || line.Path != want.Path || line.Params["level"] != "campaign" {
		t.Errorf("log line %q", lines[0])
	}
	f.srv.ResetRequests()
	if len(f.srv.Requests()) != 0 {
		t.Error("ResetRequests kept entries")
	}
}
