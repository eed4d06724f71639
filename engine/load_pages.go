package engine

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"iter"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/fbsql/fbsql/planner"
)

// LoadPages loads Graph API response pages ({"data":[…],"paging":…}) into
// a new temporary table with the named insights columns, through the same
// decode → typed stage → insert path a query's fetch uses. It exists so
// the ingest benchmark measures that path on fixed bytes, without HTTP.
// pages yields each page's bytes, valid until the next.
func (e *Engine) LoadPages(ctx context.Context, table string, columns []string, pages iter.Seq[[]byte]) (int64, error) {
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
	if err := e.createStage(ctx, stage, fields, []string{""}); err != nil {
		return 0, err
	}
	defer e.conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+stage)
	var n int64
	err := e.conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", stage)
		if err != nil {
			return err
		}
		dec := newDecoder(fields, false)
		row := make([]driver.Value, 2+len(fields))
		row[0], row[1] = int64(0), ""
		for page := range pages {
			err := pageRows(page, func(b []byte, at int) (int, error) {
				end, err := dec.decodeAt(b, at, row[2:])
				if err != nil {
					return 0, fmt.Errorf("decode row: %w", err)
				}
				n++
				return end, app.AppendRow(row...)
			})
			if err != nil {
				app.Close()
				return err
			}
		}
		return app.Close()
	})
	if err != nil {
		return 0, err
	}
	if _, err := e.conn.ExecContext(ctx, loadSQL(sc, stage, fields)); err != nil {
		return 0, err
	}
	return n, nil
}

// pageRows calls row with where each element of a page's "data" array
// starts; row reads it and returns where it ends. The page is read once.
func pageRows(page []byte, row func(b []byte, at int) (int, error)) error {
	found := false
	j, done, err := openObject(page, skipSpace(page, 0))
	for !done && err == nil {
		var key []byte
		var at, end int
		if key, at, err = readKey(page, j); err != nil {
			break
		}
		if string(key) == "data" {
			found = true
			end, err = eachRow(page, at, row)
		} else {
			end, err = skipValue(page, at, 1)
		}
		if err != nil {
			break
		}
		j, done, err = nextMember(page, end, '}')
	}
	if err == nil {
		err = trailing(page, j)
	}
	if err == nil && !found {
		err = errors.New("no data")
	}
	if err != nil {
		return fmt.Errorf("decode page: %w", err)
	}
	return nil
}

// eachRow calls row for each element of the array at b[i].
func eachRow(b []byte, i int, row func(b []byte, at int) (int, error)) (int, error) {
	j, done, err := openArray(b, i)
	for !done && err == nil {
		var end int
		if end, err = row(b, j); err != nil {
			break
		}
		j, done, err = nextMember(b, end, ']')
	}
	return j, err
}

// ColumnType is the SQL type of an insights column, for tools that load
// the same rows another way.
func (e *Engine) ColumnType(column string) (string, bool) {
	ins, _ := e.cat.Table("insights")
	c, ok := ins.Column(column)
	if !ok {
		return "", false
	}
	return c.Type, true
}

// QueryValue runs a query that returns one value, for tools and benchmarks.
func (e *Engine) QueryValue(ctx context.Context, query string) (any, error) {
	var v any
	err := e.conn.QueryRowContext(ctx, query).Scan(&v)
	return v, err
}
