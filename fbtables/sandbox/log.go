package sandbox

import (
	"encoding/json"
	"maps"
)

// Request is one logged request. Tests use the log to check what a client
// actually sent (which fields, which filtering, how many pages).
type Request struct {
	Method string
	Path   string            // e.g. "/v25.0/act_123/insights"
	Params map[string]string // query and form merged; never access_token
}

// record appends r to the in-memory log and, if configured, writes one JSON
// line to Config.Log. The token is already gone from the params: it is
// dropped when they are read, so it cannot leak here.
func (s *Server) record(method, path string, p params) {
	r := Request{Method: method, Path: path, Params: maps.Clone(p)}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, r)
	if s.log != nil {
		line, _ := json.Marshal(obj{{"method", method}, {"path", path}, {"params", r.Params}})
		_, _ = s.log.Write(append(line, '\n'))
	}
}

// Requests returns a copy of the request log in arrival order. Safe for
// concurrent use.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.reqs))
	for i, r := range s.reqs {
		out[i] = Request{Method: r.Method, Path: r.Path, Params: maps.Clone(r.Params)}
	}
	return out
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = nil
}
