package planner

import (
	"strings"

	"github.com/fbsql/fbsql/fbtables"
)

// The date conditions of a scan: which WHERE conjuncts read only its date
// columns (and constants, including constant CTEs), which read more, and
// where else the date is filtered.

// dateConds sorts the WHERE conjuncts of a scan that touch its date columns.
type dateConds struct {
	evaluable   []node           // read only date columns and constants
	unevaluable []node           // read a date column and something else
	consts      map[uintptr]node // column references to constant CTEs → their value
	elsewhere   bool             // a date column is read outside WHERE and the output
	output      bool             // a date column is in the select list, GROUP BY or ORDER BY
}

// classifyDates finds the date conjuncts of sb and where else its date
// columns are read.
func classifyDates(sb *scanBuild, w *walker) dateConds {
	dc := dateConds{consts: map[uintptr]node{}}
	inWhere := map[uintptr]bool{}
	ctes := constantCTEs(w.root, sb)
	for _, c := range sb.where {
		touches := false
		var cols []string
		alone := pureExpr(c, func(n node) bool {
			inWhere[nodeKey(n)] = true
			if col := scanColumn(n, sb, w); col != nil && col.Push.Via == fbtables.PushDays {
				touches = true
				cols = append(cols, col.Name)
				return true
			}
			if e, ok := ctes.value(n); ok {
				dc.consts[nodeKey(n)] = e
				return true
			}
			return isClockRef(n)
		})
		switch {
		case !touches:
		case alone && sameColumn(cols):
			dc.evaluable = append(dc.evaluable, c)
		default:
			dc.unevaluable = append(dc.unevaluable, c)
		}
	}
	out := outputRefs(sb.sel)
	for _, r := range sb.refs {
		if r.col.Kind != fbtables.KindTime || r.node == nil {
			continue
		}
		k := nodeKey(r.node)
		switch {
		case out[k]:
			dc.output = true
		case !inWhere[k]:
			dc.elsewhere = true
		}
	}
	if dc.output && len(dc.evaluable)+len(dc.unevaluable) == 0 && !dc.elsewhere {
		dc.elsewhere = filteredOutside(sb, w, func(c *fbtables.Column) bool { return c.Kind == fbtables.KindTime })
	}
	return dc
}

// filteredOutside reports whether a filter of another query may read a
// column of the scan that match accepts through the scan's output: a
// WHERE, HAVING, QUALIFY or join condition anywhere in the statement that
// names such a column, or the alias of a select-list item showing one, and
// that the walk did not resolve to a virtual table (`… FROM (SELECT
// date_start … FROM insights) WHERE date_start >= …`).
func filteredOutside(sb *scanBuild, w *walker, match func(*fbtables.Column) bool) bool {
	names := map[string]bool{}
	for i := range sb.table.Columns {
		if c := &sb.table.Columns[i]; match(c) {
			names[c.Name] = true
		}
	}
	for _, e := range list(sb.sel, "select_list") {
		en, _ := e.(node)
		if a := strings.ToLower(str(en, "alias")); a != "" {
			visit(en, func(n node) bool {
				if col := scanColumn(n, sb, w); col != nil && match(col) {
					names[a] = true
				}
				return true
			})
		}
	}
	found := false
	check := func(v any) {
		visit(v, func(n node) bool {
			if str(n, "class") == "COLUMN_REF" && w.opaque[nodeKey(n)] {
				cn := columnNames(n)
				found = found || names[cn[len(cn)-1]]
			}
			return !found
		})
	}
	visit(w.root, func(n node) bool {
		switch {
		case str(n, "type") == "SELECT_NODE":
			check(n["where_clause"])
			check(n["having"])
			check(n["qualify"])
		case str(n, "type") == "JOIN":
			check(n["condition"])
		}
		return !found
	})
	return found
}

// sameColumn reports whether a conjunct reads one date column only: one
// reading date_start and date_stop together holds on daily rows only.
func sameColumn(cols []string) bool {
	for _, c := range cols {
		if c != cols[0] {
			return false
		}
	}
	return true
}

// outputRefs are the column references in a SELECT's select list, GROUP BY
// and ORDER BY: what its rows show, as opposed to what filters them.
func outputRefs(sel node) map[uintptr]bool {
	out := map[uintptr]bool{}
	add := func(v any) {
		visit(v, func(n node) bool {
			if str(n, "class") == "COLUMN_REF" {
				out[nodeKey(n)] = true
			}
			return str(n, "class") != "SUBQUERY"
		})
	}
	add(sel["select_list"])
	add(sel["group_expressions"])
	for _, m := range list(sel, "modifiers") {
		if mn, _ := m.(node); str(mn, "type") == "ORDER_MODIFIER" {
			add(mn)
		}
	}
	return out
}

