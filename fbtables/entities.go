package fbtables

// Entity tables: one row per object across the selected ad accounts. Column
// names are Graph API field names.

func statusCols(lvl Level) []Column {
	return []Column{
		attrCol("status", "VARCHAR", lvl, "status set by the advertiser"),
		attrCol("configured_status", "VARCHAR", lvl, "configured status"),
		{Name: "effective_status", Type: "VARCHAR", Kind: KindAttribute, Filter: "effective_status",
			Doc: "delivery status; the API hides ARCHIVED and DELETED unless asked"},
	}
}

func timeCol(name, doc string) Column { return attrCol(name, "TIMESTAMPTZ", LevelNone, doc) }

// Entity field constructors by SDK type (reference §4): string and enums
// VARCHAR, bool BOOLEAN, int BIGINT, float DOUBLE, list<string> VARCHAR[],
// objects, maps and other lists JSON.
func strCol(name, doc string) Column  { return attrCol(name, "VARCHAR", LevelNone, doc) }
func boolCol(name, doc string) Column { return attrCol(name, "BOOLEAN", LevelNone, doc) }
func intCol(name, doc string) Column  { return attrCol(name, "BIGINT", LevelNone, doc) }
func numCol(name, doc string) Column  { return attrCol(name, "DOUBLE", LevelNone, doc) }
func listCol(name, doc string) Column { return attrCol(name, "VARCHAR[]", LevelNone, doc) }
func jsonCol(name, doc string) Column { return attrCol(name, "JSON", LevelNone, doc) }
func refCol(name, doc string) Column  { return idCol(name, LevelNone, "", doc) }

func moneyCol(name, doc string) Column {
	return Column{Name: name, Type: Money, Kind: KindAttribute, MinorUnits: true, Doc: doc + " (account currency)"}
}

func concat(parts ...[]Column) []Column {
	var out []Column
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// AdAccounts is the ad_accounts table.
func AdAccounts() *Table {
	return &Table{Name: "ad_accounts", Doc: "the ad accounts being queried", Columns: defaults(concat([]Column{
		idCol("id", LevelNone, "", "node id, act_<account_id>"),
		idCol("account_id", LevelNone, "", "ad account id"),
		attrCol("name", "VARCHAR", LevelNone, "account name"),
		attrCol("currency", "VARCHAR", LevelNone, "ISO 4217 currency"),
		attrCol("timezone_name", "VARCHAR", LevelNone, "time zone insights are reported in"),
		attrCol("account_status", "BIGINT", LevelNone, "1 active, 2 disabled, 3 unsettled, …"),
		moneyCol("amount_spent", "lifetime spend"),
		moneyCol("balance", "bill amount due"),
		moneyCol("spend_cap", "spending limit"),
		attrCol("business_name", "VARCHAR", LevelNone, "business name"),
		timeCol("created_time", "when the account was created"),
	}, adAccountMore), "id", "account_id", "name", "currency", "timezone_name", "account_status")}
}

// Campaigns is the campaigns table.
func Campaigns() *Table {
	return &Table{Name: "campaigns", Edge: "campaigns", Doc: "campaigns (ARCHIVED and DELETED only when the query reads effective_status or status: the API hides them otherwise)", Columns: defaults(concat([]Column{
		idCol("id", LevelNone, "id", "campaign id"),
		idCol("account_id", LevelNone, "", "ad account id"),
		filterable(attrCol("name", "VARCHAR", LevelNone, "campaign name"), "name"),
	}, statusCols(LevelNone), []Column{
		attrCol("objective", "VARCHAR", LevelNone, "campaign objective"),
		attrCol("buying_type", "VARCHAR", LevelNone, "AUCTION or RESERVED"),
		attrCol("bid_strategy", "VARCHAR", LevelNone, "bid strategy"),
		moneyCol("daily_budget", "daily budget"),
		moneyCol("lifetime_budget", "lifetime budget"),
		moneyCol("budget_remaining", "budget remaining"),
		moneyCol("spend_cap", "spend cap"),
		attrCol("special_ad_categories", "VARCHAR[]", LevelNone, "special ad categories"),
		timeCol("created_time", "creation time"),
		filterable(timeCol("updated_time", "last update time"), "updated_time"),
		timeCol("start_time", "start time"),
		timeCol("stop_time", "stop time"),
	}, campaignMore), "id", "account_id", "name", "status", "effective_status", "objective", "daily_budget", "lifetime_budget", "created_time")}
}

// Adsets is the adsets table.
func Adsets() *Table {
	return &Table{Name: "adsets", Edge: "adsets", Doc: "ad sets (ARCHIVED and DELETED only when the query reads effective_status or status: the API hides them otherwise)", Columns: defaults(concat([]Column{
		idCol("id", LevelNone, "id", "ad set id"),
		idCol("account_id", LevelNone, "", "ad account id"),
		idCol("campaign_id", LevelNone, "campaign.id", "campaign id"),
		filterable(attrCol("name", "VARCHAR", LevelNone, "ad set name"), "name"),
	}, statusCols(LevelNone), []Column{
		attrCol("optimization_goal", "VARCHAR", LevelNone, "what delivery optimizes for"),
		attrCol("billing_event", "VARCHAR", LevelNone, "what you are charged for"),
		attrCol("bid_strategy", "VARCHAR", LevelNone, "bid strategy"),
		moneyCol("bid_amount", "bid cap"),
		moneyCol("daily_budget", "daily budget"),
		moneyCol("lifetime_budget", "lifetime budget"),
		moneyCol("budget_remaining", "budget remaining"),
		attrCol("targeting", "JSON", LevelNone, "targeting spec"),
		attrCol("promoted_object", "JSON", LevelNone, "promoted object"),
		timeCol("created_time", "creation time"),
		filterable(timeCol("updated_time", "last update time"), "updated_time"),
		timeCol("start_time", "start time"),
		timeCol("end_time", "end time"),
	}, adsetMore), "id", "account_id", "campaign_id", "name", "status", "effective_status", "optimization_goal", "daily_budget", "created_time")}
}

// Ads is the ads table.
func Ads() *Table {
	return &Table{Name: "ads", Edge: "ads", Doc: "ads (ARCHIVED and DELETED only when the query reads effective_status or status: the API hides them otherwise)", Columns: defaults(concat([]Column{
		idCol("id", LevelNone, "id", "ad id"),
		idCol("account_id", LevelNone, "", "ad account id"),
		idCol("campaign_id", LevelNone, "campaign.id", "campaign id"),
		idCol("adset_id", LevelNone, "adset.id", "ad set id"),
		filterable(attrCol("name", "VARCHAR", LevelNone, "ad name"), "name"),
	}, statusCols(LevelNone), []Column{
		attrCol("creative", "JSON", LevelNone, "creative reference ({\"id\": …})"),
		timeCol("created_time", "creation time"),
		filterable(timeCol("updated_time", "last update time"), "updated_time"),
	}, adMore), "id", "account_id", "campaign_id", "adset_id", "name", "status", "effective_status", "created_time")}
}

// AllTables builds a fresh copy of every virtual table fbsql serves.
func AllTables() []*Table {
	return []*Table{AdAccounts(), Campaigns(), Adsets(), Ads(), Insights(), InsightsActions(),
		AdCreatives(), AdImages(), AdVideos(), CustomConversions(), CustomAudiences(), Activities()}
}

// DefaultCatalog is every virtual table fbsql serves.
func DefaultCatalog() *Catalog {
	c, err := NewCatalog(AllTables()...)
	if err != nil {
		panic(err) // the definitions are static; TestCatalogValid reports the details
	}
	return c
}
