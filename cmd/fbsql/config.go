//go:build cgo

package main

import (
	"errors"
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
	cfg, err := fbsql.Configure(fbsqlOptions(o, stderr))
	if err != nil {
		return engine.Config{}, nil, asUsage(err)
	}
	return cfg.Engine, func() { cfg.Close() }, nil
}

// asUsage makes a configuration mistake exit with the usage status.
func asUsage(err error) error {
	var ce *fbsql.ConfigError
	if errors.As(err, &ce) {
		return &usageError{ce.Msg}
	}
	return err
}
