package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The cache file holds rows of ad accounts: it, its WAL and its directory are the user's alone
// from the moment they exist, and a damaged file costs a fetch, never a query.

// cacheReadError is a failure reading the cache file. A damaged cache is a miss: the file is
// moved aside and the rows fetched.
type cacheReadError struct{ err error }

func (e *cacheReadError) Error() string { return "read cache: " + e.err.Error() }
func (e *cacheReadError) Unwrap() error { return e.err }

// umaskMu serializes the umask changes of privately: the umask is per process.
var umaskMu sync.Mutex

// privately runs f with a umask that makes every file it creates (DuckDB's database file, its
// WAL) readable by the owner only. Nothing else in fbsql creates files while a statement
// touches the cache.
func privately(f func() error) error {
	umaskMu.Lock()
	defer umaskMu.Unlock()
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	return f()
}

// privateDir creates dir 0700, or tightens it to 0700 when it exists, is the user's, and is
// open to others. A directory someone else owns is left alone.
func privateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	st, err := os.Stat(dir)
	if err != nil {
		return err
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if ok && int(sys.Uid) == os.Getuid() && st.Mode().Perm()&0o077 != 0 {
		return os.Chmod(dir, 0o700)
	}
	return nil
}

// inUse reports an ATTACH refused because another process holds the file's lock.
func inUse(err error) bool {
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "could not set lock") || strings.Contains(msg, "conflicting lock")
}

// setAsideDamaged moves a damaged cache file (and its WAL) aside, tells the user where, and
// detaches it; the next statement starts a new cache.
func (e *Engine) setAsideDamaged(cause error) {
	c := e.cache
	if c.attached {
		e.conn.ExecContext(context.Background(), "DETACH "+cacheDB)
		c.attached = false
	}
	p := c.cfg.Path
	if p == "" {
		return
	}
	aside := fmt.Sprintf("%s.damaged-%s", p, time.Now().UTC().Format("20060102T150405"))
	if err := os.Rename(p, aside); err != nil {
		e.notice(fmt.Sprintf("notice: cache %s is damaged (%s) and cannot be moved aside (%v); running without the cache", p, firstLine(cause.Error()), err))
		return
	}
	os.Rename(p+".wal", aside+".wal")
	e.notice(fmt.Sprintf("notice: cache %s is damaged (%s); moved it to %s and starting a new cache", p, firstLine(cause.Error()), aside))
}

// notice tells the user something about the cache, every time.
func (e *Engine) notice(msg string) {
	if e.cache.cfg.Notice != nil {
		e.cache.cfg.Notice(msg)
	}
}

// isCacheRead reports a cache read failure (not a cancelled statement).
func isCacheRead(ctx context.Context, err error) bool {
	var ce *cacheReadError
	return errors.As(err, &ce) && ctx.Err() == nil
}

// tempDir is a private directory for DuckDB to spill to: under the cache's directory when there
// is one, else under the system's temporary directory; removed by Close. "" when none could
// be made (DuckDB then does not spill).
func tempDir(cachePath string) string {
	base := os.TempDir()
	if cachePath != "" {
		base = filepath.Dir(cachePath)
		if privateDir(base) != nil {
			return ""
		}
	}
	dir, err := os.MkdirTemp(base, "fbsql-tmp-") // 0700
	if err != nil {
		return ""
	}
	return dir
}
