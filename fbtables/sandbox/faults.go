package sandbox

import (
	"net/http"
	"time"
)

// Faults configures injected failures, for testing that a client survives
// what graph.facebook.com does on a bad day. The zero value injects none.
type Faults struct {
	// Seed selects which requests fail: the draw is a pure function of
	// Seed, the request's sequence number and its method and path, so a
	// client that sends the same requests in the same order sees the same
	// faults, and a retry (a new sequence number) draws afresh.
	Seed int64
	// Rate is the probability that a request gets a fault, 0..1, among the
	// requests at least one of Kinds applies to.
	Rate float64
	// Kinds are the faults to draw from; empty means all of them.
	Kinds []FaultKind
}

// FaultKind names one injected failure and its wire symptom.
type FaultKind string

// The fault kinds. Each leaves the server's state as it was: the request is
// not served (or, for truncated, served read-only), so retrying it succeeds
// unless the retry draws another fault.
const (
	FaultHTTP500 FaultKind = "http500" // HTTP 500 with the API's "unknown error" body (code 1, transient)
	FaultHTTP502 FaultKind = "http502" // HTTP 502 with a proxy's HTML page
	FaultHTTP503 FaultKind = "http503" // HTTP 503 with "Service temporarily unavailable" (code 2, transient)
	FaultReset   FaultKind = "reset"   // the connection is closed without a response
	// FaultTimeout holds the request until the client gives up, or 30 s,
	// then closes the connection without a response.
	FaultTimeout   FaultKind = "timeout"
	FaultTruncated FaultKind = "truncated" // HTTP 200 with the first half of the real JSON body (GETs only)
	FaultNotJSON   FaultKind = "notjson"   // HTTP 200 with an HTML error page
	// FaultError200 is HTTP 200 whose body is an error: code 2, subcode
	// 1504043 "Intermittent Error", is_transient true (§5.4).
	FaultError200 FaultKind = "error200"
	// FaultEmptyPage answers a paged read with an empty data page whose
	// next is the same request, so following it yields the real page.
	FaultEmptyPage FaultKind = "emptypage"
	// FaultBadCursor answers a request carrying after/before with 2642
	// "Invalid cursors values"; in practice it is transient, and retrying
	// the same cursor works.
	FaultBadCursor FaultKind = "badcursor"
	// FaultJobFailed makes the report run a POST creates end "Job Failed"
	// (error_code -2, subcode 2490547 "Report Failed").
	FaultJobFailed FaultKind = "jobfailed"
	// FaultJobSkipped makes the report run a POST creates end "Job Skipped".
	FaultJobSkipped FaultKind = "jobskipped"
	// FaultThrottle refuses a request about an ad account with 80000/2446079
	// and usage headers at 100%. Its estimated_time_to_regain_access is 0
	// minutes and the account is not blocked, so tests stay fast: it checks
	// that a client backs off, not that it waits.
	FaultThrottle FaultKind = "throttle"
)

// allFaultKinds is the draw order when Faults.Kinds is empty.
var allFaultKinds = []FaultKind{FaultHTTP500, FaultHTTP502, FaultHTTP503, FaultReset, FaultTimeout, FaultTruncated,
	FaultNotJSON, FaultError200, FaultEmptyPage, FaultBadCursor, FaultJobFailed, FaultJobSkipped, FaultThrottle}

// timeoutHold bounds FaultTimeout, so a client without a timeout still ends.
const timeoutHold = 30 * time.Second

// applies reports whether kind makes sense for c.
func (k FaultKind) applies(c *call) bool {
	get := c.r.Method == http.MethodGet || c.r.Method == http.MethodHead
	switch k {
	case FaultTruncated:
		return get // a cut POST answer would lose a created job
	case FaultEmptyPage:
		return get && c.pagedRead()
	case FaultBadCursor:
		return get && c.pagedRead() && (c.p["after"] != "" || c.p["before"] != "")
	case FaultJobFailed, FaultJobSkipped:
		return c.isPost() && len(c.parts) == 2 && c.parts[1] == "insights"
	case FaultThrottle:
		return c.owner != nil
	}
	return true
}

