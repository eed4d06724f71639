//go:build cgo

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/engine/render"
	"github.com/fbsql/fbsql/repl"
	"golang.org/x/sys/unix"
)

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1 // a query or API error
	exitUsage = 2 // bad flags or configuration
)

// usageError is a mistake in how fbsql was invoked.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

type options struct {
	exec     string
	file     string
	format   string
	demo     bool
	accounts listFlag
	graphURL string
	version  string
	output   string
	bail     bool
	noHeader bool
	profile  string
	cache    string
	maxWait  time.Duration
	inFlight int
	set      map[string]bool // flags given on the command line
}

// run is the whole program: it maps errors to exit statuses so main stays trivial.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "sandbox" {
		return report(stderr, runSandbox(ctx, args[1:], stdout, stderr))
	}
	if len(args) > 0 && args[0] == "serve" {
		return report(stderr, runServe(ctx, args[1:], stdout, stderr))
	}
	o, done, err := parseFlags(args, stdout)
	switch {
	case err != nil:
		return report(stderr, err)
	case done:
		return exitOK
	}
	return report(stderr, runQueries(ctx, o, stdin, stdout, stderr))
}

func runQueries(ctx context.Context, o options, stdin io.Reader, stdout, stderr io.Writer) error {
	var exec engine.ExecOptions
	if o.output != "" {
		f, ok := render.FormatOfFile(o.output)
		switch {
		case o.set["format"]:
		case ok:
			o.format = f
		default:
			return &usageError{fmt.Sprintf("-o %s: cannot tell the format from %q; use one of %s or add --format", o.output, filepath.Ext(o.output), render.FileExtensions)}
		}
		if o.format == "parquet" {
			exec.Parquet = o.output
			o.format = "csv" // nothing is rendered: DuckDB writes the file
		} else {
			file, err := os.Create(o.output)
			if err != nil {
				return &usageError{fmt.Sprintf("-o: %v", err)}
			}
			defer file.Close()
			stdout = file
		}
	}
	if !render.ValidFormat(o.format) {
		return &usageError{fmt.Sprintf("unknown --format %q; use one of %s", o.format, strings.Join(render.Formats, ", "))}
	}
	if o.exec != "" && o.file != "" {
		return &usageError{"use -e (or -c) or -f, not both"}
	}
	cfg, cleanup, err := engineConfig(o, stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	if isTerminal(stderr) {
		cfg.Progress = repl.ProgressLine(stderr)
	}
	eng, err := engine.Open(ctx, cfg)
	if err != nil {
		return &usageError{err.Error()}
	}
	defer eng.Close()

	script := o.exec
	switch {
	case o.file == "-":
		b, err := io.ReadAll(stdin)
		if err != nil {
			return fmt.Errorf("read standard input: %w", err)
		}
		script = string(b)
	case o.file != "":
		b, err := os.ReadFile(o.file)
		if err != nil {
			return &usageError{fmt.Sprintf("read -f file: %v", err)}
		}
		script = string(b)
	case script == "" && (o.set["e"] || !isTerminal(stdin)):
		b, err := io.ReadAll(stdin)
		if err != nil {
			return fmt.Errorf("read standard input: %w", err)
		}
		script = string(b)
	case script == "":
		// The shell handles Ctrl-C itself: it cancels a query, not the shell.
		return repl.Run(ctx, eng, repl.Options{Out: stdout, Err: stderr, Format: o.format, Terminal: isTerminal(stdout), Exec: exec, NoHeader: o.noHeader, Demo: o.demo, Width: terminalWidth(stdout)})
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = repl.RunScript(ctx, eng, strings.NewReader(script), repl.Options{
		Out: stdout, Err: stderr, Format: o.format, Terminal: isTerminal(stdout), Exec: exec, Bail: o.bail, NoHeader: o.noHeader, Width: terminalWidth(stdout)})
	if errors.Is(err, repl.ErrFailed) {
		return errReported
	}
	return err
}

// errReported is a failure already printed; it only sets the exit status.
var errReported = errors.New("one or more statements failed")

// report prints an error the way a user should see it and picks the exit status.
func report(stderr io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, errReported) {
		return exitError
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "interrupted")
		return exitError
	}
	fmt.Fprintf(stderr, "error: %s\n", err)
	var ue *usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitError
}

// isTerminal reports whether r is a terminal (not a pipe, a file, or a
// character device such as /dev/null).
func isTerminal(r any) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// terminalWidth reports the width of w when it is a terminal, read anew
// for each result so that a resized window counts; nil otherwise.
func terminalWidth(w io.Writer) func() int {
	f, ok := w.(*os.File)
	if !ok || !isTerminal(f) {
		return nil
	}
	return func() int {
		ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
		if err != nil {
			return 0
		}
		return int(ws.Col)
	}
}
