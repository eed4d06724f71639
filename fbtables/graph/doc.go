// Package graph is fbsql's client for the Facebook Marketing (Graph) API: the last stop of the
// data flow before the network (cmd → repl/engine → planner → engine → fbtables → graph → HTTP).
//
// It knows the wire format and nothing about SQL: it encodes parameters the way Meta's Python
// SDK does, pages through edges by following paging.next, decodes error bodies into *APIError,
// and retries what the API says is worth retrying (transient errors with backoff, rate limits
// after the wait the API states). A call either delivers every row or returns an error; it never
// returns a silent partial result.
//
// The access token travels only in the Authorization header. It is stripped from paging URLs,
// scrubbed from server-echoed text, and never appears in a URL, error message or log line.
package graph
