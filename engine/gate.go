package engine

import (
	"net/http"
	"strings"
	"sync"
)

// gate is an http.RoundTripper that passes every Graph API request
// through the governor: one HTTP request is one grant, so paging, polling
// and result pages are all steered, not just the calls that start them.
type gate struct {
	base http.RoundTripper
	gov  *governor
	runs *sync.Map // report run id → account, for paths that do not name one
}

func (g *gate) RoundTrip(req *http.Request) (*http.Response, error) {
	acct := g.account(req.URL.Path)
	if acct == "" {
		return g.base.RoundTrip(req)
	}
	n, err := g.gov.acquire(req.Context(), acct)
	if err != nil {
		return nil, err
	}
	defer g.gov.release(acct)
	resp, err := g.base.RoundTrip(req)
	if err == nil {
		g.gov.observe(acct, n, resp.Header)
	}
	return resp, err
}

// account finds which ad account a request path belongs to.
func (g *gate) account(path string) string {
	if a := pathAccount(path); a != "" {
		return a
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) >= 2 { // /{version}/{report_run_id}[/insights]
		if a, ok := g.runs.Load(parts[1]); ok {
			return a.(string)
		}
	}
	return ""
}
