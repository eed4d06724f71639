package engine_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/fbtables/graph"
	"github.com/fbsql/fbsql/fbtables/sandbox"
)

// demo is an engine wired to a sandbox served on 127.0.0.1.
type demo struct {
	eng *engine.Engine
	sb  *sandbox.Server
}

func newDemo(t testing.TB) *demo {
	t.Helper()
	sb := sandbox.New(sandbox.Config{Seed: 7})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	eng, err := engine.Open(context.Background(), engine.Config{
		Graph: graph.Config{BaseURL: srv.URL, Token: "sandbox-token"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return &demo{eng: eng, sb: sb}
}

// rows runs one statement and returns its rows as text.
func (d *demo) rows(t testing.TB, sql string) [][]string {
	t.Helper()
	var out [][]string
	err := d.eng.Exec(context.Background(), sql, func(res *engine.Result) error {
		for {
			row, err := res.Next()
			if err != nil || row == nil {
				return err
			}
			rec := make([]string, len(row))
			for i, v := range row {
				rec[i] = fmt.Sprint(v)
			}
			out = append(out, rec)
		}
	})
	if err != nil {
		t.Fatalf("%s\n%v", sql, err)
	}
	return out
}

// one runs a statement that returns one row and returns it.
func (d *demo) one(t testing.TB, sql string) []string {
	t.Helper()
	r := d.rows(t, sql)
	if len(r) != 1 {
		t.Fatalf("%s: %d rows, want 1", sql, len(r))
	}
	return r[0]
}

func day(offset int) string {
	return time.Now().UTC().AddDate(0, 0, offset).Format(time.DateOnly)
}

// truth sums the sandbox's finest-grain totals over every account.
func (d *demo) truth(since, until string) sandbox.Totals {
	var sum sandbox.Totals
	for _, a := range d.sb.AccountIDs() {
		t := d.sb.Truth(a, since, until)
		sum.Impressions += t.Impressions
		sum.Clicks += t.Clicks
		sum.SpendCents += t.SpendCents
		sum.Purchases += t.Purchases
	}
	return sum
}

// TestTotalsAgreeAcrossShapes asks for the same totals in different shapes
// (grains, groupings, SQL constructs) and checks each against the
// sandbox's ground truth. Additive metrics must match exactly.
func TestTotalsAgreeAcrossShapes(t *testing.T) {
	d := newDemo(t)
	since, until := day(-45), day(-15)
	want := d.truth(since, until)
	if want.Impressions == 0 {
		t.Fatal("sandbox has no data in range")
	}
	wantText := fmt.Sprintf("%d %d %d", want.SpendCents, want.Impressions, want.Clicks)
	rng := fmt.Sprintf("date_start BETWEEN DATE '%s' AND DATE '%s'", since, until)
	totals := "CAST(sum(s) * 100 AS BIGINT), sum(i), sum(c)"
	shapes := map[string]string{
		"plain":          fmt.Sprintf("SELECT CAST(sum(spend) * 100 AS BIGINT), sum(impressions), sum(clicks) FROM insights WHERE %s", rng),
		"by day":         fmt.Sprintf("SELECT %s FROM (SELECT date_start, sum(spend) s, sum(impressions) i, sum(clicks) c FROM insights WHERE %s GROUP BY 1)", totals, rng),
		"by country":     fmt.Sprintf("SELECT %s FROM (SELECT country, sum(spend) s, sum(impressions) i, sum(clicks) c FROM insights WHERE %s GROUP BY 1)", totals, rng),
		"by campaign":    fmt.Sprintf("SELECT %s FROM (SELECT campaign_id, sum(spend) s, sum(impressions) i, sum(clicks) c FROM insights WHERE %s GROUP BY 1)", totals, rng),
		"by age gender":  fmt.Sprintf("SELECT %s FROM (SELECT age, gender, sum(spend) s, sum(impressions) i, sum(clicks) c FROM insights WHERE %s GROUP BY ALL)", totals, rng),
		"by placement":   fmt.Sprintf("SELECT %s FROM (SELECT publisher_platform, platform_position, sum(spend) s, sum(impressions) i, sum(clicks) c FROM insights WHERE %s GROUP BY ALL)", totals, rng),
		"ad by day":      fmt.Sprintf("SELECT %s FROM (SELECT ad_id, date_start, spend s, impressions i, clicks c FROM insights WHERE %s)", totals, rng),
		"cte":            fmt.Sprintf("WITH x AS (SELECT adset_name, spend s, impressions i, clicks c FROM insights WHERE %s) SELECT %s FROM x", rng, totals),
		"join campaigns": fmt.Sprintf("SELECT %s FROM (SELECT i.spend s, i.impressions i, i.clicks c FROM insights i LEFT JOIN campaigns c ON c.id = i.campaign_id WHERE %s)", totals, strings.ReplaceAll(rng, "date_start", "i.date_start")),
	}
	for name, sql := range shapes {
		t.Run(name, func(t *testing.T) {
			got := strings.Join(d.one(t, sql), " ")
			if got != wantText {
				t.Errorf("got %s, want %s (spend cents, impressions, clicks)\n%s", got, wantText, sql)
			}
		})
	}
}

// TestRequestsCarryOnlyWhatTheQueryNeeds checks the requests the sandbox
// received: referenced fields only, the right level, breakdowns and range.
func TestRequestsCarryOnlyWhatTheQueryNeeds(t *testing.T) {
	since, until := day(-20), day(-10)
	cases := []struct {
		name string
		sql  string
		want map[string]string
	}{
		{"campaign totals", fmt.Sprintf("SELECT campaign_name, sum(spend) FROM insights WHERE date_start >= '%s' AND date_start <= '%s' GROUP BY 1", since, until),
			map[string]string{"level": "campaign", "fields": "account_id,campaign_id,campaign_name,spend",
				"time_range": fmt.Sprintf(`{"since":"%s","until":"%s"}`, since, until), "time_increment": "all_days", "breakdowns": ""}},
		{"daily by country", fmt.Sprintf("SELECT date_start, country, sum(impressions) FROM insights WHERE date_start BETWEEN '%s' AND '%s' GROUP BY ALL", since, until),
			map[string]string{"level": "account", "fields": "account_id,impressions", "breakdowns": `["country"]`, "time_increment": "1"}},
		{"ad level", fmt.Sprintf("SELECT ad_name, clicks FROM insights WHERE date_start = '%s'", since),
			map[string]string{"level": "ad", "fields": "account_id,campaign_id,adset_id,ad_id,ad_name,clicks",
				"time_range": fmt.Sprintf(`{"since":"%s","until":"%s"}`, since, since)}},
		{"entity fields", "SELECT name, objective FROM campaigns", map[string]string{"fields": "id,name,objective"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := newDemo(t)
			d.rows(t, c.sql)
			var seen int
			for _, r := range d.sb.Requests() {
				if !strings.Contains(r.Path, "/act_") || r.Params["after"] != "" {
					continue
				}
				seen++
				for k, v := range c.want {
					if r.Params[k] != v {
						t.Errorf("%s %s: %s=%q, want %q", r.Method, r.Path, k, r.Params[k], v)
					}
				}
			}
			if seen != len(d.sb.AccountIDs()) {
				t.Errorf("%d first-page requests, want one per account (%d)", seen, len(d.sb.AccountIDs()))
			}
		})
	}
}

// TestBadQueriesSendNoRequest: errors found by the planner or by DuckDB's
// binder are reported before any API request.
func TestBadQueriesSendNoRequest(t *testing.T) {
	cases := map[string]string{
		"unknown column":     "SELECT spendd FROM insights",
		"unknown function":   "SELECT sum_it(spend) FROM insights",
		"invalid breakdowns": "SELECT age, country, sum(spend) FROM insights GROUP BY ALL",
		"type error":         "SELECT spend + 'abc'::DATE FROM insights",
		"beyond 37 months":   "SELECT sum(spend) FROM insights WHERE date_start >= DATE '2020-01-01'",
		"syntax":             "SELECT FROM WHERE",
		"option under OR":    "SELECT sum(spend) FROM insights WHERE level = 'ad' OR spend > 1",
	}
	for name, sql := range cases {
		t.Run(name, func(t *testing.T) {
			d := newDemo(t)
			err := d.eng.Exec(context.Background(), sql, func(*engine.Result) error { return nil })
			if err == nil {
				t.Fatal("want an error")
			}
			if n := len(d.sb.Requests()); n != 0 {
				t.Errorf("%d requests sent before the error %v", n, err)
			}
		})
	}
}
