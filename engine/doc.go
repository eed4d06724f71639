// Package engine runs plans: it owns the DuckDB connection, fetches each
// planned scan through the Graph client, loads the rows into typed temporary
// tables, and runs the rewritten SQL; its render subpackage writes results.
// It and its render subpackage are the only packages that import DuckDB.
//
// Introspection (SHOW TABLES, DESCRIBE, information_schema, duckdb_columns())
// sees the virtual tables through never-readable temporary views with
// comments (CatalogSQL), created before the first statement that may look.
package engine
