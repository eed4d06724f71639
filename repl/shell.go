package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/engine/render"
	"github.com/fbsql/fbsql/planner"
)

// shell is the state dot commands change, shared by the interactive loop
// and scripts.
type shell struct {
	eng      *engine.Engine
	stdout   io.Writer // the terminal or standard output
	out      io.Writer // where results go: stdout or the .output file
	file     *os.File  // the .output file, if any
	errw     io.Writer
	format   string
	terminal bool
	exec     engine.ExecOptions
	parquet  string          // the -o parquet file, restored when .output ends
	once     bool            // the .output file takes only the next statement (.once)
	fileFmt  string          // the format the .output file's extension asks for
	wrote    map[string]bool // parquet files that hold a result
	noHeader bool
	width    func() int // the terminal's width, when on one
	seen     *seenValues
	maxRows  int    // rows a table shows on the terminal; 0 shows all
	bail     bool   // scripts: stop at the first failing statement
	failed   bool   // a statement failed
	last     string // the last statement run, for .chart
	timer    bool
	explain  bool

	mu     sync.Mutex
	cancel context.CancelFunc // of the running statement
}

func newShell(eng *engine.Engine, o Options) *shell {
	sh := &shell{eng: eng, stdout: o.Out, out: o.Out, errw: o.Err, format: o.Format, terminal: o.Terminal,
		exec: o.Exec, parquet: o.Exec.Parquet, bail: o.Bail, noHeader: o.NoHeader, maxRows: terminalRows,
		wrote: map[string]bool{}, width: o.Width, seen: &seenValues{}}
	if sh.format == "" {
		sh.format = "table"
	}
	return sh
}

// interrupt cancels the running statement, if any.
func (sh *shell) interrupt() {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.cancel != nil {
		sh.cancel()
	}
}

// errStop ends a script: --bail after a failure, or Ctrl-C.
var errStop = errors.New("stopped")

// run executes the statements of text one by one, reporting each failure
// and going on, like psql and sqlite3 without -bail. Ctrl-C cancels the
// running statement and the rest of text; in a script, and with bail after
// a failure, it returns errStop.
func (sh *shell) run(ctx context.Context, text string) error {
	qctx, cancel := context.WithCancel(ctx)
	sh.mu.Lock()
	sh.cancel = cancel
	sh.mu.Unlock()
	defer func() {
		sh.mu.Lock()
		sh.cancel = nil
		sh.mu.Unlock()
		cancel()
	}()
	for _, stmt := range planner.SplitStatements(text) {
		if err := sh.checkParquet(qctx, stmt); err != nil {
			fmt.Fprintf(sh.errw, "error: %s\n", err)
			sh.failed = true
			if sh.bail {
				return errStop
			}
			continue
		}
		var last *engine.Result
		emitted := false
		err := sh.eng.ExecStatement(qctx, stmt, sh.exec, func(res *engine.Result) error {
			last, emitted = res, true
			if sh.explain && !res.Plan.Explain && len(res.Plan.Scans) > 0 {
				fmt.Fprint(sh.errw, res.Plan.String())
				for _, n := range res.CacheNotes {
					fmt.Fprintln(sh.errw, n)
				}
			}
			res.Observe = sh.seen.observe(res.Columns)
			_, err := render.Render(sh.out, res, sh.renderOptions())
			for _, n := range res.Notices {
				fmt.Fprintln(sh.errw, n)
			}
			return err
		})
		if err == nil && !emitted && sh.exec.Parquet != "" {
			sh.wrote[sh.exec.Parquet] = true
		}
		if sh.timer && last != nil {
			st := last.Stats
			fmt.Fprintf(sh.errw, "Run Time: %.3f s, API requests: %d, rows fetched: %d%s\n", st.Elapsed.Seconds(), st.Requests, st.RowsFetched, cacheText(st))
		}
		switch {
		case err == nil:
			continue
		case qctx.Err() != nil:
			fmt.Fprintln(sh.errw, "interrupted")
			sh.failed = true
			return errStop
		}
		fmt.Fprintf(sh.errw, "error: %s\n", err)
		sh.failed = true
		if sh.bail {
			return errStop
		}
	}
	return nil
}
