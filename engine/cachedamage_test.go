package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/fbtables/sandbox"
)

// TestDamagedCacheIsAMiss: a truncated or bit-flipped cache file costs a notice naming it and
// a fetch, never the query; the damaged file is moved aside and the cache rebuilt.
func TestDamagedCacheIsAMiss(t *testing.T) {
	const q = "SELECT campaign_id, date_start, impressions FROM insights WHERE level = 'campaign' AND date_start BETWEEN DATE '2026-10-01' AND DATE '2026-10-10' ORDER BY ALL"
	damage := map[string]func(t *testing.T, path string){
		"truncated": func(t *testing.T, path string) {
			st, _ := os.Stat(path)
			if err := os.Truncate(path, st.Size()/2); err != nil {
				t.Fatal(err)
			}
		},
		"bit-flipped": func(t *testing.T, path string) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for i := 4096; i < len(b); i += 512 {
				b[i] ^= 0x5a
			}
			os.WriteFile(path, b, 0o600)
		},
		"garbage": func(t *testing.T, path string) {
			os.WriteFile(path, []byte(strings.Repeat("not a database ", 1000)), 0o600)
		},
	}
	for name, harm := range damage {
		t.Run(name, func(t *testing.T) {
			b := newCacheBed(t, sandbox.Model{})
			want, _ := b.run(t, engine.CacheOn, 0, q)
			harm(t, b.path)
			var notices []string
			run := func() ([][]string, error) {
				cc := engine.CacheConfig{Mode: engine.CacheOn, Path: b.path, Notice: func(m string) { notices = append(notices, m) }}
				eng, err := engine.Open(context.Background(), b.config(cc))
				if err != nil {
					t.Fatal(err)
				}
				defer eng.Close()
				return collect(context.Background(), eng, q, nil)
			}
			got, err := run()
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("after damage: err %v, %d rows, want %d", err, len(got), len(want))
			}
			moved, _ := filepath.Glob(b.path + ".damaged*")
			if len(moved) != 1 || len(notices) == 0 || !strings.Contains(strings.Join(notices, "\n"), moved[0]) {
				t.Errorf("moved aside %v, notices %q; want one file moved aside and a notice naming it", moved, notices)
			}
			// The rebuilt cache serves the next run.
			if got, err := run(); err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("second run: err %v, %d rows", err, len(got))
			}
			b.sb.ResetRequests()
			b.run(t, engine.CacheOn, 0, q)
			if n := b.apiRequests(); n != 0 {
				t.Errorf("the rebuilt cache did not serve: %d requests", n)
			}
		})
	}
}
