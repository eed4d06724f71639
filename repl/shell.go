package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/fbsql/fbsql/engine"
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
		exec: o.Exec, bail: o.Bail}
	if sh.format == "" {
		sh.format = "table"
	}
	return sh
}

// renderOptions caps tables only when they go to the terminal.
func (sh *shell) renderOptions() engine.RenderOptions {
	o := engine.RenderOptions{Format: sh.format}
	if sh.terminal && sh.file == nil {
		o.MaxRows = terminalRows
	}
	return o
}

func (sh *shell) closeOutput() {
	if sh.file != nil {
		sh.file.Close()
		sh.file, sh.out = nil, sh.stdout
	}
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
		var last *engine.Result
		err := sh.eng.ExecStatement(qctx, stmt, sh.exec, func(res *engine.Result) error {
			last = res
			if sh.explain && !res.Plan.Explain && len(res.Plan.Scans) > 0 {
				fmt.Fprint(sh.errw, res.Plan.String())
				for _, n := range res.CacheNotes {
					fmt.Fprintln(sh.errw, n)
				}
			}
			_, err := engine.Render(sh.out, res, sh.renderOptions())
			return err
		})
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

// dot runs a dot command; it reports whether the shell should exit.
func (sh *shell) dot(ctx context.Context, cmd string) bool {
	f := strings.Fields(cmd)
	switch f[0] {
	case ".chart":
		if sh.last == "" {
			sh.failed = true
			fmt.Fprintln(sh.errw, ".chart draws the last statement's result: run a query first")
			break
		}
		saved := sh.format
		sh.format = "chart"
		sh.run(ctx, sh.last)
		sh.format = saved
	case ".timer", ".explain":
		if len(f) != 2 || (f[1] != "on" && f[1] != "off") {
			sh.failed = true
			fmt.Fprintf(sh.errw, "usage: %s on|off\n", f[0])
			break
		}
		if f[0] == ".timer" {
			sh.timer = f[1] == "on"
		} else {
			sh.explain = f[1] == "on"
		}
	case ".output":
		sh.closeOutput()
		if len(f) > 1 {
			file, err := os.Create(f[1])
			if err != nil {
				sh.failed = true
				fmt.Fprintf(sh.errw, "error: .output: %v\n", err)
				break
			}
			sh.file, sh.out = file, file
		}
	case ".read":
		if len(f) != 2 {
			sh.failed = true
			fmt.Fprintln(sh.errw, "usage: .read FILE")
			break
		}
		file, err := os.Open(f[1])
		if err != nil {
			sh.failed = true
			fmt.Fprintf(sh.errw, "error: .read: %v\n", err)
			break
		}
		sh.loop(ctx, lineReader(file), func(string) {}, false)
		file.Close()
	case ".accounts":
		ids, err := sh.eng.Accounts(ctx)
		if err != nil {
			sh.failed = true
			fmt.Fprintf(sh.errw, "error: %s\n", err)
			break
		}
		for _, id := range ids {
			fmt.Fprintf(sh.out, "act_%s\n", id)
		}
	case ".cache":
		sh.cacheCommand(ctx, f[1:])
	case ".quit", ".exit":
		return true
	case ".help":
		fmt.Fprint(sh.out, helpText)
	case ".tables":
		for _, t := range sh.eng.Catalog().Tables() {
			fmt.Fprintf(sh.out, "%-14s %s\n", t.Name, t.Doc)
		}
	case ".schema":
		sh.schema(f[1:])
	case ".mode":
		if len(f) != 2 || !engine.ValidFormat(f[1]) {
			sh.failed = true
			fmt.Fprintf(sh.errw, "usage: .mode %s\n", strings.Join(engine.Formats, "|"))
			break
		}
		sh.format = f[1]
	default:
		sh.failed = true
		fmt.Fprintf(sh.errw, "unknown command %s; .help lists the commands\n", f[0])
	}
	return false
}

// cacheText is the .timer line's account of the cache.
func cacheText(st engine.Stats) string {
	if !st.CacheUsed {
		return ""
	}
	s := fmt.Sprintf(", from cache: %d rows", st.CacheRows)
	if n := st.CacheDays + st.FetchedDays; n > 0 {
		s += fmt.Sprintf(", %d of %d account-days", st.CacheDays, n)
	}
	if n := st.CacheWhole + st.FetchedWhole; n > 0 {
		s += fmt.Sprintf(", %d of %d requests", st.CacheWhole, n)
	}
	return s
}

func (sh *shell) cacheCommand(ctx context.Context, args []string) {
	if len(args) != 1 {
		sh.failed = true
		fmt.Fprintln(sh.errw, "usage: .cache on|off|refresh|clear|stats")
		return
	}
	switch args[0] {
	case "clear":
		if err := sh.eng.ClearCache(ctx); err != nil {
			sh.failed = true
			fmt.Fprintf(sh.errw, "error: %s\n", err)
		}
	case "stats":
		info, err := sh.eng.CacheStats(ctx)
		if err != nil {
			sh.failed = true
			fmt.Fprintf(sh.errw, "error: %s\n", err)
			return
		}
		where := info.Path
		if where == "" {
			where = "in memory"
		}
		fmt.Fprintf(sh.out, "cache %s (%s): %d entries, %d final, %d rows, %.1f MB; days older than %d days are final, the rest kept %s\n",
			info.Mode, where, info.Entries, info.Final, info.Rows, float64(info.Bytes)/1e6, info.FreezeDays, info.TTL)
	default:
		m, err := engine.ParseCacheMode(args[0])
		if err != nil {
			sh.failed = true
			fmt.Fprintln(sh.errw, "usage: .cache on|off|refresh|clear|stats")
			return
		}
		sh.eng.SetCacheMode(m)
	}
}

func (sh *shell) schema(args []string) {
	tables := sh.eng.Catalog().Tables()
	if len(args) > 0 {
		t, ok := sh.eng.Catalog().Table(args[0])
		if !ok {
			sh.failed = true
			fmt.Fprintf(sh.errw, "no table %q; tables: %s\n", args[0], strings.Join(sh.eng.Catalog().TableNames(), ", "))
			return
		}
		tables = tables[:0:0]
		tables = append(tables, t)
	}
	for _, t := range tables {
		fmt.Fprintf(sh.out, "%s: %s\n", t.Name, t.Doc)
		fmt.Fprintf(sh.out, "  %-24s %-14s %-11s %-22s %s\n", "column", "type", "kind", "pushed to the API", "description")
		for i := range t.Columns {
			c := &t.Columns[i]
			ops := strings.Join(planner.PushdownOps(t, c), " ")
			fmt.Fprintf(sh.out, "  %-24s %-14s %-11s %-22s %s\n", c.Name, shortType(c.Type), c.Kind, ops, c.Doc)
		}
	}
}

func shortType(t string) string {
	if strings.HasPrefix(t, "STRUCT(action_type") {
		return "ACTION_STATS[]"
	}
	return t
}

const helpText = `Statements are DuckDB SQL over virtual tables (.tables); end each with ";".
  .tables            list the virtual tables
  .schema [TABLE]    columns with type and kind (id, attribute, metric, breakdown, …)
  .mode FORMAT       table, csv, json, jsonl, markdown, line, chart
  .chart             draw the last result as a bar chart (label or date, then a number)
  .output [FILE]     send results to FILE; .output alone goes back to the terminal
  .read FILE         run the statements in FILE
  .timer on|off      after each statement: wall time, API requests, rows fetched
  .explain on|off    print the Graph API requests before running each statement
  .cache MODE        on, off, refresh (fetch again and keep), clear, or stats
  .accounts          the ad accounts being queried
  .help              this text
  .quit              leave (or Ctrl-D)
Ctrl-C cancels a running query and its API requests.
`
