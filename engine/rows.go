package engine

import (
	"context"
	"math/big"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/fbsql/fbsql/planner"
)

// Cursor is the result of the last statement of a script, read row by row
// by the caller instead of through Exec's callback. The statement stays
// open (its temporary tables and DuckDB rows) until Close.
type Cursor struct {
	// Result describes the rows; Result.Next reads them. It is nil when the
	// last statement returned nothing (the parquet option).
	*Result
	release chan struct{} // closed by Close: the statement may finish
	done    chan error    // the statement's final error
	err     error
	closed  bool
}

// Query runs every statement of a script and returns a cursor over the
// rows of the last one; earlier statements' rows are read and discarded.
// Only one cursor of an engine may be open at a time.
func (e *Engine) Query(ctx context.Context, script string) (*Cursor, error) {
	stmts := planner.SplitStatements(script)
	if len(stmts) == 0 {
		return &Cursor{closed: true}, nil
	}
	for _, s := range stmts[:len(stmts)-1] {
		err := e.ExecStatement(ctx, s, ExecOptions{}, func(r *Result) error { _, err := r.each(func([]any) error { return nil }); return err })
		if err != nil {
			return nil, err
		}
	}
	c := &Cursor{release: make(chan struct{}), done: make(chan error, 1)}
	got := make(chan *Result, 1)
	go func() {
		c.done <- e.ExecStatement(ctx, stmts[len(stmts)-1], ExecOptions{}, func(r *Result) error {
			got <- r
			<-c.release
			return nil
		})
	}()
	select {
	case r := <-got:
		c.Result = r
		return c, nil
	case err := <-c.done:
		c.closed = true
		if err != nil {
			return nil, err
		}
		return c, nil
	}
}

// Close ends the statement and returns its error, if reading the rows did
// not already report it.
func (c *Cursor) Close() error {
	if c.closed {
		return c.err
	}
	c.closed = true
	close(c.release)
	c.err = <-c.done
	return c.err
}

// Decimal is an exact DECIMAL value: Value × 10^-Scale.
type Decimal struct {
	Value *big.Int
	Scale uint8
}

// String prints the value with exactly Scale digits after the point.
func (d Decimal) String() string {
	return decimalText(duckdb.Decimal{Value: d.Value, Scale: d.Scale})
}

// Float64 is the nearest float64.
func (d Decimal) Float64() float64 {
	return duckdb.Decimal{Value: d.Value, Scale: d.Scale}.Float64()
}

// Rat is the exact value as a fraction.
func (d Decimal) Rat() *big.Rat {
	den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.Scale)), nil)
	return new(big.Rat).SetFrac(d.Value, den)
}

// GoValue converts a value from Result.Next to a type that does not name
// DuckDB: DECIMAL becomes Decimal, MAP becomes map[any]any, nested lists
// and structs are converted element by element.
func GoValue(v any) any {
	switch x := v.(type) {
	case duckdb.Decimal:
		return Decimal{Value: x.Value, Scale: x.Scale}
	case duckdb.Map:
		out := make(map[any]any, len(x))
		for k, e := range x {
			out[k] = GoValue(e)
		}
		return out
	case duckdb.UUID:
		return x.String()
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = GoValue(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = GoValue(e)
		}
		return out
	}
	return v
}

// TextValue renders a value from Result.Next as the csv output writes it:
// exact decimals, dates as YYYY-MM-DD, lists and structs as JSON.
func TextValue(v any, typ string) string {
	if d, ok := v.(Decimal); ok {
		return d.String()
	}
	return textValue(v, typ)
}

// MarshalJSON writes the exact value as a JSON number.
func (d Decimal) MarshalJSON() ([]byte, error) { return []byte(d.String()), nil }
