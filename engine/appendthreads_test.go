package engine

import (
	"context"
	"iter"
	"strings"
	"testing"
)

// TestLoadsRunDuckDBSingleThreaded: while rows are appended DuckDB runs one
// thread (seen from another connection as the pages are read), and after
// the load, whole, failed or cancelled, the session has the threads it had
// before: DuckDB's default or the user's own setting.
func TestLoadsRunDuckDBSingleThreaded(t *testing.T) {
	threads := func(t *testing.T, e *Engine) int64 {
		t.Helper()
		var n int64
		// another connection: the setting is the database's, not a session's
		if err := e.db.QueryRowContext(context.Background(), "SELECT current_setting('threads')").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tc := range []struct {
		name    string
		set     int // the user's SET threads before the load; 0 keeps the default
		bad     bool
		cancel  bool
		wantErr string
	}{
		{name: "default threads, a whole load"},
		{name: "the user's threads, a whole load", set: 3},
		{name: "a load that fails on a bad row", set: 3, bad: true, wantErr: "impressions"},
		{name: "a cancelled load", set: 3, cancel: true, wantErr: "context canceled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := openLoadEngine(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.set > 0 {
				if _, err := e.conn.ExecContext(ctx, "SET threads = ?", tc.set); err != nil {
					t.Fatal(err)
				}
			}
			before := threads(t, e)
			if tc.set > 0 && before != int64(tc.set) {
				t.Fatalf("threads %d after SET threads = %d", before, tc.set)
			}
			var rows []string
			for i := range 3_000 {
				rows = append(rows, loadRow(i))
			}
			if tc.bad {
				rows[2_500] = strings.Replace(rows[2_500], `"impressions":"`, `"impressions":"x`, 1)
			}
			var during []int64
			pages := func(yield func([]byte) bool) {
				for page := range pagesOf(rows, 100) {
					during = append(during, threads(t, e))
					if tc.cancel && len(during) == 10 {
						cancel()
					}
					if !yield(page) {
						return
					}
				}
			}
			_, err := e.LoadPages(ctx, "threads_load", loadColumns, iter.Seq[[]byte](pages))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatal(err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want one with %q", err, tc.wantErr)
			}
			if len(during) == 0 {
				t.Fatal("no page was read")
			}
			for i, n := range during {
				if n != 1 {
					t.Fatalf("DuckDB had %d threads while page %d was read, want 1", n, i)
				}
			}
			if after := threads(t, e); after != before {
				t.Errorf("threads %d after the load, want the %d it had before", after, before)
			}
		})
	}
}
