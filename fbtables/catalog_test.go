package fbtables

import (
	"strings"
	"testing"
)

func TestCatalogValid(t *testing.T) {
	if _, err := NewCatalog(AllTables()...); err != nil {
		t.Fatal(err)
	}
	// Each table also stands alone.
	for _, tb := range AllTables() {
		if _, err := NewCatalog(tb); err != nil {
			t.Errorf("%s: %v", tb.Name, err)
		}
	}
}

func TestCatalogRejectsBadDefinitions(t *testing.T) {
	bad := &Table{Name: "x", Columns: []Column{{Name: "a"}, {Name: "a", Type: "VARCHAR", Kind: KindID, Additive: true}}}
	_, err := NewCatalog(bad)
	if err == nil {
		t.Fatal("want error")
	}
	for _, want := range []string{"x.a declared twice", "x.a has no type", "additive but not a metric", "no default columns", "x.a has no doc"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestValidateBreakdowns(t *testing.T) {
	cases := []struct {
		name string
		bds  []string
		err  string
	}{
		{"none", nil, ""},
		{"single", []string{"country"}, ""},
		{"age gender either order", []string{"gender", "age"}, ""},
		{"platform triple", []string{"impression_device", "publisher_platform", "platform_position"}, ""},
		{"impression_device alone", []string{"impression_device"}, "cannot be used by itself"},
		{"age country", []string{"age", "country"}, "cannot be combined; valid combinations are (age, gender)"},
		{"unknown", []string{"countryy"}, `unknown breakdown "countryy"; valid breakdowns include country`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := ValidateBreakdowns(c.bds)
			if c.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("got %v, want %q", err, c.err)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	got := Insights().Suggest("spendd")
	if len(got) == 0 || got[0] != "spend" {
		t.Fatalf("Suggest(spendd) = %v", got)
	}
}

// The field lists below are copied from the reference
// (/work/shared/reference/marketing-api.md): §2.1 for insights (Python SDK
// v25.0, 219 fields) and the "read" rows of §4.2–4.6 for the entities.
// They are data: when Meta adds a field, add it here and to the catalog.

// insightsFieldsNode26 are the fields Node SDK v26.0 adds to the list (§2.1).
var insightsFieldsNode26 = strings.Fields(`creative_fatigue_summary creative_fatigued_ads instagram_profile_follow
playable_average_game_length playable_game_start_rate`)

var insightsFieldsPY = strings.Fields(`account_currency account_id account_name action_values actions ad_click_actions ad_id
ad_impression_actions ad_name adset_end adset_id adset_name adset_start advanced_actions_28d_view
advanced_reach_1d_lookback advanced_reach_28d_lookback advanced_reach_7d_lookback age_targeting
anchor_event_attribution_setting anchor_events_performance_indicator attribution_setting auction_bid
auction_competitiveness auction_max_competitor_bid average_purchases_conversion_value buying_type
campaign_id campaign_name canvas_avg_view_percent canvas_avg_view_time catalog_segment_actions
catalog_segment_value catalog_segment_value_mobile_purchase_roas
catalog_segment_value_omni_purchase_roas catalog_segment_value_website_purchase_roas clicks
configurable_attribution_action configurable_attribution_actionvalue
configurable_audience_overlap_reach configurable_reachbyfrequency_action
configurable_reachbyfrequency_converters_count configurable_reachbyfrequency_impressions_cost
configurable_reachbyfrequency_impressions_count configurable_reachbyfrequency_reach
conversion_lead_rate conversion_leads conversion_rate_ranking conversion_values conversions
converted_product_app_custom_event_fb_mobile_purchase
converted_product_app_custom_event_fb_mobile_purchase_value converted_product_offline_purchase
converted_product_offline_purchase_value converted_product_omni_purchase
converted_product_omni_purchase_values converted_product_quantity converted_product_value
converted_product_website_pixel_purchase converted_product_website_pixel_purchase_value
converted_promoted_product_app_custom_event_fb_mobile_purchase
converted_promoted_product_app_custom_event_fb_mobile_purchase_value
converted_promoted_product_offline_purchase converted_promoted_product_offline_purchase_value
converted_promoted_product_omni_purchase converted_promoted_product_omni_purchase_values
converted_promoted_product_quantity converted_promoted_product_value
converted_promoted_product_website_pixel_purchase
converted_promoted_product_website_pixel_purchase_value cost_per_15_sec_video_view
cost_per_2_sec_continuous_video_view cost_per_6_sec_video_view cost_per_action_type
cost_per_ad_click cost_per_conversion cost_per_conversion_lead cost_per_dda_countby_convs
cost_per_estimated_ad_recallers cost_per_inline_link_click cost_per_inline_post_engagement
cost_per_message_delivered cost_per_objective_result cost_per_one_thousand_ad_impression
cost_per_outbound_click cost_per_result cost_per_thruplay cost_per_unique_action_type
cost_per_unique_click cost_per_unique_conversion cost_per_unique_inline_link_click
cost_per_unique_outbound_click cpc cpm cpp created_time creative_diversity_data
creative_diversity_label creative_diversity_score creative_media_type ctr date_start date_stop
dda_countby_convs dda_results engagement_rate_ranking estimated_ad_recall_rate
estimated_ad_recall_rate_lower_bound estimated_ad_recall_rate_upper_bound estimated_ad_recallers
estimated_ad_recallers_lower_bound estimated_ad_recallers_upper_bound frequency
full_view_impressions full_view_reach gender_targeting impressions inline_link_click_ctr
inline_link_clicks inline_post_engagement instagram_profile_visits
instagram_upcoming_event_reminders_set instant_experience_clicks_to_open
instant_experience_clicks_to_start instant_experience_outbound_clicks interactive_component_tap
labels landing_page_view_actions_per_link_click landing_page_view_per_link_click
landing_page_view_per_purchase_rate link_clicks_per_results location
marketing_messages_click_rate_benchmark marketing_messages_cost_per_delivered
marketing_messages_cost_per_link_btn_click marketing_messages_delivered
marketing_messages_delivery_rate marketing_messages_link_btn_click
marketing_messages_link_btn_click_rate marketing_messages_media_view_rate
marketing_messages_phone_call_btn_click_rate marketing_messages_quick_reply_btn_click
marketing_messages_quick_reply_btn_click_rate marketing_messages_read marketing_messages_read_rate
marketing_messages_read_rate_benchmark marketing_messages_sent marketing_messages_spend
marketing_messages_spend_currency marketing_messages_website_add_to_cart
marketing_messages_website_initiate_checkout marketing_messages_website_purchase
marketing_messages_website_purchase_values messages_delivered messages_delivered_ctr
mobile_app_purchase_roas multi_event_conversion_attribution_setting objective objective_result_rate
objective_results onsite_conversion_messaging_detected_purchase_deduped opportunity_score_l4
optimization_goal outbound_clicks outbound_clicks_ctr place_page_name product_group_retailer_id
product_retailer_id product_views purchase_per_landing_page_view purchase_roas
purchases_per_link_click qualifying_question_qualify_answer_rate quality_ranking reach read_rate
result_rate result_values_performance_indicator results shop_clicks shops_assisted_purchases
social_spend spend total_card_view total_postbacks total_postbacks_detailed
total_postbacks_detailed_v4 unique_actions unique_clicks unique_conversions unique_ctr
unique_inline_link_click_ctr unique_inline_link_clicks unique_link_clicks_ctr unique_outbound_clicks
unique_outbound_clicks_ctr unique_video_continuous_2_sec_watched_actions unique_video_view_15_sec
updated_time video_15_sec_watched_actions video_30_sec_watched_actions video_6_sec_watched_actions
video_avg_time_watched_actions video_continuous_2_sec_watched_actions video_p100_watched_actions
video_p25_watched_actions video_p50_watched_actions video_p75_watched_actions
video_p95_watched_actions video_play_actions video_play_curve_actions
video_play_retention_0_to_15s_actions video_play_retention_20_to_60s_actions
video_play_retention_graph_actions video_thruplay_watched_actions video_time_watched_actions
video_view_per_impression website_ctr website_purchase_roas wish_bid`)

var campaignReadFields = strings.Fields(`account_id adlabels advantage_state_info bid_strategy boosted_object_id brand_lift_studies
budget_rebalance_flag budget_remaining buying_type campaign_group_active_time
can_create_brand_lift_study can_use_spend_cap configured_status created_time daily_budget
effective_status frequency_control_specs has_secondary_skadnetwork_reporting id
is_adset_budget_sharing_enabled is_budget_schedule_enabled is_direct_send_campaign
is_message_campaign is_meta_moment_maker_enabled is_reels_trending_ads_enabled
is_skadnetwork_attribution issues_info last_budget_toggling_time lifetime_budget name objective
pacing_type primary_attribution promoted_object recommendations smart_promotion_type source_campaign
source_campaign_id source_recommendation_type special_ad_categories special_ad_category
special_ad_category_country spend_cap start_time status stop_time topline_id updated_time`)

var adsetReadFields = strings.Fields(`account_id adlabels adset_schedule asset_feed_id attribution_count_type attribution_spec
automatic_manual_state bid_adjustments bid_amount bid_constraints bid_info bid_strategy
billing_event brand_safety_config budget_remaining campaign campaign_active_time
campaign_attribution campaign_id configured_status cost_bidding_mode created_time
creative_diversity_label creative_diversity_score creative_sequence
creative_sequence_repetition_pattern daily_budget daily_min_spend_target daily_spend_cap
destination_type dsa_beneficiary dsa_payor effective_status end_time
existing_customer_budget_percentage frequency_control_specs full_funnel_exploration_mode id
instagram_user_id is_ba_skip_delayed_eligible is_budget_schedule_enabled is_dc_follow_optimized
is_dynamic_creative is_incremental_attribution_enabled is_organic_ad_joint_optimized issues_info
learning_stage_info lifetime_budget lifetime_imps lifetime_min_spend_target lifetime_spend_cap
live_video_ad_campaign_config low_creative_reach max_budget_spend_percentage meta_moment_maker_spec
min_budget_spend_percentage multi_event_conversion_attribution_window_seconds
multi_optimization_goal_weight name optimization_goal optimization_sub_event pacing_type
placement_soft_opt_out promoted_object recommendations recurring_budget_semantics
regional_regulated_categories regional_regulation_identities relative_value review_feedback
rf_prediction_id source_adset source_adset_id special_ad_categories start_time status targeting
targeting_optimization_types time_based_ad_rotation_id_blocks time_based_ad_rotation_intervals
trending_topics_spec updated_time use_new_app_click value_rule_set_id value_rules_applied`)

var adReadFields = strings.Fields(`account_id ad_active_time ad_review_feedback ad_schedule_end_time ad_schedule_start_time adlabels
adset adset_id bid_amount bid_info bid_type campaign campaign_id configured_status conversion_domain
conversion_specs created_time creative creative_asset_groups_spec creative_automation_spec
demolink_hash display_sequence effective_status engagement_audience failed_delivery_checks id
issues_info last_updated_by_app_id name placement preview_shareable_link priority recommendations
source_ad source_ad_id special_ad_categories status targeting tracking_and_conversion_with_defaults
tracking_specs updated_time`)

var adcreativeReadFields = strings.Fields(`account_id actor_id ad_disclaimer_spec adlabels applink_treatment asset_feed_spec
authorization_category auto_update body branded_content branded_content_sponsor_page_id
bundle_folder_id call_to_action call_to_action_type categorization_criteria category_media_source
collaborative_ads_lsb_image_bank_id contextual_multi_ads creative_sourcing_spec
degrees_of_freedom_spec destination_set_id destination_spec dynamic_ad_voice
effective_authorization_category effective_instagram_media_id effective_object_story_id
enable_direct_install enable_launch_instant_app existing_post_title facebook_branded_content
format_transformation_spec generative_asset_spec id image_crops image_hash image_url
instagram_branded_content instagram_permalink_url instagram_user_id interactive_components_spec
link_deep_link_url link_destination_display_url link_og_id link_url
marketing_message_structured_spec media_sourcing_spec messenger_sponsored_message name object_id
object_store_url object_story_id object_story_spec object_type object_url omnichannel_link_spec
page_welcome_message photo_album_source_object_story_id place_page_set_id platform_customizations
playable_asset_id portrait_customizations product_data product_set_id product_suggestion_settings
recommender_settings regional_regulation_disclaimer_spec source_facebook_post_id
source_instagram_media_id status template_url template_url_spec thumbnail_id thumbnail_url title
url_tags use_page_actor_override video_id wamo_whatsapp_identity_spec`)

var adAccountReadFields = strings.Fields(`account_id account_status ad_account_promotable_objects age agency_client_declaration
all_capabilities amount_spent attribution_spec balance brand_safety_content_filter_levels business
business_city business_country_code business_name business_state business_street business_street2
business_zip can_create_brand_lift_study capabilities created_time currency custom_audience_info
default_dsa_beneficiary default_dsa_payor disable_reason end_advertiser end_advertiser_name
existing_customers expired_funding_source_details extended_credit_invoice_group
failed_delivery_checks fb_entity funding_source funding_source_details has_migrated_permissions
has_page_authorized_adaccount id io_number is_attribution_spec_system_default
is_ba_skip_delayed_eligible is_direct_deals_enabled is_in_3ds_authorization_enabled_market
is_notifications_enabled is_personal is_prepay_account is_tax_id_required liable_address
line_numbers marketing_messages_settings media_agency min_campaign_group_spend_cap min_daily_budget
name offsite_clo_signal_status offsite_pixels_tos_accepted opportunity_score
opportunity_score_weight owner owner_business partner rf_spec send_bill_to_address
show_checkout_experience sold_to_address spend_cap tax_id tax_id_status tax_id_type timezone_id
timezone_name timezone_offset_hours_utc tos_accepted user_access_expire_time user_tasks
user_tos_accepted viewable_business`)

func TestTablesHaveEveryReferenceField(t *testing.T) {
	cases := []struct {
		table  *Table
		fields []string
		count  int // fields in the reference section, to catch a truncated copy
	}{
		{Insights(), insightsFieldsPY, 219},
		{Insights(), insightsFieldsNode26, 5},
		{Campaigns(), campaignReadFields, 48},
		{Adsets(), adsetReadFields, 85},
		{Ads(), adReadFields, 41},
		{AdCreatives(), adcreativeReadFields, 78},
		{AdAccounts(), adAccountReadFields, 77},
	}
	cat, err := NewCatalog(AllTables()...)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if len(c.fields) != c.count {
			t.Errorf("%s: reference list has %d fields, want %d", c.table.Name, len(c.fields), c.count)
		}
		tb, _ := cat.Table(c.table.Name)
		for _, f := range c.fields {
			if col, ok := tb.Column(f); !ok {
				t.Errorf("%s lacks a column for field %s", tb.Name, f)
			} else if col.APIField() != f {
				t.Errorf("%s.%s requests %s, want %s", tb.Name, col.Name, col.APIField(), f)
			}
		}
	}
}

func TestEveryBreakdownIsAColumn(t *testing.T) {
	if len(breakdownNames) != 89 {
		t.Errorf("breakdownNames has %d values, want the 89 of the Breakdowns enum", len(breakdownNames))
	}
	ins := Insights()
	NewCatalog(ins)
	for _, b := range breakdownNames {
		col, ok := ins.Column(b)
		if !ok {
			t.Errorf("breakdown %s has no insights column", b)
			continue
		}
		if col.Kind != KindBreakdown || col.Type != "VARCHAR" || col.Default {
			t.Errorf("insights.%s: kind %v type %s default %v, want a VARCHAR breakdown outside SELECT *", b, col.Kind, col.Type, col.Default)
		}
	}
}

func TestInsightsColumnSamples(t *testing.T) {
	cases := []struct {
		name     string
		typ      string
		kind     Kind
		additive bool
		level    Level
	}{
		{"spend", Money, KindMetric, true, LevelNone},
		{"social_spend", Money, KindMetric, true, LevelNone},
		{"impressions", "BIGINT", KindMetric, true, LevelNone},
		{"inline_post_engagement", "BIGINT", KindMetric, true, LevelNone},
		{"reach", "BIGINT", KindMetric, false, LevelNone},
		{"full_view_reach", "BIGINT", KindMetric, false, LevelNone},
		{"unique_clicks", "BIGINT", KindMetric, false, LevelNone},
		{"unique_inline_link_clicks", "BIGINT", KindMetric, false, LevelNone},
		{"frequency", "DOUBLE", KindMetric, false, LevelNone},
		{"ctr", "DOUBLE", KindMetric, false, LevelNone},
		{"cost_per_inline_link_click", "DOUBLE", KindMetric, false, LevelNone},
		{"estimated_ad_recall_rate", "DOUBLE", KindMetric, false, LevelNone},
		{"actions", ActionStatsType, KindActionList, true, LevelNone},
		{"conversions", ActionStatsType, KindActionList, true, LevelNone},
		{"outbound_clicks", ActionStatsType, KindActionList, true, LevelNone},
		{"video_p100_watched_actions", ActionStatsType, KindActionList, true, LevelNone},
		{"cost_per_action_type", ActionStatsType, KindActionList, false, LevelNone},
		{"purchase_roas", ActionStatsType, KindActionList, false, LevelNone},
		{"unique_actions", ActionStatsType, KindActionList, false, LevelNone},
		{"video_play_curve_actions", "JSON", KindMetric, false, LevelNone},
		{"results", "JSON", KindMetric, false, LevelNone},
		{"created_time", "DATE", KindAttribute, false, LevelNone},
		{"date_start", "DATE", KindTime, false, LevelNone},
		{"objective", "VARCHAR", KindAttribute, false, LevelCampaign},
		{"buying_type", "VARCHAR", KindAttribute, false, LevelCampaign},
		{"optimization_goal", "VARCHAR", KindAttribute, false, LevelAdset},
		{"attribution_setting", "VARCHAR", KindAttribute, false, LevelAdset},
		{"adset_start", "VARCHAR", KindAttribute, false, LevelAdset},
		{"adset_end", "VARCHAR", KindAttribute, false, LevelAdset},
		{"account_currency", "VARCHAR", KindAttribute, false, LevelAccount},
		{"account_name", "VARCHAR", KindAttribute, false, LevelAccount},
	}
	ins := Insights()
	NewCatalog(ins)
	for _, c := range cases {
		col, ok := ins.Column(c.name)
		if !ok {
			t.Errorf("no column %s", c.name)
			continue
		}
		if col.Type != c.typ || col.Kind != c.kind || col.Additive != c.additive || col.Level != c.level {
			t.Errorf("insights.%s = {%s %v additive=%v level=%q}, want {%s %v additive=%v level=%q}",
				c.name, col.Type, col.Kind, col.Additive, col.Level, c.typ, c.kind, c.additive, c.level)
		}
	}
}

// TestInsightsTypingRules checks the rules on every insights column, so a
// new column cannot break them unnoticed.
func TestInsightsTypingRules(t *testing.T) {
	ins := Insights()
	for _, col := range ins.Columns {
		n := col.Name
		ratio := strings.HasPrefix(n, "cost_per_") || strings.HasPrefix(n, "unique_") ||
			(strings.Contains(n, "reach") && !strings.HasPrefix(n, "configurable_reachbyfrequency_impressions_")) ||
			strings.HasSuffix(n, "_roas") || strings.HasSuffix(n, "_rate") || strings.HasSuffix(n, "_ctr") ||
			strings.Contains(n, "_per_") || strings.Contains(n, "recallers")
		switch {
		case ratio && col.Additive:
			t.Errorf("insights.%s is additive, but people counts and ratios do not sum", n)
		case col.Type == ActionStatsType && col.Kind != KindActionList:
			t.Errorf("insights.%s is an action list typed as %v", n, col.Kind)
		case col.Type == "JSON" && (col.Kind != KindMetric || col.Additive):
			t.Errorf("insights.%s: JSON metrics are non-additive KindMetric", n)
		case col.Additive && col.Kind == KindMetric && col.Type != "BIGINT" && col.Type != Money && col.Type != "DOUBLE":
			t.Errorf("insights.%s is additive with type %s", n, col.Type)
		case col.MinorUnits:
			t.Errorf("insights.%s: insights sends money in major units", n)
		}
	}
}

// loadable are the types engine.castExpr converts API values to.
var loadable = map[string]bool{"VARCHAR": true, "BIGINT": true, "DOUBLE": true, Money: true, "DATE": true,
	"TIMESTAMPTZ": true, "JSON": true, "VARCHAR[]": true, "BOOLEAN": true, ActionStatsType: true}

func TestEveryTableIsWellFormed(t *testing.T) {
	for _, tb := range AllTables() {
		if _, err := NewCatalog(tb); err != nil {
			t.Fatal(err)
		}
		ids := 0
		for _, col := range tb.Columns {
			if !loadable[col.Type] {
				t.Errorf("%s.%s has type %s, which the engine does not load", tb.Name, col.Name, col.Type)
			}
			if strings.TrimSpace(col.Doc) == "" {
				t.Errorf("%s.%s has no doc", tb.Name, col.Name)
			}
			if col.Kind == KindID {
				ids++
			}
			if col.Name == "effective_status" && col.Filter != "effective_status" {
				t.Errorf("%s.effective_status lost its filter", tb.Name)
			}
			if !tb.Insights && col.Name == "updated_time" && col.Filter != "updated_time" {
				t.Errorf("%s.updated_time lost its filter", tb.Name)
			}
			if !tb.Insights && tb.Edge != "" && col.Name == "name" && col.Filter != "name" {
				t.Errorf("%s.name has no name filter", tb.Name)
			}
			if !tb.Insights && strings.HasSuffix(col.Type, "TIMESTAMPTZ") && !strings.Contains(col.Name, "time") {
				t.Errorf("%s.%s is a time with an unexpected name", tb.Name, col.Name)
			}
		}
		if ids == 0 {
			t.Errorf("%s has no id column", tb.Name)
		}
		if len(tb.DefaultColumns()) == 0 || len(tb.DefaultColumns()) > 12 {
			t.Errorf("%s has %d default columns", tb.Name, len(tb.DefaultColumns()))
		}
		if tb.Doc == "" {
			t.Errorf("%s has no doc", tb.Name)
		}
	}
}

func TestEntityTables(t *testing.T) {
	cases := []struct {
		table *Table
		edge  string
		id    string
		typed map[string]string // column → type samples
	}{
		{AdAccounts(), "", "id", map[string]string{"amount_spent": Money, "age": "DOUBLE", "capabilities": "VARCHAR[]", "is_prepay_account": "BOOLEAN", "business": "JSON", "min_daily_budget": Money}},
		{Campaigns(), "campaigns", "id", map[string]string{"daily_budget": Money, "pacing_type": "VARCHAR[]", "is_skadnetwork_attribution": "BOOLEAN", "last_budget_toggling_time": "TIMESTAMPTZ"}},
		{Adsets(), "adsets", "id", map[string]string{"bid_amount": Money, "lifetime_imps": "BIGINT", "daily_spend_cap": Money, "learning_stage_info": "JSON"}},
		{Ads(), "ads", "id", map[string]string{"bid_amount": Money, "priority": "BIGINT", "ad_schedule_start_time": "TIMESTAMPTZ"}},
		{AdCreatives(), "adcreatives", "id", map[string]string{"object_story_spec": "JSON", "auto_update": "BOOLEAN", "body": "VARCHAR"}},
		{AdImages(), "adimages", "id", map[string]string{"hash": "VARCHAR", "width": "BIGINT", "created_time": "TIMESTAMPTZ"}},
		{AdVideos(), "advideos", "id", map[string]string{"length": "DOUBLE", "status": "JSON", "updated_time": "TIMESTAMPTZ"}},
		{CustomConversions(), "customconversions", "id", map[string]string{"retention_days": "BIGINT", "pixel": "JSON", "is_archived": "BOOLEAN", "last_fired_time": "TIMESTAMPTZ"}},
		{CustomAudiences(), "customaudiences", "id", map[string]string{"approximate_count_lower_bound": "BIGINT", "time_updated": "BIGINT", "lookalike_spec": "JSON"}},
		{Activities(), "activities", "object_id", map[string]string{"event_time": "TIMESTAMPTZ", "extra_data": "JSON", "event_type": "VARCHAR"}},
	}
	cat, err := NewCatalog(AllTables()...)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		tb, ok := cat.Table(c.table.Name)
		if !ok {
			t.Errorf("%s is not in the catalog", c.table.Name)
			continue
		}
		if tb.Edge != c.edge {
			t.Errorf("%s edge %q, want %q", tb.Name, tb.Edge, c.edge)
		}
		if col, ok := tb.Column(c.id); !ok || col.Kind != KindID {
			t.Errorf("%s: %s is not an id column", tb.Name, c.id)
		}
		for name, typ := range c.typed {
			col, ok := tb.Column(name)
			if !ok {
				t.Errorf("%s lacks %s", tb.Name, name)
			} else if col.Type != typ || col.MinorUnits != (typ == Money) {
				t.Errorf("%s.%s: type %s minor units %v, want %s", tb.Name, name, col.Type, col.MinorUnits, typ)
			}
		}
	}
	if _, ok := DefaultCatalog().Table("custom_audiences"); !ok {
		t.Error("DefaultCatalog lacks the new tables")
	}
}

func TestCompareVersions(t *testing.T) {
	cases := []struct {
		a, b string
		want int
		err  string
	}{
		{"v9.0", "v25.0", -1, ""},
		{"v25.0", "v9.0", 1, ""},
		{"v25.0", "v25.0", 0, ""},
		{"v25.1", "v25.0", 1, ""},
		{"v26.0", "v25.10", 1, ""},
		{"25.0", "v25.0", 0, `invalid API version "25.0": want the form v25.0`},
		{"v25", "v25.0", 0, "invalid API version"},
	}
	for _, c := range cases {
		got, err := CompareVersions(c.a, c.b)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("CompareVersions(%s, %s) error %v, want %q", c.a, c.b, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("CompareVersions(%s, %s) = %d, %v; want %d", c.a, c.b, got, err, c.want)
		}
	}
}

func TestAvailableIn(t *testing.T) {
	if DefaultVersion != "v25.0" {
		t.Errorf("DefaultVersion = %s", DefaultVersion)
	}
	ins, _ := DefaultCatalog().Table("insights")
	cases := []struct {
		field, version, err string
	}{
		{"creative_fatigue_summary", "v25.0", "field creative_fatigue_summary needs API version v26.0 or later; this query uses v25.0 (set --api-version)"},
		{"creative_fatigue_summary", "v26.0", ""},
		{"creative_fatigue_summary", "v27.1", ""},
		{"playable_game_start_rate", "v9.0", "needs API version v26.0 or later"},
		{"shop_clicks", "v25.0", ""},
		{"shop_clicks", "v26.0", "field shop_clicks is not served from API version v26.0 on; this query uses v26.0"},
		{"marketing_messages_website_purchase_values", "v30.0", "not served from API version v26.0 on"},
		{"spend", "v9.0", ""},
		{"spend", "v26.0", ""},
		{"creative_fatigue_summary", "latest", "invalid API version"},
	}
	for _, c := range cases {
		col, ok := ins.Column(c.field)
		if !ok {
			t.Errorf("no column %s", c.field)
			continue
		}
		err := col.AvailableIn(c.version)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%s in %s: %v", c.field, c.version, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s in %s: error %v, want %q", c.field, c.version, err, c.err)
		}
	}
	// Every v26.0-only field is marked, and every field it dropped.
	for _, f := range insightsFieldsNode26 {
		if col, _ := ins.Column(f); col.Since != "v26.0" {
			t.Errorf("insights.%s Since %q, want v26.0", f, col.Since)
		}
	}
}

func TestAvailabilityIsChecked(t *testing.T) {
	// An insights table without the versioned fields: the catalog names them.
	bare := &Table{Name: "insights", Insights: true, Columns: []Column{
		{Name: "spend", Type: Money, Kind: KindMetric, Default: true, Doc: "spend"}}}
	_, err := NewCatalog(bare)
	if err == nil || !strings.Contains(err.Error(), "fieldAvailability names insights.creative_fatigue_summary, which is not a column") {
		t.Fatalf("got %v", err)
	}
}
