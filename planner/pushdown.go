package planner

import "github.com/fbsql/fbsql/fbtables"

// PushdownOps lists the WHERE operators on a column that the planner hands
// to the Graph API, for .schema: the catalog's declaration (fbtables
// pushdown.go), which is also what the planner reads.
// TestPushdownOpsMatchPlans checks each claim against a real plan.
func PushdownOps(t *fbtables.Table, c *fbtables.Column) []string {
	return c.Push.Ops
}
