package planner_test

import (
	"testing"

	"github.com/fbsql/fbsql/planner"
)

// TestGoDatesAgreeWithDuckDB plans simple date conditions twice: read in
// Go (the fast path) and evaluated by DuckDB over the calendar (the
// oracle). The plans must be the same.
func TestGoDatesAgreeWithDuckDB(t *testing.T) {
	in := newInput(t)
	conds := []string{
		"date_start = '2026-11-01'", "date_start <> DATE '2026-11-01' AND date_start > '2026-10-01'",
		"date_start < '2026-01-01'", "date_start <= '2026-01-01'", "'2026-11-01' <= date_start AND date_stop < '2026-11-08'",
		"date_start BETWEEN '2026-10-01' AND DATE '2027-01-31'", "date_start IN ('2026-11-01', '2026-11-03', DATE '2026-11-02')",
		"date_start >= '2026-11-01' OR date_start = '2026-10-01'", "(date_start = '2026-10-01' OR date_start = '2026-10-02') AND date_start <> '2026-10-02'",
		"date_start >= '2023-10-26'", "date_start >= '2023-10-25'", "date_start > '2026-11-26'", "date_start >= '2026-11-26'",
		"date_start > '2026-11-10' AND date_start < '2026-11-05'", "date_start < '2026-11-05' OR date_start > '2026-11-20'",
	}
	for _, c := range conds {
		for _, sel := range []string{"sum(spend)", "date_start, spend"} {
			sql := "SELECT " + sel + " FROM insights WHERE " + c
			planner.SetGoPredicate(true)
			fast := planText(sql, in)
			planner.SetGoPredicate(false)
			slow := planText(sql, in)
			planner.SetGoPredicate(true)
			if fast != slow {
				t.Errorf("%s\nGo reading:\n%s\nDuckDB:\n%s", sql, fast, slow)
			}
		}
	}
}
