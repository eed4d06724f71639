package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Batch requests (§6.2): POST / or /{version}/ with batch=[{method,
// relative_url, body}...], at most 50. Each operation is served as if it had
// been sent alone — logged, counted and throttled separately, as the API
// counts them — and the answer is an array, in request order, of
// {"code","headers","body"} where body is the operation's JSON as a string.
// Clients use it to poll many report runs in one round trip. Faults and
// latency apply to the batch as a whole, not to each operation.

// batchOp is one operation of a batch.
type batchOp struct {
	Method      string `json:"method"`
	RelativeURL string `json:"relative_url"`
	Body        string `json:"body"`
}

// isBatch reports whether c is a batch request.
func (s *Server) isBatch(c *call) bool {
	if !c.isPost() || c.p["batch"] == "" {
		return false
	}
	return (len(c.segs) == 1 && c.segs[0] == "") || (versionRE.MatchString(c.segs[0]) && len(c.parts) == 0)
}

// serveBatch answers a batch request.
func (s *Server) serveBatch(w http.ResponseWriter, c *call) {
	ops, err := s.batchOps(c)
	if err != nil {
		out := mustJSON(errorBody(err, traceID(c.n, c.r.URL.Path)))
		if pause(c.r.Context(), s.model.Latency) {
			w.Header().Set("Content-Type", "application/json; charset=UTF-8")
			w.WriteHeader(err.Status)
			_, _ = w.Write(out)
		}
		return
	}
	version := "v25.0"
	if versionRE.MatchString(c.segs[0]) {
		version = c.segs[0]
	}
	withHeaders := c.p["include_headers"] != "false"
	results := make([]any, len(ops))
	for i, op := range ops {
		rec := &recorder{h: http.Header{}, code: http.StatusOK}
		s.respond(rec, s.newCall(s.opRequest(c, op, version), rec.h), false)
		el := obj{{"code", rec.code}}
		if withHeaders {
			el = append(el, kv{"headers", rec.headerList()})
		}
		results[i] = append(el, kv{"body", rec.body.String()})
	}
	if !pause(c.r.Context(), s.model.Latency) {
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("x-fb-trace-id", traceID(c.n, c.r.URL.Path))
	_, _ = w.Write(mustJSON(results))
}

// batchOps authenticates the batch and decodes its operations.
func (s *Server) batchOps(c *call) ([]batchOp, *apiError) {
	if err := s.auth(c); err != nil {
		return nil, err
	}
	var ops []batchOp
	if err := json.Unmarshal([]byte(c.p["batch"]), &ops); err != nil {
		return nil, errParam("param batch must be a JSON array of requests")
	}
	if len(ops) > 50 {
		return nil, errBatchSize()
	}
	for i, op := range ops {
		if op.RelativeURL == "" {
			return nil, errParam("batch[%d] is missing relative_url", i)
		}
	}
	return ops, nil
}

// opRequest builds the HTTP request of one operation. It inherits the
// batch's token (header or parameter), host and context; a relative_url
// without a version gets the batch's.
func (s *Server) opRequest(c *call, op batchOp, version string) *http.Request {
	rel := strings.TrimPrefix(op.RelativeURL, "/")
	if first, _, _ := strings.Cut(rel, "/"); !versionRE.MatchString(strings.SplitN(first, "?", 2)[0]) {
		rel = version + "/" + rel
	}
	method := strings.ToUpper(op.Method)
	if method == "" {
		method = http.MethodGet
	}
	u, err := url.Parse("/" + rel)
	if err != nil {
		u = &url.URL{Path: "/" + rel}
	}
	if tok := c.r.Form.Get("access_token"); tok != "" && c.r.Header.Get("Authorization") == "" {
		q := u.Query()
		q.Set("access_token", tok)
		u.RawQuery = q.Encode()
	}
	var body *strings.Reader
	if op.Body != "" {
		body = strings.NewReader(op.Body)
	} else {
		body = strings.NewReader("")
	}
	r, _ := http.NewRequestWithContext(c.r.Context(), method, u.String(), body)
	r.Host = c.r.Host
	if h := c.r.Header.Get("Authorization"); h != "" {
		r.Header.Set("Authorization", h)
	}
	if op.Body != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return r
}

// recorder captures one operation's answer.
type recorder struct {
	h    http.Header
	code int
	body bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.h }
func (r *recorder) WriteHeader(code int)        { r.code = code }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

// headerList renders the headers as the batch format's [{name, value}].
func (r *recorder) headerList() []obj {
	names := make([]string, 0, len(r.h))
	for k := range r.h {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]obj, 0, len(names))
	for _, k := range names {
		for _, v := range r.h[k] {
			out = append(out, obj{{"name", k}, {"value", v}})
		}
	}
	return out
}
