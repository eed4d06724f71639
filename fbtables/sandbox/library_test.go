package sandbox

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fbsql/fbsql/fbtables"
)

// catalogTable returns a catalog table and its API field names.
func catalogTable(t *testing.T, name string) (*fbtables.Table, []string) {
	t.Helper()
	tb, ok := fbtables.DefaultCatalog().Table(name)
	if !ok {
		t.Fatalf("catalog has no table %s", name)
	}
	var fields []string
	for i := range tb.Columns {
		c := &tb.Columns[i]
		if c.Kind == fbtables.KindBreakdown || c.Kind == fbtables.KindOption {
			continue
		}
		fields = append(fields, c.APIField())
	}
	return tb, fields
}

// checkShape fails when a value does not have the JSON shape fbsql loads
// the column type from.
func checkShape(t *testing.T, c *fbtables.Column, v any) {
	t.Helper()
	bad := func() { t.Errorf("%s (%s) = %#v: wrong JSON shape", c.Name, c.Type, v) }
	isNum := func(v any, integral bool) bool {
		switch x := v.(type) {
		case float64:
			return !integral || x == float64(int64(x))
		case string:
			if integral {
				_, err := strconv.ParseInt(x, 10, 64)
				return err == nil
			}
			_, err := strconv.ParseFloat(x, 64)
			return err == nil
		}
		return false
	}
	switch {
	case c.MinorUnits: // budgets are strings, bids and minimums ints, as the SDK types them
		if !isNum(v, true) {
			bad()
		}
	case c.Type == fbtables.ActionStatsType:
		list, ok := v.([]any)
		if !ok || len(list) == 0 {
			bad()
			return
		}
		for _, e := range list {
			m, ok := e.(map[string]any)
			if !ok || m["action_type"] == nil || !isNum(m["value"], false) {
				bad()
			}
			if _, isStr := m["value"].(string); !isStr {
				bad()
			}
		}
	case c.Type == "VARCHAR":
		if _, ok := v.(string); !ok {
			bad()
		}
	case c.Type == "BIGINT":
		if !isNum(v, true) {
			bad()
		}
	case c.Type == "DOUBLE" || strings.HasPrefix(c.Type, "DECIMAL"):
		if !isNum(v, false) {
			bad()
		}
	case c.Type == "BOOLEAN":
		if _, ok := v.(bool); !ok {
			bad()
		}
	case c.Type == "TIMESTAMPTZ":
		if s, ok := v.(string); !ok {
			bad()
		} else if _, err := time.Parse("2006-01-02T15:04:05-0700", s); err != nil {
			bad()
		}
	case c.Type == "DATE":
		if s, ok := v.(string); !ok {
			bad()
		} else if _, err := time.Parse("2006-01-02", s); err != nil {
			bad()
		}
	case c.Type == "JSON":
		switch x := v.(type) {
		case map[string]any, []any:
		case string: // the API sends some JSON as encoded strings (rules, extra_data)
			if !json.Valid([]byte(x)) {
				bad()
			}
		default:
			bad()
		}
	case c.Type == "VARCHAR[]":
		list, ok := v.([]any)
		if !ok {
			bad()
		}
		for _, e := range list {
			if _, ok := e.(string); !ok {
				bad()
			}
		}
	}
}

func TestLibraryEdgesServeEveryCatalogField(t *testing.T) {
	f := newFixture(t, Config{})
	acct := f.srv.account(f.acct)
	for _, tc := range []struct {
		table    string
		min, max int
	}{
		{"adcreatives", len(acct.ads) + 1, len(acct.ads) + 5},
		{"ad_images", 2, 1000},
		{"ad_videos", 2, 1000},
		{"custom_conversions", 3, 6},
		{"custom_audiences", 5, 10},
		{"activities", 50, 5000},
	} {
		t.Run(tc.table, func(t *testing.T) {
			tb, fields := catalogTable(t, tc.table)
			rows := f.getAll(t, "/v25.0/act_"+f.acct+"/"+tb.Edge, url.Values{"fields": {strings.Join(fields, ",")}, "limit": {"100"}})
			if len(rows) < tc.min || len(rows) > tc.max {
				t.Fatalf("%d rows, want %d..%d", len(rows), tc.min, tc.max)
			}
			filled := map[string]bool{}
			for _, r := range rows {
				for i := range tb.Columns {
					c := &tb.Columns[i]
					if v, ok := r[c.APIField()]; ok {
						filled[c.Name] = true
						checkShape(t, c, v)
					}
				}
				for k := range r {
					if _, ok := tb.Column(k); !ok {
						t.Errorf("row has unrequested key %s", k)
					}
				}
			}
			for _, c := range tb.DefaultColumns() {
				if !filled[c.Name] {
					t.Errorf("default column %s is never filled", c.Name)
				}
			}
		})
	}
}

func TestLibraryContents(t *testing.T) {
	f := newFixture(t, Config{})
	act := "/v25.0/act_" + f.acct
	aud := f.getAll(t, act+"/customaudiences", url.Values{"fields": {"name,subtype,lookalike_spec,approximate_count_lower_bound,approximate_count_upper_bound"}})
	lookalikes := 0
	for _, r := range aud {
		if r["subtype"] == "LOOKALIKE" {
			lookalikes++
			if r["lookalike_spec"] == nil {
				t.Errorf("lookalike without lookalike_spec: %v", r)
			}
		}
		if r["approximate_count_lower_bound"].(float64) > r["approximate_count_upper_bound"].(float64) {
			t.Errorf("bounds inverted: %v", r)
		}
	}
	if lookalikes == 0 {
		t.Error("no lookalike audience")
	}
	// Every ad's creative is on the adcreatives edge.
	cr := f.getAll(t, act+"/adcreatives", url.Values{"fields": {"id,image_hash,video_id"}})
	ids := map[string]bool{}
	for _, r := range cr {
		ids[r["id"].(string)] = true
		if (r["image_hash"] == nil) == (r["video_id"] == nil) {
			t.Errorf("creative needs exactly one of image_hash, video_id: %v", r)
		}
	}
	for _, d := range f.srv.account(f.acct).ads {
		if !ids[d.creativeID] {
			t.Errorf("creative %s of ad %s missing", d.creativeID, d.id)
		}
	}
	ev := f.getAll(t, act+"/activities", url.Values{"fields": {"event_type,event_time"}})
	recent, types := 0, map[string]bool{}
	for i, r := range ev {
		types[r["event_type"].(string)] = true
		tm, _ := time.Parse("2006-01-02T15:04:05-0700", r["event_time"].(string))
		if testNow.Sub(tm) < 190*24*time.Hour {
			recent++
		}
		if i > 0 && r["event_time"].(string) > ev[i-1]["event_time"].(string) && tm.After(mustTime(ev[i-1]["event_time"])) {
			t.Fatalf("activities not newest first at %d", i)
		}
	}
	if recent < 30 || !types["create_ad"] || !types["update_campaign_budget"] && !types["update_ad_set_budget"] {
		t.Errorf("activities: %d recent, types %v", recent, types)
	}
	since := strconv.FormatInt(testNow.AddDate(0, -1, 0).Unix(), 10)
	month := f.getAll(t, act+"/activities", url.Values{"fields": {"event_time"}, "since": {since}})
	if len(month) == 0 || len(month) >= len(ev) {
		t.Errorf("since kept %d of %d events", len(month), len(ev))
	}
}

func mustTime(v any) time.Time {
	tm, _ := time.Parse("2006-01-02T15:04:05-0700", v.(string))
	return tm
}

func TestLibraryPagingFilteringErrors(t *testing.T) {
	f := newFixture(t, Config{})
	act := "/v25.0/act_" + f.acct
	all := f.getAll(t, act+"/adcreatives", url.Values{"fields": {"id,name"}})
	paged := f.getAll(t, act+"/adcreatives", url.Values{"fields": {"id,name"}, "limit": {"7"}})
	if len(paged) != len(all) || paged[len(paged)-1]["id"] != all[len(all)-1]["id"] {
		t.Errorf("paging: %d rows vs %d", len(paged), len(all))
	}
	lal := f.getAll(t, act+"/customaudiences", url.Values{"fields": {"name,subtype"},
		"filtering": {`[{"field":"name","operator":"CONTAIN","value":"lookalike"}]`}})
	if len(lal) != 2 {
		t.Errorf("name filter kept %d audiences, want the 2 lookalikes", len(lal))
	}
	for _, r := range lal {
		if r["subtype"] != "LOOKALIKE" {
			t.Errorf("filter kept %v", r)
		}
	}
	id := all[0]["id"].(string)
	one := f.getAll(t, act+"/adcreatives", url.Values{"filtering": {`[{"field":"id","operator":"EQUAL","value":"` + id + `"}]`}})
	if len(one) != 1 || one[0]["id"] != id || len(one[0]) != 1 {
		t.Errorf("id filter: %v", one)
	}
	for edge, node := range map[string]string{"adcreatives": "AdCreative", "adimages": "AdImage", "advideos": "AdVideo",
		"customconversions": "CustomConversion", "customaudiences": "CustomAudience", "activities": "AdActivity"} {
		r := f.get(t, act+"/"+edge, url.Values{"fields": {"bogus_field"}})
		e := apiErr(t, r, 400, 100, 0)
		if want := "(#100) Tried accessing nonexisting field (bogus_field) on node type (" + node + ")"; e["message"] != want {
			t.Errorf("%s: %v, want %s", edge, e["message"], want)
		}
	}
	r := f.get(t, act+"/customaudiences", url.Values{"filtering": {`[{"field":"campaign.name","operator":"CONTAIN","value":"x"}]`}})
	apiErr(t, r, 400, 100, 0)
}

func TestEntityTablesAcceptEveryCatalogField(t *testing.T) {
	f := newFixture(t, Config{})
	for _, table := range []string{"ad_accounts", "campaigns", "adsets", "ads"} {
		t.Run(table, func(t *testing.T) {
			tb, fields := catalogTable(t, table)
			path := "/v25.0/act_" + f.acct + "/" + tb.Edge
			if tb.Edge == "" {
				path = "/v25.0/me/adaccounts"
			}
			rows := f.getAll(t, path, url.Values{"fields": {strings.Join(fields, ",")}, "limit": {"50"}})
			filled := 0
			seen := map[string]bool{}
			for _, r := range rows {
				for i := range tb.Columns {
					c := &tb.Columns[i]
					if v, ok := r[c.APIField()]; ok {
						checkShape(t, c, v)
						if !seen[c.Name] {
							seen[c.Name] = true
							filled++
						}
					}
				}
			}
			if filled*2 < len(fields) {
				t.Errorf("only %d of %d fields ever filled", filled, len(fields))
			}
		})
	}
}
