package planner_test

import (
	"strings"
	"testing"
)

// TestGrainOnlyPushesNoFilter checks the reference mode of differential
// tests: predicates that full pushdown sends (filtering, statuses,
// accounts, sort, limit) are absent, while the settings that fix the grain
// (level, time range) are the same as with full pushdown.
func TestGrainOnlyPushesNoFilter(t *testing.T) {
	full := newInput(t)
	ref := full
	ref.GrainOnly = true
	cases := []struct{ sql, gone string }{
		{"SELECT ad_id, spend FROM insights WHERE level = 'ad' AND spend > 10 AND date_start = DATE '2026-11-20'", "filtering="},
		{"SELECT name FROM campaigns WHERE effective_status IN ('PAUSED')", `effective_status=["PAUSED"]`},
		{"SELECT name FROM campaigns WHERE account_id = '1'", "accounts:"},
		{"SELECT campaign_name FROM insights WHERE campaign_name LIKE 'Spring%'", "filtering="},
		{"SELECT spend FROM insights WHERE level = 'ad' AND date_start = DATE '2026-11-20' ORDER BY spend DESC LIMIT 3", "sort="},
		{"SELECT name FROM campaigns LIMIT 3", "limit:"},
	}
	for _, c := range cases {
		got, want := planText(c.sql, ref), planText(c.sql, full)
		if !strings.Contains(want, c.gone) {
			t.Fatalf("%s: full pushdown lacks %q, the case tests nothing:\n%s", c.sql, c.gone, want)
		}
		if strings.Contains(got, c.gone) {
			t.Errorf("%s: grain-only plan still has %q:\n%s", c.sql, c.gone, got)
		}
		for _, keep := range []string{"level=", "time_range=", "time_increment="} {
			if strings.Contains(want, keep) && lineWith(got, keep) != lineWith(want, keep) {
				t.Errorf("%s: grain-only changed %s:\n%s\nfull:\n%s", c.sql, keep, got, want)
			}
		}
	}
}

func lineWith(text, prefix string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), prefix) {
			return l
		}
	}
	return ""
}
