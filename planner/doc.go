// Package planner turns SQL text into a Plan: for every reference to a
// virtual table, the Graph API requests that fetch exactly the rows the query
// needs (fields, level, breakdowns, time range, filtering), and the SQL that
// DuckDB runs over the fetched rows.
//
// Planning is a pure function of the SQL, the catalog, the current date and a
// Frontend that exposes DuckDB's own parser (json_serialize_sql), so the
// planner reads exactly the dialect the executor runs. It performs no network
// I/O and reads no clock. Every WHERE conjunct is either pushed to the API and
// also kept for DuckDB, or only kept for DuckDB: none is ever dropped.
package planner
