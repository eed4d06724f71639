package fbtables

import (
	"fmt"
	"sort"
	"strings"
)

// breakdownNames is the API's Breakdowns enum (reference §2.3).
var breakdownNames = strings.Fields(`ad_extension_domain ad_extension_url ad_format_asset age app_id
body_asset breakdown_ad_objective breakdown_reporting_ad_id call_to_action_asset coarse_conversion_value
comscore_market conversion_destination country creative_automation_asset_id creative_relaxation_asset_type
crm_advertiser_l12_territory_ids crm_advertiser_subvertical_id crm_advertiser_vertical_id crm_ult_advertiser_id
description_asset device_platform dma existing_post_id fidelity_type flexible_format_asset_type frequency_value
gen_ai_asset_type gender hourly_stats_aggregated_by_advertiser_time_zone
hourly_stats_aggregated_by_audience_time_zone hsid image_asset impression_device
impression_view_time_advertiser_hour_v2 instagram_ads_follow_type instagram_ads_instagram_media_product_type
instagram_ads_time_since_creation_bucket internal_campaign_id is_auto_advance is_conversion_id_modeled
is_rendered_as_delayed_skip_ad landing_destination link_url_asset marketing_messages_btn_name
mdsa_landing_destination media_asset_url media_creator media_destination_url media_format media_origin_url
media_text_content media_type mmm overlap_segment pa_creator_ig_handle place_page_id platform_position
postback_sequence_index product_brand_breakdown product_category_breakdown product_custom_label_0_breakdown
product_custom_label_1_breakdown product_custom_label_2_breakdown product_custom_label_3_breakdown
product_custom_label_4_breakdown product_group_content_id_breakdown product_id publisher_platform redownload
reels_trending_topic region rta_ugc_topic rule_set_id rule_set_name signal_source_bucket skan_campaign_id
skan_conversion_id skan_version sot_attribution_model_type sot_attribution_window sot_channel sot_event_type
sot_source standard_event_content_type title_asset user_persona_id user_persona_name video_asset zip`)

var breakdownSet = func() map[string]bool {
	m := map[string]bool{}
	for _, b := range breakdownNames {
		m[b] = true
	}
	return m
}()

// IsBreakdown reports whether name is a value of the API's breakdowns enum.
func IsBreakdown(name string) bool { return breakdownSet[name] }

// breakdownCombinations are the multi-breakdown sets the API accepts
// (reference §2.5 "Combining breakdowns", the breakdowns half of each
// permutation). publisher_platform with device_platform is not in Meta's
// table but Airbyte's delivery_platform_and_device_platform report requests
// it in production, so it is accepted.
var breakdownCombinations = [][]string{
	{"age", "gender"},
	{"publisher_platform", "impression_device"},
	{"publisher_platform", "platform_position"},
	{"publisher_platform", "platform_position", "impression_device"},
	{"publisher_platform", "device_platform"},
	{"app_id", "skan_conversion_id"},
}

// notAlone are breakdowns the API rejects when requested by themselves.
var notAlone = map[string]string{
	"impression_device": "publisher_platform",
	"platform_position": "publisher_platform",
}

// ValidateBreakdowns checks a set of breakdowns against the allowed
// combinations and returns an error naming the valid ones.
func ValidateBreakdowns(bds []string) error {
	for _, b := range bds {
		if !IsBreakdown(b) {
			return fmt.Errorf("unknown breakdown %q; valid breakdowns include %s", b, strings.Join(closestOr(b, breakdownNames), ", "))
		}
	}
	switch len(bds) {
	case 0:
		return nil
	case 1:
		if with, bad := notAlone[bds[0]]; bad {
			return fmt.Errorf("breakdown %s cannot be used by itself; combine it with %s (e.g. %[2]s, %[1]s)", bds[0], with)
		}
		return nil
	}
	key := comboKey(bds)
	for _, c := range breakdownCombinations {
		if comboKey(c) == key {
			return nil
		}
	}
	return fmt.Errorf("breakdowns (%s) cannot be combined; valid combinations are %s, or any single breakdown",
		strings.Join(sorted(bds), ", "), ValidCombinations())
}

// ValidCombinations lists the allowed multi-breakdown sets for messages and docs.
func ValidCombinations() string {
	var parts []string
	for _, c := range breakdownCombinations {
		parts = append(parts, "("+strings.Join(c, ", ")+")")
	}
	return strings.Join(parts, ", ")
}

func comboKey(bds []string) string { return strings.Join(sorted(bds), ",") }

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func closestOr(name string, all []string) []string {
	if c := closest(name, all, 3); len(c) > 0 {
		return c
	}
	return []string{"age", "gender", "country", "region", "publisher_platform", "platform_position", "device_platform"}
}

// fieldRule is a set of fields the API refuses alongside a breakdown
// (reference §2.4). A pattern ending in * matches a prefix.
type fieldRule struct {
	breakdowns []string // any of these; empty means any breakdown at all
	fields     []string
	why        string
}

var hourly = []string{"hourly_stats_aggregated_by_advertiser_time_zone", "hourly_stats_aggregated_by_audience_time_zone"}

var fieldRules = []fieldRule{
	{hourly, []string{"reach", "frequency", "cpp", "unique_*", "cost_per_unique_*", "video_*"},
		"hourly breakdowns return no reach, frequency, unique or video metrics"},
	{nil, []string{"app_store_clicks", "newsfeed_avg_position", "newsfeed_clicks", "relevance_score", "newsfeed_impressions"},
		"the API serves it only without breakdowns"},
	{[]string{"region"}, []string{"video_avg_time_watched_actions", "video_p25_watched_actions", "video_p50_watched_actions",
		"video_p75_watched_actions", "video_p95_watched_actions", "video_p100_watched_actions"}, "the region breakdown does not support it"},
	{[]string{"dma"}, []string{"estimated_ad_recall_rate", "video_thruplay_watched_actions"}, "the dma breakdown does not support it"},
}

// ValidateFields checks requested fields against the breakdowns, naming
// the field, the breakdown and why they cannot go together.
func ValidateFields(fields, breakdowns []string) error {
	if len(breakdowns) == 0 {
		return nil
	}
	for _, r := range fieldRules {
		bd := ""
		for _, b := range breakdowns {
			if len(r.breakdowns) == 0 || contains(r.breakdowns, b) {
				bd = b
				break
			}
		}
		if bd == "" {
			continue
		}
		for _, f := range fields {
			for _, pat := range r.fields {
				if f == pat || (strings.HasSuffix(pat, "*") && strings.HasPrefix(f, strings.TrimSuffix(pat, "*"))) {
					return fmt.Errorf("%s cannot be requested with the %s breakdown: %s; query it in a separate statement without that breakdown", f, bd, r.why)
				}
			}
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
