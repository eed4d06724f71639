package engine_test

import (
	"fmt"
	"reflect"
	"testing"
)

// TestInsightsActionsAgreeWithActionLists: the long table's totals per
// action_type equal the sums of the actions list column, with or without
// an action breakdown, and action_value equals the action_values list.
func TestInsightsActionsAgreeWithActionLists(t *testing.T) {
	d := newDemo(t)
	rng := fmt.Sprintf("date_start BETWEEN '%s' AND '%s'", day(-20), day(-6))
	fromLists := func(list string) [][]string {
		return d.rows(t, fmt.Sprintf(`SELECT a.action_type, round(sum(a.value), 6) FROM (SELECT unnest(%s) AS a FROM insights WHERE %s AND level = 'ad') GROUP BY 1 ORDER BY 1`, list, rng))
	}
	wantCounts, wantValues := fromLists("actions"), fromLists("action_values")
	if len(wantCounts) < 5 || len(wantValues) < 1 {
		t.Fatalf("too little data: %d action types, %d valued", len(wantCounts), len(wantValues))
	}
	cases := map[string]struct {
		sql  string
		want [][]string
	}{
		"per action_type":                     {fmt.Sprintf(`SELECT action_type, round(sum(value), 6) FROM insights_actions WHERE %s GROUP BY 1 ORDER BY 1`, rng), wantCounts},
		"by campaign and device, then summed": {fmt.Sprintf(`SELECT action_type, round(sum(n), 6) FROM (SELECT campaign_id, action_type, action_device, sum(value) AS n FROM insights_actions WHERE %s GROUP BY ALL) GROUP BY 1 ORDER BY 1`, rng), wantCounts},
		"by day":                              {fmt.Sprintf(`SELECT action_type, round(sum(value), 6) FROM insights_actions WHERE %s AND date_start IS NOT NULL GROUP BY 1 ORDER BY 1`, rng), wantCounts},
		"action values":                       {fmt.Sprintf(`SELECT action_type, round(sum(action_value), 6) FROM insights_actions WHERE %s AND action_value IS NOT NULL GROUP BY 1 ORDER BY 1`, rng), wantValues},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got := d.rows(t, c.sql); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %v\nwant %v", got, c.want)
			}
		})
	}
}
