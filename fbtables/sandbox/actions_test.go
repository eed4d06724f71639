package sandbox

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
)

var jan = tr("2026-01-01", "2026-01-31")

func TestEveryCatalogInsightsFieldIsAccepted(t *testing.T) {
	f := newFixture(t, Config{})
	tb, fields := catalogTable(t, "insights")
	rows := f.getAll(t, "/v25.0/act_"+f.acct+"/insights", url.Values{"fields": {strings.Join(fields, ",")},
		"level": {"ad"}, "time_range": {jan}, "action_attribution_windows": {"1d_click,7d_click,28d_click,1d_view,7d_view,28d_view"}})
	if len(rows) == 0 {
		t.Fatal("no rows")
	}
	seen := map[string]bool{}
	for _, r := range rows {
		for i := range tb.Columns {
			c := &tb.Columns[i]
			if v, ok := r[c.APIField()]; ok {
				seen[c.Name] = true
				checkShape(t, c, v)
			}
		}
	}
	for _, want := range []string{"unique_actions", "cost_per_action_type", "cost_per_unique_click", "inline_link_click_ctr",
		"outbound_clicks", "video_p25_watched_actions", "video_thruplay_watched_actions", "conversions", "conversion_values",
		"purchase_roas", "website_purchase_roas", "social_spend", "full_view_impressions", "quality_ranking",
		"objective", "optimization_goal", "buying_type", "attribution_setting", "account_currency", "created_time"} {
		if !seen[want] {
			t.Errorf("%s never filled", want)
		}
	}
	// Rankings are ad-level only.
	camp := f.getAll(t, "/v25.0/act_"+f.acct+"/insights", url.Values{"fields": {"quality_ranking,impressions"}, "level": {"campaign"}, "time_range": {jan}})
	for _, r := range camp {
		if _, ok := r["quality_ranking"]; ok {
			t.Fatalf("quality_ranking at campaign level: %v", r)
		}
	}
}

func TestDerivedCountsAreAdditive(t *testing.T) {
	f := newFixture(t, Config{})
	q := url.Values{"fields": {"full_view_impressions,social_spend,video_p25_watched_actions,outbound_clicks"}, "time_range": {jan}}
	total := f.getAll(t, "/v25.0/act_"+f.acct+"/insights", q)[0]
	q.Set("level", "ad")
	q.Set("time_increment", "1")
	q.Set("breakdowns", "country")
	var fv, social, p25, out int64
	for _, r := range f.getAll(t, "/v25.0/act_"+f.acct+"/insights", q) {
		fv += num(t, r, "full_view_impressions")
		social += cents(t, r["social_spend"])
		p25 += listValue(t, r["video_p25_watched_actions"], "video_view")
		out += listValue(t, r["outbound_clicks"], "outbound_click")
	}
	if fv != num(t, total, "full_view_impressions") || social != cents(t, total["social_spend"]) ||
		p25 != listValue(t, total["video_p25_watched_actions"], "video_view") || out != listValue(t, total["outbound_clicks"], "outbound_click") {
		t.Errorf("ad × day × country sums %d %d %d %d differ from the account row %v", fv, social, p25, out, total)
	}
}

// listValue sums the values of one action type in an action list.
func listValue(t *testing.T, v any, actionType string) int64 {
	t.Helper()
	list, _ := v.([]any)
	var n int64
	for _, e := range list {
		m := e.(map[string]any)
		if m["action_type"] == actionType {
			x, err := strconv.ParseInt(m["value"].(string), 10, 64)
			if err != nil {
				t.Fatalf("value %v", m["value"])
			}
			n += x
		}
	}
	return n
}

