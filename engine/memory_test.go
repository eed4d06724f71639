package engine_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/engine/enginetest"
	"github.com/fbsql/fbsql/fbtables/sandbox"
)

// TestMemoryLimitSameAnswers reads a year of ad × day × country rows of a
// six-account world twice: with DuckDB's memory_limit far below what the
// rows take in memory (so DuckDB must spill to its temporary directory),
// and without a limit. The answers must be the same, row for row: a bound
// on memory never costs a number. (The 50-account figure comes from the
// benchmark, fbsql-bench -only year_ad_daily_country_50_accounts.)
func TestMemoryLimitSameAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("reads ~500k rows twice")
	}
	until := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	since := time.Now().UTC().AddDate(0, 0, -365).Format(time.DateOnly)
	query := fmt.Sprintf(`SELECT account_id, date_start, country, count(*), sum(impressions), sum(spend), sum(clicks)
		FROM insights WHERE level = 'ad' AND date_start BETWEEN '%s' AND '%s'
		GROUP BY ALL ORDER BY ALL`, since, until)
	answer := func(limit string) ([]string, string) {
		d := enginetest.New(t, sandbox.Config{Seed: 1, Accounts: 6}, func(c *engine.Config) {
			c.MemoryLimit = limit
			c.Database = filepath.Join(t.TempDir(), "db.duckdb") // spills go beside it, not to ./.tmp
		})
		var rows []string
		err := d.Engine.Exec(context.Background(), query, func(res *engine.Result) error {
			for {
				row, err := res.Next()
				if err != nil || row == nil {
					return err
				}
				rows = append(rows, fmt.Sprint(row...))
			}
		})
		if err != nil {
			t.Fatalf("memory_limit %q: %v", limit, err)
		}
		got, err := d.Engine.QueryValue(context.Background(), "SELECT current_setting('memory_limit')")
		if err != nil {
			t.Fatal(err)
		}
		return rows, fmt.Sprint(got)
	}
	free, _ := answer("")
	bounded, setting := answer("48MB")
	if setting == "" || setting == "0 bytes" {
		t.Fatalf("memory_limit not applied: %q", setting)
	}
	if len(free) < 10000 {
		t.Fatalf("only %d groups: the world is too small to test a memory bound", len(free))
	}
	if !slices.Equal(free, bounded) {
		t.Fatalf("answers differ under memory_limit %s: %d rows vs %d", setting, len(bounded), len(free))
	}
}
