package pgwire

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/fbsql/fbsql"
	"github.com/fbsql/fbsql/planner"
)

// result is what one statement returns: rows from fbsql, or a canned
// answer for the session and catalog questions clients ask (catalog.go).
type result struct {
	cols   []string
	types  []string // DuckDB type names
	rows   *fbsql.Rows
	canned [][]any
	tag    string // command tag of a statement without rows
	tx     int    // txOpen or txClosed for BEGIN and COMMIT
	n      int    // rows sent so far
	end    func() // unregisters the statement from cancel requests
}

// open starts a statement.
func (ss *session) open(ctx context.Context, text string) (*result, error) {
	if r, ok := ss.intercept(text); ok {
		switch r.tx {
		case txOpen:
			ss.inTx = true
		case txClosed:
			ss.inTx = false
		}
		return r, nil
	}
	ctx, end := ss.begin(ctx)
	rows, err := ss.db.Query(ctx, text)
	if err != nil {
		end()
		return nil, err
	}
	r := &result{cols: rows.Columns(), types: rows.ColumnTypes(), rows: rows, end: end}
	if len(r.cols) == 0 {
		r.tag = strings.ToUpper(firstWord(text))
	}
	return r, nil
}

// next returns the next row, or nil at the end.
func (r *result) next() ([]any, error) {
	if r.rows == nil {
		if len(r.canned) == 0 {
			return nil, nil
		}
		row := r.canned[0]
		r.canned = r.canned[1:]
		return row, nil
	}
	if r.rows.Next() {
		return r.rows.Values(), nil
	}
	return nil, r.rows.Err()
}

// close ends the statement and returns its error, if reading did not.
func (r *result) close() error {
	var err error
	if r.rows != nil {
		err = r.rows.Close()
		r.rows = nil
	}
	if r.end != nil {
		r.end()
		r.end = nil
	}
	return err
}

// commandTag is what CommandComplete says after the last row.
func (r *result) commandTag() string {
	if r.tag != "" {
		return r.tag
	}
	return fmt.Sprintf("SELECT %d", r.n)
}

// simpleQuery runs each statement of a Query message, stopping at the
// first error.
func (ss *session) simpleQuery(ctx context.Context, text string) {
	stmts := planner.SplitStatements(text)
	if len(stmts) == 0 {
		ss.be.Send(&pgproto3.EmptyQueryResponse{})
		return
	}
	for _, st := range stmts {
		r, err := ss.open(ctx, st)
		if err != nil {
			ss.fail(err)
			return
		}
		if len(r.cols) > 0 {
			fields, err := ss.fields(r, nil)
			if err != nil {
				r.close()
				ss.fail(err)
				return
			}
			ss.be.Send(&pgproto3.RowDescription{Fields: fields})
		}
		if _, err := ss.sendRows(r, nil, 0); err != nil {
			r.close()
			ss.fail(err)
			return
		}
		if err := r.close(); err != nil {
			ss.fail(err)
			return
		}
		ss.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(r.commandTag())})
	}
}

// sendRows writes up to max rows (0: all) in the given result formats and
// reports whether rows remain.
func (ss *session) sendRows(r *result, formats []int16, max int) (more bool, err error) {
	for max == 0 || r.n < max {
		row, err := r.next()
		if err != nil {
			return false, err
		}
		if row == nil {
			return false, nil
		}
		vals := make([][]byte, len(row))
		for i, v := range row {
			if vals[i], err = ss.encode(v, r.types[i], format(formats, i)); err != nil {
				return false, fmt.Errorf("column %s: %w", r.cols[i], err)
			}
		}
		ss.be.Send(&pgproto3.DataRow{Values: vals})
		r.n++
		if r.n%1000 == 0 {
			if err := ss.be.Flush(); err != nil {
				return false, err
			}
		}
	}
	return true, nil
}

// format is the format code of column (or parameter) i: none means text,
// one applies to all.
func format(codes []int16, i int) int16 {
	switch {
	case len(codes) == 0:
		return 0
	case len(codes) == 1:
		return codes[0]
	case i < len(codes):
		return codes[i]
	}
	return 0
}

// fields describes the result columns to the client.
func (ss *session) fields(r *result, formats []int16) ([]pgproto3.FieldDescription, error) {
	if len(formats) > 1 && len(formats) != len(r.cols) {
		return nil, &pgError{code: "08P01", msg: fmt.Sprintf("bind has %d result formats for %d columns", len(formats), len(r.cols))}
	}
	out := make([]pgproto3.FieldDescription, len(r.cols))
	for i, c := range r.cols {
		t := typeFor(r.types[i])
		out[i] = pgproto3.FieldDescription{Name: []byte(c), DataTypeOID: t.oid, DataTypeSize: t.size, TypeModifier: -1, Format: format(formats, i)}
	}
	return out, nil
}

func firstWord(s string) string {
	f := strings.Fields(strings.TrimLeft(s, "( \t\n"))
	if len(f) == 0 {
		return ""
	}
	return strings.TrimRight(f[0], ";")
}
