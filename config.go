package fbsql

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/fbtables/graph"
	"github.com/fbsql/fbsql/fbtables/sandbox"
	"github.com/fbsql/fbsql/planner"
)

// Options say which ad accounts to query and how. A field left at its zero
// value falls back to the environment (FB_ACCESS_TOKEN, FB_APP_SECRET,
// FB_ACCOUNT_IDS, FB_API_VERSION, FB_GRAPH_URL, FB_ATTRIBUTION_WINDOWS),
// then to the config file's profile, then to the default. The access
// token is never an option: it comes from FB_ACCESS_TOKEN, TokenFile or the
// profile, so that it does not end up in a command line, DSN or log.
type Options struct {
	// Demo queries a built-in sandbox of synthetic ad accounts started in
	// this process; no token is needed.
	Demo bool
	// Accounts are the ad account ids to query, with or without act_;
	// empty means every account the token can read.
	Accounts []string
	// Profile names the config file section to use; "" means "default",
	// which may be absent.
	Profile string
	// ConfigFile is the config file; "" means $FBSQL_CONFIG, else
	// <user config dir>/fbsql/config.
	ConfigFile string
	// GraphURL is the Graph API base URL (http only to loopback).
	GraphURL string
	// APIVersion is the Graph API version, such as v25.0.
	APIVersion string
	// Cache is the local cache mode: on, off or refresh; "" means the
	// profile's, else on (off for the demo).
	Cache string
	// AttributionWindows is the default action_attribution_windows of
	// insights queries, such as "7d_click,1d_view".
	AttributionWindows string
	// TokenFile is a file holding the access token (surrounding white
	// space ignored); it wins over FB_ACCESS_TOKEN.
	TokenFile string
	// Notices receives one-line warnings and notices (a config file
	// readable by others, a cache in use by another process); nil
	// discards them.
	Notices io.Writer
}

// ConfigError is a mistake in the options, the environment or the config
// file: the caller should fix how fbsql is invoked, not retry.
type ConfigError struct{ Msg string }

func (e *ConfigError) Error() string { return e.Msg }

func configErrorf(format string, args ...any) error {
	return &ConfigError{Msg: fmt.Sprintf(format, args...)}
}

// accountID is an ad account id as users write it.
var accountID = regexp.MustCompile(`^(act_)?[0-9]+$`)

func checkAccounts(accounts []string) error {
	for _, a := range accounts {
		if !accountID.MatchString(a) {
			return fmt.Errorf("%q is not an ad account id; use the number, with or without act_ (e.g. act_1234567890)", a)
		}
	}
	return nil
}

// Config is resolved options: the engine settings every session opened
// from it shares, and the demo sandbox when there is one. The server opens
// one session per client connection from one Config.
type Config struct {
	// Engine is what each session's engine is opened with. Callers may
	// set its Progress hook before opening sessions.
	Engine engine.Config
	stop   func()
}

