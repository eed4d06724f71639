package engine_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// readmeReports reads the report → query table from README.md, so the
// queries the README shows are the ones tested.
func readmeReports(t *testing.T) map[string]string {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start, end := strings.Index(text, "<!-- reports:start -->"), strings.Index(text, "<!-- reports:end -->")
	if start < 0 || end < start {
		t.Fatal("README.md has no reports table")
	}
	out := map[string]string{}
	for _, line := range strings.Split(text[start:end], "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 3 || !strings.HasPrefix(strings.TrimSpace(cells[2]), "`") {
			continue
		}
		out[strings.TrimSpace(cells[1])] = strings.Trim(strings.TrimSpace(cells[2]), "`")
	}
	return out
}

// TestAirbyteReports: every report query runs, and its totals equal the
// plain insights totals for the same range — impressions and spend for
// breakdown reports, action counts for action reports.
func TestAirbyteReports(t *testing.T) {
	reports := readmeReports(t)
	if len(reports) < 19 {
		t.Fatalf("README lists %d reports, want the 19 Airbyte streams fbsql covers", len(reports))
	}
	d := newDemo(t)
	rng := "date_start >= current_date - 30"
	plain := d.one(t, "SELECT sum(impressions), sum(spend) FROM insights WHERE "+rng)
	plainActions := map[string]string{}
	for _, r := range d.rows(t, "SELECT a.action_type, round(sum(a.value), 4) FROM (SELECT unnest(actions) AS a FROM insights WHERE "+rng+" AND level = 'ad') GROUP BY 1") {
		plainActions[r[0]] = r[1]
	}
	for name, sql := range reports {
		t.Run(name, func(t *testing.T) {
			if !strings.Contains(sql, rng) {
				t.Fatalf("report %s does not cover the tested range: %s", name, sql)
			}
			if strings.Contains(sql, "FROM insights_actions") {
				// An action breakdown returns the action types it applies to
				// (action_reaction: post_reaction); each of those must be whole.
				rows := d.rows(t, fmt.Sprintf("SELECT action_type, round(sum(value), 4) FROM (%s) GROUP BY 1", sql))
				if len(rows) == 0 {
					t.Fatal("no actions")
				}
				for _, r := range rows {
					if plainActions[r[0]] != r[1] {
						t.Errorf("%s: %s in the report, %s in plain insights", r[0], r[1], plainActions[r[0]])
					}
				}
				return
			}
			got := d.one(t, fmt.Sprintf("SELECT sum(impressions), sum(spend) FROM (%s)", sql))
			if got[0] != plain[0] || got[1] != plain[1] {
				t.Errorf("impressions, spend = %v; plain insights %v", got, plain)
			}
		})
	}
}
