package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The cache keeps fetched rows in a DuckDB file, attached to the engine's
// session as fbcache while a statement runs (so another fbsql process can
// use it in between). Daily insights are kept per account and day: a day
// fetched when it was already older than the freeze window is final and
// served forever; anything else is served until the TTL passes. Entries
// are written in one transaction after the whole scan was fetched, so a
// crash or a failed request never leaves rows a later query would trust.

// CacheMode says whether statements read and write the cache.
type CacheMode int

const (
	// CacheOff neither reads nor writes the cache.
	CacheOff CacheMode = iota
	// CacheOn serves what is still valid and fetches and keeps the rest.
	CacheOn
	// CacheRefresh fetches everything and keeps it.
	CacheRefresh
)

// ParseCacheMode reads on, off or refresh.
func ParseCacheMode(s string) (CacheMode, error) {
	switch s {
	case "on":
		return CacheOn, nil
	case "off":
		return CacheOff, nil
	case "refresh":
		return CacheRefresh, nil
	}
	return CacheOff, fmt.Errorf("cache mode %q: use on, off or refresh", s)
}

func (m CacheMode) String() string {
	return [...]string{"off", "on", "refresh"}[m]
}

// CacheConfig configures the local cache of fetched rows.
type CacheConfig struct {
	// Mode is the starting mode; the zero value is off.
	Mode CacheMode
	// Path is the DuckDB file; "" keeps the cache in memory for the
	// engine's life (the demo).
	Path string
	// FreezeDays is the attribution window after which a day's insights
	// no longer change (default 28).
	FreezeDays int
	// TTL is how long rows that may still change are served (default 15 min).
	TTL time.Duration
	// Notice, if set, receives a one-line message when the cache cannot be
	// used (another process holds it) and queries run without it.
	Notice func(string)
	// Now, if set, replaces the clock (and DuckDB's current_date) for
	// freeze and TTL decisions; for tests.
	Now func() time.Time
}

// cacheState is the engine's cache: its settings and whether the file is
// attached right now.
type cacheState struct {
	cfg      CacheConfig
	mode     CacheMode
	attached bool
	noticed  bool
}

const cacheDB = "fbcache"

func (c *cacheState) freezeDays() int {
	if c.cfg.FreezeDays > 0 {
		return c.cfg.FreezeDays
	}
	return 28
}

func (c *cacheState) ttl() time.Duration {
	if c.cfg.TTL > 0 {
		return c.cfg.TTL
	}
	return 15 * time.Minute
}

// SetCacheMode changes how the following statements use the cache.
func (e *Engine) SetCacheMode(m CacheMode) { e.cache.mode = m }

// CacheMode is the current cache mode.
func (e *Engine) CacheMode() CacheMode { return e.cache.mode }

// cacheNow is the instant and the date freeze and TTL decisions use.
func (e *Engine) cacheNow(ctx context.Context) (time.Time, time.Time, error) {
	if e.cache.cfg.Now != nil {
		n := e.cache.cfg.Now().UTC()
		return n, time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC), nil
	}
	today, err := e.today(ctx)
	return time.Now().UTC(), today, err
}

// attachCache attaches the cache database, creating it only when create is
// set: a statement that only looks things up, or fails before anything is
// fetched, leaves no file behind. It returns false when the cache cannot
// be used; that never fails a query.
func (e *Engine) attachCache(ctx context.Context, create bool) bool {
	c := e.cache
	if c.attached {
		return true
	}
	target := ":memory:"
	if c.cfg.Path != "" {
		target = c.cfg.Path
		if _, err := os.Stat(target); err != nil && !create {
			return false
		}
		if err := privateDir(filepath.Dir(target)); err != nil {
			e.cacheNotice(fmt.Sprintf("cannot create the cache directory (%v); running without the cache", err))
			return false
		}
	}
	attach := func() error {
		_, err := e.conn.ExecContext(ctx, fmt.Sprintf("ATTACH %s AS %s", sqlString(target), cacheDB))
		return err
	}
	err := privately(attach)
	if err != nil && c.cfg.Path != "" && !inUse(err) && ctx.Err() == nil {
		if _, statErr := os.Stat(target); statErr == nil {
			e.setAsideDamaged(err)
			if !create {
				return false
			}
			err = privately(attach)
		}
	}
	if err != nil {
		e.cacheNotice(fmt.Sprintf("cache %s is in use by another fbsql or unreadable; running without the cache (%s)", target, firstLine(err.Error())))
		return false
	}
	c.attached = true
	e.protectCacheFile()
	if err := privately(func() error { _, err := e.conn.ExecContext(ctx, cacheSchema); return err }); err != nil {
		if ctx.Err() == nil && c.cfg.Path != "" {
			e.setAsideDamaged(err)
			return false
		}
		e.cacheNotice(fmt.Sprintf("cache %s: %s; running without the cache", target, firstLine(err.Error())))
		e.detachCache()
		return false
	}
	return true
}

