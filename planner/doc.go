// Package planner turns SQL text into a Plan: for every reference to a
// virtual table, the Graph API requests that fetch exactly the rows the query
// needs (fields, level, breakdowns, time range, filtering), and the SQL that
// DuckDB runs over the fetched rows.
//
// Planning is a pure function of the SQL, the catalog, the current date and
// instant, and a Frontend that exposes DuckDB's own parser
// (json_serialize_sql), so the planner reads exactly the dialect the
// executor runs. It performs no network I/O and reads no clock. Every WHERE
// conjunct is either pushed to the API and also kept for DuckDB, or only
// kept for DuckDB: none is ever dropped.
//
// Which conditions each column pushes is declared in the catalog
// (fbtables.Column.Push). The days an insights scan fetches are decided by
// DuckDB: the conjuncts that read only the date are evaluated over the
// calendar of days the API keeps, in the user's session (Frontend.Days), so
// the fetched days are the days DuckDB's re-check keeps (days.go). When
// they cannot decide the days alone, the scan is fetched daily only if daily
// rows give the query's answer (dailyfallback.go); otherwise it is refused,
// naming the condition. Input
// GrainOnly pushes only what the grain requires, the reference that
// differential tests compare full pushdown with.
package planner
