//go:build cgo

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/fbsql/fbsql/engine/render"
	"github.com/fbsql/fbsql/fbtables"
	"github.com/fbsql/fbsql/fbtables/graph"
)

// helpHint ends every flag mistake: the short way to the full list.
const helpHint = "fbsql --help lists the flags"

// parseFlags reads the command line. done is set when a flag such as
// --help or --version has already said everything (on stdout).
func parseFlags(args []string, stdout io.Writer) (o options, done bool, err error) {
	fs := flag.NewFlagSet("fbsql", flag.ContinueOnError)
	// The flag package would print a message and the whole usage on any
	// mistake; fbsql prints one line naming the closest flag instead.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var showVersion bool
	fs.StringVar(&o.exec, "e", "", "run these SQL statements and exit")
	fs.StringVar(&o.exec, "c", "", "the same as -e (as in psql and the DuckDB shell)")
	fs.StringVar(&o.file, "f", "", "run the SQL statements in this file and exit; - reads standard input")
	fs.StringVar(&o.format, "format", "table", "output format: "+strings.Join(render.Formats, ", "))
	fs.BoolVar(&o.noHeader, "no-header", false, "leave out the header line of table, csv and tsv output")
	fs.BoolVar(&o.demo, "demo", false, "query the built-in sandbox (synthetic ad accounts; no token needed)")
	fs.Var(&o.accounts, "account", "ad account id to query, with or without act_ (repeatable; default $FB_ACCOUNT_IDS, else every account the token reads)")
	fs.StringVar(&o.graphURL, "graph-url", "", "Graph API base URL (default "+graph.DefaultBaseURL+"; http only to loopback)")
	fs.StringVar(&o.version, "api-version", graph.DefaultVersion, "Graph API version")
	fs.StringVar(&o.output, "o", "", "write results to this file; the format follows its extension (.csv .tsv .json .jsonl .md .parquet)")
	fs.StringVar(&o.profile, "profile", "", "use this profile of the config file ($FBSQL_CONFIG, default <config dir>/fbsql/config)")
	fs.StringVar(&o.cache, "cache", "on", "local cache of fetched rows: on, off, or refresh (fetch again and keep); in $FBSQL_CACHE_DIR, default <cache dir>/fbsql; --demo keeps it in memory and off unless --cache on")
	fs.DurationVar(&o.maxWait, "max-wait", graph.DefaultMaxWait, "longest wait a throttle answer may impose; beyond it a query fails saying until when (e.g. 30m, 2h)")
	fs.IntVar(&o.inFlight, "max-requests", graph.DefaultMaxInFlight, "most Graph API requests in flight at once, all accounts together")
	fs.BoolVar(&o.bail, "bail", false, "stop at the first failing statement (default: report it, run the rest, exit 1)")
	fs.BoolVar(&showVersion, "version", false, "print fbsql's version and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout, fs)
			return o, true, nil
		}
		return o, false, flagError(fs, err)
	}
	if showVersion {
		fmt.Fprintln(stdout, versionText())
		return o, true, nil
	}
	o.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	if o.set["c"] {
		o.set["e"] = true
	}
	if fs.NArg() > 0 {
		return o, false, &usageError{fmt.Sprintf("unexpected argument %q; pass SQL with -e \"…\" or -f FILE", fs.Arg(0))}
	}
	return o, false, nil
}

// flagError turns the flag package's message into one line: an unknown
// flag names the closest one.
func flagError(fs *flag.FlagSet, err error) error {
	msg := err.Error()
	name, unknown := strings.CutPrefix(msg, "flag provided but not defined: ")
	if !unknown {
		return &usageError{msg + "; " + helpHint}
	}
	name = strings.TrimLeft(name, "-")
	var names []string
	fs.VisitAll(func(f *flag.Flag) {
		if len(f.Name) > 1 && len(name) > 1 { // one letter is too little to guess from
			names = append(names, f.Name)
		}
	})
	names = append(names, "help")
	if c := fbtables.Closest(name, names, 1); len(c) > 0 {
		return &usageError{fmt.Sprintf("unknown flag %s; did you mean %s? %s", dashes(name), dashes(c[0]), helpHint)}
	}
	return &usageError{fmt.Sprintf("unknown flag %s; %s", dashes(name), helpHint)}
}

// dashes writes a flag as users type it: -e, --format.
func dashes(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

func usage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: fbsql [flags]                 interactive shell\n")
	fmt.Fprintf(w, "       fbsql -c \"SELECT …\" [flags]   run statements (-e is the same)\n")
	fmt.Fprintf(w, "       fbsql -f FILE|- [flags]       run a file of statements, or standard input\n")
	fmt.Fprintf(w, "       fbsql sandbox --addr 127.0.0.1:0 [--token T] [--log FILE]\n")
	fmt.Fprintf(w, "       fbsql serve [--addr 127.0.0.1:5433] [--demo]  Postgres-protocol server (password: $FBSQL_PASSWORD)\n\nflags:\n")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	fmt.Fprintf(w, "\nenvironment (overrides the config profile): FB_ACCESS_TOKEN, FB_APP_SECRET, FB_ACCOUNT_IDS\n  (comma-separated), FB_API_VERSION, FB_GRAPH_URL, FB_ATTRIBUTION_WINDOWS, FBSQL_CONFIG (config file path)\n")
}

// versionText is fbsql's version as the Go toolchain recorded it: the
// module version, or the commit of a build from a checkout.
func versionText() string {
	v := "(devel)"
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "fbsql " + v
	}
	if info.Main.Version != "" {
		v = info.Main.Version
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+modified"
			}
		}
	}
	if rev != "" && v == "(devel)" {
		v = rev[:min(12, len(rev))] + modified
	}
	return fmt.Sprintf("fbsql %s (%s, Graph API %s)", v, info.GoVersion, graph.DefaultVersion)
}
