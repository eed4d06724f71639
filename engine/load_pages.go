package engine

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"sync"

	"github.com/fbsql/fbsql/planner"
)

// LoadPages loads Graph API response pages ({"data":[…],"paging":…}) into
// a new temporary view (stageToTemp) with the named insights columns,
// through the same decode → typed stage → table path a query's fetch uses. It exists so
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
	if err := e.createStage(ctx, stage, fields, false); err != nil {
		return 0, err
	}
	n, err := e.loadPages(ctx, stage, fields, pages)
	if err == nil {
		err = e.stageToTemp(ctx, sc, stage, fields)
	}
	if err != nil {
		e.dropScan(table)
		return 0, err
	}
	return n, nil
}

// loadPages decodes pages as a query's fetchers do, in parallel, each
// decoder batching its rows for the appenders of the stage's tables
// (appendLoop). pages is read in one goroutine, each page copied
// once so the iterator may reuse its buffer.
func (e *Engine) loadPages(ctx context.Context, stage string, fields []stageField, pages iter.Seq[[]byte]) (int64, error) {
	return e.appendFrom(ctx, stage, func(int64) {}, nil, func(ctx context.Context, rowsCh chan<- rowMsg, fail func(error), wg *sync.WaitGroup) {
		workers := runtime.GOMAXPROCS(0)
		pagesCh := make(chan []byte, workers)
		free := make(chan []byte, 2*workers) // page buffers to reuse
		wg.Add(1)
		go func() { // the reader; it stops when the load fails
			defer wg.Done()
			defer close(pagesCh)
			for page := range pages {
				var buf []byte
				select {
				case buf = <-free:
				default:
				}
				select {
				case pagesCh <- append(buf[:0], page...):
				case <-ctx.Done():
					return
				}
			}
		}()
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				b := newBatcher(rowsCh, fields, false, "")
				defer b.release()
				for page := range pagesCh {
					err := pageRows(page, func(page []byte, at int) (int, error) { return b.addAt(ctx, page, at) })
					if err != nil {
						fail(err)
						return
					}
					select {
					case free <- page:
					default:
					}
				}
				if err := b.flush(ctx); err != nil {
					fail(err)
				}
			}()
		}
	})
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
