// Package pgwire serves fbsql over the PostgreSQL v3 wire protocol, so
// psql, BI tools (Grafana, Metabase, Superset, Tableau) and any Postgres
// driver can query the virtual tables. Messages are read and written with
// jackc/pgx/v5's pgproto3; this package holds what a Postgres server must
// decide: startup and SCRAM-SHA-256 authentication, simple and extended
// query, cancel requests, type OIDs, SQLSTATEs, and the catalog questions
// clients send on connect. Each connection is its own fbsql session (its
// own DuckDB session) opened from one shared fbsql.Config, so the cache and
// the demo sandbox are shared. The fbsql command's "serve" subcommand only
// wires flags to it.
package pgwire
