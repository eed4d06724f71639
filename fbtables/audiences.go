package fbtables

// Measurement and history tables: custom conversions, custom audiences and
// the account activity log (Airbyte streams custom_conversions,
// custom_audiences, activities).

// CustomConversions is the custom_conversions table.
func CustomConversions() *Table {
	return &Table{Name: "custom_conversions", Edge: "customconversions", Doc: "custom conversions", Columns: defaults([]Column{
		idCol("id", LevelNone, "", "custom conversion id"),
		idCol("account_id", LevelNone, "", "ad account id"),
		filterable(strCol("name", "custom conversion name"), "name"),
		strCol("description", "description"),
		strCol("custom_event_type", "standard event it counts as (PURCHASE, LEAD, …)"),
		jsonCol("rule", "URL or event rule that defines the conversion"),
		numCol("default_conversion_value", "value used when the event carries none"),
		strCol("event_source_type", "source of the events (pixel, app, offline, …)"),
		timeCol("first_fired_time", "first time the conversion fired"),
		timeCol("last_fired_time", "last time the conversion fired"),
		timeCol("creation_time", "creation time"),
		boolCol("is_archived", "whether it is archived"),
		boolCol("is_unavailable", "whether it is unavailable"),
		jsonCol("pixel", "pixel the conversion listens to ({\"id\": …})"),
		intCol("retention_days", "days an event counts toward it"),
		jsonCol("data_sources", "event sources (list of objects)"),
	}, "id", "account_id", "name", "custom_event_type", "default_conversion_value", "last_fired_time", "is_archived", "creation_time")}
}

// CustomAudiences is the custom_audiences table.
func CustomAudiences() *Table {
	return &Table{Name: "custom_audiences", Edge: "customaudiences", Doc: "custom audiences", Columns: defaults([]Column{
		idCol("id", LevelNone, "", "custom audience id"),
		idCol("account_id", LevelNone, "", "ad account id"),
		filterable(strCol("name", "audience name"), "name"),
		strCol("description", "description"),
		strCol("subtype", "CUSTOM, WEBSITE, LOOKALIKE, ENGAGEMENT, …"),
		intCol("approximate_count_lower_bound", "lower bound of the audience size"),
		intCol("approximate_count_upper_bound", "upper bound of the audience size"),
		intCol("time_created", "creation time, unix seconds as the API sends it (to_timestamp() converts)"),
		intCol("time_updated", "last update time, unix seconds as the API sends it (to_timestamp() converts)"),
		intCol("retention_days", "days a person stays in the audience"),
		jsonCol("rule", "audience rule"),
		jsonCol("operation_status", "status of the last operation ({\"code\", \"description\"})"),
		jsonCol("delivery_status", "whether ads can deliver to it ({\"code\", \"description\"})"),
		jsonCol("data_source", "where the audience comes from ({\"type\", \"sub_type\"})"),
		jsonCol("lookalike_spec", "lookalike source and ratio"),
	}, "id", "account_id", "name", "subtype", "approximate_count_lower_bound", "approximate_count_upper_bound", "retention_days", "time_updated")}
}

// Activities is the activities table: the account's change log.
func Activities() *Table {
	return &Table{Name: "activities", Edge: "activities", Doc: "changes made in the ad accounts (who did what, when)", Columns: defaults([]Column{
		strCol("event_type", "what happened (update_ad_set_budget, create_campaign_group, …)"),
		timeCol("event_time", "when it happened"),
		refCol("actor_id", "id of the person or app that made the change"),
		strCol("actor_name", "name of the person or app that made the change"),
		refCol("application_id", "app used to make the change"),
		strCol("application_name", "name of that app"),
		refCol("object_id", "id of the changed object"),
		strCol("object_name", "name of the changed object"),
		strCol("object_type", "type of the changed object (CAMPAIGN, AD_SET, AD, …)"),
		strCol("date_time_in_timezone", "event time as text in the account's time zone"),
		strCol("translated_event_type", "event type in words"),
		jsonCol("extra_data", "details of the change (old and new values)"),
	}, "event_time", "event_type", "translated_event_type", "actor_name", "object_type", "object_id", "object_name")}
}