const cacheSchema = `
CREATE TABLE IF NOT EXISTS fbcache.entries (
	id BIGINT, key VARCHAR, path VARCHAR, acct VARCHAR,
	day DATE,         -- daily insights: the day; NULL for an entry of a whole request
	last_day DATE,    -- the last day the rows describe; NULL if unknown (entity tables, presets)
	fields VARCHAR[], -- the API fields of rows.data, in order
	fetched_at TIMESTAMP, fetched_day DATE, n_rows BIGINT);
CREATE TABLE IF NOT EXISTS fbcache.rows (entry BIGINT, data VARCHAR[]);`

// protectCacheFile keeps the cache readable by its owner only (the
// directory is 0700 too): rows of ad accounts are not for other users.
func (e *Engine) protectCacheFile() {
	if p := e.cache.cfg.Path; p != "" {
		os.Chmod(p, 0o600)
		os.Chmod(p+".wal", 0o600)
	}
}

// detachCache releases the cache file at the end of a statement; an
// in-memory cache stays attached, or it would be gone.
func (e *Engine) detachCache() {
	c := e.cache
	if !c.attached || c.cfg.Path == "" {
		return
	}
	privately(func() error { _, err := e.conn.ExecContext(context.Background(), "DETACH "+cacheDB); return err })
	e.protectCacheFile()
	c.attached = false
}

func (e *Engine) cacheNotice(msg string) {
	if e.cache.noticed || e.cache.cfg.Notice == nil {
		return
	}
	e.cache.noticed = true
	e.cache.cfg.Notice("notice: " + msg)
}

// CacheInfo describes the cache for .cache stats.
type CacheInfo struct {
	Mode       CacheMode
	Path       string // "" when in memory
	FreezeDays int
	TTL        time.Duration
	Entries    int64 // cached requests (daily ones count per account and day)
	Final      int64 // entries that are final: fetched after the freeze window passed
	Rows       int64
	Bytes      int64 // size of the file
}

// CacheStats reports what the cache holds.
func (e *Engine) CacheStats(ctx context.Context) (CacheInfo, error) {
	c := e.cache
	info := CacheInfo{Mode: c.mode, Path: c.cfg.Path, FreezeDays: c.freezeDays(), TTL: c.ttl()}
	if st, err := os.Stat(c.cfg.Path); c.cfg.Path != "" && err == nil {
		info.Bytes = st.Size()
	}
	if !e.attachCache(ctx, false) {
		return info, nil
	}
	defer e.detachCache()
	q := fmt.Sprintf(`SELECT count(*), count(*) FILTER (WHERE last_day < fetched_day - %d), coalesce(sum(n_rows), 0) FROM fbcache.entries`, c.freezeDays())
	if err := e.conn.QueryRowContext(ctx, q).Scan(&info.Entries, &info.Final, &info.Rows); err != nil {
		return info, fmt.Errorf("read cache: %w", err)
	}
	return info, nil
}

// ClearCache deletes every cached row.
func (e *Engine) ClearCache(ctx context.Context) error {
	if !e.attachCache(ctx, false) {
		if e.cache.cfg.Path != "" {
			if _, err := os.Stat(e.cache.cfg.Path); err == nil {
				return errors.New("the cache is in use by another fbsql; try again when it is done")
			}
		}
		return nil
	}
	defer e.detachCache()
	if _, err := e.conn.ExecContext(ctx, "DELETE FROM fbcache.rows; DELETE FROM fbcache.entries; CHECKPOINT fbcache"); err != nil {
		return fmt.Errorf("clear cache: %w", err)
	}
	return nil
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
