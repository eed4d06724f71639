package planner

import (
	"fmt"
	"strings"

	"github.com/fbsql/fbsql/fbtables"
)

// When a date condition cannot decide the days on its own, the scan falls
// back to daily rows over a window and DuckDB keeps the days it allows. The
// answer is the same as over the query's own grain only if every use of
// the rows adds up across days: metrics summed and grouped, nothing that
// counts, averages or lists rows, no condition on a metric (a day with 40
// clicks is not an ad with 40 clicks over the range; FINDINGS-11 O11).

// rowSensitive are aggregates whose value changes when a row is split into
// days: they count, average or list rows.
var rowSensitive = map[string]bool{
	"count": true, "count_star": true, "avg": true, "mean": true, "favg": true, "list": true, "array_agg": true,
	"string_agg": true, "group_concat": true, "listagg": true, "median": true, "mode": true, "histogram": true,
	"product": true, "quantile": true, "quantile_cont": true, "quantile_disc": true, "stddev": true,
	"stddev_samp": true, "stddev_pop": true, "variance": true, "var_samp": true, "var_pop": true,
	"regr_count": true, "approx_quantile": true, "bool_and": true, "bool_or": true,
}

// sums are the aggregates that add a metric up across days.
var sums = map[string]bool{"sum": true, "fsum": true, "sumkahan": true, "kahan_sum": true}

// keepsRows are the aggregates that give the same value over days as over
// their sum for a column that does not change between days (names, ids).
var keepsRows = map[string]bool{"min": true, "max": true, "any_value": true, "first": true, "last": true, "arbitrary": true}

// dailyHazard says why daily rows would change this scan's answer, or "".
func dailyHazard(sb *scanBuild, in Input) string {
	for _, c := range sb.where {
		if m := sb.metricIn(c); m != "" {
			return fmt.Sprintf("the condition %s on the metric %s would be checked on each day instead of the whole range", conditionText(c, in), m)
		}
	}
	if sb.sel == nil {
		return ""
	}
	aggregated := len(list(sb.sel, "group_expressions")) > 0
	var why string
	var walk func(v any)
	walk = func(v any) {
		visit(v, func(n node) bool {
			if why != "" {
				return false
			}
			switch str(n, "class") {
			case "SUBQUERY":
				return false
			case "COLUMN_REF":
				if m := sb.metricIn(n); m != "" {
					why = fmt.Sprintf("the metric %s is read other than summed, so its value would be each day's", m)
				}
				return false
			case "FUNCTION":
				name := strings.ToLower(str(n, "function_name"))
				switch {
				case sums[name] && n["distinct"] == true:
					why = name + "(DISTINCT …) would see each day's values"
					return false
				case sums[name]:
					aggregated = true
					for _, k := range list(n, "children") {
						if kn, _ := k.(node); !sb.bareColumn(kn) {
							walk(k)
						}
					}
					walk(n["filter"])
					return false
				case rowSensitive[name] && !(name == "count" && n["distinct"] == true):
					if name == "count_star" {
						name = "count(*"
					} else {
						name += "("
					}
					why = name + ") would see one row per day"
					return false
				case rowSensitive[name] || keepsRows[name]:
					aggregated = true
				}
			}
			return true
		})
	}
	for _, key := range []string{"select_list", "having", "qualify", "group_expressions", "modifiers"} {
		walk(sb.sel[key])
	}
	if why == "" && !aggregated {
		why = "the query returns its rows without summing them, so each would be one day"
	}
	return why
}

// metricIn names a metric column of this scan that e reads, or "".
func (sb *scanBuild) metricIn(e any) string {
	var name string
	visit(e, func(n node) bool {
		if name != "" || str(n, "class") == "SUBQUERY" {
			return false
		}
		if col := sb.refCols[nodeKey(n)]; col != nil && col.Kind == fbtables.KindMetric {
			name = col.Name
		}
		return true
	})
	return name
}

// bareColumn reports whether e is a column reference of this scan, maybe
// cast: a sum of it adds up across days.
func (sb *scanBuild) bareColumn(e node) bool {
	for str(e, "class") == "CAST" {
		e = child(e, "child")
	}
	return sb.refCols[nodeKey(e)] != nil
}

// dailyRefusal is the error for a scan that would fall back to daily rows
// (why) where they change the answer, or nil.
func dailyRefusal(sb *scanBuild, in Input, why string) error {
	h := dailyHazard(sb, in)
	if h == "" {
		return nil
	}
	return &Error{Table: "insights", Column: "date_start",
		Reason: why + ": the days would be fetched one by one, and " + h,
		Hint:   "write the days as a range on date_start alone, e.g. date_start BETWEEN DATE '2026-10-01' AND DATE '2026-10-31', or add date_start to the select list for one row per day"}
}
