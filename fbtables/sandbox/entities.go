package sandbox

import (
	"slices"
	"strings"
	"time"
)

// graphTime is the API's datetime format: local time with a numeric offset.
func graphTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02T15:04:05-0700")
}

var effectiveStatuses = [][]string{
	levelCampaign: {"ACTIVE", "PAUSED", "DELETED", "PENDING_REVIEW", "DISAPPROVED", "PREAPPROVED", "PENDING_BILLING_INFO",
		"CAMPAIGN_PAUSED", "ARCHIVED", "ADSET_PAUSED", "IN_PROCESS", "WITH_ISSUES"},
	levelAdset: {"ACTIVE", "PAUSED", "DELETED", "CAMPAIGN_PAUSED", "ARCHIVED", "IN_PROCESS", "WITH_ISSUES"},
	levelAd: {"ACTIVE", "PAUSED", "DELETED", "PENDING_REVIEW", "DISAPPROVED", "PREAPPROVED", "PENDING_BILLING_INFO",
		"CAMPAIGN_PAUSED", "ARCHIVED", "ADSET_PAUSED", "IN_PROCESS", "WITH_ISSUES"},
}

var validFields = []map[string]bool{levelAccount: validAccountFields, levelCampaign: validCampaignFields,
	levelAdset: validAdSetFields, levelAd: validAdFields}

// entityFields parses fields= for a node type: default only id; field
// expansions (creative{id,name}) are reduced to their base name.
func entityFields(p params, l level) ([]string, *apiError) {
	raw, err := p.list("fields")
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 {
		return []string{"id"}, nil
	}
	var out []string
	for _, f := range raw {
		if i := strings.IndexAny(f, "{."); i >= 0 {
			f = f[:i]
		}
		if !validFields[l][f] {
			return nil, errParam("Tried accessing nonexisting field (%s) on node type (%s)", f, nodeTypes[l])
		}
		out = append(out, f)
	}
	return dedupe(out), nil
}

// renderEntity renders one node with the requested fields; valid fields the
// sandbox has no value for are omitted, as the API omits empty fields.
func (s *Server) renderEntity(node any, fields []string) obj {
	o := make(obj, 0, len(fields))
	for _, f := range fields {
		var v any
		switch n := node.(type) {
		case *account:
			v = s.accountField(n, f)
		case *campaign:
			v = campaignField(n, f)
		case *adset:
			v = adsetField(n, f)
		case *ad:
			v = adField(n, f)
		case fielder:
			v = n.field(f)
		}
		if v != nil {
			o = append(o, kv{f, v})
		}
	}
	return o
}

func (s *Server) accountField(a *account, f string) any {
	switch f {
	case "id":
		return "act_" + a.id
	case "account_id":
		return a.id
	case "name":
		return a.name
	case "currency":
		return a.currency
	case "timezone_name":
		return a.tzName
	case "timezone_id":
		return map[string]int{"America/Los_Angeles": 1, "Europe/Berlin": 67}[a.tzName]
	case "timezone_offset_hours_utc":
		_, off := dayTime(s.today()).In(a.loc).Zone()
		return float64(off) / 3600
	case "account_status":
		return 1
	case "disable_reason":
		return 0
	case "amount_spent":
		return itoa(s.lifetimeSpend(a))
	case "balance", "spend_cap":
		return "0"
	case "min_daily_budget":
		return 100
	case "created_time":
		return graphTime(a.created, a.loc)
	case "business_name":
		return a.business
	case "business_country_code":
		return a.country
	case "is_personal":
		return 0
	case "is_prepay_account":
		return false
	case "age":
		return float64(s.now().Sub(a.created).Hours()) / 24
	case "capabilities":
		return []string{}
	case "owner":
		return "100000000000042"
	}
	return accountMore(a, f)
}

// lifetimeSpend is amount_spent: everything the account spent in the data
// window, in minor units, as the API reports it.
func (s *Server) lifetimeSpend(a *account) int64 {
	today := s.today()
	return s.Truth(a.id, dayString(monthsBack(today, 37)), dayString(today)).SpendCents
}

func campaignField(c *campaign, f string) any {
	loc := c.acct.loc
	switch f {
	case "account_id":
		return c.acct.id
	case "objective":
		return c.objective
	case "buying_type":
		return "AUCTION"
	case "bid_strategy":
		if c.dailyBudget > 0 {
			return c.bidStrategy
		}
		return nil
	case "daily_budget":
		return budget(c.dailyBudget)
	case "lifetime_budget":
		return "0"
	case "budget_remaining":
		return budget(c.dailyBudget / 3)
	case "spend_cap":
		return nil
	case "special_ad_categories":
		return append([]string{}, c.specialCategories...)
	case "special_ad_category":
		if len(c.specialCategories) > 0 {
			return c.specialCategories[0]
		}
		return "NONE"
	case "stop_time":
		if c.stop.IsZero() {
			return nil
		}
		return graphTime(c.stop, loc)
	case "pacing_type":
		return []string{"standard"}
	case "can_use_spend_cap":
		return true
	case "source_campaign_id", "topline_id":
		return "0"
	case "smart_promotion_type":
		return "GUIDED_CREATION"
	case "is_skadnetwork_attribution", "budget_rebalance_flag":
		return false
	}
	if v := commonField(&c.entity, f); v != nil {
		return v
	}
	return campaignMore(c, f)
}

