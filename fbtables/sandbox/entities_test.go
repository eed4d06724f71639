package sandbox

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestAccounts(t *testing.T) {
	f := newFixture(t, Config{})
	rows := f.getAll(t, "/v25.0/me/adaccounts", url.Values{"fields": {"id,account_id,name,currency,timezone_name,account_status,amount_spent"}})
	if len(rows) != 2 {
		t.Fatalf("%d accounts", len(rows))
	}
	var currencies []string
	for i, r := range rows {
		if r["id"] != "act_"+f.srv.AccountIDs()[i] || r["account_id"] != f.srv.AccountIDs()[i] {
			t.Errorf("ids: %v", r)
		}
		if r["account_status"] != float64(1) {
			t.Errorf("account_status = %v", r["account_status"])
		}
		currencies = append(currencies, r["currency"].(string))
	}
	slices.Sort(currencies)
	if strings.Join(currencies, ",") != "EUR,USD" {
		t.Errorf("currencies = %v", currencies)
	}
	node := f.get(t, "/v25.0/act_"+f.acct, url.Values{})
	if len(node.body) != 1 || node.body["id"] != "act_"+f.acct {
		t.Errorf("default fields must be only id: %s", node.raw)
	}
}

func TestEntityEdges(t *testing.T) {
	f := newFixture(t, Config{})
	act := "/v25.0/act_" + f.acct
	acct := f.srv.account(f.acct)
	count := func(l level, keep func(string) bool) int {
		n := 0
		for _, x := range map[level][]*entity{levelCampaign: entitiesOf(acct.campaigns), levelAdset: entitiesOf(acct.adsets), levelAd: entitiesOf(acct.ads)}[l] {
			if keep(x.effective) {
				n++
			}
		}
		return n
	}
	visible := func(s string) bool { return s != "ARCHIVED" && s != "DELETED" }
	for _, tc := range []struct {
		edge string
		l    level
	}{{"campaigns", levelCampaign}, {"adsets", levelAdset}, {"ads", levelAd}} {
		t.Run(tc.edge+" default hides archived and deleted", func(t *testing.T) {
			rows := f.getAll(t, act+"/"+tc.edge, url.Values{"fields": {"id,effective_status"}, "limit": {"7"}})
			if want := count(tc.l, visible); len(rows) != want {
				t.Errorf("%d rows, want %d", len(rows), want)
			}
			for _, r := range rows {
				if !visible(r["effective_status"].(string)) {
					t.Errorf("%v shown by default", r)
				}
			}
		})
		t.Run(tc.edge+" effective_status selects", func(t *testing.T) {
			rows := f.getAll(t, act+"/"+tc.edge, url.Values{"fields": {"id,effective_status"}, "effective_status": {`["ARCHIVED","DELETED"]`}})
			if want := count(tc.l, func(s string) bool { return !visible(s) }); len(rows) != want || want == 0 {
				t.Errorf("%d rows, want %d (> 0)", len(rows), want)
			}
		})
	}
	t.Run("summary total_count only when asked", func(t *testing.T) {
		r := f.get(t, act+"/campaigns", url.Values{"limit": {"2"}})
		if _, ok := r.body["summary"]; ok {
			t.Error("summary without summary=true")
		}
		r = f.get(t, act+"/campaigns", url.Values{"limit": {"2"}, "summary": {"true"}})
		got := r.body["summary"].(map[string]any)["total_count"]
		if got != float64(count(levelCampaign, visible)) {
			t.Errorf("total_count = %v", got)
		}
	})
	t.Run("campaign fields", func(t *testing.T) {
		rows := f.getAll(t, act+"/campaigns", url.Values{"fields": {"id,account_id,name,status,effective_status,objective,daily_budget,special_ad_categories,created_time,start_time"}})
		id := regexp.MustCompile(`^\d{15,18}$`)
		tm := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}$`)
		for _, r := range rows {
			if !id.MatchString(r["id"].(string)) || r["account_id"] != f.acct || r["name"] == "" {
				t.Errorf("bad ids or name: %v", r)
			}
			if !tm.MatchString(r["created_time"].(string)) {
				t.Errorf("created_time %v", r["created_time"])
			}
			if b, ok := r["daily_budget"]; ok && !regexp.MustCompile(`^\d+$`).MatchString(b.(string)) {
				t.Errorf("daily_budget %v not minor units string", b)
			}
			if _, ok := r["special_ad_categories"].([]any); !ok {
				t.Errorf("special_ad_categories %v not a list", r["special_ad_categories"])
			}
		}
	})
	t.Run("ads carry parents, creative and targeting", func(t *testing.T) {
		rows := f.getAll(t, act+"/ads", url.Values{"fields": {"id,campaign_id,adset_id,creative,targeting"}, "limit": {"3"}})
		for _, r := range rows {
			d := f.srv.world.byID[r["id"].(string)].(*ad)
			if r["campaign_id"] != d.camp.id || r["adset_id"] != d.set.id {
				t.Errorf("parents of %v", r)
			}
			if r["creative"].(map[string]any)["id"] == "" {
				t.Errorf("creative %v", r["creative"])
			}
			if _, ok := r["targeting"].(map[string]any)["geo_locations"]; !ok {
				t.Errorf("targeting %v", r["targeting"])
			}
		}
	})
	t.Run("filtering on edges", func(t *testing.T) {
		c := acct.campaigns[0]
		rows := f.getAll(t, act+"/adsets", url.Values{"fields": {"campaign_id"}, "effective_status": {`["ACTIVE","PAUSED","ARCHIVED","DELETED","CAMPAIGN_PAUSED"]`},
			"filtering": {`[{"field":"campaign.id","operator":"EQUAL","value":"` + c.id + `"}]`}})
		if len(rows) != len(c.adsets) {
			t.Errorf("%d adsets, want %d", len(rows), len(c.adsets))
		}
	})
	t.Run("node edges", func(t *testing.T) {
		c := acct.campaigns[0]
		r := f.get(t, "/v25.0/"+c.id, url.Values{"fields": {"name,objective"}})
		if r.body["name"] != c.name {
			t.Errorf("%s", r.raw)
		}
		rows := f.getAll(t, "/v25.0/"+c.id+"/ads", url.Values{"effective_status": {`["ACTIVE","PAUSED","ARCHIVED","DELETED","CAMPAIGN_PAUSED","ADSET_PAUSED"]`}})
		n := 0
		for _, s := range c.adsets {
			n += len(s.ads)
		}
		if len(rows) != n {
			t.Errorf("%d ads, want %d", len(rows), n)
		}
	})
}

func entitiesOf[T interface{ *campaign | *adset | *ad }](xs []T) []*entity {
	var out []*entity
	for _, x := range xs {
		out = append(out, ancestor(any(x), levelOf(any(x))))
	}
	return out
}

func levelOf(x any) level {
	switch x.(type) {
	case *campaign:
		return levelCampaign
	case *adset:
		return levelAdset
	}
	return levelAd
}
