package engine

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"sync"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/fbsql/fbsql/fbtables"
)

// shadow is an in-memory DuckDB holding an empty table per virtual table,
// with every column typed as the catalog says, so that DuckDB can infer the
// type of each parameter from where it is used (date_start >= $1 is a DATE).
// It never holds rows and never sees the user's data.
type shadow struct {
	once sync.Once
	db   *sql.DB
	err  error
}

func (s *shadow) open(e *Engine) (*sql.DB, error) {
	ctx := context.Background() // shared by every later caller: not one caller's context
	s.once.Do(func() {
		connector, err := duckdb.NewConnector("", nil)
		if err != nil {
			s.err = fmt.Errorf("open duckdb for describe: %w", err)
			return
		}
		s.db = sql.OpenDB(connector)
		s.db.SetMaxOpenConns(1)
		for _, t := range e.cat.Tables() {
			var cols []string
			for _, c := range t.Columns {
				cols = append(cols, quote(c.Name)+" "+c.Type)
			}
			if _, err := s.db.ExecContext(ctx, fmt.Sprintf("CREATE TABLE %s (%s)", quote(t.Name), strings.Join(cols, ", "))); err != nil {
				s.err = fmt.Errorf("describe table %s: %w", t.Name, err)
				return
			}
		}
	})
	return s.db, s.err
}

// shadows are per catalog content, so that every session of a process
// (each opens its own copy of the default catalog) shares one.
var shadows sync.Map // catalogKey → *shadow

// catalogKey identifies a catalog by its tables and column types.
func catalogKey(cat *fbtables.Catalog) string {
	var b strings.Builder
	for _, t := range cat.Tables() {
		b.WriteString(t.Name)
		for _, c := range t.Columns {
			b.WriteString("," + c.Name + " " + c.Type)
		}
		b.WriteString(";")
	}
	return b.String()
}

// ParamTypes infers the DuckDB type of each $n parameter of one statement.
func (e *Engine) ParamTypes(ctx context.Context, stmt string) ([]string, error) {
	s, _ := shadows.LoadOrStore(catalogKey(e.cat), &shadow{})
	db, err := s.(*shadow).open(e)
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var types []string
	err = conn.Raw(func(dc any) error {
		st, err := dc.(driver.ConnPrepareContext).PrepareContext(ctx, stmt)
		if err != nil {
			return &QueryError{Err: err}
		}
		defer st.Close()
		ds := st.(*duckdb.Stmt)
		for i := 1; i <= ds.NumInput(); i++ {
			t, err := ds.ParamType(i)
			name := ""
			if err == nil && t != duckdb.TYPE_INVALID && t != duckdb.TYPE_ANY {
				name = typeName(t)
			}
			types = append(types, name)
		}
		return nil
	})
	return types, err
}

// typeName is the DuckDB SQL name of a parameter type.
func typeName(t duckdb.Type) string {
	switch t {
	case duckdb.TYPE_BOOLEAN:
		return "BOOLEAN"
	case duckdb.TYPE_TINYINT, duckdb.TYPE_SMALLINT, duckdb.TYPE_INTEGER:
		return "INTEGER"
	case duckdb.TYPE_BIGINT, duckdb.TYPE_UTINYINT, duckdb.TYPE_USMALLINT, duckdb.TYPE_UINTEGER:
		return "BIGINT"
	case duckdb.TYPE_FLOAT, duckdb.TYPE_DOUBLE:
		return "DOUBLE"
	case duckdb.TYPE_DECIMAL:
		return "DECIMAL"
	case duckdb.TYPE_DATE:
		return "DATE"
	case duckdb.TYPE_TIMESTAMP_TZ:
		return "TIMESTAMPTZ"
	case duckdb.TYPE_TIMESTAMP, duckdb.TYPE_TIMESTAMP_S, duckdb.TYPE_TIMESTAMP_MS, duckdb.TYPE_TIMESTAMP_NS:
		return "TIMESTAMP"
	case duckdb.TYPE_VARCHAR:
		return "VARCHAR"
	}
	return ""
}

// DescribeColumns plans one statement that has no parameters and reports
// its result columns without fetching anything: DuckDB binds the rewritten
// SQL against the scans' empty tables.
func (e *Engine) DescribeColumns(ctx context.Context, stmt string) (cols, types []string, err error) {
	p, err := e.Plan(ctx, stmt)
	if err != nil {
		return nil, nil, err
	}
	st := p.Statements[0]
	if st.Explain {
		return []string{"explain"}, []string{"VARCHAR"}, nil
	}
	if !st.Query {
		return nil, nil, nil
	}
	defer e.dropTemps(st)
	for _, sc := range st.Scans {
		if err := e.createTemp(ctx, sc); err != nil {
			return nil, nil, err
		}
	}
	rows, err := e.conn.QueryContext(ctx, "SELECT * FROM ("+strings.TrimRight(st.SQL, "; \n")+") LIMIT 0")
	if err != nil {
		return nil, nil, e.queryError(err, st)
	}
	defer rows.Close()
	cols, _ = rows.Columns()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, nil, err
	}
	for _, ct := range cts {
		types = append(types, ct.DatabaseTypeName())
	}
	return cols, types, nil
}