func TestActionBreakdownsSumToTotals(t *testing.T) {
	f := newFixture(t, Config{})
	path := "/v25.0/act_" + f.acct + "/insights"
	for _, tc := range []struct {
		name, abs, bds string
		keys           []string
	}{
		{"device", "action_type,action_device", "", []string{"action_device"}},
		{"airbyte default three", "action_type,action_target_id,action_destination", "age", []string{"action_target_id", "action_destination"}},
		{"device by placement", `["action_device","action_type"]`, "publisher_platform,impression_device", []string{"action_device"}},
		{"reaction", "action_reaction", "", []string{"action_reaction"}},
		{"video type", "action_video_type", "", []string{"action_video_type"}},
		{"video sound", "action_type,action_video_sound", "", []string{"action_video_sound"}},
		{"carousel by country", "action_carousel_card_id,action_carousel_card_name", "country", []string{"action_carousel_card_id", "action_carousel_card_name"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := url.Values{"fields": {"actions,action_values"}, "level": {"campaign"}, "time_range": {jan}}
			if tc.bds != "" {
				base.Set("breakdowns", tc.bds)
			}
			want := f.getAll(t, path, base)
			q := url.Values{"action_breakdowns": {tc.abs}}
			for k, v := range base {
				q[k] = v
			}
			got := f.getAll(t, path, q)
			if len(got) != len(want) {
				t.Fatalf("%d rows with action breakdowns, %d without", len(got), len(want))
			}
			split := 0
			for i := range got {
				for _, field := range []string{"actions", "action_values"} {
					sums := map[string]int64{}
					list, _ := got[i][field].([]any)
					for _, e := range list {
						m := e.(map[string]any)
						for _, k := range tc.keys {
							if _, ok := m[k]; !ok {
								t.Fatalf("element without %s: %v", k, m)
							}
						}
						sums[m["action_type"].(string)] += cents(t, m["value"])
					}
					if len(list) > len(sums) {
						split++
					}
					for at, n := range sums {
						if w := cents(t, moneyOf(t, want[i][field], at)); w != n {
							t.Errorf("row %d %s %s: split sums to %d, total %d", i, field, at, n, w)
						}
					}
					if tc.abs == "action_reaction" && len(sums) > 0 && (len(sums) != 1 || sums["post_reaction"] == 0) {
						t.Errorf("action_reaction must only split post_reaction: %v", sums)
					}
				}
			}
			if split == 0 {
				t.Error("nothing was split")
			}
		})
	}
}

// moneyOf returns the value of one action type in a list, as a string.
func moneyOf(t *testing.T, v any, actionType string) string {
	list, _ := v.([]any)
	for _, e := range list {
		if m := e.(map[string]any); m["action_type"] == actionType {
			return m["value"].(string)
		}
	}
	t.Fatalf("no %s in %v", actionType, v)
	return ""
}

func TestAttributionWindowsAreNested(t *testing.T) {
	f := newFixture(t, Config{})
	path := "/v25.0/act_" + f.acct + "/insights"
	plain := f.getAll(t, path, url.Values{"fields": {"actions"}, "level": {"campaign"}, "time_range": {jan}})
	for _, r := range plain {
		for _, e := range r["actions"].([]any) {
			if len(e.(map[string]any)) != 2 {
				t.Fatalf("without windows elements carry action_type and value only: %v", e)
			}
		}
	}
	for _, windows := range []string{`["1d_click","7d_click","28d_click","1d_view","7d_view","28d_view"]`, "28d_view,7d_click,1d_view,1d_click,28d_click,7d_view"} {
		rows := f.getAll(t, path, url.Values{"fields": {"actions,action_values"}, "level": {"campaign"}, "time_range": {jan},
			"action_attribution_windows": {windows}, "action_breakdowns": {"action_type,action_device"}})
		checked := 0
		for _, r := range rows {
			for _, field := range []string{"actions", "action_values"} {
				list, _ := r[field].([]any)
				for _, e := range list {
					m := e.(map[string]any)
					w := func(k string) int64 { return cents(t, m[k]) }
					if !(w("1d_click") <= w("7d_click") && w("7d_click") <= w("28d_click") &&
						w("1d_view") <= w("7d_view") && w("7d_view") <= w("28d_view")) {
						t.Errorf("windows not nested: %v", m)
					}
					if w("value") != w("7d_click")+w("1d_view") {
						t.Errorf("value != 7d_click + 1d_view: %v", m)
					}
					checked++
				}
			}
		}
		if checked == 0 {
			t.Fatal("no action elements")
		}
	}
}

