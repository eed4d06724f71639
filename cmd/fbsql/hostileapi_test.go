package main_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// hostileAPI serves /<scenario>/v25.0/… with the answer the scenario names, whatever the
// request: every request of a query gets the same treatment.
func hostileAPI() (url string, stop func()) {
	var mu sync.Mutex
	seen := map[string]int{}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scenario, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		mu.Lock()
		seen[scenario]++
		n := seen[scenario]
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		graphErr := func(status, code int, msg string) {
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"error":{"message":%q,"type":"OAuthException","code":%d,"fbtrace_id":"Abc"}}`, msg, code)
		}
		switch scenario {
		case "ok":
			fmt.Fprint(w, `{"data":[{"id":"1","name":"c1"}]}`)
		case "badtoken":
			graphErr(400, 190, "Invalid OAuth access token - Cannot parse access token")
		case "unknownfield":
			graphErr(400, 100, "(#100) Tried accessing nonexisting field (nope) on node type (AdCampaign)")
		case "permission":
			graphErr(403, 200, "(#200) Requires ads_read permission")
		case "error200":
			graphErr(200, 100, "(#100) Invalid parameter")
		case "toolong":
			graphErr(400, 3018, "The start date of the time range cannot be beyond 37 months from the current date")
		case "nodata":
			fmt.Fprint(w, `{"id":"act_1"}`)
		case "null":
			fmt.Fprint(w, `null`)
		case "dataobject":
			fmt.Fprint(w, `{"data":{"id":"1"}}`)
		case "rowsnotobjects":
			fmt.Fprint(w, `{"data":[1,"two",null]}`)
		case "pagingloop":
			fmt.Fprintf(w, `{"data":[{"id":"%d","name":"c"}],"paging":{"next":"%s%s?after=%d"}}`, n, srv.URL, r.URL.Path, n%2)
		case "status418":
			w.WriteHeader(418)
			fmt.Fprint(w, `{"teapot":true}`)
		case "truncatedonce":
			if n == 1 {
				fmt.Fprint(w, `{"data":[{"id":"1","na`)
				return
			}
			fmt.Fprint(w, `{"data":[{"id":"1","name":"c1"}]}`)
		case "notjson":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<!DOCTYPE html><html><body>Sorry, something went wrong.</body></html>`)
		case "http500":
			w.WriteHeader(500)
			fmt.Fprint(w, `{"error":{"message":"An unknown error occurred","code":1,"is_transient":true}}`)
		default:
			graphErr(404, 803, "unknown scenario "+scenario)
		}
	}))
	return srv.URL, srv.Close
}
