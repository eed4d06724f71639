// Package engine runs plans: it owns the DuckDB connection, fetches each
// planned scan through the Graph client, loads the rows into typed stage
// tables seen through a temporary view per scan, and runs the rewritten
// SQL; its render subpackage writes results.
// It and its subpackages are the only packages that import DuckDB.
//
// Fetching (fetch.go, insights.go, schedule.go, split.go, estimate.go,
// asyncjob.go): an entity scan is one paged read per account; an insights
// scan is cut into units by account and time, each sent as a sync read or
// an async report run by its expected size and split further when the API
// says it is too big. A large scan by day (week, month) is cut as it runs:
// its first pieces tell the rows per day, which sizes the others to full
// pages. Units partition the answer: all rows exactly once, or an error. The
// Graph protocol itself — request building, paging, retries, throttling by
// account from the usage headers, report runs and error classes — is
// fbtables/graph's: the engine asks the client for the rows of a read.
//
// Loading (load.go, convert.go, rowdecode.go, stage.go, pagerows.go): each
// row is read in one pass by the fetcher that received it — an insights
// page's rows while the graph client scans the page (the batcher is its
// graph.PageReader, holding a page's rows until the client says the page
// was whole) — its scalars converted once
// in Go (as DuckDB's CAST would), and sent in batches to the appenders of
// the stage's tables (appendLoop), which parse the action lists' JSON as
// they append; once every row is in, the stage becomes the scan's table
// (stageToTemp) without a copy. LoadPages drives the
// same path over fixed pages, with as many decoders as cores, for the
// ingest benchmark.
//
// The cache (cache.go, cachefile.go, cacheplan.go, cachekey.go) keeps
// fetched rows in a private DuckDB file: frozen days forever, the rest for
// a TTL; a damaged file is moved aside and rebuilt, never a failed query.
//
// Introspection (SHOW TABLES, DESCRIBE, information_schema, duckdb_columns())
// sees the virtual tables through never-readable temporary views with
// comments (CatalogSQL), created before the first statement that may look.
package engine
