// Package value turns the values DuckDB scans (decimals, big integers,
// times, lists, structs, maps) into text and JSON exactly: 12.50 stays
// 12.50, dates are ISO 8601, NaN is not a JSON number. It imports nothing
// of fbsql, so the engine, its renderers and the Postgres server can share it.
package value
