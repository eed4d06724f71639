package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestBatch(t *testing.T) {
	f := newFixture(t, Config{})
	id := f.createRun(t, "/v25.0/act_"+f.acct+"/insights", nil)
	ops := fmt.Sprintf(`[{"method":"GET","relative_url":"v25.0/%s"},{"method":"GET","relative_url":"act_%s?fields=id,name"},{"method":"GET","relative_url":"v25.0/999"},{"method":"POST","relative_url":"v25.0/act_%s/insights","body":"fields=impressions"}]`, id, f.acct, f.acct)
	for _, path := range []string{"/v25.0/", "/"} {
		t.Run(path, func(t *testing.T) {
			r := f.send("POST", path, url.Values{"batch": {ops}}, 0)
			var out []struct {
				Code    int
				Headers []struct{ Name, Value string }
				Body    string
			}
			if r.status != 200 || json.Unmarshal(r.raw, &out) != nil || len(out) != 4 {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			wantCodes := []int{200, 200, 400, 200}
			wantBody := []string{`"async_status":"Job Completed"`, `"id":"act_` + f.acct + `"`, `"code":100`, `"report_run_id":"`}
			for i, el := range out {
				if el.Code != wantCodes[i] || !strings.Contains(el.Body, wantBody[i]) || !json.Valid([]byte(el.Body)) {
					t.Errorf("op %d: %d %s", i, el.Code, el.Body)
				}
				found := false
				for _, h := range el.Headers {
					found = found || h.Name == "X-Fb-Trace-Id"
				}
				if !found {
					t.Errorf("op %d: no trace header in %v", i, el.Headers)
				}
			}
		})
	}
	if st := f.srv.Stats(); st.StatusPolls != 2 || st.JobsCreated != 3 {
		t.Errorf("each batched operation counts: %+v", st)
	}
	t.Run("more than 50", func(t *testing.T) {
		many := "[" + strings.TrimSuffix(strings.Repeat(`{"method":"GET","relative_url":"me"},`, 51), ",") + "]"
		apiErr(t, f.post(t, "/v25.0/", url.Values{"batch": {many}}), 400, 100, 0)
	})
	t.Run("needs a token", func(t *testing.T) {
		req, _ := http.NewRequest("POST", f.http.URL+"/v25.0/", strings.NewReader(url.Values{"batch": {ops}, "access_token": {"wrong"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		apiErr(t, f.do(t, req), 400, 190, 0)
	})
}
