// Package engine runs plans: it owns the DuckDB connection, fetches each
// planned scan through the Graph client, loads the rows into typed temporary
// tables, runs the rewritten SQL and renders results (table, csv, json).
// It is the only package that imports DuckDB.
//
// Fetching (fetch.go, insights.go, split.go, estimate.go, asyncjob.go): an
// entity scan is one paged read per account; an insights scan is cut into
// units by account and time, each sent as a sync read or an async report
// run by its expected size and split further when the API says it is too
// big. Units partition the answer: all rows exactly once, or an error. The
// Graph protocol itself — request building, paging, retries, throttling by
// account from the usage headers, report runs and error classes — is
// fbtables/graph's: the engine asks the client for the rows of a read.
//
// The cache (cache.go, cachefile.go, cacheplan.go, cachekey.go) keeps
// fetched rows in a private DuckDB file: frozen days forever, the rest for
// a TTL; a damaged file is moved aside and rebuilt, never a failed query.
package engine
