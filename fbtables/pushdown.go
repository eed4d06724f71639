package fbtables

// Push is how a WHERE condition on a column reaches the Graph API. It is
// declared here, in one place, for every column of every table (the way
// steampipe plugins declare key columns with their operators); the planner
// reads it to decide what to push, and .schema shows it. Every pushed
// condition also stays in the SQL DuckDB runs, so a pushdown that returns
// a superset is still exact.
type Push struct {
	// Via is the request part that carries the condition.
	Via PushVia
	// Ops are the SQL operators pushed; nil when Via is PushNone.
	Ops []string
	// Values are the values the API takes for the parameter, when it
	// takes a fixed set (the edge's effective_status list).
	Values []string
}

// PushVia names the request part a pushed condition becomes.
type PushVia int

const (
	// PushNone: the condition stays in DuckDB.
	PushNone PushVia = iota
	// PushOption: `option = constant` sets a request parameter (level, …).
	PushOption
	// PushDays: date conditions decide time_range / time_ranges; DuckDB
	// evaluates them over the calendar, so any operator is read.
	PushDays
	// PushAccounts: `account_id = / IN` picks the act_ accounts read.
	PushAccounts
	// PushStatus: `effective_status = / IN` becomes the edge's
	// effective_status list (which also shows ARCHIVED and DELETED).
	PushStatus
	// PushIDs: `= / IN` becomes filtering <field> IN.
	PushIDs
	// PushText: `=`, LIKE, ILIKE become filtering EQUAL, STARTS_WITH or CONTAIN.
	PushText
	// PushThreshold: a comparison with a number becomes filtering
	// GREATER_THAN, LESS_THAN, … on the insights metric.
	PushThreshold
	// PushSince: `> / >= timestamp` becomes filtering GREATER_THAN a day earlier.
	PushSince
)

// pushOf declares the pushdown of column c of table t.
func pushOf(t *Table, c *Column) Push {
	switch {
	case c.Kind == KindOption:
		return Push{Via: PushOption, Ops: []string{"="}}
	case t.Insights && c.Kind == KindTime:
		return Push{Via: PushDays, Ops: []string{"=", "<", "<=", ">", ">=", "BETWEEN", "IN"}}
	case c.Name == "account_id" || (t.Name == "ad_accounts" && c.Name == "id"):
		return Push{Via: PushAccounts, Ops: []string{"=", "IN"}}
	case c.Name == "effective_status" && !t.Insights:
		return Push{Via: PushStatus, Ops: []string{"=", "IN"}, Values: effectiveStatuses[t.Edge]}
	case c.Filter == "":
		return Push{}
	case c.Kind == KindID && (t.Insights || c.Name != "id"):
		return Push{Via: PushIDs, Ops: []string{"=", "IN"}}
	case c.Kind == KindAttribute && c.Type == "VARCHAR":
		return Push{Via: PushText, Ops: []string{"=", "LIKE", "ILIKE"}}
	case c.Kind == KindMetric && t.Insights:
		return Push{Via: PushThreshold, Ops: []string{"=", "<", "<=", ">", ">="}}
	case c.Type == "TIMESTAMPTZ" && !t.Insights:
		return Push{Via: PushSince, Ops: []string{">", ">="}}
	}
	return Push{}
}

// effectiveStatuses are the values each edge's effective_status parameter
// takes (the Graph API's EffectiveStatus enums); it rejects any other. Without the parameter
// the edges leave out ARCHIVED and DELETED.
var effectiveStatuses = map[string][]string{
	"campaigns": {"ACTIVE", "PAUSED", "DELETED", "PENDING_REVIEW", "DISAPPROVED", "PREAPPROVED", "PENDING_BILLING_INFO",
		"CAMPAIGN_PAUSED", "ARCHIVED", "ADSET_PAUSED", "IN_PROCESS", "WITH_ISSUES"},
	"adsets": {"ACTIVE", "PAUSED", "DELETED", "CAMPAIGN_PAUSED", "ARCHIVED", "IN_PROCESS", "WITH_ISSUES"},
	"ads": {"ACTIVE", "PAUSED", "DELETED", "PENDING_REVIEW", "DISAPPROVED", "PREAPPROVED", "PENDING_BILLING_INFO",
		"CAMPAIGN_PAUSED", "ARCHIVED", "ADSET_PAUSED", "IN_PROCESS", "WITH_ISSUES"},
}
