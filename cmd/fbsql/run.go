package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/fbtables/graph"
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
	profile  string
	cache    string
	maxWait  time.Duration
	inFlight int
	set      map[string]bool // flags given on the command line
}

// formatByExtension picks the output format of -o FILE.
var formatByExtension = map[string]string{
	".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".md": "markdown", ".parquet": "parquet", ".txt": "table",
}

// run is the whole program: it maps errors to exit statuses so main stays trivial.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "sandbox" {
		return report(stderr, runSandbox(ctx, args[1:], stdout, stderr))
	}
	if len(args) > 0 && args[0] == "serve" {
		return report(stderr, runServe(ctx, args[1:], stdout, stderr))
	}
	var o options
	fs := flag.NewFlagSet("fbsql", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.exec, "e", "", "run these SQL statements and exit")
	fs.StringVar(&o.file, "f", "", "run the SQL statements in this file and exit")
	fs.StringVar(&o.format, "format", "table", "output format: "+strings.Join(engine.Formats, ", "))
	fs.BoolVar(&o.demo, "demo", false, "query the built-in sandbox (synthetic ad accounts; no token needed)")
	fs.Var(&o.accounts, "account", "ad account id to query, with or without act_ (repeatable; default $FB_ACCOUNT_IDS, else every account the token reads)")
	fs.StringVar(&o.graphURL, "graph-url", "", "Graph API base URL (default "+graph.DefaultBaseURL+"; http only to loopback)")
	fs.StringVar(&o.version, "api-version", graph.DefaultVersion, "Graph API version")
	fs.StringVar(&o.output, "o", "", "write results to this file; the format follows its extension (.csv .json .jsonl .md .parquet)")
	fs.StringVar(&o.profile, "profile", "", "use this profile of the config file ($FBSQL_CONFIG, default <config dir>/fbsql/config)")
	fs.StringVar(&o.cache, "cache", "on", "local cache of fetched rows: on, off, or refresh (fetch again and keep); in $FBSQL_CACHE_DIR, default <cache dir>/fbsql; --demo keeps it in memory and off unless --cache on")
	fs.DurationVar(&o.maxWait, "max-wait", graph.DefaultMaxWait, "longest wait a throttle answer may impose; beyond it a query fails saying until when (e.g. 30m, 2h)")
	fs.IntVar(&o.inFlight, "max-requests", graph.DefaultMaxInFlight, "most Graph API requests in flight at once, all accounts together")
	fs.BoolVar(&o.bail, "bail", false, "stop at the first failing statement (default: report it, run the rest, exit 1)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: fbsql [flags]                 interactive shell\n")
		fmt.Fprintf(stderr, "       fbsql -e \"SELECT …\" [flags]   run statements\n")
		fmt.Fprintf(stderr, "       fbsql sandbox --addr 127.0.0.1:0 [--token T] [--log FILE]\n")
		fmt.Fprintf(stderr, "       fbsql serve [--addr 127.0.0.1:5433] [--demo]  Postgres-protocol server (password: $FBSQL_PASSWORD)\n\nflags:\n")
		fs.PrintDefaults()
		fmt.Fprintf(stderr, "\nenvironment (overrides the config profile): FB_ACCESS_TOKEN, FB_APP_SECRET, FB_ACCOUNT_IDS\n  (comma-separated), FB_API_VERSION, FB_GRAPH_URL, FB_ATTRIBUTION_WINDOWS, FBSQL_CONFIG (config file path)\n")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	o.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	if fs.NArg() > 0 {
		return report(stderr, &usageError{fmt.Sprintf("unexpected argument %q; pass SQL with -e \"…\" or -f FILE", fs.Arg(0))})
	}
	return report(stderr, runQueries(ctx, o, stdin, stdout, stderr))
}

func runQueries(ctx context.Context, o options, stdin io.Reader, stdout, stderr io.Writer) error {
	var exec engine.ExecOptions
	if o.output != "" {
		ext := strings.ToLower(filepath.Ext(o.output))
		f, ok := formatByExtension[ext]
		switch {
		case o.set["format"]:
		case ok:
			o.format = f
		default:
			return &usageError{fmt.Sprintf("-o %s: cannot tell the format from %q; use one of .csv .json .jsonl .md .parquet or add --format", o.output, ext)}
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
	if !engine.ValidFormat(o.format) {
		return &usageError{fmt.Sprintf("unknown --format %q; use one of %s", o.format, strings.Join(engine.Formats, ", "))}
	}
	if o.exec != "" && o.file != "" {
		return &usageError{"use -e or -f, not both"}
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
		return repl.Run(ctx, eng, repl.Options{Out: stdout, Err: stderr, Format: o.format, Terminal: isTerminal(stdout), Exec: exec})
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = repl.RunScript(ctx, eng, strings.NewReader(script), repl.Options{
		Out: stdout, Err: stderr, Format: o.format, Terminal: isTerminal(stdout), Exec: exec, Bail: o.bail})
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
