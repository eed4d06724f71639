package fbtables

// Insights is the insights table: one row per (entity at the chosen level ×
// time slice × breakdown values). Its grain follows the columns a query
// references (DESIGN.md, "The grain rule").
func Insights() *Table {
	return &Table{
		Name:     "insights",
		Edge:     "insights",
		Insights: true,
		Doc:      "performance metrics at the grain of the columns you reference",
		Columns: defaults(concat([]Column{
			idCol("account_id", LevelAccount, "", "ad account id (no act_ prefix)"),
			attrCol("account_name", "VARCHAR", LevelAccount, "ad account name"),
			attrCol("account_currency", "VARCHAR", LevelAccount, "currency of spend and values"),
			idCol("campaign_id", LevelCampaign, "campaign.id", "campaign id; sets level to campaign"),
			filterable(attrCol("campaign_name", "VARCHAR", LevelCampaign, "campaign name; sets level to campaign"), "campaign.name"),
			idCol("adset_id", LevelAdset, "adset.id", "ad set id; sets level to adset"),
			filterable(attrCol("adset_name", "VARCHAR", LevelAdset, "ad set name; sets level to adset"), "adset.name"),
			idCol("ad_id", LevelAd, "ad.id", "ad id; sets level to ad"),
			filterable(attrCol("ad_name", "VARCHAR", LevelAd, "ad name; sets level to ad"), "ad.name"),
		}, insightsAttributes, []Column{
			{Name: "date_start", Type: "DATE", Kind: KindTime, Doc: "first day of the row's time slice"},
			{Name: "date_stop", Type: "DATE", Kind: KindTime, Doc: "last day of the row's time slice"},
			filterable(sumCol("impressions", "BIGINT", "times ads were on screen"), "impressions"),
			filterable(sumCol("clicks", "BIGINT", "clicks of all kinds"), "clicks"),
			sumCol("inline_link_clicks", "BIGINT", "clicks on links in the ad"),
			filterable(sumCol("spend", Money, "amount spent, in the account currency"), "spend"),
			filterable(rateCol("reach", "BIGINT", "people who saw the ads at least once (not additive)"), "reach"),
			rateCol("frequency", "DOUBLE", "impressions per person reached"),
			rateCol("unique_clicks", "BIGINT", "people who clicked (not additive)"),
			rateCol("ctr", "DOUBLE", "clicks / impressions × 100"),
			rateCol("cpc", "DOUBLE", "spend / clicks"),
			rateCol("cpm", "DOUBLE", "spend / impressions × 1000"),
			rateCol("cpp", "DOUBLE", "spend / reach × 1000"),
		}, insightsMetrics, insightsObjectMetrics, []Column{
			actionsCol("actions", true, "actions by action_type"),
			actionsCol("action_values", true, "value of actions by action_type"),
		}, insightsActionLists, []Column{
			breakdownCol("age", "age bracket of the audience"),
			breakdownCol("gender", "gender of the audience"),
			breakdownCol("country", "country (ISO 3166 alpha-2)"),
			breakdownCol("region", "region within a country"),
			breakdownCol("publisher_platform", "facebook, instagram, audience_network, messenger"),
			breakdownCol("platform_position", "placement within the platform (feed, story, …)"),
			breakdownCol("impression_device", "device the ad was seen on; only with publisher_platform"),
			breakdownCol("device_platform", "mobile or desktop"),
			breakdownCol("dma", "designated market area (US)"),
			breakdownCol("hourly_stats_aggregated_by_advertiser_time_zone", "hour of day in the account's time zone"),
			breakdownCol("hourly_stats_aggregated_by_audience_time_zone", "hour of day in the viewer's time zone"),
		}, insightsBreakdowns, []Column{
			optionCol("level", "WHERE level = 'account'|'campaign'|'adset'|'ad' sets the row level"),
			optionCol("time_increment", "WHERE time_increment = 1..90|'monthly'|'all_days' sets the time slice"),
			optionCol("date_preset", "WHERE date_preset = 'last_7d' etc. sets the range when no date predicate does"),
			optionCol("attribution_windows", "WHERE attribution_windows = '7d_click,1d_view' sets action_attribution_windows"),
		}), "account_id", "account_name", "date_start", "date_stop", "impressions", "clicks", "spend",
			"reach", "frequency", "ctr", "cpc", "cpm"),
	}
}
