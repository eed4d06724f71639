package engine_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/fbtables/sandbox"
)

// TestExplainShowsTheFetchTheEngineMakes: EXPLAIN says async exactly when running the same
// statement creates async report runs, as the sandbox counts them.
func TestExplainShowsTheFetchTheEngineMakes(t *testing.T) {
	for _, tt := range []struct {
		sql   string
		async bool
	}{
		{"SELECT ad_id, publisher_platform, platform_position, impression_device, impressions FROM insights WHERE date_preset = 'last_7d'", true},
		{"SELECT campaign_id, impressions FROM insights WHERE date_start = DATE '2026-11-01' AND level = 'campaign'", false},
	} {
		d := scaledDemo(t, sandbox.Model{}, sandbox.Faults{})
		var plan string
		err := d.eng.Exec(context.Background(), "EXPLAIN "+tt.sql, func(r *engine.Result) error {
			plan = r.Plan.String()
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(plan, "(async report run"); got != tt.async {
			t.Errorf("EXPLAIN says async=%v, want %v:\n%s", got, tt.async, plan)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		err = d.eng.Exec(ctx, tt.sql, func(r *engine.Result) error {
			for {
				row, err := r.Next()
				if row == nil || err != nil {
					return err
				}
			}
		})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if jobs := d.sb.Stats().JobsCreated; (jobs > 0) != tt.async {
			t.Errorf("running it created %d report runs; EXPLAIN said async=%v\n%s", jobs, tt.async, plan)
		}
	}
}