func TestHourlyAndDMABreakdownsAreAdditive(t *testing.T) {
	f := newFixture(t, Config{})
	path := "/v25.0/act_" + f.acct + "/insights"
	base := url.Values{"fields": {"impressions,clicks,spend,actions"}, "level": {"campaign"}, "time_range": {tr("2026-02-01", "2026-02-07")}}
	want := f.getAll(t, path, base)
	wi, wc, ws := sums(t, want)
	for _, bd := range []string{hourlyAdvertiser, hourlyAudience, "dma", "region"} {
		q := url.Values{"breakdowns": {bd}}
		for k, v := range base {
			q[k] = v
		}
		rows := f.getAll(t, path, q)
		gi, gc, gs := sums(t, rows)
		if gi != wi || gc != wc || gs != ws {
			t.Errorf("%s: sums %d/%d/%d, want %d/%d/%d", bd, gi, gc, gs, wi, wc, ws)
		}
		values := map[string]bool{}
		for _, r := range rows {
			values[r[bd].(string)] = true
		}
		if bd == hourlyAdvertiser && (len(values) != 24 || !values["00:00:00 - 00:59:59"] || !values["23:00:00 - 23:59:59"]) {
			t.Errorf("hour values: %v", values)
		}
	}
}

func TestBreakdownFieldRules(t *testing.T) {
	f := newFixture(t, Config{})
	path := "/v25.0/act_" + f.acct + "/insights"
	for _, tc := range []struct {
		name string
		q    url.Values
		msg  string
	}{
		{"hourly reach", url.Values{"fields": {"impressions,reach"}, "breakdowns": {hourlyAdvertiser}}, "reach"},
		{"hourly unique", url.Values{"fields": {"unique_clicks"}, "breakdowns": {hourlyAudience}}, "unique_clicks"},
		{"hourly video", url.Values{"fields": {"video_p25_watched_actions"}, "breakdowns": {hourlyAdvertiser}}, "video_p25_watched_actions"},
		{"region video", url.Values{"fields": {"video_p50_watched_actions"}, "breakdowns": {"region"}}, "region"},
		{"dma thruplay", url.Values{"fields": {"video_thruplay_watched_actions"}, "breakdowns": {"dma"}}, "dma"},
		{"no-breakdown field", url.Values{"fields": {"newsfeed_clicks"}, "breakdowns": {"age"}}, "newsfeed_clicks"},
		{"action breakdowns need actions", url.Values{"fields": {"impressions"}, "action_breakdowns": {"action_device"}}, "actions"},
		{"reaction with age", url.Values{"fields": {"actions"}, "action_breakdowns": {"action_reaction"}, "breakdowns": {"age"}}, "is invalid"},
		{"reaction with target", url.Values{"fields": {"actions"}, "action_breakdowns": {"action_reaction,action_target_id"}}, "is invalid"},
		{"device with country", url.Values{"fields": {"actions"}, "action_breakdowns": {"action_device"}, "breakdowns": {"country"}}, "is invalid"},
		{"unknown action breakdown", url.Values{"fields": {"actions"}, "action_breakdowns": {"action_bogus"}}, "must be one of"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := apiErr(t, f.get(t, path, tc.q), 400, 100, 0)
			if msg := e["message"].(string); !strings.HasPrefix(msg, "(#100) ") || !strings.Contains(msg, tc.msg) {
				t.Errorf("message %q, want it to mention %q", msg, tc.msg)
			}
		})
	}
	// The same fields are fine without the offending breakdown.
	for _, q := range []url.Values{{"fields": {"reach,unique_clicks,video_p25_watched_actions,newsfeed_clicks"}},
		{"fields": {"impressions"}, "breakdowns": {hourlyAdvertiser}}} {
		if r := f.get(t, path, q); r.status != 200 {
			t.Errorf("%v: %s", q, r.raw)
		}
	}
}
