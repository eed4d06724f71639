package sandbox

import (
	"strings"
)

// renderMore renders the insights fields beyond the core ones: everything
// derivable from a row's additive vector and its entities. It returns nil
// for fields the sandbox does not compute, which appendRow omits, as the API
// omits fields without data.
func (q *insightsQuery) renderMore(f string, a *acc, rc *rowCtx) any {
	m := &a.m
	spend := float64(m[mSpend]) / 100
	rate := func(x, y int64, scale float64) any {
		if y <= 0 {
			return nil
		}
		return ratio(float64(x)*scale, float64(y))
	}
	one := func(actionType string, n int64, format valueFormat) any {
		if n == 0 {
			return nil
		}
		return q.statList(rc, []actionCount{{actionType, n}}, format)
	}
	costOf := func(b []byte, n int64) []byte { return appendRatio(b, spend, float64(n)) }
	reach := a.unique(0)
	switch f {
	case "actions":
		return q.statList(rc, counts(m), appendCount)
	case "action_values", "conversion_values":
		if m[mPurchaseValue] == 0 {
			return nil
		}
		return q.statList(rc, purchaseItems(m[mPurchaseValue]), appendMoney)
	case "conversions":
		return q.statList(rc, purchaseItems(m[mPurchase]), appendCount)
	case "cost_per_conversion":
		return q.statList(rc, purchaseItems(m[mPurchase]), costOf)
	case "unique_conversions":
		return q.statList(rc, purchaseItems(uniqueOf(a, mPurchase)), appendCount)
	case "cost_per_unique_conversion":
		return q.statList(rc, purchaseItems(uniqueOf(a, mPurchase)), costOf)
	case "cost_per_action_type":
		return q.statList(rc, counts(m), costOf)
	case "unique_actions", "cost_per_unique_action_type":
		items := counts(m)
		for i, at := range actionTypes {
			items[i].n = uniqueOf(a, at.metric)
		}
		if f == "unique_actions" {
			return q.statList(rc, items, appendCount)
		}
		return q.statList(rc, items, costOf)
	case "purchase_roas", "website_purchase_roas":
		if m[mPurchaseValue] == 0 || m[mSpend] == 0 {
			return nil
		}
		t := "omni_purchase"
		if f == "website_purchase_roas" {
			t = "offsite_conversion.fb_pixel_purchase"
		}
		return []obj{{{"action_type", t}, {"value", ratio(float64(m[mPurchaseValue]), float64(m[mSpend]))}}}
	case "outbound_clicks":
		return one("outbound_click", m[mOutboundClick], appendCount)
	case "unique_outbound_clicks":
		return one("outbound_click", uniqueOf(a, mOutboundClick), appendCount)
	case "cost_per_outbound_click":
		return one("outbound_click", m[mOutboundClick], costOf)
	case "cost_per_unique_outbound_click":
		return one("outbound_click", uniqueOf(a, mOutboundClick), costOf)
	case "outbound_clicks_ctr", "unique_outbound_clicks_ctr":
		n, d := m[mOutboundClick], m[mImpressions]
		if f == "unique_outbound_clicks_ctr" {
			n, d = uniqueOf(a, mOutboundClick), reach
		}
		if n == 0 || d == 0 {
			return nil
		}
		return []obj{{{"action_type", "outbound_click"}, {"value", ratio(float64(n)*100, float64(d))}}}
	case "website_ctr":
		if m[mInlineLinkClicks] == 0 {
			return nil
		}
		return []obj{{{"action_type", "link_click"}, {"value", ratio(float64(m[mInlineLinkClicks])*100, float64(m[mImpressions]))}}}
	case "full_view_impressions":
		return itoa(m[mFullViewImpr])
	case "full_view_reach":
		return itoa(uniqueOf(a, mFullViewImpr))
	case "social_spend":
		return money(m[mSocialSpend])
	case "unique_link_clicks_ctr", "unique_inline_link_click_ctr":
		return rate(a.unique(2), reach, 100)
	case "cost_per_inline_post_engagement":
		return rate(m[mSpend], m[mPostEngagement], 0.01)
	case "cost_per_unique_inline_link_click":
		return rate(m[mSpend], a.unique(2), 0.01)
	case "landing_page_view_per_link_click", "landing_page_view_actions_per_link_click":
		return rate(m[mLandingPageView], m[mInlineLinkClicks], 1)
	case "purchase_per_landing_page_view":
		return rate(m[mPurchase], m[mLandingPageView], 1)
	case "purchases_per_link_click":
		return rate(m[mPurchase], m[mInlineLinkClicks], 1)
	case "landing_page_view_per_purchase_rate":
		return rate(m[mLandingPageView], m[mPurchase], 1)
	case "video_avg_time_watched_actions":
		if m[mVideoPlay] == 0 {
			return nil
		}
		return []obj{{{"action_type", "video_view"}, {"value", itoa(m[mVideoWatchSec] / m[mVideoPlay])}}}
	case "cost_per_thruplay":
		return one("video_view", m[mThruplay], costOf)
	case "cost_per_15_sec_video_view":
		return one("video_view", m[mVideo15s], costOf)
	case "cost_per_2_sec_continuous_video_view":
		return one("video_view", m[mVideo2s], costOf)
	case "cost_per_6_sec_video_view":
		return one("video_view", m[mVideo6s], costOf)
	}
	if k, ok := videoLists[f]; ok {
		return one("video_view", m[k], appendCount)
	}
	return entityAttr(f, q.acct, rc, m[mImpressions])
}

