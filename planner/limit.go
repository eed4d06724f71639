package planner

import (
	"strconv"
	"strings"

	"github.com/fbsql/fbsql/fbtables"
)

// pushLimit hands `ORDER BY metric [DESC] LIMIT n` (insights) or a bare
// `LIMIT n` to the API as `sort` plus "stop paging after n rows". It fires
// only when nothing between the scan and the LIMIT can change which rows
// survive: the SELECT reads this reference alone, every WHERE conjunct was
// pushed exactly, and there is no grouping, aggregate, window, DISTINCT or
// QUALIFY. Each account returns its own top n; DuckDB's ORDER BY … LIMIT
// then picks the overall top n from them.
func pushLimit(sb *scanBuild, w *walker, scan *Scan) {
	sel := sb.sel
	if sel == nil || !sb.alone || !sb.allExact() {
		return
	}
	if len(list(sel, "group_expressions")) > 0 || len(list(sel, "group_sets")) > 0 ||
		child(sel, "having") != nil || child(sel, "qualify") != nil || child(sel, "sample") != nil ||
		str(sel, "aggregate_handling") != "STANDARD_HANDLING" {
		return
	}
	for _, e := range list(sel, "select_list") {
		en, _ := e.(node)
		if !rowWise(en) {
			return
		}
	}
	var order []any
	limit := -1
	for _, m := range list(sel, "modifiers") {
		mn, _ := m.(node)
		switch str(mn, "type") {
		case "ORDER_MODIFIER":
			order = list(mn, "orders")
		case "LIMIT_MODIFIER":
			n, ok := intConstant(child(mn, "limit"))
			if !ok {
				return
			}
			off := 0
			if o := child(mn, "offset"); o != nil {
				if off, ok = intConstant(o); !ok {
					return
				}
			}
			limit = n + off
		default: // DISTINCT, LIMIT PERCENT
			return
		}
	}
	if limit < 0 {
		return
	}
	switch {
	case len(order) == 0:
	case len(order) == 1 && sb.table.Insights:
		o, _ := order[0].(node)
		col := scanColumn(child(o, "expression"), sb, w)
		if col == nil || col.Kind != fbtables.KindMetric || col.Filter == "" || !alwaysServed[col.Name] {
			return
		}
		dir := "ascending"
		if str(o, "type") == "DESCENDING" {
			dir = "descending"
		}
		scan.Params = append(scan.Params, Param{Key: "sort", Value: []string{col.Filter + "_" + dir}})
	default:
		return
	}
	scan.Limit = limit
}

// alwaysServed are the metrics every insights row carries (the API omits
// rows without impressions, and spend is never left out). A sort on any
// other metric is not pushed: the API may omit it from some rows (reach,
// frequency and cpp with breakdowns older than 13 months; fields without
// data), and its top n would then not be DuckDB's.
var alwaysServed = map[string]bool{"spend": true, "impressions": true}

// rowWise reports whether a select-list expression maps each row to one
// value on its own: no aggregate, window or subquery.
func rowWise(e node) bool {
	ok := true
	visit(e, func(n node) bool {
		switch str(n, "class") {
		case "COLUMN_REF", "STAR", "CONSTANT", "CAST", "OPERATOR", "COMPARISON", "CONJUNCTION", "CASE", "BETWEEN":
		case "FUNCTION":
			if is, _ := n["is_operator"].(bool); !is && !scalarFunctions[strings.ToLower(str(n, "function_name"))] {
				ok = false
			}
		case "":
		default:
			ok = false
		}
		return ok
	})
	return ok
}

// scalarFunctions are common functions known to be row-wise; any other
// function might be an aggregate, so a LIMIT above it is not pushed.
var scalarFunctions = map[string]bool{
	"+": true, "-": true, "*": true, "/": true, "//": true, "%": true, "round": true, "abs": true,
	"coalesce": true, "nullif": true, "greatest": true, "least": true, "lower": true, "upper": true,
	"concat": true, "||": true, "date_trunc": true, "strftime": true, "ifnull": true, "length": true,
}

func intConstant(e node) (int, bool) {
	if str(e, "class") != "CONSTANT" {
		return 0, false
	}
	s, ok := constantString(e)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 0
}
