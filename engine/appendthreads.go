package engine

import (
	"context"
	"fmt"
	"sync"
)

// appendThreads holds DuckDB to one thread while rows are appended, and
// gives back the session's own setting after.
//
// While a load runs, the parallelism is the loader's: decoders on every
// core and a goroutine (and connection) per stage part, each of which runs
// its part's INSERT … SELECT when its appender flushes. With DuckDB's
// default of a thread per core, each such INSERT also woke DuckDB's worker
// threads, which fought the decoders for the same cores, while the
// appending thread polled the executor for their tasks to finish: on the
// ingest benchmark, one thread cut fbsql's CPU per row by a fifth (stop 25's
// note). `threads` is global to the DuckDB instance, which an Engine owns
// alone and uses for one statement at a time, so no one else's query runs
// single-threaded meanwhile; the user's own query runs after the load, with
// the setting restored.
type appendThreads struct {
	mu     sync.Mutex
	active int   // appends running
	before int64 // the setting they found, restored when the last ends
}

// singleThreaded sets DuckDB's threads to 1 until the returned function is
// called; overlapping calls share one span, and the last to end restores
// the setting the first found.
func (e *Engine) singleThreaded(ctx context.Context) (restore func(), err error) {
	t := &e.appendThreads
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.active == 0 {
		if err := e.conn.QueryRowContext(ctx, "SELECT current_setting('threads')").Scan(&t.before); err != nil {
			return nil, fmt.Errorf("read duckdb threads: %w", err)
		}
		if _, err := e.conn.ExecContext(ctx, "SET threads = 1"); err != nil {
			return nil, fmt.Errorf("set duckdb threads: %w", err)
		}
	}
	t.active++
	return func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		if t.active--; t.active == 0 {
			// even when the statement was cancelled: the next one must run
			// with the user's threads
			e.conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("SET threads = %d", t.before))
		}
	}, nil
}
