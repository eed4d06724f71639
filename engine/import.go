package engine

import _ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver
