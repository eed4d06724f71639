package sandbox

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The insights golden test is a regression guard on the exact bytes of
// insights responses. testdata/insights_golden.txt holds, per case, the
// SHA-256 of every page body of the case (statuses included), recorded from
// the straightforward code that computed and rendered each row through
// generic JSON objects, before the hot paths were rewritten for speed
// (issue 14: the sandbox's CPU per row). The faster code must answer the
// same bytes. A deliberate change to what the sandbox serves updates the
// file with -update-golden (and says so in its commit).

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/insights_golden.txt from the current code")

// goldenDump, when set, writes every case's bodies under that directory, to
// find where two versions differ.
var goldenDump = flag.String("golden-dump", "", "write every golden case's response bodies to this directory")

const goldenFile = "testdata/insights_golden.txt"

// goldenCase is one insights request (and the pages it leads to).
type goldenCase struct {
	name   string
	method string
	path   func(w *world) string // the node, without version
	q      url.Values
	walk   string // "next": follow paging.next; "before": then page back once
}

// goldenConfigs are the worlds the cases run in.
var goldenConfigs = []struct {
	name string
	cfg  Config
}{
	{"seed1", Config{Seed: 1}},
	{"seed7", Config{Seed: 7}},
	{"seed3x2", Config{Seed: 3, AdsMult: 2}},
	{"seed5acc3", Config{Seed: 5, Accounts: 3}},
}

func actPath(i int) func(w *world) string {
	return func(w *world) string { return "act_" + w.accounts[min(i, len(w.accounts)-1)].id }
}

func entPath(l level) func(w *world) string {
	return func(w *world) string {
		a := w.accounts[0]
		switch l {
		case levelCampaign:
			return a.campaigns[1].id
		case levelAdset:
			return a.adsets[2].id
		}
		return a.ads[3].id
	}
}

