package fbsql

import (
	"database/sql"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/fbsql/fbsql/engine"
)

// Decimal is an exact DECIMAL value (money is DECIMAL): Value × 10^-Scale.
// String prints it as DuckDB does; Float64 and Rat convert it.
type Decimal = engine.Decimal

// Rows is the result of a query, read with Next and Scan (or Values).
type Rows struct {
	cur     *engine.Cursor
	release func()
	cols    []string
	types   []string
	explain []string // the plan's lines, for EXPLAIN
	row     []any
	err     error
	closed  bool
}

func newRows(cur *engine.Cursor, release func()) (*Rows, error) {
	r := &Rows{cur: cur, release: release}
	if cur.Result == nil {
		return r, nil
	}
	if cur.Plan != nil && cur.Plan.Explain {
		text := strings.TrimRight(cur.Plan.String(), "\n")
		r.cols, r.types = []string{"explain"}, []string{"VARCHAR"}
		r.explain = append(strings.Split(text, "\n"), cur.CacheNotes...)
		return r, nil
	}
	r.cols, r.types = cur.Columns, cur.Types
	return r, nil
}

// Columns are the result's column names.
func (r *Rows) Columns() []string { return r.cols }

// ColumnTypes are the DuckDB type names of the columns (BIGINT,
// DECIMAL(18,2), DATE, VARCHAR[], …); the package doc lists the Go type
// each one scans to.
func (r *Rows) ColumnTypes() []string { return r.types }

// Next moves to the next row; it returns false at the end or on an error
// (see Err).
func (r *Rows) Next() bool {
	if r.closed || r.err != nil {
		return false
	}
	if r.explain != nil {
		if len(r.explain) == 0 {
			return false
		}
		r.row, r.explain = []any{r.explain[0]}, r.explain[1:]
		return true
	}
	if r.cur.Result == nil {
		return false
	}
	raw, err := r.cur.Next()
	if err != nil {
		r.err = wrapNext(err)
		return false
	}
	if raw == nil {
		r.row = nil
		return false
	}
	r.row = r.row[:0]
	for _, v := range raw {
		r.row = append(r.row, engine.GoValue(v))
	}
	return true
}

// Values returns the current row's values as the package doc's Go types.
func (r *Rows) Values() []any { return append([]any(nil), r.row...) }

// Err is the error that ended Next early, if any.
func (r *Rows) Err() error { return r.err }

// Close ends the statement; the session can then run the next one. It
// returns the statement's error if Next did not already.
func (r *Rows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	err := r.cur.Close()
	r.release()
	if r.err != nil {
		return r.err
	}
	return err
}

// Scan copies the current row into dest: *any takes the value as it is;
// *string takes any value as csv output writes it; *int64, *float64,
// *bool, *time.Time and *Decimal take values of matching kinds; a
// sql.Scanner scans itself.
func (r *Rows) Scan(dest ...any) error {
	if r.row == nil {
		return fmt.Errorf("scan: no current row; call Next first")
	}
	if len(dest) != len(r.row) {
		return fmt.Errorf("scan: %d destinations for %d columns", len(dest), len(r.row))
	}
	for i, d := range dest {
		if err := assign(d, r.row[i], r.types[i]); err != nil {
			return fmt.Errorf("scan column %s: %w", r.cols[i], err)
		}
	}
	return nil
}

func assign(dest, v any, typ string) error {
	switch d := dest.(type) {
	case *any:
		*d = v
		return nil
	case sql.Scanner:
		return d.Scan(v)
	case *string:
		if v == nil {
			return fmt.Errorf("NULL into *string; scan into *sql.NullString or *any")
		}
		*d = engine.TextValue(v, typ)
		return nil
	}
	if v == nil {
		return fmt.Errorf("NULL into %T; scan into *any or a sql.Null type", dest)
	}
	switch d := dest.(type) {
	case *int64:
		switch x := v.(type) {
		case int64:
			*d = x
			return nil
		case int32:
			*d = int64(x)
			return nil
		case *big.Int:
			if x.IsInt64() {
				*d = x.Int64()
				return nil
			}
		}
	case *float64:
		switch x := v.(type) {
		case float64:
			*d = x
			return nil
		case Decimal:
			*d = x.Float64()
			return nil
		case int64:
			*d = float64(x)
			return nil
		case *big.Int:
			*d, _ = new(big.Float).SetInt(x).Float64()
			return nil
		}
	case *bool:
		if x, ok := v.(bool); ok {
			*d = x
			return nil
		}
	case *time.Time:
		if x, ok := v.(time.Time); ok {
			*d = x
			return nil
		}
	case *Decimal:
		if x, ok := v.(Decimal); ok {
			*d = x
			return nil
		}
	}
	return fmt.Errorf("cannot store a %T (%s) in %T", v, typ, dest)
}
