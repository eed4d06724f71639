package planner

import "github.com/fbsql/fbsql/fbtables"

// PushdownOps lists the WHERE operators on a column that the planner hands
// to the Graph API, for .schema. It mirrors the rules in timerange.go,
// filtering.go and options.go; TestPushdownOpsMatchPlans checks each claim
// against a real plan.
func PushdownOps(t *fbtables.Table, c *fbtables.Column) []string {
	switch {
	case c.Kind == fbtables.KindOption:
		return []string{"="}
	case t.Insights && c.Kind == fbtables.KindTime:
		return []string{"=", "<", "<=", ">", ">=", "BETWEEN", "IN"}
	case c.Name == "account_id" || (t.Name == "ad_accounts" && c.Name == "id"):
		return []string{"=", "IN"}
	case c.Name == "effective_status" && !t.Insights:
		return []string{"=", "IN"}
	case c.Filter == "":
		return nil
	case c.Kind == fbtables.KindID && (t.Insights || c.Name != "id"):
		return []string{"=", "IN"}
	case c.Kind == fbtables.KindAttribute && c.Type == "VARCHAR":
		return []string{"=", "LIKE", "ILIKE"}
	case c.Kind == fbtables.KindMetric && t.Insights:
		return []string{"=", "<", "<=", ">", ">="}
	case c.Type == "TIMESTAMPTZ" && !t.Insights:
		return []string{">", ">="}
	}
	return nil
}
