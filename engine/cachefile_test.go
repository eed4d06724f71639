package engine

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/fbsql/fbsql/fbtables/graph"
)

// TestCacheDirIsTightened: an existing cache directory of the user's left at 0755 is
// tightened to 0700, and the cache file is 0600.
func TestCacheDirIsTightened(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "fbsql")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	path := filepath.Join(dir, "cache.duckdb")
	e, err := Open(context.Background(), Config{Graph: graph.Config{Token: "t"}, Cache: CacheConfig{Mode: CacheOn, Path: path}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if !e.attachCache(context.Background(), true) {
		t.Fatal("cache not attached")
	}
	e.detachCache()
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: %v, mode %v; want %v", p, err, st.Mode().Perm(), want)
		}
	}
}

// TestPrivatelyCreatesPrivateFiles: what is created inside privately (the cache's ATTACH,
// writes and DETACH, so DuckDB's file and WAL) is 0600 from the start, whatever mode the
// creator asks for.
func TestPrivatelyCreatesPrivateFiles(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	privately(func() error { return os.WriteFile(p, nil, 0o666) })
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
}

// TestDuckDBDefaults: extensions are neither installed nor loaded behind the user's back, and
// DuckDB spills to a private directory under the cache's, not ./.tmp.
func TestDuckDBDefaults(t *testing.T) {
	dir := t.TempDir()
	e, err := Open(context.Background(), Config{Graph: graph.Config{Token: "t"}, Cache: CacheConfig{Path: filepath.Join(dir, "fbsql", "cache.duckdb")}})
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]string{}
	rows, err := e.conn.QueryContext(context.Background(), `SELECT name, value FROM duckdb_settings()
		WHERE name IN ('autoinstall_known_extensions', 'autoload_known_extensions', 'temp_directory')`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		var v sql.NullString
		rows.Scan(&k, &v)
		settings[k] = v.String
	}
	rows.Close()
	if settings["autoinstall_known_extensions"] != "false" || settings["autoload_known_extensions"] != "false" {
		t.Errorf("extension settings %v, want both false", settings)
	}
	tmp := settings["temp_directory"]
	if filepath.Dir(tmp) != filepath.Join(dir, "fbsql") {
		t.Errorf("temp_directory %q, want a directory under %s", tmp, filepath.Join(dir, "fbsql"))
	}
	if st, err := os.Stat(tmp); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("temp directory: %v, want mode 0700", err)
	}
	e.Close()
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("temp directory left behind after Close: %v", err)
	}
}
