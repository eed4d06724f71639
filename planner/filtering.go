package planner

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/fbsql/fbsql/fbtables"
)

// filter is one entry of the API's `filtering` parameter.
type filter struct {
	Field    string `json:"field"`
	Operator string `json:"operator"`
	Value    any    `json:"value"`
}

// pushedFilters collects the predicates a scan hands to the API besides
// the time range.
type pushedFilters struct {
	accounts []string
	statuses []string
	listed   map[uintptr]bool // conjuncts that are effective_status lists
	filters  []filter
	noRows   bool // the statuses named are ones the edge never has
}

// pushFilters reads the conjuncts the API can evaluate: ids and statuses
// (`=`, `IN`), names (`=`, `LIKE`, `ILIKE`) and metric thresholds. Every
// conjunct also stays in the SQL DuckDB runs, so a pushed filter that
// matches a superset (LIKE as STARTS_WITH) is still exact in the result.
func pushFilters(sb *scanBuild, w *walker, in Input) pushedFilters {
	pf := pushedFilters{listed: map[uintptr]bool{}}
	for _, c := range sb.where {
		if f, ok := updatedSinceFilter(c, sb, w, in); ok {
			pf.filters = append(pf.filters, f)
			sb.handle(c, false)
			continue
		}
		if f, exact, ok := stringFilter(c, sb, w); ok {
			pf.filters = append(pf.filters, f)
			sb.handle(c, exact)
			continue
		}
		if f, ok := thresholdFilter(c, sb, w); ok {
			pf.filters = append(pf.filters, f)
			sb.handle(c, true)
			continue
		}
		col, vals, ok := columnValues(c, sb, w)
		if !ok {
			continue
		}
		switch col.Push.Via {
		case fbtables.PushAccounts:
			var ids []string
			for _, v := range vals {
				ids = append(ids, strings.TrimPrefix(v, "act_"))
			}
			pf.accounts = intersect(pf.accounts, ids)
			// act_-prefixed values are queried but match no account_id row,
			// as DuckDB will say when it re-checks the predicate.
			sb.handle(c, true)
		case fbtables.PushStatus:
			pf.statuses = intersect(pf.statuses, upper(vals))
			pf.listed[nodeKey(c)] = true
			sb.handle(c, false)
		case fbtables.PushIDs:
			pf.filters = append(pf.filters, filter{Field: col.Filter, Operator: "IN", Value: vals})
			sb.handle(c, true)
		}
	}
	pf.statuses, pf.noRows = statusParam(sb, w, pf.statuses, pf.listed)
	return pf
}

func upper(vals []string) []string {
	var out []string
	for _, v := range vals {
		out = append(out, strings.ToUpper(v))
	}
	return out
}

// stringFilter pushes `name = 'x'`, `name LIKE 'pattern'` and
// `name ILIKE 'pattern'` on columns with a string filter field. A LIKE
// pattern becomes STARTS_WITH its literal prefix or CONTAIN its longest
// literal run: a superset of the matches, narrowed again by DuckDB.
func stringFilter(c node, sb *scanBuild, w *walker) (filter, bool, bool) {
	var colNode, patNode node
	op := ""
	switch {
	case str(c, "class") == "COMPARISON" && str(c, "type") == "COMPARE_EQUAL":
		colNode, patNode, op = child(c, "left"), child(c, "right"), "="
		if str(colNode, "class") != "COLUMN_REF" {
			colNode, patNode = patNode, colNode
		}
	case str(c, "class") == "FUNCTION" && (str(c, "function_name") == "~~" || str(c, "function_name") == "~~*"):
		kids := list(c, "children")
		if len(kids) != 2 {
			return filter{}, false, false
		}
		colNode, _ = kids[0].(node)
		patNode, _ = kids[1].(node)
		op = str(c, "function_name")
	default:
		return filter{}, false, false
	}
	col := scanColumn(colNode, sb, w)
	if col == nil || col.Push.Via != fbtables.PushText {
		return filter{}, false, false
	}
	pat, ok := constantString(patNode)
	if !ok {
		return filter{}, false, false
	}
	if op == "=" {
		return filter{Field: col.Filter, Operator: "EQUAL", Value: pat}, true, true
	}
	// Whether the API compares case-sensitively is not documented, so a
	// LIKE push is a superset at best: never exact.
	prefix, run := likeParts(pat)
	switch {
	case op == "~~" && prefix != "":
		return filter{Field: col.Filter, Operator: "STARTS_WITH", Value: prefix}, false, true
	case run != "":
		return filter{Field: col.Filter, Operator: "CONTAIN", Value: run}, false, true
	}
	return filter{}, false, false
}

// likeParts splits a LIKE pattern into its literal prefix and its longest
// literal run.
func likeParts(pat string) (prefix, longest string) {
	if pat == "" {
		return "", ""
	}
	var runs []string
	cur := ""
	for _, r := range pat {
		if r == '%' || r == '_' || r == '\\' {
			runs = append(runs, cur)
			cur = ""
			continue
		}
		cur += string(r)
	}
	runs = append(runs, cur)
	if !strings.ContainsAny(pat[:1], "%_") {
		prefix = runs[0]
	}
	for _, r := range runs {
		if len(r) > len(longest) {
			longest = r
		}
	}
	return prefix, longest
}

