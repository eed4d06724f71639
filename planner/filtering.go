package planner

import (
	"strings"

	"github.com/fbsql/fbsql/fbtables"
)

// filter is one entry of the API's `filtering` parameter.
type filter struct {
	Field    string `json:"field"`
	Operator string `json:"operator"`
	Value    any    `json:"value"`
}

// pushed collects the predicates a scan hands to the API besides the time range.
type pushedFilters struct {
	accounts []string
	statuses []string
	filters  []filter
}

// pushFilters reads `col = constant` and `col IN (constants)` conjuncts on
// ids and statuses. The conjuncts also stay in the SQL DuckDB runs.
func pushFilters(sb *scanBuild, w *walker) pushedFilters {
	var pf pushedFilters
	for _, c := range sb.where {
		col, vals, ok := columnValues(c, sb, w)
		if !ok {
			continue
		}
		switch {
		case col.Name == "account_id" || (sb.table.Name == "ad_accounts" && col.Name == "id"):
			var ids []string
			for _, v := range vals {
				ids = append(ids, strings.TrimPrefix(v, "act_"))
			}
			pf.accounts = intersect(pf.accounts, ids)
		case col.Name == "effective_status" && !sb.table.Insights:
			var st []string
			for _, v := range vals {
				st = append(st, strings.ToUpper(v))
			}
			pf.statuses = intersect(pf.statuses, st)
		case col.Kind == fbtables.KindID && col.Filter != "" && (sb.table.Insights || col.Name != "id"):
			pf.filters = append(pf.filters, filter{Field: col.Filter, Operator: "IN", Value: vals})
		}
	}
	return pf
}

// columnValues matches `col = constant` and `col IN (constant, …)`.
func columnValues(c node, sb *scanBuild, w *walker) (*fbtables.Column, []string, bool) {
	switch {
	case str(c, "class") == "COMPARISON" && str(c, "type") == "COMPARE_EQUAL":
		col, v, ok := columnConstant(c, sb, w)
		if !ok {
			return nil, nil, false
		}
		return col, []string{v}, true
	case str(c, "class") == "OPERATOR" && str(c, "type") == "COMPARE_IN":
		kids := list(c, "children")
		first, _ := kids[0].(node)
		col := scanColumn(first, sb, w)
		if col == nil {
			return nil, nil, false
		}
		var vals []string
		for _, k := range kids[1:] {
			kn, _ := k.(node)
			v, ok := constantString(kn)
			if !ok {
				return nil, nil, false
			}
			vals = append(vals, v)
		}
		return col, vals, true
	}
	return nil, nil, false
}

// intersect narrows a set of allowed values; nil means "no restriction yet".
func intersect(have, add []string) []string {
	if have == nil {
		return append([]string{}, add...)
	}
	keep := map[string]bool{}
	for _, a := range add {
		keep[a] = true
	}
	out := []string{}
	for _, h := range have {
		if keep[h] {
			out = append(out, h)
		}
	}
	return out
}