// pagedRead reports whether c reads a paged edge.
func (c *call) pagedRead() bool {
	if len(c.parts) != 2 {
		return false
	}
	switch c.parts[1] {
	case "insights", "campaigns", "adsets", "ads", "adaccounts":
		return true
	}
	return false
}

// drawFault picks the fault for request c, or "".
func (s *Server) drawFault(c *call) FaultKind {
	f := s.faults
	if f.Rate <= 0 {
		return ""
	}
	kinds := f.Kinds
	if len(kinds) == 0 {
		kinds = allFaultKinds
	}
	var eligible []FaultKind
	for _, k := range kinds {
		if k.applies(c) {
			eligible = append(eligible, k)
		}
	}
	if len(eligible) == 0 {
		return ""
	}
	h := hash3(uint64(f.Seed), c.n, strHash(c.r.Method+" "+c.r.URL.Path))
	if unit(h) >= f.Rate {
		return ""
	}
	return eligible[hash2(h, 0xfa17)%uint64(len(eligible))]
}

// inject answers c with fault k when k replaces the answer, and reports
// whether it did. Truncated and the job fates are applied while serving.
func (s *Server) inject(w http.ResponseWriter, c *call, k FaultKind) bool {
	var apiErr *apiError
	switch k {
	case FaultTruncated, FaultJobFailed, FaultJobSkipped:
		return false
	case FaultHTTP500:
		apiErr = errServerDown()
	case FaultHTTP503:
		apiErr = errUnavailable()
	case FaultError200:
		apiErr = errIntermittent()
	case FaultBadCursor:
		apiErr = errCursor()
	case FaultThrottle:
		apiErr = errThrottled()
		c.usage = &usage{accPct: 100, appPct: 100}
	}
	s.bump(&s.stats.FaultsInjected)
	ctx := c.r.Context()
	switch k {
	case FaultReset:
		abort(w)
		return true
	case FaultTimeout:
		pause(ctx, timeoutHold)
		abort(w)
		return true
	}
	h := w.Header()
	trace := traceID(c.n, c.r.URL.Path)
	h.Set("x-fb-trace-id", trace)
	if c.usage != nil {
		throttleHeaders(h, c.owner.id, c.usage)
	}
	status, ctype, body := http.StatusOK, "application/json; charset=UTF-8", []byte(nil)
	switch k {
	case FaultHTTP502:
		status, ctype = http.StatusBadGateway, "text/html; charset=utf-8"
		body = []byte("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n")
	case FaultNotJSON:
		ctype = "text/html; charset=utf-8"
		body = []byte(`<!DOCTYPE html><html lang="en"><head><title>Facebook | Error</title></head><body><div>Sorry, something went wrong.</div><div>We're working on it and we'll get it fixed as soon as we can.</div></body></html>`)
	case FaultEmptyPage:
		body = mustJSON(obj{{"data", []obj{}}, {"paging", obj{{"next", requestURL(c)}}}})
	default:
		status, body = apiErr.Status, mustJSON(errorBody(apiErr, trace))
	}
	if !pause(ctx, s.latency(c)) {
		return true
	}
	h.Set("Content-Type", ctype)
	w.WriteHeader(status)
	_, _ = w.Write(body)
	return true
}

// requestURL is the absolute URL of c, for a next link that repeats it.
func requestURL(c *call) string {
	scheme := "http"
	if c.r.TLS != nil || c.r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + c.r.Host + c.r.URL.RequestURI()
}

// abort drops the connection without a response. Hijacking closes the TCP
// connection cleanly on HTTP/1; elsewhere ErrAbortHandler makes net/http
// reset the stream.
func abort(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
