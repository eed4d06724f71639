package planner_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fbsql/fbsql/planner"
)

// TestPushdownOpsMatchPlans plans one predicate per (column, operator)
// that .schema claims is pushed, and checks the request really carries it;
// and checks a column .schema says is not pushed stays out of the request.
func TestPushdownOpsMatchPlans(t *testing.T) {
	in := newInput(t)
	literal := map[string]string{"DATE": "DATE '2026-11-20'", "TIMESTAMPTZ": "TIMESTAMPTZ '2026-11-20 00:00:00+00'"}
	for _, tbl := range in.Catalog.Tables() {
		for i := range tbl.Columns {
			c := &tbl.Columns[i]
			for _, op := range planner.PushdownOps(tbl, c) {
				val := literal[c.Type]
				if val == "" {
					val = "'1'"
				}
				if c.Name == "level" {
					val = "'ad'"
				} else if c.Name == "time_increment" {
					val = "7"
				} else if c.Name == "date_preset" {
					val = "'last_7d'"
				} else if c.Name == "attribution_windows" {
					val = "'7d_click'"
				}
				pred := fmt.Sprintf("%s %s %s", c.Name, op, val)
				switch op {
				case "IN":
					pred = fmt.Sprintf("%s IN (%s)", c.Name, val)
				case "BETWEEN":
					pred = fmt.Sprintf("%s BETWEEN %s AND %s", c.Name, val, val)
				case "LIKE", "ILIKE":
					pred = fmt.Sprintf("%s %s '%%x%%'", c.Name, op)
				}
				t.Run(tbl.Name+"/"+pred, func(t *testing.T) {
					p, err := planner.Build(fmt.Sprintf("SELECT 1 FROM %s WHERE %s", tbl.Name, pred), in)
					if err != nil {
						t.Fatal(err)
					}
					got := requests(p.Statements[0])
					without := planNoPredicate(t, in, tbl.Name, c.Name)
					if got == without {
						t.Errorf(".schema says %s pushes down, but the requests are the same as without it:\n%s", pred, got)
					}
				})
			}
		}
	}
}

// planNoPredicate plans a query that references the column in a
// predicate that is never pushed (IS NOT NULL), and returns its requests.
func planNoPredicate(t *testing.T, in planner.Input, table, col string) string {
	t.Helper()
	q := fmt.Sprintf("SELECT 1 FROM %s WHERE %s IS NOT NULL", table, col)
	if strings.Contains("level time_increment date_preset attribution_windows", col) {
		q = fmt.Sprintf("SELECT %s FROM %s", col, table)
	}
	p, err := planner.Build(q, in)
	if err != nil {
		t.Fatal(err)
	}
	return requests(p.Statements[0])
}

// requests is what a statement asks the API for: paths, accounts, params.
func requests(st *planner.Statement) string {
	var b strings.Builder
	for _, sc := range st.Scans {
		fmt.Fprintf(&b, "%s %v %d", sc.Path, sc.Accounts, sc.Limit)
		for _, p := range sc.Params {
			fmt.Fprintf(&b, " %s=%s", p.Key, planner.ParamText(p))
		}
		b.WriteString("\n")
	}
	return b.String()
}
