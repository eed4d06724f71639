//go:build cgo

package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/fbsql/fbsql"
	"github.com/fbsql/fbsql/fbtables/graph"
	"github.com/fbsql/fbsql/pgwire"
)

// runServe serves fbsql over the Postgres wire protocol until interrupted.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	var o options
	fs := flag.NewFlagSet("fbsql serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:5433", "address to listen on; beyond loopback FBSQL_PASSWORD is required")
	cert := fs.String("tls-cert", "", "TLS certificate file (PEM), offered to clients that ask for TLS")
	key := fs.String("tls-key", "", "TLS private key file (PEM) of --tls-cert")
	fs.BoolVar(&o.demo, "demo", false, "serve the built-in sandbox (synthetic ad accounts; no token needed)")
	fs.Var(&o.accounts, "account", "ad account id to query (repeatable; default $FB_ACCOUNT_IDS, else every account the token reads)")
	fs.StringVar(&o.profile, "profile", "", "use this profile of the config file")
	fs.StringVar(&o.cache, "cache", "on", "local cache of fetched rows: on, off or refresh (--demo: off unless given)")
	fs.StringVar(&o.graphURL, "graph-url", "", "Graph API base URL (default "+graph.DefaultBaseURL+")")
	fs.StringVar(&o.version, "api-version", graph.DefaultVersion, "Graph API version")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: FBSQL_PASSWORD=… fbsql serve [--addr 127.0.0.1:5433] [flags]\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("fbsql serve: unexpected argument %q", fs.Arg(0))}
	}
	o.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	password := os.Getenv("FBSQL_PASSWORD")
	if err := pgwire.CheckAddr(*addr, password); err != nil {
		return &usageError{err.Error()}
	}
	var tlsCfg *tls.Config
	if (*cert == "") != (*key == "") {
		return &usageError{"give both --tls-cert and --tls-key, or neither"}
	}
	if *cert != "" {
		pair, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			return &usageError{fmt.Sprintf("--tls-cert/--tls-key: %v", err)}
		}
		tlsCfg = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	}
	cfg, err := fbsql.Configure(fbsqlOptions(o, stderr))
	if err != nil {
		return asUsage(err)
	}
	defer cfg.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	auth := "no password (loopback only)"
	if password != "" {
		auth = "SCRAM-SHA-256 password from FBSQL_PASSWORD"
	}
	fmt.Fprintf(stdout, "fbsql serving Postgres clients on %s; %s\n", ln.Addr(), auth)
	if f, ok := stdout.(*os.File); ok {
		f.Sync()
	}
	srv := pgwire.New(pgwire.Config{Sessions: cfg, Password: password, TLS: tlsCfg, Log: stderr})
	return srv.Serve(ctx, ln)
}
