package repl

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

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
	// Exec says where results go (e.g. a parquet file).
	Exec engine.ExecOptions
	// Bail stops a script at its first failing statement.
	Bail bool
	// NoHeader leaves out the header line of table, csv and tsv output.
	NoHeader bool
	// Width, when set, reports the terminal's width: wide tables then leave
	// out the columns that do not fit.
	Width func() int
	// Demo says the session queries the built-in sandbox; the banner says so.
	Demo bool
}

// terminalRows is how many rows a table shows on a terminal before it
// elides the middle, as the DuckDB shell does.
const terminalRows = 40

const (
	prompt     = "fbsql> "
	contPrompt = "   ...> "
)

// Run is the interactive shell: it reads statements until Ctrl-D or .quit.
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
	line.SetWordCompleter(completer{cat: eng.Catalog(), seen: sh.seen}.complete)
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
	if o.Demo {
		fmt.Fprintln(sh.out, "Demo: the built-in sandbox's synthetic ad accounts, not real data. SHOW TABLES and DESCRIBE insights to start.")
	}
	read := func(p string) (string, error) {
		text, err := line.Prompt(p)
		if errors.Is(err, io.EOF) {
			fmt.Fprintln(sh.out)
		}
		return text, err
	}
	record := func(entry string) { line.AppendHistory(strings.ReplaceAll(entry, "\n", " ")) }
	err := sh.loop(ctx, read, record, true)
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

// ErrFailed reports that a script ran but some statement failed; each
// failure was already printed.
var ErrFailed = errors.New("one or more statements failed")

// RunScript runs statements and dot commands read from r, as the DuckDB
// shell does with piped input: every statement runs even after a failure
// (unless Options.Bail), and ErrFailed says one failed.
func RunScript(ctx context.Context, eng *engine.Engine, r io.Reader, o Options) error {
	sh := newShell(eng, o)
	defer sh.closeOutput()
	err := sh.loop(ctx, lineReader(r), func(string) {}, false)
	switch {
	case err != nil && !errors.Is(err, errStop):
		return err
	case ctx.Err() != nil:
		return ctx.Err()
	case sh.failed:
		return ErrFailed
	}
	return nil
}

// lineReader reads a script line by line, ignoring the prompt.
func lineReader(r io.Reader) func(string) (string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	return func(string) (string, error) {
		if sc.Scan() {
			return sc.Text(), nil
		}
		if err := sc.Err(); err != nil {
			return "", err
		}
		return "", io.EOF
	}
}

// loop reads lines, runs dot commands and complete statements, until the
// input ends or .quit. Interactive loops treat Ctrl-C at the prompt as
// "discard this statement"; a script's last statement may omit its ";".
func (sh *shell) loop(ctx context.Context, read func(prompt string) (string, error), record func(string), interactive bool) error {
	var buf strings.Builder
	for {
		p := prompt
		if buf.Len() > 0 {
			p = contPrompt
		}
		text, err := read(p)
		switch {
		case errors.Is(err, liner.ErrPromptAborted):
			buf.Reset()
			continue
		case errors.Is(err, io.EOF):
			if !interactive && strings.TrimSpace(buf.String()) != "" {
				return sh.run(ctx, buf.String())
			}
			return nil
		case err != nil:
			return fmt.Errorf("read input: %w", err)
		}
		// A dot command runs at once, even at the continuation prompt: it
		// never becomes part of the statement being typed, which waits.
		trimmed := strings.TrimSpace(text)
		if (buf.Len() == 0 && strings.HasPrefix(trimmed, ".")) || (buf.Len() > 0 && isDotCommand(trimmed)) {
			record(text)
			if quit := sh.dot(ctx, trimmed); quit {
				return nil
			}
			if !interactive && sh.failed && sh.bail {
				return errStop
			}
			continue
		}
		if buf.Len() == 0 {
			if handled, quit := sh.psqlCommand(trimmed, interactive); handled {
				record(text)
				if quit {
					return nil
				}
				if !interactive && sh.failed && sh.bail {
					return errStop
				}
				continue
			}
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
		record(stmt)
		err = sh.run(ctx, stmt)
		sh.last = stmt
		if sh.once {
			sh.closeOutput()
		}
		if err != nil && !interactive {
			return err
		}
	}
}