// videoLists are the video_* action lists, each one action_type video_view.
var videoLists = map[string]int{
	"video_play_actions": mVideoPlay, "video_continuous_2_sec_watched_actions": mVideo2s,
	"video_6_sec_watched_actions": mVideo6s, "video_15_sec_watched_actions": mVideo15s,
	"video_30_sec_watched_actions": mVideo30s, "video_p25_watched_actions": mVideoP25,
	"video_p50_watched_actions": mVideoP50, "video_p75_watched_actions": mVideoP75,
	"video_p95_watched_actions": mVideoP95, "video_p100_watched_actions": mVideoP100,
	"video_thruplay_watched_actions": mThruplay, "video_time_watched_actions": mVideoWatchSec,
	"unique_video_continuous_2_sec_watched_actions": mVideo2s, "unique_video_view_15_sec": mVideo15s,
}

// purchaseItems are the purchase action types carrying n.
func purchaseItems(n int64) []actionCount {
	out := make([]actionCount, len(valueTypes))
	for i, t := range valueTypes {
		out[i] = actionCount{t, n}
	}
	return out
}

// uniqueOf estimates the people behind a count: the row's unique-click
// ratio applied to it (people act more than once), never above reach.
func uniqueOf(a *acc, metric int) int64 {
	n := a.m[metric]
	if n == 0 {
		return 0
	}
	num, den := a.unique(1), a.m[mClicks]
	if metric == mInlineLinkClicks || metric == mOutboundClick || metric == mLandingPageView {
		num, den = a.unique(2), a.m[mInlineLinkClicks]
	}
	if den > 0 {
		n = max(1, n*num/den)
	}
	return min(n, a.unique(0))
}

// rankings are the ad relevance diagnostics' values, best first.
var rankings = []string{"ABOVE_AVERAGE", "AVERAGE", "AVERAGE", "BELOW_AVERAGE_35", "BELOW_AVERAGE_20", "BELOW_AVERAGE_10"}

// entityAttr serves the attributes an insights row echoes from its entities;
// each needs the level that has them (rankings: ad level only).
func entityAttr(f string, acct *account, rc *rowCtx, impressions int64) any {
	camp, set, d := rc.camp, rc.set, rc.d
	switch f {
	case "quality_ranking", "engagement_rate_ranking", "conversion_rate_ranking":
		if d == nil {
			return nil
		}
		if impressions < 500 {
			return "UNKNOWN" // the API ranks only ads with 500+ impressions
		}
		return rankings[hash2(d.h, strHash(f))%uint64(len(rankings))]
	case "attribution_setting":
		if set != nil {
			return "7d_click_1d_view"
		}
	case "adset_start":
		if set != nil {
			return graphTime(set.start, acct.loc)
		}
	case "adset_end":
		if set != nil && !set.end.IsZero() {
			return graphTime(set.end, acct.loc)
		}
	case "age_targeting":
		if set != nil {
			return itoa(int64(set.ageMin)) + "-" + itoa(int64(set.ageMax))
		}
	case "gender_targeting":
		if set != nil {
			return "All"
		}
	case "location":
		if set != nil {
			return strings.Join(set.countries, ", ")
		}
	case "creative_media_type":
		if d != nil {
			return creativeMediaType(d)
		}
	case "created_time", "updated_time":
		e := entityOfRow(rc)
		if e == nil {
			return acct.created.In(acct.loc).Format("2006-01-02")
		}
		t := e.created
		if f == "updated_time" {
			t = e.updated
		}
		return t.In(acct.loc).Format("2006-01-02")
	case "objective", "buying_type":
		if camp != nil {
			return campaignAttr(camp, f)
		}
	}
	return nil
}

func entityOfRow(rc *rowCtx) *entity {
	switch {
	case rc.d != nil:
		return &rc.d.entity
	case rc.set != nil:
		return &rc.set.entity
	case rc.camp != nil:
		return &rc.camp.entity
	}
	return nil
}

// creativeMediaType is the media type of an ad's creative.
func creativeMediaType(d *ad) string {
	switch {
	case strings.HasPrefix(d.name, "Video"), strings.HasPrefix(d.name, "Reel"):
		return "VIDEO"
	case strings.HasPrefix(d.name, "Carousel"):
		return "CAROUSEL"
	case strings.HasPrefix(d.name, "Collection"):
		return "COLLECTION"
	}
	return "IMAGE"
}