// updatedSinceFilter pushes `updated_time > constant` (or >=) on entity
// tables as filtering updated_time GREATER_THAN <unix seconds>. The bound is
// moved a day earlier so that time-zone readings of the constant can only
// widen the fetch; DuckDB applies the exact comparison.
func updatedSinceFilter(c node, sb *scanBuild, w *walker, in Input) (filter, bool) {
	if str(c, "class") != "COMPARISON" {
		return filter{}, false
	}
	l, r, op := child(c, "left"), child(c, "right"), str(c, "type")
	if str(l, "class") != "COLUMN_REF" {
		l, r, op = r, l, flip(op)
	}
	col := scanColumn(l, sb, w)
	if col == nil || col.Push.Via != fbtables.PushSince ||
		(op != "COMPARE_GREATERTHAN" && op != "COMPARE_GREATERTHANOREQUALTO") {
		return filter{}, false
	}
	d, ok := foldDate(r, in)
	if !ok {
		return filter{}, false
	}
	since := d.Add(-day).Unix()
	return filter{Field: col.Filter, Operator: "GREATER_THAN", Value: since}, true
}

// thresholdOps maps comparisons to the API's filtering operators.
var thresholdOps = map[string]string{
	"COMPARE_GREATERTHAN": "GREATER_THAN", "COMPARE_GREATERTHANOREQUALTO": "GREATER_THAN_OR_EQUAL",
	"COMPARE_LESSTHAN": "LESS_THAN", "COMPARE_LESSTHANOREQUALTO": "LESS_THAN_OR_EQUAL", "COMPARE_EQUAL": "EQUAL",
}

// thresholdFilter pushes `metric <op> number` on insights metrics the API
// filters. It applies to the rows the API returns, which are the rows of
// this WHERE clause: a threshold in HAVING or over an aggregate never
// reaches here.
func thresholdFilter(c node, sb *scanBuild, w *walker) (filter, bool) {
	if str(c, "class") != "COMPARISON" {
		return filter{}, false
	}
	l, r, op := child(c, "left"), child(c, "right"), str(c, "type")
	if str(l, "class") != "COLUMN_REF" {
		l, r, op = r, l, flip(op)
	}
	col := scanColumn(l, sb, w)
	apiOp, ok := thresholdOps[op]
	if col == nil || !ok || col.Push.Via != fbtables.PushThreshold || str(r, "class") != "CONSTANT" {
		return filter{}, false
	}
	v, ok := constantString(r)
	if !ok {
		return filter{}, false
	}
	if _, err := strconv.ParseFloat(v, 64); err != nil {
		return filter{}, false
	}
	if textConstant(r) && !exactIn(v, col.Type) {
		// DuckDB casts a quoted number to the column's type before it
		// compares ('25.4' is 25 for a BIGINT, FINDINGS-11 O14): only a
		// value the cast keeps as written is the API's threshold too.
		return filter{}, false
	}
	return filter{Field: "{level}." + col.Filter, Operator: apiOp, Value: json.Number(v)}, true
}

// columnValues matches `col = constant`, `col IN (constant, …)` and ORs of
// these on one column, which ask the same question as one IN list.
func columnValues(c node, sb *scanBuild, w *walker) (*fbtables.Column, []string, bool) {
	switch {
	case str(c, "class") == "CONJUNCTION" && str(c, "type") == "CONJUNCTION_OR":
		var col *fbtables.Column
		var vals []string
		for _, k := range list(c, "children") {
			kn, _ := k.(node)
			kc, kv, ok := columnValues(kn, sb, w)
			if !ok || (col != nil && kc != col) {
				return nil, nil, false
			}
			col, vals = kc, append(vals, kv...)
		}
		return col, vals, col != nil
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

// intersect narrows a set of allowed values; nil means "no restriction
// yet". The result holds each value once: `account_id IN ('1', '1')` reads
// the account once, not twice.
func intersect(have, add []string) []string {
	keep := map[string]bool{}
	for _, a := range add {
		keep[a] = true
	}
	if have == nil {
		have = add
	}
	out := []string{}
	for _, h := range have {
		if keep[h] {
			out = append(out, h)
			delete(keep, h)
		}
	}
	return out
}

// textConstant reports whether a constant reaches the comparison as text
// ('25', CAST(… AS VARCHAR)), which DuckDB casts to the column's type.
func textConstant(e node) bool {
	if str(e, "class") == "CAST" {
		return str(child(e, "cast_type"), "id") == "VARCHAR" || textConstant(child(e, "child"))
	}
	return constantType(e) == "VARCHAR"
}

// exactIn reports whether the number v, cast to the DuckDB type typ, keeps
// its value: an integer for an integer type, at most the scale's fraction
// digits for a DECIMAL(p,s), any number for a floating type.
func exactIn(v, typ string) bool {
	switch {
	case typ == "DOUBLE" || typ == "FLOAT":
		return true
	case strings.HasPrefix(typ, "DECIMAL("):
		var prec, scale int
		if _, err := fmt.Sscanf(typ, "DECIMAL(%d,%d)", &prec, &scale); err != nil {
			return false
		}
		whole, frac, _ := strings.Cut(strings.TrimPrefix(v, "-"), ".")
		return whole != "" && strings.Trim(whole+frac, "0123456789") == "" && len(frac) <= scale
	case numericTypes[typ] && typ != "BOOLEAN":
		_, err := strconv.ParseInt(v, 10, 64)
		return err == nil
	}
	return false
}
