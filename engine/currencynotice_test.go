package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/fbsql/fbsql/engine"
)

// notices runs a statement and returns its notices.
func notices(t *testing.T, eng *engine.Engine, sql string) string {
	t.Helper()
	var out []string
	err := eng.Exec(context.Background(), sql, func(res *engine.Result) error {
		out = append(out, res.Notices...)
		_, err := res.Each(func([]any) error { return nil })
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return strings.Join(out, "\n")
}

// TestMoneyAcrossCurrenciesNotice: the sandbox's two accounts are in USD
// (act_1000000000000001) and EUR (act_1000000000000002); summing spend
// over both says so, and nothing is said when the query keeps currencies
// or accounts apart, reads one account, or does not add money up.
func TestMoneyAcrossCurrenciesNotice(t *testing.T) {
	d := newDemo(t)
	day := "date_start = DATE '" + day(-3) + "'"
	got := notices(t, d.eng, "SELECT sum(spend) FROM insights WHERE "+day)
	if !strings.Contains(got, "spend adds up amounts in EUR and USD from 2 ad accounts") || !strings.Contains(got, "account_currency") {
		t.Errorf("sum(spend) over USD and EUR accounts: notice %q", got)
	}
	for _, sql := range []string{
		"SELECT account_currency, sum(spend) FROM insights WHERE " + day + " GROUP BY 1",
		"SELECT account_id, avg(cpc) FROM insights WHERE " + day + " GROUP BY 1",
		"SELECT campaign_id, sum(spend) FROM insights WHERE " + day + " GROUP BY 1",
		"SELECT sum(spend) FROM insights WHERE account_id = '1000000000000002' AND " + day,
		"SELECT sum(impressions), max(spend) FROM insights WHERE " + day,
	} {
		if got := notices(t, d.eng, sql); got != "" {
			t.Errorf("%s: unexpected notice %q", sql, got)
		}
	}
}
