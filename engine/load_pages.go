package engine

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/fbsql/fbsql/planner"
)

// LoadPages loads Graph API response pages ({"data":[…],"paging":…}) into
// a new temporary table with the named insights columns, through the same
// decode → stage → typed-insert path a query's fetch uses. It exists so
// the ingest benchmark measures that path on fixed bytes, without HTTP.
func (e *Engine) LoadPages(ctx context.Context, table string, columns []string, pages [][]byte) (int64, error) {
	ins, _ := e.cat.Table("insights")
	sc := &planner.Scan{Table: ins, Temp: table}
	for _, name := range columns {
		c, ok := ins.Column(name)
		if !ok {
			return 0, fmt.Errorf("no insights column %q", name)
		}
		sc.Columns = append(sc.Columns, c)
	}
	if err := e.createTemp(ctx, sc); err != nil {
		return 0, err
	}
	stage := table + "_stage"
	fields := stageFields(sc)
	cols := []string{"_unit BIGINT"}
	for _, f := range fields {
		cols = append(cols, quote(f.name)+" VARCHAR")
	}
	if _, err := e.conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s (%s)", stage, strings.Join(cols, ", "))); err != nil {
		return 0, err
	}
	defer e.conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+stage)
	var n int64
	err := e.conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", stage)
		if err != nil {
			return err
		}
		for _, page := range pages {
			var env struct {
				Data []json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(page, &env); err != nil {
				app.Close()
				return fmt.Errorf("decode page: %w", err)
			}
			for _, raw := range env.Data {
				row, err := decodeRow(raw, fields)
				if err != nil {
					app.Close()
					return err
				}
				if err := app.AppendRow(append([]driver.Value{int64(0)}, row...)...); err != nil {
					app.Close()
					return err
				}
				n++
			}
		}
		return app.Close()
	})
	if err != nil {
		return 0, err
	}
	if _, err := e.conn.ExecContext(ctx, loadSQL(sc, stage)); err != nil {
		return 0, err
	}
	return n, nil
}

// QueryValue runs a query that returns one value, for tools and benchmarks.
func (e *Engine) QueryValue(ctx context.Context, query string) (any, error) {
	var v any
	err := e.conn.QueryRowContext(ctx, query).Scan(&v)
	return v, err
}
