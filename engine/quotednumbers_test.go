package engine_test

import (
	"fmt"
	"testing"
)

// FINDINGS-11 O14: DuckDB casts a quoted number to the column's type
// before it compares ('25.4' is 25 for BIGINT impressions, '3.96' is 4);
// the threshold the API applies must be that value, or DuckDB alone
// applies it. Oracle: the same query with only the grain pushed.
func TestQuotedNumbersCompareAsTheColumnsType(t *testing.T) {
	p := newPair(t)
	grouped := "SELECT age, gender, sum(impressions) FROM insights WHERE impressions = '25.4' AND level = 'ad' GROUP BY ALL ORDER BY ALL"
	nonEmpty(t, grouped, p.agree(t, grouped, grouped))
	for _, cond := range []string{"clicks <= '3.45'", "clicks >= '24.5'", "NOT (clicks <> '3.96')", "spend < '1.555'", "spend > '16.505'"} {
		q := fmt.Sprintf("SELECT count(*), round(sum(spend), 2) FROM insights WHERE level = 'ad' AND date_start = DATE '%s' AND %s", day(-10), cond)
		nonEmpty(t, cond, p.agree(t, q, q))
	}
}
