package engine_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fbsql/fbsql/engine"
	"github.com/fbsql/fbsql/engine/enginetest"
	"github.com/fbsql/fbsql/fbtables/sandbox"
)

// demo is an engine wired to a sandbox served on 127.0.0.1.
type demo struct {
	eng *engine.Engine
	sb  *sandbox.Server
}

func newDemo(t testing.TB) *demo {
	t.Helper()
	return fromHarness(enginetest.New(t, sandbox.Config{Seed: 7}, nil))
}

// fromHarness is the demo of an engine the harness opened.
func fromHarness(d *enginetest.Demo) *demo {
	return &demo{eng: d.Engine, sb: d.Sandbox.Server}
}

// rows runs one statement and returns its rows as text.
func (d *demo) rows(t testing.TB, sql string) [][]string {
	t.Helper()
	return d.rowsStats(t, sql, nil)
}

// rowsStats is rows, also returning the statement's stats into st.
func (d *demo) rowsStats(t testing.TB, sql string, st *engine.Stats) [][]string {
	t.Helper()
	out, err := collect(context.Background(), d.eng, sql, st)
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

// dayList quotes every date from since to until, for an IN list.
func dayList(since, until string) string {
	from, _ := time.Parse(time.DateOnly, since)
	to, _ := time.Parse(time.DateOnly, until)
	var out []string
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		out = append(out, "'"+d.Format(time.DateOnly)+"'")
	}
	return strings.Join(out, ", ")
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
	since, mid, until := day(-45), day(-30), day(-15)
	want := d.truth(since, until)
	if want.Impressions == 0 {
		t.Fatal("sandbox has no data in range")
	}
	wantText := fmt.Sprintf("%d %d %d", want.SpendCents, want.Impressions, want.Clicks)
	rng := fmt.Sprintf("date_start BETWEEN DATE '%s' AND DATE '%s'", since, until)
	totals := "CAST(sum(s) * 100 AS BIGINT), sum(i), sum(c)"
	shapes := map[string]string{
		"plain":                    fmt.Sprintf("SELECT CAST(sum(spend) * 100 AS BIGINT), sum(impressions), sum(clicks) FROM insights WHERE %s", rng),
		"by day":                   fmt.Sprintf("SELECT %s FROM (SELECT date_start, sum(spend) s, sum(impressions) i, sum(clicks) c FROM insights WHERE %s GROUP BY 1)", totals, rng),
		"by country":               fmt.Sprintf("SELECT %s FROM (SELECT country, sum(spend) s, sum(impressions) i, sum(clicks) c FROM insights WHERE %s GROUP BY 1)", totals, rng),
		"by campaign":              fmt.Sprintf("SELECT %s FROM (SELECT campaign_id, sum(spend) s, sum(impressions) i, sum(clicks) c FROM insights WHERE %s GROUP BY 1)", totals, rng),
		"by age gender":            fmt.Sprintf("SELECT %s FROM (SELECT age, gender, sum(spend) s, sum(impressions) i, sum(clicks) c FROM insights WHERE %s GROUP BY ALL)", totals, rng),
		"by placement":             fmt.Sprintf("SELECT %s FROM (SELECT publisher_platform, platform_position, sum(spend) s, sum(impressions) i, sum(clicks) c FROM insights WHERE %s GROUP BY ALL)", totals, rng),
		"ad by day":                fmt.Sprintf("SELECT %s FROM (SELECT ad_id, date_start, spend s, impressions i, clicks c FROM insights WHERE %s)", totals, rng),
		"cte":                      fmt.Sprintf("WITH x AS (SELECT adset_name, spend s, impressions i, clicks c FROM insights WHERE %s) SELECT %s FROM x", rng, totals),
		"window":                   fmt.Sprintf("SELECT DISTINCT CAST(sum(spend) OVER () * 100 AS BIGINT), sum(impressions) OVER (), sum(clicks) OVER () FROM insights WHERE %s", rng),
		"scalar subqueries":        fmt.Sprintf("SELECT (SELECT CAST(sum(spend) * 100 AS BIGINT) FROM insights WHERE %[1]s), (SELECT sum(impressions) FROM insights WHERE %[1]s), (SELECT sum(clicks) FROM insights WHERE %[1]s)", rng),
		"self-join of two periods": fmt.Sprintf("SELECT CAST((a.s + b.s) * 100 AS BIGINT), a.i + b.i, a.c + b.c FROM (SELECT sum(spend) s, sum(impressions) i, sum(clicks) c FROM insights WHERE date_start >= '%[1]s' AND date_start < '%[2]s') a, (SELECT sum(spend) s, sum(impressions) i, sum(clicks) c FROM insights WHERE date_start >= '%[2]s' AND date_start <= '%[3]s') b", since, mid, until),
		"union all of two halves":  fmt.Sprintf("SELECT %[4]s FROM (SELECT spend s, impressions i, clicks c FROM insights WHERE date_start >= '%[1]s' AND date_start < '%[2]s' UNION ALL SELECT spend, impressions, clicks FROM insights WHERE date_start BETWEEN '%[2]s' AND '%[3]s')", since, mid, until, totals),
		"monthly":                  fmt.Sprintf("SELECT %s FROM (SELECT date_start, spend s, impressions i, clicks c FROM insights WHERE %s AND time_increment = 'monthly')", totals, rng),
		"weekly by campaign":       fmt.Sprintf("SELECT %s FROM (SELECT campaign_name, date_start, spend s, impressions i, clicks c FROM insights WHERE %s AND time_increment = 7)", totals, rng),
		"in list of every day":     fmt.Sprintf("SELECT CAST(sum(spend) * 100 AS BIGINT), sum(impressions), sum(clicks) FROM insights WHERE date_start IN (%s)", dayList(since, until)),
		"level option":             fmt.Sprintf("SELECT CAST(sum(spend) * 100 AS BIGINT), sum(impressions), sum(clicks) FROM insights WHERE %s AND level = 'ad'", rng),
		"having keeps all":         fmt.Sprintf("SELECT %s FROM (SELECT adset_id, sum(spend) s, sum(impressions) i, sum(clicks) c FROM insights WHERE %s GROUP BY 1 HAVING sum(impressions) >= 0)", totals, rng),
		"by region":                fmt.Sprintf("SELECT %s FROM (SELECT region, sum(spend) s, sum(impressions) i, sum(clicks) c FROM insights WHERE %s GROUP BY 1)", totals, rng),
		"platform and device":      fmt.Sprintf("SELECT %s FROM (SELECT publisher_platform, device_platform, sum(spend) s, sum(impressions) i, sum(clicks) c FROM insights WHERE %s GROUP BY ALL)", totals, rng),
		"every account named":      fmt.Sprintf("SELECT CAST(sum(spend) * 100 AS BIGINT), sum(impressions), sum(clicks) FROM insights WHERE %s AND account_id IN ('%s')", rng, strings.Join(d.sb.AccountIDs(), "','")),
		"join campaigns":           fmt.Sprintf("SELECT %s FROM (SELECT i.spend s, i.impressions i, i.clicks c FROM insights i LEFT JOIN campaigns c ON c.id = i.campaign_id WHERE %s)", totals, strings.ReplaceAll(rng, "date_start", "i.date_start")),
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
			map[string]string{"level": "campaign", "fields": "campaign_name,spend",
				"time_range": fmt.Sprintf(`{"since":"%s","until":"%s"}`, since, until), "time_increment": "all_days", "breakdowns": ""}},
		{"daily by country", fmt.Sprintf("SELECT date_start, country, sum(impressions) FROM insights WHERE date_start BETWEEN '%s' AND '%s' GROUP BY ALL", since, until),
			map[string]string{"level": "account", "fields": "impressions", "breakdowns": `["country"]`, "time_increment": "1"}},
		{"ad level", fmt.Sprintf("SELECT ad_name, clicks FROM insights WHERE date_start = '%s'", since),
			map[string]string{"level": "ad", "fields": "ad_name,clicks",
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

// TestStatementsAroundQueries: COPY, CREATE TABLE AS and INSERT … SELECT
// plan their inner query, and the data lands where DuckDB puts it.
func TestStatementsAroundQueries(t *testing.T) {
	d := newDemo(t)
	since := day(-10)
	want := d.truth(since, since)
	path := filepath.Join(t.TempDir(), "out.parquet")
	d.rows(t, fmt.Sprintf("COPY (SELECT campaign_id, sum(impressions) AS i FROM insights WHERE date_start = '%s' GROUP BY 1) TO '%s' (FORMAT parquet)", since, path))
	got := d.one(t, fmt.Sprintf("SELECT sum(i) FROM read_parquet('%s')", path))
	if got[0] != fmt.Sprint(want.Impressions) {
		t.Errorf("parquet sum %s, want %d", got[0], want.Impressions)
	}
	d.rows(t, fmt.Sprintf("CREATE TABLE daily AS SELECT date_start, sum(clicks) AS c FROM insights WHERE date_start = '%s' GROUP BY 1", since))
	d.rows(t, fmt.Sprintf("INSERT INTO daily SELECT date_start, sum(clicks) FROM insights WHERE date_start = '%s' GROUP BY 1", since))
	got = d.one(t, "SELECT count(*), sum(c) FROM daily")
	if got[0] != "2" || got[1] != fmt.Sprint(2*want.Clicks) {
		t.Errorf("daily has %v, want 2 rows summing to %d", got, 2*want.Clicks)
	}
	// The table is DuckDB's now: reading it again sends no request.
	d.sb.ResetRequests()
	d.rows(t, "SELECT * FROM daily")
	if n := len(d.sb.Requests()); n != 0 {
		t.Errorf("reading a local table sent %d requests", n)
	}
}

// TestLimitPushdownStopsPaging: ORDER BY metric LIMIT n on a bare scan asks
// the API to sort and reads one short page per account, and still returns
// the same rows as sorting everything locally.
func TestLimitPushdownStopsPaging(t *testing.T) {
	d := newDemo(t)
	rng := fmt.Sprintf("date_start BETWEEN '%s' AND '%s'", day(-20), day(-5))
	pushed := d.rows(t, fmt.Sprintf("SELECT ad_id, spend FROM insights WHERE %s ORDER BY spend DESC LIMIT 7", rng))
	var reqs []sandbox.Request
	for _, r := range d.sb.Requests() {
		if strings.HasSuffix(r.Path, "/insights") {
			reqs = append(reqs, r)
		}
	}
	d.sb.ResetRequests()
	local := d.rows(t, fmt.Sprintf("SELECT ad_id, spend FROM (SELECT ad_id, spend FROM insights WHERE %s) ORDER BY spend DESC, ad_id LIMIT 7", rng))
	if fmt.Sprint(pushed) != fmt.Sprint(local) {
		t.Errorf("pushed LIMIT gave\n%v\nlocal sort gave\n%v", pushed, local)
	}
	if len(reqs) != len(d.sb.AccountIDs()) {
		t.Errorf("%d requests, want one short page per account", len(reqs))
	}
	for _, r := range reqs {
		if r.Params["sort"] != `["spend_descending"]` || r.Params["limit"] != "7" {
			t.Errorf("request params %v lack sort and limit", r.Params)
		}
	}
}

// TestOptionColumnsKeepTheirLiteral: an option written in any accepted
// spelling still sets the request and survives DuckDB's re-check of the
// same predicate (the loaded column holds the literal as written).
func TestOptionColumnsKeepTheirLiteral(t *testing.T) {
	d := newDemo(t)
	since := day(-6)
	want := d.truth(since, since)
	got := d.one(t, fmt.Sprintf("SELECT sum(impressions), count(DISTINCT level), any_value(level) FROM insights WHERE date_start = '%s' AND level = 'Campaign' AND attribution_windows = '7d_click, 1d_view' AND time_increment = 1", since))
	if got[0] != fmt.Sprint(want.Impressions) || got[2] != "Campaign" {
		t.Fatalf("got %v, want %d impressions at level 'Campaign'", got, want.Impressions)
	}
	for _, r := range d.sb.Requests() {
		if strings.HasSuffix(r.Path, "/insights") && (r.Params["level"] != "campaign" || r.Params["action_attribution_windows"] != `["7d_click","1d_view"]`) {
			t.Errorf("request params %v", r.Params)
		}
	}
}
