// Package fbtables describes the Graph API as SQL tables: the catalog of
// virtual tables, their columns and each column's kind (id, attribute,
// metric, breakdown, action list, time, option), which breakdowns may be
// combined, and which API versions serve which fields (versions.go). It
// knows nothing about SQL text: the planner reads the catalog to decide
// which fields, breakdowns and levels a query needs, and the engine reads it
// to type the rows it loads into DuckDB.
//
// Subpackages hold the HTTP side: graph is the client (paging, retries,
// errors) and sandbox is a Graph-API-compatible server with synthetic data.
package fbtables