// Configure resolves options against the environment and the config file
// and, for the demo, starts the sandbox on a loopback port.
func Configure(o Options) (*Config, error) {
	warn := o.Notices
	if warn == nil {
		warn = io.Discard
	}
	path := o.ConfigFile
	if path == "" {
		path = DefaultConfigPath()
	}
	prof, err := loadProfile(path, o.Profile, warn)
	if err != nil {
		return nil, err
	}
	// Precedence: options, then environment, then the profile.
	pick := func(opt, env, fromProfile, fallback string) string {
		switch {
		case opt != "":
			return opt
		case env != "" && os.Getenv(env) != "":
			return os.Getenv(env)
		case fromProfile != "":
			return fromProfile
		}
		return fallback
	}
	cfg := engine.Config{Graph: graph.Config{
		BaseURL: pick(o.GraphURL, "FB_GRAPH_URL", prof.GraphURL, ""),
		Version: pick(o.APIVersion, "FB_API_VERSION", prof.APIVersion, graph.DefaultVersion),
	}}
	cfg.AttributionWindows = pick(o.AttributionWindows, "FB_ATTRIBUTION_WINDOWS", prof.AttributionWindows, "")
	if err := planner.ValidateAttributionWindows(cfg.AttributionWindows); err != nil {
		return nil, configErrorf("attribution windows (FB_ATTRIBUTION_WINDOWS or the profile's attribution_windows): %v", err)
	}
	if cfg.Cache, err = cacheConfig(o, prof, warn); err != nil {
		return nil, err
	}
	cfg.Accounts = o.Accounts
	source := "--account"
	if len(cfg.Accounts) == 0 {
		cfg.Accounts, source = splitList(os.Getenv("FB_ACCOUNT_IDS")), "FB_ACCOUNT_IDS"
	}
	if len(cfg.Accounts) == 0 {
		cfg.Accounts, source = prof.Accounts, "the profile's accounts"
	}
	if err := checkAccounts(cfg.Accounts); err != nil {
		return nil, configErrorf("%s: %v", source, err)
	}
	if !o.Demo {
		token := ""
		if o.TokenFile != "" {
			b, err := os.ReadFile(o.TokenFile)
			if err != nil {
				return nil, configErrorf("token file: %v", err)
			}
			token = strings.TrimSpace(string(b))
		}
		cfg.Graph.Token = pick(token, "FB_ACCESS_TOKEN", prof.Token, "")
		cfg.Graph.AppSecret = pick("", "FB_APP_SECRET", prof.AppSecret, "")
		if cfg.Graph.Token == "" {
			return nil, configErrorf("no access token: set FB_ACCESS_TOKEN or a token in a config profile (%s), or try the built-in sandbox with --demo", path)
		}
		return &Config{Engine: cfg, stop: func() {}}, nil
	}
	if o.GraphURL != "" {
		return nil, configErrorf("--demo runs its own sandbox; drop --graph-url")
	}
	sb, err := sandbox.Start(context.Background(), sandbox.Config{Seed: 1})
	if err != nil {
		return nil, fmt.Errorf("start demo sandbox: %w", err)
	}
	cfg.Graph.BaseURL, cfg.Graph.Token = sb.URL, sb.Token
	cfg.Accounts = o.Accounts // the sandbox's own accounts; Accounts may pick among them
	return &Config{Engine: cfg, stop: func() { sb.Close() }}, nil
}

// Close stops the demo sandbox, if any. Sessions opened from the Config
// must be closed first.
func (c *Config) Close() error {
	if c.stop != nil {
		c.stop()
		c.stop = nil
	}
	return nil
}

// cacheConfig reads the cache mode and the profile's cache keys. The cache
// file lives in $FBSQL_CACHE_DIR, else <user cache dir>/fbsql; the demo's
// sandbox changes with every run, so its cache is in memory and off
// unless asked for.
func cacheConfig(o Options, prof profile, warn io.Writer) (engine.CacheConfig, error) {
	var cc engine.CacheConfig
	mode := o.Cache
	switch {
	case mode != "":
	case o.Demo:
		mode = "off"
	case prof.Cache != "":
		mode = prof.Cache
	default:
		mode = "on"
	}
	m, err := engine.ParseCacheMode(mode)
	if err != nil {
		return cc, configErrorf("--cache: %v", err)
	}
	cc.Mode = m
	cc.FreezeDays, cc.TTL = prof.FreezeDays, prof.CacheTTL
	cc.Notice = func(msg string) { fmt.Fprintln(warn, msg) }
	if o.Demo {
		return cc, nil
	}
	dir := os.Getenv("FBSQL_CACHE_DIR")
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			if m != engine.CacheOff {
				fmt.Fprintf(warn, "notice: no user cache directory (%v); the cache lasts this session only\n", err)
			}
			return cc, nil
		}
		dir = filepath.Join(base, "fbsql")
	}
	cc.Path = filepath.Join(dir, "cache.duckdb")
	return cc, nil
}
