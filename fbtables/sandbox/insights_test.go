package sandbox

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestAdditivity asks for the same month at many grains; every additive
// total must equal the account row and the sandbox's ground truth exactly.
func TestAdditivity(t *testing.T) {
	f := newFixture(t, Config{})
	path := "/v25.0/act_" + f.acct + "/insights"
	since, until := "2026-01-01", "2026-01-31"
	base := func(extra url.Values) url.Values {
		q := url.Values{"fields": {"impressions,clicks,spend,reach,inline_link_clicks"}, "time_range": {tr(since, until)}, "limit": {"5000"}}
		for k, v := range extra {
			q[k] = v
		}
		return q
	}
	acctRows := f.getAll(t, path, base(nil))
	if len(acctRows) != 1 {
		t.Fatalf("account level: %d rows, want 1", len(acctRows))
	}
	wantI, wantC, wantS := sums(t, acctRows)
	truth := f.srv.Truth(f.acct, since, until)
	if truth.Impressions != wantI || truth.Clicks != wantC || truth.SpendCents != wantS {
		t.Fatalf("account row (%d, %d, %d) != Truth %+v", wantI, wantC, wantS, truth)
	}
	if truth.Rows == 0 || truth.Purchases == 0 {
		t.Fatalf("truth looks empty: %+v", truth)
	}
	cases := []struct {
		name  string
		extra url.Values
	}{
		{"campaign level", url.Values{"level": {"campaign"}}},
		{"adset level", url.Values{"level": {"adset"}}},
		{"ad level daily", url.Values{"level": {"ad"}, "time_increment": {"1"}}},
		{"weekly", url.Values{"time_increment": {"7"}}},
		{"monthly", url.Values{"time_increment": {"monthly"}}},
		{"country", url.Values{"breakdowns": {"country"}}},
		{"region", url.Values{"breakdowns": {"region"}}},
		{"age", url.Values{"breakdowns": {"age"}}},
		{"gender", url.Values{"breakdowns": {"gender"}}},
		{"age,gender", url.Values{"breakdowns": {"age,gender"}}},
		{"age,gender as JSON at ad level", url.Values{"breakdowns": {`["age","gender"]`}, "level": {"ad"}}},
		{"publisher_platform", url.Values{"breakdowns": {"publisher_platform"}}},
		{"placement triple", url.Values{"breakdowns": {"publisher_platform,platform_position,impression_device"}}},
		{"device_platform", url.Values{"breakdowns": {"device_platform"}}},
		{"campaign daily by country", url.Values{"level": {"campaign"}, "time_increment": {"1"}, "breakdowns": {"country"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows := f.getAll(t, path, base(tc.extra))
			i, c, s := sums(t, rows)
			if i != wantI || c != wantC || s != wantS {
				t.Errorf("sum over %d rows = (%d, %d, %d), want (%d, %d, %d)", len(rows), i, c, s, wantI, wantC, wantS)
			}
			for _, r := range rows {
				if num(t, r, "clicks") > num(t, r, "impressions") || num(t, r, "inline_link_clicks") > num(t, r, "clicks") {
					t.Fatalf("row violates inline ≤ clicks ≤ impressions: %v", r)
				}
				if reach, ok := r["reach"]; ok && num(t, map[string]any{"r": reach}, "r") > num(t, r, "impressions") {
					t.Fatalf("reach > impressions: %v", r)
				}
			}
		})
	}
	t.Run("reach is sub-additive", func(t *testing.T) {
		rows := f.getAll(t, path, base(url.Values{"level": {"ad"}}))
		var sum, maxR int64
		for _, r := range rows {
			v := num(t, r, "reach")
			sum += v
			maxR = max(maxR, v)
		}
		got := num(t, acctRows[0], "reach")
		if got >= sum || got < maxR {
			t.Errorf("account reach %d, want in [%d, %d)", got, maxR, sum)
		}
	})
}

func TestTimeSlicing(t *testing.T) {
	f := newFixture(t, Config{})
	path := "/v25.0/act_" + f.acct + "/insights"
	cases := []struct {
		name string
		q    url.Values
		want []string // distinct date_start..date_stop, in order
	}{
		{"all_days equals the range", url.Values{"time_range": {tr("2026-01-01", "2026-01-20")}},
			[]string{"2026-01-01..2026-01-20"}},
		{"daily", url.Values{"time_range": {tr("2026-01-01", "2026-01-03")}, "time_increment": {"1"}},
			[]string{"2026-01-01..2026-01-01", "2026-01-02..2026-01-02", "2026-01-03..2026-01-03"}},
		{"7 days aligned to the start, last clipped", url.Values{"time_range": {tr("2026-01-01", "2026-01-20")}, "time_increment": {"7"}},
			[]string{"2026-01-01..2026-01-07", "2026-01-08..2026-01-14", "2026-01-15..2026-01-20"}},
		{"monthly clipped to the range", url.Values{"time_range": {tr("2025-11-15", "2026-01-10")}, "time_increment": {"monthly"}},
			[]string{"2025-11-15..2025-11-30", "2025-12-01..2025-12-31", "2026-01-01..2026-01-10"}},
		{"time_ranges gives one row set per range", url.Values{"time_ranges": {`[` + tr("2026-01-01", "2026-01-05") + `,` + tr("2026-02-01", "2026-02-03") + `]`}, "time_increment": {"1"}},
			[]string{"2026-01-01..2026-01-05", "2026-02-01..2026-02-03"}},
		{"default date_preset is last_30d ending yesterday", url.Values{},
			[]string{"2026-02-13..2026-03-14"}},
		{"date_preset last_7d", url.Values{"date_preset": {"last_7d"}}, []string{"2026-03-08..2026-03-14"}},
		{"date_preset this_month", url.Values{"date_preset": {"this_month"}}, []string{"2026-03-01..2026-03-15"}},
		{"date_preset last_month", url.Values{"date_preset": {"last_month"}}, []string{"2026-02-01..2026-02-28"}},
		{"time_range wins over date_preset", url.Values{"date_preset": {"last_7d"}, "time_range": {tr("2026-01-01", "2026-01-02")}},
			[]string{"2026-01-01..2026-01-02"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, r := range f.getAll(t, path, tc.q) {
				s := r["date_start"].(string) + ".." + r["date_stop"].(string)
				if len(got) == 0 || got[len(got)-1] != s {
					got = append(got, s)
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("slices = %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("time_ranges rows sum to each range's truth", func(t *testing.T) {
		rows := f.getAll(t, path, url.Values{"time_ranges": {`[` + tr("2026-01-01", "2026-01-05") + `,` + tr("2026-01-03", "2026-01-09") + `]`}})
		if len(rows) != 2 {
			t.Fatalf("%d rows, want 2", len(rows))
		}
		for i, rg := range [][2]string{{"2026-01-01", "2026-01-05"}, {"2026-01-03", "2026-01-09"}} {
			if got, want := num(t, rows[i], "impressions"), f.srv.Truth(f.acct, rg[0], rg[1]).Impressions; got != want {
				t.Errorf("range %v: impressions %d, want %d", rg, got, want)
			}
		}
	})
}

func TestInsightsFiltering(t *testing.T) {
	f := newFixture(t, Config{})
	path := "/v25.0/act_" + f.acct + "/insights"
	acct := f.srv.account(f.acct)
	camp := acct.campaigns[0]
	base := url.Values{"time_range": {tr("2026-01-01", "2026-01-31")}, "limit": {"5000"}}
	with := func(kv ...string) url.Values {
		q := url.Values{}
		for k, v := range base {
			q[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			q.Set(kv[i], kv[i+1])
		}
		return q
	}
	t.Run("campaign.id IN", func(t *testing.T) {
		rows := f.getAll(t, path, with("level", "ad", "fields", "campaign_id,impressions",
			"filtering", fmt.Sprintf(`[{"field":"campaign.id","operator":"IN","value":["%s"]}]`, camp.id)))
		if len(rows) == 0 {
			t.Fatal("no rows")
		}
		for _, r := range rows {
			if r["campaign_id"] != camp.id {
				t.Fatalf("row of campaign %v leaked through the filter", r["campaign_id"])
			}
		}
	})
	t.Run("campaign.name CONTAIN with relaxed JSON", func(t *testing.T) {
		word := strings.Fields(camp.name)[0]
		rows := f.getAll(t, path, with("level", "campaign", "fields", "campaign_name,impressions",
			"filtering", `[{field:"campaign.name",operator:"CONTAIN",value:"`+strings.ToLower(word)+`"}]`))
		if len(rows) == 0 {
			t.Fatal("no rows")
		}
		for _, r := range rows {
			if !strings.Contains(r["campaign_name"].(string), word) {
				t.Fatalf("%v does not contain %q", r["campaign_name"], word)
			}
		}
	})
	t.Run("ad.effective_status IN", func(t *testing.T) {
		rows := f.getAll(t, path, with("level", "ad", "fields", "ad_id,impressions",
			"filtering", `[{"field":"ad.effective_status","operator":"IN","value":["DELETED"]}]`))
		for _, r := range rows {
			if f.srv.world.byID[r["ad_id"].(string)].(*ad).effective != "DELETED" {
				t.Fatalf("ad %v is not DELETED", r["ad_id"])
			}
		}
		if len(rows) == 0 {
			t.Fatal("no deleted ads delivered; the world should have some")
		}
	})
	t.Run("metric threshold applies to output rows", func(t *testing.T) {
		all := f.getAll(t, path, with("level", "ad", "fields", "impressions"))
		mid := num(t, all[len(all)/2], "impressions")
		rows := f.getAll(t, path, with("level", "ad", "fields", "impressions",
			"filtering", fmt.Sprintf(`[{"field":"ad.impressions","operator":"GREATER_THAN","value":%d}]`, mid)))
		if len(rows) == 0 || len(rows) >= len(all) {
			t.Fatalf("threshold kept %d of %d rows", len(rows), len(all))
		}
		for _, r := range rows {
			if num(t, r, "impressions") <= mid {
				t.Fatalf("row with %d impressions kept", num(t, r, "impressions"))
			}
		}
	})
	t.Run("sort spend_descending", func(t *testing.T) {
		rows := f.getAll(t, path, with("level", "ad", "fields", "spend", "sort", `["spend_descending"]`))
		for i := 1; i < len(rows); i++ {
			if cents(t, rows[i]["spend"]) > cents(t, rows[i-1]["spend"]) {
				t.Fatalf("row %d spends more than row %d", i, i-1)
			}
		}
	})
	t.Run("campaign node insights default to campaign level", func(t *testing.T) {
		rows := f.getAll(t, "/v25.0/"+camp.id+"/insights", base)
		if len(rows) != 1 || rows[0]["campaign_id"] != camp.id || rows[0]["account_id"] != f.acct {
			t.Fatalf("rows = %v", rows)
		}
	})
}

func TestInsightsWireFormat(t *testing.T) {
	f := newFixture(t, Config{})
	r := f.get(t, "/v25.0/act_"+f.acct+"/insights", url.Values{"level": {"campaign"},
		"fields":                     {"campaign_name,impressions,spend,ctr,cpm,actions,action_values"},
		"action_attribution_windows": {`["7d_click","1d_view"]`}, "time_range": {tr("2026-01-01", "2026-01-31")}})
	if r.status != 200 {
		t.Fatalf("%s", r.raw)
	}
	row := r.body["data"].([]any)[0].(map[string]any)
	for _, k := range []string{"account_id", "campaign_id", "date_start", "date_stop", "impressions", "spend", "ctr"} {
		if _, ok := row[k].(string); !ok {
			t.Errorf("%s = %v, want a string", k, row[k])
		}
	}
	if strings.HasPrefix(row["account_id"].(string), "act_") {
		t.Error("insights account_id must be bare")
	}
	actions := row["actions"].([]any)
	for _, a := range actions {
		m := a.(map[string]any)
		v, c7, v1 := num(t, m, "value"), num(t, m, "7d_click"), num(t, m, "1d_view")
		if v == 0 || c7+v1 != v {
			t.Errorf("action %v: value must be 7d_click + 1d_view and non-zero", m)
		}
	}
	for _, h := range []string{"x-fb-ads-insights-throttle", "x-app-usage", "x-ad-account-usage", "x-business-use-case-usage"} {
		if r.header.Get(h) == "" {
			t.Errorf("header %s missing", h)
		}
	}
	if !strings.Contains(r.header.Get("x-fb-ads-insights-throttle"), `"ads_api_access_tier":"standard_access"`) {
		t.Errorf("throttle header = %s", r.header.Get("x-fb-ads-insights-throttle"))
	}
}

func TestReachWithOldBreakdowns(t *testing.T) {
	f := newFixture(t, Config{})
	path := "/v25.0/act_" + f.acct + "/insights"
	q := url.Values{"fields": {"impressions,reach,frequency"}, "breakdowns": {"age"}}
	q.Set("time_range", tr("2024-06-01", "2024-06-30")) // more than 13 months back
	for _, r := range f.getAll(t, path, q) {
		if _, ok := r["reach"]; ok {
			t.Fatalf("reach returned with a breakdown older than 13 months: %v", r)
		}
	}
	q.Del("breakdowns")
	if r := f.getAll(t, path, q); r[0]["reach"] == nil {
		t.Error("reach missing without breakdowns")
	}
}
