package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/fbsql/fbsql/engine"
)

// FINDINGS-11 O11: a date condition that cannot decide the days falls back
// to daily rows; a condition on a metric would then keep ad-days instead
// of ads, so the query is refused naming it. What only sums and groups the
// daily rows still answers, and the oracle is the same query without the
// condition that is true on every row (a tautology).
func TestDailyFallbackKeepsTheQueryGrain(t *testing.T) {
	d := newDemo(t)
	rng := fmt.Sprintf("i.date_start BETWEEN DATE '%s' AND DATE '%s'", day(-20), day(-11))
	always := "i.date_start >= CAST(c.created_time AS DATE) - 10000"
	from := "FROM insights i JOIN campaigns c ON c.id = i.campaign_id WHERE " + rng

	threshold := fmt.Sprintf("SELECT sum(i.inline_link_clicks) %s AND i.clicks >= 40 AND %s", from, always)
	var st engine.Stats
	if _, err := collect(context.Background(), d.eng, threshold, &st); err == nil || !strings.Contains(err.Error(), "clicks >= 40") {
		t.Errorf("%s: error %v, want a refusal naming the metric condition", threshold, err)
	}
	for _, q := range []string{
		"SELECT i.ad_name, sum(i.inline_link_clicks) %s GROUP BY 1 HAVING sum(i.clicks) >= 40 ORDER BY 1",
		"SELECT sum(i.impressions), max(i.ad_name) %s",
	} {
		with, without := fmt.Sprintf(q, from+" AND "+always), fmt.Sprintf(q, from)
		want := text(d.rows(t, without))
		nonEmpty(t, without, want)
		if got := text(d.rows(t, with)); got != want {
			t.Errorf("%s\n  gives %s; without the tautology %s", with, clipText(got), clipText(want))
		}
	}
}

// FINDINGS-11 O15: days only after today answer as an empty set of days
// does (no rows, NULL sums), not an error.
func TestOnlyFutureDaysAnswerEmpty(t *testing.T) {
	d := newDemo(t)
	future := fmt.Sprintf("SELECT sum(clicks), count(*) FROM insights WHERE date_start >= DATE '%s'", day(3))
	empty := fmt.Sprintf("SELECT sum(clicks), count(*) FROM insights WHERE date_start > DATE '%s' AND date_start < DATE '%s'", day(-3), day(-4))
	want := text(d.rows(t, empty))
	if got := text(d.rows(t, future)); got != want {
		t.Errorf("%s\n  gives %s; an empty day set gives %s", future, got, want)
	}
}
