//go:build cgo

package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/fbsql/fbsql"
	"github.com/fbsql/fbsql/engine"
)

// fbsqlOptions turns the flags into the options the fbsql package resolves
// against the environment and the config file; a flag left unset does not
// override them.
func fbsqlOptions(o options, stderr io.Writer) fbsql.Options {
	opts := fbsql.Options{Demo: o.demo, Accounts: o.accounts, Profile: o.profile, Notices: stderr}
	if o.set["graph-url"] {
		opts.GraphURL = o.graphURL
	}
	if o.set["api-version"] {
		opts.APIVersion = o.version
	}
	if o.set["cache"] {
		opts.Cache = o.cache
	}
	return opts
}

// engineConfig resolves the flags, environment and profile (fbsql.Configure);
// with --demo it starts the sandbox on a loopback port.
func engineConfig(o options, stderr io.Writer) (engine.Config, func(), error) {
	if o.maxWait <= 0 || o.inFlight <= 0 {
		return engine.Config{}, nil, &usageError{"--max-wait and --max-requests must be positive (e.g. --max-wait 30m --max-requests 16)"}
	}
	cfg, err := fbsql.Configure(fbsqlOptions(o, stderr))
	if err != nil {
		return engine.Config{}, nil, asUsage(err)
	}
	ec := cfg.Engine
	ec.MaxWait, ec.MaxInFlight = o.maxWait, o.inFlight
	// Waits over 10 s are said on stderr as they start, so a quiet terminal is explained.
	ec.Notice = func(msg string) { fmt.Fprintf(stderr, "fbsql: %s\n", msg) }
	return ec, func() { cfg.Close() }, nil
}

// asUsage makes a configuration mistake exit with the usage status.
func asUsage(err error) error {
	var ce *fbsql.ConfigError
	if errors.As(err, &ce) {
		return &usageError{ce.Msg}
	}
	return err
}
