// Package sqlfront is DuckDB's SQL frontend as the planner uses it:
// json_serialize_sql and json_deserialize_sql on a private in-memory
// database, constant folding, and the calendar queries that decide which
// days a query wants, run either there or in the user's session. It is a
// leaf: planner tests use it without the engine.
package sqlfront
