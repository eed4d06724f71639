// Package graph is fbsql's client for the Facebook Marketing (Graph) API: the last stop of the
// data flow before the network (cmd → repl/engine → planner → engine → fbtables → graph → HTTP).
//
// It knows the wire format and nothing about SQL: it encodes parameters the way Meta's Python
// SDK does, pages through edges by following paging.next, decodes error bodies into *APIError,
// and retries what the API says is worth retrying (transient errors with backoff, rate limits
// after the wait the API states). A call either delivers every row or returns an error; it never
// returns a silent partial result.
//
// A page is scanned once: the error check, the paging and the rows come from the same walk over
// its bytes. A caller that reads rows itself (Rows.Pages, a PageReader) is handed each row as the
// walk meets it and keeps a page's rows only once the page proves whole, valid and new.
//
// It also owns the rest of the protocol the engine relies on: typed reads (Insights, Edge,
// RunReport for async report runs, AdAccounts, Currency, CampaignIDs) so callers never build a
// URL; error classes (Temporary, RateLimited, Permanent, TooBig); the usage headers, read once
// (ParseUsage); and an optional Throttle keyed by ad account that steers concurrency by them.
// Every wait, poll and read is bounded: stated waits by MaxWait, stalled bodies by IdleTimeout,
// body size by MaxBody, bytes held by MaxBytesInFlight, paging by MaxPages, report runs by a
// deadline; redirects are refused.
//
// The access token travels only in the Authorization header. It is stripped from paging URLs,
// scrubbed from server-echoed text, and never appears in a URL, error message or log line.
package graph
