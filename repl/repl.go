package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"

	"github.com/peterh/liner"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/planner"
)

// Options configure the shell.
type Options struct {
	Out, Err io.Writer
	// Format is the initial output mode.
	Format string
	// HistoryFile keeps history across sessions; "" uses the user's config directory.
	HistoryFile string
	// Terminal is set when Out is a terminal: long tables are then capped.
	Terminal bool
}

// terminalRows is how many rows a table shows on a terminal before it
// elides the middle, as the DuckDB shell does.
const terminalRows = 40

const (
	prompt     = "fbsql> "
	contPrompt = "   ...> "
)

// Run reads statements until Ctrl-D or .quit.
func Run(ctx context.Context, eng *engine.Engine, o Options) error {
	sh := newShell(eng, o)
	defer sh.closeOutput()
	// Ctrl-C cancels the running query. At the prompt liner reads it as a
	// key; where liner cannot drive the terminal it arrives as SIGINT, which
	// must not end the shell either.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer signal.Stop(sig)
	go func() {
		for range sig {
			sh.interrupt()
		}
	}()
	line := liner.NewLiner()
	defer line.Close()
	line.SetCtrlCAborts(true)
	line.SetMultiLineMode(true)
	line.SetWordCompleter(completer{cat: eng.Catalog()}.complete)
	line.SetTabCompletionStyle(liner.TabPrints)
	hist := o.HistoryFile
	if hist == "" {
		if dir, err := os.UserConfigDir(); err == nil {
			hist = filepath.Join(dir, "fbsql", "history")
		}
	}
	if hist != "" {
		if f, err := os.Open(hist); err == nil {
			line.ReadHistory(f)
			f.Close()
		}
		defer func() {
			os.MkdirAll(filepath.Dir(hist), 0o700)
			if f, err := os.OpenFile(hist, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600); err == nil {
				line.WriteHistory(f)
				f.Close()
			}
		}()
	}
	fmt.Fprintln(sh.out, `fbsql: SQL over the Facebook Marketing API. End statements with ";". ".help" for help, Ctrl-D to quit.`)
	var buf strings.Builder
	for {
		p := prompt
		if buf.Len() > 0 {
			p = contPrompt
		}
		text, err := line.Prompt(p)
		switch {
		case errors.Is(err, liner.ErrPromptAborted):
			buf.Reset()
			continue
		case errors.Is(err, io.EOF):
			fmt.Fprintln(sh.out)
			return nil
		case err != nil:
			return fmt.Errorf("read input: %w", err)
		}
		if buf.Len() == 0 && strings.HasPrefix(strings.TrimSpace(text), ".") {
			line.AppendHistory(text)
			if quit := sh.dot(ctx, strings.TrimSpace(text)); quit {
				return nil
			}
			continue
		}
		if buf.Len() > 0 {
			buf.WriteString("\n")
		}
		buf.WriteString(text)
		if !planner.Complete(buf.String()) {
			continue
		}
		stmt := buf.String()
		buf.Reset()
		line.AppendHistory(strings.ReplaceAll(stmt, "\n", " "))
		sh.run(ctx, stmt)
		sh.last = stmt
	}
}

// shell is the state dot commands change.
type shell struct {
	eng      *engine.Engine
	stdout   io.Writer // the terminal
	out      io.Writer // where results go: stdout or the .output file
	file     *os.File  // the .output file, if any
	errw     io.Writer
	format   string
	terminal bool
	last     string // the last statement run, for .chart
	timer    bool
	explain  bool

	mu     sync.Mutex
	cancel context.CancelFunc // of the running statement
}

func newShell(eng *engine.Engine, o Options) *shell {
	sh := &shell{eng: eng, stdout: o.Out, out: o.Out, errw: o.Err, format: o.Format, terminal: o.Terminal}
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

// run executes statements; Ctrl-C cancels them and returns to the prompt.
func (sh *shell) run(ctx context.Context, stmt string) {
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
	var last *engine.Result
	err := sh.eng.Exec(qctx, stmt, func(res *engine.Result) error {
		last = res
		if sh.explain && !res.Plan.Explain && len(res.Plan.Scans) > 0 {
			fmt.Fprint(sh.errw, res.Plan.String())
		}
		_, err := engine.Render(sh.out, res, sh.renderOptions())
		return err
	})
	if sh.timer && last != nil {
		st := last.Stats
		fmt.Fprintf(sh.errw, "Run Time: %.3f s, API requests: %d, rows fetched: %d\n", st.Elapsed.Seconds(), st.Requests, st.RowsFetched)
	}
	switch {
	case err == nil:
	case qctx.Err() != nil:
		fmt.Fprintln(sh.errw, "interrupted")
	default:
		fmt.Fprintf(sh.errw, "error: %s\n", err)
	}
}

// dot runs a dot command; it reports whether the shell should exit.
func (sh *shell) dot(ctx context.Context, cmd string) bool {
	f := strings.Fields(cmd)
	switch f[0] {
	case ".chart":
		if sh.last == "" {
			fmt.Fprintln(sh.errw, ".chart draws the last statement's result: run a query first")
			break
		}
		saved := sh.format
		sh.format = "chart"
		sh.run(ctx, sh.last)
		sh.format = saved
	case ".timer", ".explain":
		if len(f) != 2 || (f[1] != "on" && f[1] != "off") {
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
				fmt.Fprintf(sh.errw, "error: .output: %v\n", err)
				break
			}
			sh.file, sh.out = file, file
		}
	case ".read":
		if len(f) != 2 {
			fmt.Fprintln(sh.errw, "usage: .read FILE")
			break
		}
		b, err := os.ReadFile(f[1])
		if err != nil {
			fmt.Fprintf(sh.errw, "error: .read: %v\n", err)
			break
		}
		sh.run(ctx, string(b))
	case ".accounts":
		ids, err := sh.eng.Accounts(ctx)
		if err != nil {
			fmt.Fprintf(sh.errw, "error: %s\n", err)
			break
		}
		for _, id := range ids {
			fmt.Fprintf(sh.out, "act_%s\n", id)
		}
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
			fmt.Fprintf(sh.errw, "usage: .mode %s\n", strings.Join(engine.Formats, "|"))
			break
		}
		sh.format = f[1]
	default:
		fmt.Fprintf(sh.errw, "unknown command %s; .help lists the commands\n", f[0])
	}
	return false
}

func (sh *shell) schema(args []string) {
	tables := sh.eng.Catalog().Tables()
	if len(args) > 0 {
		t, ok := sh.eng.Catalog().Table(args[0])
		if !ok {
			fmt.Fprintf(sh.errw, "no table %q; tables: %s\n", args[0], strings.Join(sh.eng.Catalog().TableNames(), ", "))
			return
		}
		tables = tables[:0:0]
		tables = append(tables, t)
	}
	for _, t := range tables {
		fmt.Fprintf(sh.out, "%s: %s\n", t.Name, t.Doc)
		for _, c := range t.Columns {
			fmt.Fprintf(sh.out, "  %-22s %-14s %-11s %s\n", c.Name, shortType(c.Type), c.Kind, c.Doc)
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
  .accounts          the ad accounts being queried
  .help              this text
  .quit              leave (or Ctrl-D)
Ctrl-C cancels a running query and its API requests.
`
