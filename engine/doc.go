// Package engine runs plans: it owns the DuckDB connection, fetches each
// planned scan through the Graph client, loads the rows into typed temporary
// tables, runs the rewritten SQL and renders results (table, csv, json).
// It is the only package that imports DuckDB.
package engine
