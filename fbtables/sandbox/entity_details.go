package sandbox

// The less common read fields of ad accounts, campaigns, ad sets and ads
// (reference §4.2–4.4, §4.6): realistic constants or values derived from the
// entity. Fields missing here are valid but omitted, as the API omits
// fields without a value.

func accountMore(a *account, f string) any {
	biz := obj{{"id", "1050000000000" + a.id[len(a.id)-3:]}, {"name", a.business}}
	addr := accountAddress(a)
	switch f {
	case "business", "owner_business", "viewable_business":
		return biz
	case "business_city":
		return addr.get2("city")
	case "business_street":
		return addr.get2("street")
	case "business_zip":
		return addr.get2("zip")
	case "business_state":
		return addr.get2("state")
	case "liable_address", "send_bill_to_address", "sold_to_address":
		return addr
	case "end_advertiser", "media_agency", "partner":
		return "NONE"
	case "end_advertiser_name":
		return a.business
	case "default_dsa_beneficiary", "default_dsa_payor":
		if a.currency == "EUR" {
			return a.business
		}
		return nil
	case "funding_source":
		return "2345678901234" + a.id[len(a.id)-3:]
	case "funding_source_details":
		return obj{{"id", "2345678901234" + a.id[len(a.id)-3:]}, {"display_string", "Visa *4242"}, {"type", 1}}
	case "fb_entity":
		return 85
	case "opportunity_score":
		return 72.5
	case "all_capabilities":
		return []string{"CAN_CREATE_LOOKALIKES_WITH_CUSTOM_RATIO", "CAN_USE_REACH_AND_FREQUENCY", "HAS_AVAILABLE_PAYMENT_METHODS"}
	case "attribution_spec":
		return []obj{{{"event_type", "CLICK_THROUGH"}, {"window_days", 7}}, {{"event_type", "VIEW_THROUGH"}, {"window_days", 1}}}
	case "brand_safety_content_filter_levels":
		return []string{"FACEBOOK_STANDARD", "AN_STANDARD"}
	case "existing_customers":
		return []string{}
	case "user_tasks":
		return []string{"DRAFT", "ANALYZE", "ADVERTISE", "MANAGE"}
	case "tos_accepted", "user_tos_accepted":
		return obj{{"web_custom_audience_tos", 1}, {"custom_audience_tos", 1}}
	case "min_campaign_group_spend_cap":
		return "10000"
	case "tax_id_status":
		return 0
	case "offsite_pixels_tos_accepted", "has_migrated_permissions", "is_notifications_enabled", "is_attribution_spec_system_default":
		return true
	case "can_create_brand_lift_study", "has_page_authorized_adaccount", "is_ba_skip_delayed_eligible",
		"is_direct_deals_enabled", "is_in_3ds_authorization_enabled_market", "is_tax_id_required", "show_checkout_experience":
		return false
	}
	return nil
}

// get2 returns a string key of an address object.
func (o obj) get2(k string) any {
	v, _ := o.get(k)
	return v
}

func accountAddress(a *account) obj {
	if a.country == "US" {
		return obj{{"city", "Portland"}, {"country_code", "US"}, {"state", "OR"}, {"street", "1200 NW Naito Pkwy"}, {"zip", "97209"}}
	}
	return obj{{"city", "München"}, {"country_code", "DE"}, {"state", "Bayern"}, {"street", "Leopoldstraße 42"}, {"zip", "80802"}}
}

func campaignMore(c *campaign, f string) any {
	switch f {
	case "advantage_state_info":
		budget := "DISABLED"
		if c.dailyBudget > 0 {
			budget = "ENABLED"
		}
		return obj{{"advantage_state", "DISABLED"}, {"advantage_budget_state", budget},
			{"advantage_audience_state", "ENABLED"}, {"advantage_placement_state", "ENABLED"}}
	case "promoted_object":
		if c.objective == "OUTCOME_SALES" {
			return obj{{"pixel_id", pixelID}, {"custom_event_type", "PURCHASE"}}
		}
	case "special_ad_category_country":
		if len(c.specialCategories) > 0 {
			return []string{c.acct.country}
		}
	case "primary_attribution":
		return "7d_click_1d_view"
	case "can_create_brand_lift_study", "has_secondary_skadnetwork_reporting", "is_adset_budget_sharing_enabled",
		"is_budget_schedule_enabled", "is_direct_send_campaign", "is_message_campaign",
		"is_meta_moment_maker_enabled", "is_reels_trending_ads_enabled":
		return false
	}
	return nil
}

func adsetMore(as *adset, f string) any {
	switch f {
	case "bid_info":
		if as.bidAmount == 0 {
			return nil
		}
		return obj{{"ACTIONS", as.bidAmount}}
	case "automatic_manual_state":
		return "UNSET"
	case "attribution_count_type":
		return "ALL_CONVERSIONS"
	case "instagram_user_id":
		return igAccountID
	case "learning_stage_info":
		status := []string{"SUCCESS", "SUCCESS", "LEARNING", "FAIL"}[strHash(as.id)%4]
		return obj{{"status", status}}
	case "lifetime_min_spend_target", "lifetime_spend_cap", "daily_min_spend_target", "daily_spend_cap":
		return "0"
	case "existing_customer_budget_percentage":
		return 0
	case "multi_optimization_goal_weight":
		return "UNDEFINED"
	case "optimization_sub_event":
		return "NONE"
	case "dsa_beneficiary", "dsa_payor":
		if as.acct.currency == "EUR" {
			return as.acct.business
		}
	case "creative_sequence", "low_creative_reach":
		return []string{}
	case "campaign_active_time":
		return "0"
	case "is_ba_skip_delayed_eligible", "is_budget_schedule_enabled", "is_dc_follow_optimized",
		"is_incremental_attribution_enabled", "is_organic_ad_joint_optimized", "recurring_budget_semantics", "use_new_app_click":
		return false
	}
	return nil
}

func adMore(d *ad, f string) any {
	switch f {
	case "bid_type":
		return "ABSOLUTE_OCPM"
	case "conversion_specs":
		return []obj{{{"action.type", []string{"offsite_conversion"}}, {"fb_pixel", []string{pixelID}}}}
	case "tracking_specs":
		return []obj{{{"action.type", []string{"offsite_conversion"}}, {"fb_pixel", []string{pixelID}}},
			{{"action.type", []string{"post_engagement"}}, {"page", []string{pageID}}}}
	case "display_sequence":
		return 0
	case "engagement_audience":
		return false
	case "last_updated_by_app_id":
		return "119211728144504"
	case "creative_asset_groups_spec", "placement", "priority":
		return nil
	}
	return nil
}