// inlineConstants copies a conjunct with its references to constant CTEs
// replaced by their values.
func inlineConstants(c node, consts map[uintptr]node) node {
	var cp func(v any) any
	cp = func(v any) any {
		switch t := v.(type) {
		case node:
			if e, ok := consts[nodeKey(t)]; ok {
				return deepCopy(e)
			}
			out := node{}
			for k, x := range t {
				out[k] = cp(x)
			}
			return out
		case []any:
			out := make([]any, len(t))
			for i, x := range t {
				out[i] = cp(x)
			}
			return out
		}
		return v
	}
	return cp(c).(node)
}

// cteValues are the constant CTEs a SELECT reads: one row of constants
// (`WITH p AS (SELECT DATE '2026-11-01' AS since)`), so `p.since` in its
// WHERE is that constant.
type cteValues struct {
	byBinding map[string]map[string]node // FROM name → column → value
	only      bool                       // FROM holds only virtual tables and constant CTEs
}

// constantCTEs finds the constant CTEs in FROM of the scan's SELECT. A CTE
// name declared twice in the statement is left out: which one a
// reference reads would need DuckDB's scoping.
func constantCTEs(root node, sb *scanBuild) cteValues {
	defs := map[string]map[string]node{}
	seen := map[string]int{}
	visit(root, func(n node) bool {
		for _, e := range list(child(n, "cte_map"), "map") {
			entry, _ := e.(node)
			name := strings.ToLower(str(entry, "key"))
			seen[name]++
			if cols := constantRow(child(entry, "value")); cols != nil {
				defs[name] = cols
			}
		}
		return true
	})
	cv := cteValues{byBinding: map[string]map[string]node{}, only: true}
	var walk func(t node)
	walk = func(t node) {
		switch str(t, "type") {
		case "JOIN":
			walk(child(t, "left"))
			walk(child(t, "right"))
		case "BASE_TABLE":
			name := strings.ToLower(str(t, "table_name"))
			bind := name
			if a := str(t, "alias"); a != "" {
				bind = strings.ToLower(a)
			}
			if cols, ok := defs[name]; ok && seen[name] == 1 && str(t, "schema_name") == "" {
				cv.byBinding[bind] = cols
			} else if name != sb.table.Name {
				cv.only = false
			}
		default:
			cv.only = false
		}
	}
	walk(child(sb.sel, "from_table"))
	return cv
}

// constantRow reads a CTE whose query is one row of constants: its column
// names and values, or nil.
func constantRow(cte node) map[string]node {
	q := child(child(cte, "query"), "node")
	if str(q, "type") != "SELECT_NODE" || str(child(q, "from_table"), "type") != "EMPTY" ||
		child(q, "where_clause") != nil || child(q, "having") != nil || child(q, "qualify") != nil ||
		len(list(q, "modifiers")) > 0 || len(list(q, "group_expressions")) > 0 || len(list(child(q, "cte_map"), "map")) > 0 {
		return nil
	}
	aliases := list(cte, "aliases")
	cols := map[string]node{}
	for i, e := range list(q, "select_list") {
		en, _ := e.(node)
		name := strings.ToLower(str(en, "alias"))
		if i < len(aliases) {
			a, _ := aliases[i].(string)
			name = strings.ToLower(a)
		}
		if name == "" || !constantExpr(en) {
			return nil
		}
		cp := deepCopy(en)
		cp["alias"] = ""
		cols[name] = cp
	}
	return cols
}

// constantExpr reports whether an expression reads no column (the clock
// aside), no subquery and no volatile function.
func constantExpr(e node) bool { return pureExpr(e, isClockRef) }

// pureExpr reports whether an expression is made of constants, operators
// and functions that are not volatile, and column references ref accepts.
// It visits every reference, so ref may record them.
func pureExpr(e node, ref func(node) bool) bool {
	ok := true
	visit(e, func(n node) bool {
		switch str(n, "class") {
		case "COLUMN_REF":
			ok = ref(n) && ok
			return false
		case "FUNCTION":
			if volatileFunctions[strings.ToLower(str(n, "function_name"))] {
				ok = false
			}
		case "CONSTANT", "CAST", "OPERATOR", "COMPARISON", "CONJUNCTION", "BETWEEN", "CASE", "":
		default: // SUBQUERY, PARAMETER, LAMBDA, WINDOW, …
			ok = false
		}
		return true
	})
	return ok
}

// isClockRef reports whether a column reference is a clock builtin such
// as current_date, which DuckDB parses as a column.
func isClockRef(n node) bool {
	names := columnNames(n)
	_, clock := clockFunctions[names[0]]
	return clock && len(names) == 1
}

// value is the constant a column reference reads from a constant CTE.
func (cv cteValues) value(n node) (node, bool) {
	names := columnNames(n)
	switch len(names) {
	case 2:
		e, ok := cv.byBinding[names[0]][names[1]]
		return e, ok
	case 1:
		if !cv.only {
			return nil, false
		}
		var found node
		hits := 0
		for _, cols := range cv.byBinding {
			if e, ok := cols[names[0]]; ok {
				found = e
				hits++
			}
		}
		return found, hits == 1
	}
	return nil, false
}