func adsetField(as *adset, f string) any {
	loc := as.acct.loc
	switch f {
	case "account_id":
		return as.acct.id
	case "campaign_id":
		return as.camp.id
	case "campaign":
		return obj{{"id", as.camp.id}}
	case "optimization_goal":
		return as.optGoal
	case "billing_event":
		return as.billing
	case "bid_strategy":
		return as.bidStrat
	case "bid_amount":
		if as.bidAmount == 0 {
			return nil
		}
		return as.bidAmount
	case "daily_budget":
		return budget(as.dailyBudget)
	case "lifetime_budget":
		return "0"
	case "budget_remaining":
		return budget(as.dailyBudget / 2)
	case "targeting":
		return targeting(as)
	case "promoted_object":
		return promotedObject(as)
	case "destination_type":
		return "WEBSITE"
	case "end_time":
		if as.end.IsZero() {
			return nil
		}
		return graphTime(as.end, loc)
	case "pacing_type":
		return []string{"standard"}
	case "attribution_spec":
		return []obj{{{"event_type", "CLICK_THROUGH"}, {"window_days", 7}}, {{"event_type", "VIEW_THROUGH"}, {"window_days", 1}}}
	case "lifetime_imps":
		return 0
	case "is_dynamic_creative":
		return false
	case "special_ad_categories":
		return append([]string{}, as.camp.specialCategories...)
	case "source_adset_id":
		return "0"
	}
	if v := commonField(&as.entity, f); v != nil {
		return v
	}
	return adsetMore(as, f)
}

func adField(d *ad, f string) any {
	switch f {
	case "account_id":
		return d.acct.id
	case "campaign_id":
		return d.camp.id
	case "adset_id":
		return d.set.id
	case "campaign":
		return obj{{"id", d.camp.id}}
	case "adset":
		return obj{{"id", d.set.id}}
	case "creative":
		return obj{{"id", d.creativeID}}
	case "bid_amount":
		if d.set.bidAmount == 0 {
			return nil
		}
		return d.set.bidAmount
	case "targeting":
		return targeting(d.set)
	case "conversion_domain":
		return "acme-outdoor.example"
	case "source_ad_id":
		return "0"
	case "special_ad_categories":
		return append([]string{}, d.camp.specialCategories...)
	case "preview_shareable_link":
		return "https://fb.me/sandbox-" + d.id
	}
	if v := commonField(&d.entity, f); v != nil {
		return v
	}
	return adMore(d, f)
}

// commonField serves the fields every campaign, ad set and ad has.
func commonField(e *entity, f string) any {
	loc := e.acct.loc
	switch f {
	case "id":
		return e.id
	case "name":
		return e.name
	case "status", "configured_status":
		return e.status
	case "effective_status":
		return e.effective
	case "created_time":
		return graphTime(e.created, loc)
	case "updated_time":
		return graphTime(e.updated, loc)
	case "start_time":
		return graphTime(e.start, loc)
	}
	return nil
}

// budget renders a budget in minor units as the API does ("5000"); a zero
// budget is absent (the budget lives on the other level).
func budget(v int64) any {
	if v == 0 {
		return nil
	}
	return itoa(v)
}

func targeting(as *adset) obj {
	t := obj{{"age_min", as.ageMin}, {"age_max", as.ageMax},
		{"geo_locations", obj{{"countries", as.countries}, {"location_types", []string{"home", "recent"}}}},
		{"publisher_platforms", as.platforms}}
	if slices.Contains(as.platforms, "facebook") {
		t = append(t, kv{"facebook_positions", []string{"feed", "story", "facebook_reels", "right_hand_column", "instream_video", "marketplace", "video_feeds", "search"}})
	}
	if slices.Contains(as.platforms, "instagram") {
		t = append(t, kv{"instagram_positions", []string{"stream", "story", "reels", "explore"}})
	}
	t = append(t, kv{"device_platforms", []string{"mobile", "desktop"}},
		kv{"targeting_automation", obj{{"advantage_audience", 1}}})
	return t
}

func promotedObject(as *adset) any {
	switch as.camp.objective {
	case "OUTCOME_SALES":
		return obj{{"pixel_id", "1234567890123456"}, {"custom_event_type", "PURCHASE"}}
	case "OUTCOME_LEADS":
		return obj{{"page_id", "104000000000001"}}
	}
	return nil
}
