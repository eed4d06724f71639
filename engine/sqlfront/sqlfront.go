package sqlfront

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver
)

// Frontend exposes DuckDB's parser to the planner (planner.Frontend). It
// runs on its own in-memory database so that parsing never touches user
// data or the query connection.
type Frontend struct {
	mu sync.Mutex
	db *sql.DB
}

// New opens an in-memory DuckDB used only for parsing. Its time zone is
// UTC, so that plans made with it alone (tests) do not depend on the
// machine's.
func New() (*Frontend, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("open duckdb parser: %w", err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`SET TimeZone = 'UTC'`); err != nil {
		db.Close()
		return nil, fmt.Errorf("set parser time zone: %w", err)
	}
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

// Days runs a calendar query of the planner on the parser's database.
func (f *Frontend) Days(query string) ([]time.Time, []int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return queryDays(context.Background(), f.db, query)
}

// queryer is what queryDays needs of a database or connection.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryDays runs a calendar query: rows of (DATE, INTEGER); a NULL date
// is returned as the zero time.
func queryDays(ctx context.Context, db queryer, query string) ([]time.Time, []int, error) {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, nil, fmt.Errorf("evaluate date condition: %w", err)
	}
	defer rows.Close()
	var days []time.Time
	var marks []int
	for rows.Next() {
		var d sql.NullTime // NULL: the zero time
		var m int
		if err := rows.Scan(&d, &m); err != nil {
			return nil, nil, fmt.Errorf("evaluate date condition: %w", err)
		}
		days, marks = append(days, d.Time), append(marks, m)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("evaluate date condition: %w", err)
	}
	return days, marks, nil
}
