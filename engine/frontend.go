package engine

import (
	"database/sql"
	"fmt"
	"sync"
	"time"
)

// Frontend exposes DuckDB's parser to the planner (planner.Frontend). It
// runs on its own in-memory database so that parsing never touches user
// data or the query connection.
type Frontend struct {
	mu sync.Mutex
	db *sql.DB
}

// NewFrontend opens an in-memory DuckDB used only for parsing.
func NewFrontend() (*Frontend, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("open duckdb parser: %w", err)
	}
	db.SetMaxOpenConns(1)
	return &Frontend{db: db}, nil
}

// Close releases the parser database.
func (f *Frontend) Close() error { return f.db.Close() }

// Serialize returns DuckDB's JSON AST of sql (json_serialize_sql).
func (f *Frontend) Serialize(sqlText string) (string, error) {
	return f.scalar(`SELECT json_serialize_sql(?::VARCHAR)::VARCHAR`, sqlText)
}

// Deserialize prints an AST back as SQL (json_deserialize_sql).
func (f *Frontend) Deserialize(ast string) (string, error) {
	return f.scalar(`SELECT json_deserialize_sql(?::JSON)`, ast)
}

// EvalTimestamp evaluates the single value of a constant SELECT as a TIMESTAMP.
func (f *Frontend) EvalTimestamp(selectSQL string) (time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var t time.Time
	err := f.db.QueryRow(`SELECT CAST(x AS TIMESTAMP) FROM (` + selectSQL + `) AS t(x)`).Scan(&t)
	if err != nil {
		return time.Time{}, fmt.Errorf("evaluate constant: %w", err)
	}
	return t, nil
}

func (f *Frontend) scalar(q string, arg string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var s string
	if err := f.db.QueryRow(q, arg).Scan(&s); err != nil {
		return "", fmt.Errorf("duckdb parser: %w", err)
	}
	return s, nil
}