// allInsightsFields lists every accepted field, sorted, minus the legacy
// ones breakdowns refuse.
func allInsightsFields() string {
	var out []string
	for f := range validInsightsFields {
		if !noBreakdownFields[f] {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

func goldenCases() []goldenCase {
	v := func(kv ...string) url.Values {
		q := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			q.Set(kv[i], kv[i+1])
		}
		return q
	}
	core := "impressions,clicks,spend,reach,frequency,ctr,cpc,cpm,cpp,unique_clicks,unique_ctr,inline_link_clicks,inline_link_click_ctr,cost_per_inline_link_click,unique_inline_link_clicks,inline_post_engagement,cost_per_unique_click"
	acts := "actions,action_values,cost_per_action_type,unique_actions,conversions,conversion_values,cost_per_conversion,purchase_roas,website_purchase_roas"
	video := "video_play_actions,video_p25_watched_actions,video_p50_watched_actions,video_p75_watched_actions,video_p95_watched_actions,video_p100_watched_actions,video_thruplay_watched_actions,video_avg_time_watched_actions,video_30_sec_watched_actions,cost_per_thruplay,cost_per_15_sec_video_view"
	month, quarter := tr("2026-02-01", "2026-02-28"), tr("2025-12-01", "2026-03-14")
	get := func(name string, path func(*world) string, q url.Values, walk string) goldenCase {
		return goldenCase{name: name, method: http.MethodGet, path: path, q: q, walk: walk}
	}
	return []goldenCase{
		get("account_default", actPath(0), v(), ""),
		get("account_all_days", actPath(0), v("fields", core, "time_range", month, "time_increment", "all_days"), ""),
		get("account_all_fields", actPath(0), v("fields", allInsightsFields(), "time_range", month, "time_increment", "7"), ""),
		get("campaign_weekly", actPath(0), v("level", "campaign", "fields", "campaign_name,objective,buying_type,"+core, "time_range", quarter, "time_increment", "7", "limit", "40"), "next"),
		get("adset_age_gender_daily", actPath(0), v("level", "adset", "fields", "adset_name,optimization_goal,"+core+","+acts, "breakdowns", "age,gender", "time_range", tr("2026-02-01", "2026-02-10"), "time_increment", "1", "limit", "700"), "next"),
		get("ad_country_daily", actPath(1), v("level", "ad", "fields", "ad_id,impressions,spend,reach,actions", "breakdowns", "country", "time_range", quarter, "time_increment", "1", "limit", "5000"), "next"),
		get("ad_country_paged_back", actPath(0), v("level", "ad", "fields", "ad_id,ad_name,impressions,spend", "breakdowns", "country", "time_range", tr("2026-03-01", "2026-03-05"), "time_increment", "1", "limit", "97"), "before"),
		get("ad_region_monthly", actPath(0), v("level", "ad", "fields", "ad_id,impressions,clicks,spend,reach,actions,action_values", "breakdowns", "region", "time_range", tr("2025-09-01", "2026-02-28"), "time_increment", "monthly", "limit", "2000"), "next"),
		get("placement", actPath(0), v("level", "campaign", "fields", core+","+acts, "breakdowns", "publisher_platform,platform_position,impression_device", "time_range", tr("2026-03-01", "2026-03-07"), "time_increment", "all_days", "limit", "500"), "next"),
		get("publisher_platform", actPath(0), v("level", "adset", "fields", core, "breakdowns", "publisher_platform", "time_range", month, "time_increment", "7"), "next"),
		get("device_platform", actPath(0), v("fields", core, "breakdowns", "device_platform,publisher_platform", "time_range", month, "time_increment", "1", "limit", "100"), "next"),
		get("hourly_advertiser", actPath(0), v("level", "ad", "fields", "impressions,clicks,spend,actions", "breakdowns", hourlyAdvertiser, "time_range", tr("2026-03-10", "2026-03-12"), "time_increment", "1", "limit", "1000"), "next"),
		get("hourly_audience", actPath(0), v("level", "campaign", "fields", "impressions,clicks,spend,cpc,cpm,ctr", "breakdowns", hourlyAudience, "time_range", tr("2026-03-10", "2026-03-11"), "limit", "300"), "next"),
		get("dma", actPath(0), v("level", "adset", "fields", core+","+acts, "breakdowns", "dma", "time_range", month, "limit", "200"), "next"),
		get("video", actPath(0), v("level", "ad", "fields", "ad_id,"+video, "breakdowns", "age", "time_range", month, "time_increment", "all_days", "limit", "300"), "next"),
		get("action_device_windows", actPath(0), v("level", "campaign", "fields", "impressions,actions,action_values,cost_per_action_type", "action_breakdowns", "action_device,action_type", "breakdowns", "impression_device", "action_attribution_windows", "1d_click,7d_click,28d_click,1d_view,7d_view,dda,default", "time_range", tr("2026-03-01", "2026-03-03"), "time_increment", "1", "limit", "200"), "next"),
		get("action_reaction", actPath(0), v("level", "adset", "fields", "impressions,actions", "action_breakdowns", "action_reaction", "time_range", month), "next"),
		get("action_video_type", actPath(0), v("level", "ad", "fields", "impressions,actions", "action_breakdowns", "action_video_type", "time_range", month, "limit", "150"), "next"),
		get("action_destination", actPath(0), v("level", "campaign", "fields", "actions,action_values", "action_breakdowns", "action_type,action_target_id,action_destination", "time_range", month), "next"),
		get("action_carousel", actPath(0), v("level", "ad", "fields", "impressions,actions", "action_breakdowns", "action_carousel_card_id,action_carousel_card_name", "breakdowns", "age,gender", "time_range", tr("2026-03-01", "2026-03-02"), "limit", "400"), "next"),
		get("filtering", actPath(0), v("level", "ad", "fields", "ad_id,campaign_id,impressions,clicks,spend,ctr", "filtering", `[{"field":"impressions","operator":"GREATER_THAN","value":4000},{"field":"campaign.effective_status","operator":"IN","value":["ACTIVE","PAUSED"]},{"field":"ctr","operator":"IN_RANGE","value":[0.5,3]}]`, "time_range", month, "time_increment", "7", "limit", "250"), "next"),
		get("filter_name_sorted", actPath(0), v("level", "ad", "fields", "ad_name,impressions,spend,cpc", "filtering", `[{"field":"ad.name","operator":"CONTAIN","value":"Video"}]`, "sort", "spend_descending", "time_range", quarter, "limit", "120"), "next"),
		get("sorted_ascending", actPath(0), v("level", "adset", "fields", "impressions,reach", "sort", "reach_ascending", "breakdowns", "country", "time_range", month), "next"),
		get("time_ranges", actPath(0), v("level", "campaign", "fields", core, "time_ranges", `[{"since":"2026-01-01","until":"2026-01-31"},{"since":"2026-02-01","until":"2026-02-28"}]`, "limit", "60"), "next"),
		get("old_breakdown_no_reach", actPath(0), v("level", "campaign", "fields", "impressions,reach,frequency,cpp,unique_ctr", "breakdowns", "gender", "time_range", tr("2024-06-01", "2024-08-31"), "time_increment", "monthly"), "next"),
		get("date_preset_maximum", actPath(0), v("level", "account", "fields", "impressions,spend,reach", "date_preset", "maximum", "time_increment", "monthly"), "next"),
		get("campaign_node", entPath(levelCampaign), v("fields", core+","+acts, "time_range", month, "time_increment", "1"), "next"),
		get("adset_node", entPath(levelAdset), v("level", "ad", "fields", "ad_name,quality_ranking,engagement_rate_ranking,"+core, "breakdowns", "country", "time_range", month), "next"),
		get("ad_node", entPath(levelAd), v("fields", allInsightsFields(), "breakdowns", "age,gender", "time_range", month, "time_increment", "all_days"), "next"),
		get("year_by_country_page2", actPath(0), func() url.Values {
			q := url.Values{}
			for k, val := range yearByCountry {
				q[k] = val
			}
			q.Set("limit", "3000")
			q.Set("after", encodeCursor(2999))
			return q
		}(), ""),
		get("bad_field", actPath(0), v("fields", "impressions,nonsense"), ""),
		get("bad_combination", actPath(0), v("breakdowns", "age,country"), ""),
		{name: "async_report", method: http.MethodPost, path: actPath(0), q: v("level", "ad", "fields", "ad_id,adset_id,impressions,clicks,spend,reach,actions,video_play_actions", "breakdowns", "age,gender", "time_range", tr("2026-02-20", "2026-03-01"), "time_increment", "1", "limit", "800"), walk: "next"},
		{name: "async_report_account", method: http.MethodPost, path: actPath(0), q: v("fields", "impressions,spend,actions", "breakdowns", "country", "time_range", month, "time_increment", "monthly"), walk: "next"},
	}
}

// goldenRun serves one case on a fresh server and returns the bodies of
// every page, each prefixed by its status.
func goldenRun(t *testing.T, s *Server, gc goldenCase) [][]byte {
	t.Helper()
	do := func(method, target string) ([]byte, map[string]any) {
		req := httptest.NewRequest(method, target, nil)
		req.Host = "graph.sandbox.test"
		req.Header.Set("Authorization", "Bearer sandbox-token")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		var body map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &body)
		return append([]byte(fmt.Sprintf("%d ", rec.Code)), rec.Body.Bytes()...), body
	}
	target := "/v25.0/" + gc.path(s.world) + "/insights?" + gc.q.Encode()
	var pages [][]byte
	raw, body := do(gc.method, target)
	pages = append(pages, raw)
	if gc.method == http.MethodPost {
		id, _ := body["report_run_id"].(string)
		if id == "" {
			t.Fatalf("%s: no report run: %s", gc.name, raw)
		}
		q := url.Values{"limit": {gc.q.Get("limit")}}
		if q.Get("limit") == "" {
			q.Del("limit")
		}
		raw, body = do(http.MethodGet, "/v25.0/"+id+"/insights?"+q.Encode())
		pages = append(pages, raw)
	}
	for gc.walk != "" {
		pg, _ := body["paging"].(map[string]any)
		next, _ := pg["next"].(string)
		if next == "" {
			break
		}
		if len(pages) > 1000 {
			t.Fatalf("%s: paging does not end", gc.name)
		}
		u, err := url.Parse(next)
		if err != nil {
			t.Fatalf("%s: bad next %q", gc.name, next)
		}
		raw, body = do(http.MethodGet, u.RequestURI())
		pages = append(pages, raw)
	}
	if gc.walk == "before" {
		pg, _ := body["paging"].(map[string]any)
		if prev, _ := pg["previous"].(string); prev != "" {
			u, _ := url.Parse(prev)
			raw, _ = do(http.MethodGet, u.RequestURI())
			pages = append(pages, raw)
		}
	}
	return pages
}

// TestInsightsGolden checks every case's page bodies against the recorded
// digests.
func TestInsightsGolden(t *testing.T) {
	want := map[string]string{}
	if !*updateGolden {
		f, err := os.Open(goldenFile)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if fs := strings.Fields(sc.Text()); len(fs) == 4 && !strings.HasPrefix(fs[0], "#") {
				want[fs[0]] = strings.Join(fs[1:], " ")
			}
		}
		f.Close()
	}
	var lines []string
	var nPages, nBytes int
	for _, gcfg := range goldenConfigs {
		cfg := gcfg.cfg
		cfg.Now = func() time.Time { return testNow }
		s := New(cfg)
		for _, gc := range goldenCases() {
			name := gcfg.name + "/" + gc.name
			pages := goldenRun(t, s, gc)
			h := sha256.New()
			size := 0
			for _, p := range pages {
				h.Write(p)
				h.Write([]byte{0})
				size += len(p)
			}
			nPages += len(pages)
			nBytes += size
			got := fmt.Sprintf("%d %d %s", len(pages), size, hex.EncodeToString(h.Sum(nil)))
			lines = append(lines, name+" "+got)
			if *goldenDump != "" {
				dir := filepath.Join(*goldenDump, name)
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				for i, p := range pages {
					_ = os.WriteFile(filepath.Join(dir, fmt.Sprintf("%03d.json", i)), p, 0o644)
				}
			}
			if !*updateGolden && want[name] != got {
				t.Errorf("%s: pages/bytes/sha256 %s, recorded %q; first page: %.300s", name, got, want[name], pages[0])
			}
		}
	}
	t.Logf("%d cases, %d pages, %d bytes compared", len(lines), nPages, nBytes)
	if *updateGolden {
		head := "# pages bytes sha256 of each insights golden case (insights_golden_test.go); regenerate with -update-golden\n"
		if err := os.WriteFile(goldenFile, []byte(head+strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
