package sandbox

import (
	"slices"
	"strings"
)

// rowValue returns a numeric field of an aggregated row, as used by metric
// filters and sort; ok is false for names that are not numeric fields.
// Money is in currency units, like the rendered strings.
func rowValue(a *acc, name string) (float64, bool) {
	m := &a.m
	div := func(x, y float64) float64 {
		if y == 0 {
			return 0
		}
		return x / y
	}
	spend := float64(m[mSpend]) / 100
	reach := float64(a.unique(0))
	switch name {
	case "impressions":
		return float64(m[mImpressions]), true
	case "clicks":
		return float64(m[mClicks]), true
	case "spend":
		return spend, true
	case "reach":
		return reach, true
	case "frequency":
		return div(float64(m[mImpressions]), reach), true
	case "ctr":
		return div(float64(m[mClicks])*100, float64(m[mImpressions])), true
	case "cpc":
		return div(spend, float64(m[mClicks])), true
	case "cpm":
		return div(spend*1000, float64(m[mImpressions])), true
	case "cpp":
		return div(spend*1000, reach), true
	case "unique_clicks":
		return float64(a.unique(1)), true
	case "inline_link_clicks":
		return float64(m[mInlineLinkClicks]), true
	case "unique_inline_link_clicks":
		return float64(a.unique(2)), true
	case "inline_post_engagement":
		return float64(m[mPostEngagement]), true
	}
	if t, ok := strings.CutPrefix(name, "actions:"); ok {
		for _, at := range actionTypes {
			if at.name == t {
				return float64(m[at.metric]), true
			}
		}
	}
	return 0, false
}

// render turns a row into its JSON object: requested fields in request order
// (fields the sandbox does not compute are omitted, as the API omits fields
// without data), then account_id and the level's id if not requested, then
// date_start/date_stop (the row's slice), then the breakdown values.
func (q *insightsQuery) render(r rowRec) obj {
	sl := q.slices[r.rng][r.slice]
	var camp *campaign
	var set *adset
	var d *ad
	switch q.level {
	case levelCampaign:
		camp = q.acct.campaigns[r.ent]
	case levelAdset:
		set = q.acct.adsets[r.ent]
		camp = set.camp
	case levelAd:
		d = q.acct.ads[r.ent]
		set, camp = d.set, d.camp
	}
	a := &r.a
	m := &a.m
	noReach := q.noReach[r.rng]
	rc := q.rowContext(r, sl, camp, set, d)
	o := make(obj, 0, len(q.fields)+8)
	put := func(k string, v any) { o = append(o, kv{k, v}) }
	rate := func(k string, x, y int64, scale float64) {
		if y > 0 {
			put(k, ratio(float64(x)*scale, float64(y)))
		}
	}
	for _, f := range q.fields {
		switch f {
		case "account_id":
			put(f, q.acct.id)
		case "account_name":
			put(f, q.acct.name)
		case "account_currency":
			put(f, q.acct.currency)
		case "campaign_id", "campaign_name", "objective", "buying_type":
			if camp != nil {
				put(f, campaignAttr(camp, f))
			}
		case "adset_id", "adset_name", "optimization_goal":
			if set != nil {
				put(f, adsetAttr(set, f))
			}
		case "ad_id":
			if d != nil {
				put(f, d.id)
			}
		case "ad_name":
			if d != nil {
				put(f, d.name)
			}
		case "impressions":
			put(f, itoa(m[mImpressions]))
		case "clicks":
			put(f, itoa(m[mClicks]))
		case "inline_link_clicks":
			put(f, itoa(m[mInlineLinkClicks]))
		case "inline_post_engagement":
			put(f, itoa(m[mPostEngagement]))
		case "spend":
			put(f, money(m[mSpend]))
		case "unique_clicks":
			put(f, itoa(a.unique(1)))
		case "unique_inline_link_clicks":
			put(f, itoa(a.unique(2)))
		case "ctr":
			rate(f, m[mClicks], m[mImpressions], 100)
		case "inline_link_click_ctr":
			rate(f, m[mInlineLinkClicks], m[mImpressions], 100)
		case "cpc":
			rate(f, m[mSpend], m[mClicks], 0.01)
		case "cost_per_inline_link_click":
			rate(f, m[mSpend], m[mInlineLinkClicks], 0.01)
		case "cost_per_unique_click":
			rate(f, m[mSpend], a.unique(1), 0.01)
		case "cpm":
			rate(f, m[mSpend], m[mImpressions], 10)
		case "reach", "frequency", "cpp", "unique_ctr":
			if noReach {
				continue // §2.4: sync breakdowns older than 13 months omit reach
			}
			reach := a.unique(0)
			switch f {
			case "reach":
				put(f, itoa(reach))
			case "frequency":
				rate(f, m[mImpressions], reach, 1)
			case "cpp":
				rate(f, m[mSpend], reach, 10)
			case "unique_ctr":
				rate(f, a.unique(1), reach, 100)
			}
		default:
			if v := q.renderMore(f, a, rc); v != nil {
				put(f, v)
			}
		}
	}
	if !slices.Contains(q.fields, "account_id") {
		put("account_id", q.acct.id)
	}
	if q.level > levelAccount {
		idField := levelNames[q.level] + "_id"
		if !slices.Contains(q.fields, idField) {
			switch q.level {
			case levelCampaign:
				put(idField, camp.id)
			case levelAdset:
				put(idField, set.id)
			case levelAd:
				put(idField, d.id)
			}
		}
	}
	put("date_start", dayString(sl.since))
	put("date_stop", dayString(sl.until))
	if q.bd != nil {
		for i, name := range q.bd.names {
			put(name, q.bd.values[r.group][i])
		}
	}
	return o
}

// campaignAttr and adsetAttr give the entity attributes insights rows echo.
func campaignAttr(c *campaign, f string) string {
	switch f {
	case "campaign_id":
		return c.id
	case "campaign_name":
		return c.name
	case "objective":
		return c.objective
	}
	return "AUCTION" // buying_type
}

func adsetAttr(s *adset, f string) string {
	switch f {
	case "adset_id":
		return s.id
	case "adset_name":
		return s.name
	}
	return s.optGoal // optimization_goal
}
