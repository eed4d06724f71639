package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/fbtables/graph"
	"github.com/fbsql/fbsql/fbtables/sandbox"
	"github.com/fbsql/fbsql/planner"
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
		fmt.Fprintf(stderr, "       fbsql sandbox --addr 127.0.0.1:0 [--token T] [--log FILE]\n\nflags:\n")
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

// accountID is an ad account id as users write it.
var accountID = regexp.MustCompile(`^(act_)?[0-9]+$`)

// errReported is a failure already printed; it only sets the exit status.
var errReported = errors.New("one or more statements failed")

// engineConfig reads the token, accounts and API location from flags and
// environment; with --demo it starts the sandbox on a loopback port.
func engineConfig(o options, stderr io.Writer) (engine.Config, func(), error) {
	prof, err := loadProfile(configPath(), o.profile, stderr)
	if err != nil {
		return engine.Config{}, nil, err
	}
	// Precedence: flags, then environment, then the profile.
	pick := func(flagVal string, flagSet bool, env, fromProfile, fallback string) string {
		switch {
		case flagSet:
			return flagVal
		case env != "" && os.Getenv(env) != "":
			return os.Getenv(env)
		case fromProfile != "":
			return fromProfile
		}
		return fallback
	}
	cfg := engine.Config{Graph: graph.Config{
		BaseURL: pick(o.graphURL, o.set["graph-url"], "FB_GRAPH_URL", prof.GraphURL, ""),
		Version: pick(o.version, o.set["api-version"], "FB_API_VERSION", prof.APIVersion, graph.DefaultVersion),
	}}
	if o.maxWait <= 0 || o.inFlight <= 0 {
		return cfg, nil, &usageError{"--max-wait and --max-requests must be positive (e.g. --max-wait 30m --max-requests 16)"}
	}
	cfg.MaxWait, cfg.MaxInFlight = o.maxWait, o.inFlight
	// Waits over 10 s are said on stderr as they start, so a quiet terminal is explained.
	cfg.Notice = func(msg string) { fmt.Fprintf(stderr, "fbsql: %s\n", msg) }
	cfg.AttributionWindows = pick("", false, "FB_ATTRIBUTION_WINDOWS", prof.AttributionWindows, "")
	if err := planner.ValidateAttributionWindows(cfg.AttributionWindows); err != nil {
		return cfg, nil, &usageError{"attribution windows (FB_ATTRIBUTION_WINDOWS or the profile's attribution_windows): " + err.Error()}
	}
	if cfg.Cache, err = cacheConfig(o, prof, stderr); err != nil {
		return cfg, nil, err
	}
	cfg.Accounts = o.accounts
	source := "--account"
	if len(cfg.Accounts) == 0 {
		cfg.Accounts, source = splitList(os.Getenv("FB_ACCOUNT_IDS")), "FB_ACCOUNT_IDS"
	}
	if len(cfg.Accounts) == 0 {
		cfg.Accounts, source = prof.Accounts, "the profile's accounts"
	}
	for _, a := range cfg.Accounts {
		if !accountID.MatchString(a) {
			return cfg, nil, &usageError{fmt.Sprintf("%s: %q is not an ad account id; use the number, with or without act_ (e.g. act_1234567890)", source, a)}
		}
	}
	if !o.demo {
		cfg.Graph.Token = pick("", false, "FB_ACCESS_TOKEN", prof.Token, "")
		cfg.Graph.AppSecret = pick("", false, "FB_APP_SECRET", prof.AppSecret, "")
		if cfg.Graph.Token == "" {
			return cfg, nil, &usageError{"no access token: set FB_ACCESS_TOKEN or a token in a config profile (" + configPath() + "), or try the built-in sandbox with --demo"}
		}
		return cfg, func() {}, nil
	}
	if o.set["graph-url"] {
		return cfg, nil, &usageError{"--demo runs its own sandbox; drop --graph-url"}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return cfg, nil, fmt.Errorf("start demo sandbox: %w", err)
	}
	srv := &http.Server{Handler: sandbox.New(sandbox.Config{Seed: 1}), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	cfg.Graph.BaseURL = "http://" + ln.Addr().String()
	cfg.Graph.Token = "sandbox-token"
	cfg.Accounts = o.accounts // the sandbox's own accounts; --account may pick among them
	return cfg, func() { srv.Close() }, nil
}

// cacheConfig reads --cache and the profile's cache keys. The cache file
// lives in $FBSQL_CACHE_DIR, else <user cache dir>/fbsql; the demo's
// sandbox changes with every run, so its cache is in memory and off
// unless asked for.
func cacheConfig(o options, prof profile, stderr io.Writer) (engine.CacheConfig, error) {
	var cc engine.CacheConfig
	mode := o.cache
	if !o.set["cache"] && prof.Cache != "" {
		mode = prof.Cache
	}
	if o.demo && !o.set["cache"] {
		mode = "off"
	}
	m, err := engine.ParseCacheMode(mode)
	if err != nil {
		return cc, &usageError{"--cache: " + err.Error()}
	}
	cc.Mode = m
	cc.FreezeDays, cc.TTL = prof.FreezeDays, prof.CacheTTL
	cc.Notice = func(msg string) { fmt.Fprintln(stderr, msg) }
	if o.demo {
		return cc, nil
	}
	dir := os.Getenv("FBSQL_CACHE_DIR")
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			if m != engine.CacheOff {
				fmt.Fprintf(stderr, "notice: no user cache directory (%v); the cache lasts this session only\n", err)
			}
			return cc, nil
		}
		dir = filepath.Join(base, "fbsql")
	}
	cc.Path = filepath.Join(dir, "cache.duckdb")
	return cc, nil
}

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
