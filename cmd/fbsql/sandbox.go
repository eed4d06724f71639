//go:build cgo

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/fbsql/fbsql/fbtables/sandbox"
)

// runSandbox serves the sandbox Graph API until ctx ends: the demo, test
// double and benchmark target, reachable by any Graph client.
func runSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	fs := flag.NewFlagSet("fbsql sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "loopback address to listen on (port 0 picks a free port)")
	token := fs.String("token", sandbox.DefaultToken, "the only access token accepted")
	logPath := fs.String("log", "", "append one JSON line per request received to this file")
	seed := fs.Int64("seed", 1, "seed of the synthetic accounts")
	latency := fs.Duration("latency", 0, "add this delay to every answer, like a distant API")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &usageError{err.Error()}
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return &usageError{fmt.Sprintf("--addr %q: %v", *addr, err)}
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return &usageError{fmt.Sprintf("--addr %q: the sandbox listens on loopback only (127.0.0.1 or ::1)", *addr)}
	}
	cfg := sandbox.Config{Seed: *seed, Token: *token, Model: sandbox.Model{Latency: *latency}}
	if *logPath != "" {
		f, err := os.OpenFile(*logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return &usageError{fmt.Sprintf("--log: %v", err)}
		}
		defer f.Close()
		cfg.Log = f
	}
	run, err := sandbox.Listen(ctx, cfg, *addr)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, run.URL)
	if f, ok := stdout.(*os.File); ok {
		f.Sync()
	}
	<-ctx.Done()
	run.Close()
	return nil
}
