package planner

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/fbsql/fbsql/fbtables"
)

// Which days a scan fetches is decided by DuckDB itself: the WHERE conjuncts
// that read only the scan's date columns (and constants, the clock,
// variables) are evaluated over the calendar of days the API serves, in the
// user's session (its TimeZone, its casts), so the fetched days are exactly
// the days DuckDB keeps when it re-checks the same conjuncts.

// clockMargin is how far the clock may move between planning and DuckDB's
// re-check: a set of days that changes within it depends on the clock.
const clockMargin = 15 * time.Minute

// sentinel and farFuture are days long before any data and long after
// today: a condition one satisfies has no lower (upper) bound.
var (
	sentinel  = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	farFuture = time.Date(2999, 12, 31, 0, 0, 0, 0, time.UTC)
)

// dayVar is the name the calendar gives the day a date column is read as.
const dayVar = "fbsql_day"

// dateConds sorts the WHERE conjuncts of a scan that touch its date columns.
type dateConds struct {
	evaluable   []node // read only date columns and constants
	unevaluable []node // read a date column and something else
	elsewhere   bool   // a date column is read outside WHERE and the output
	output      bool   // a date column is in the select list, GROUP BY or ORDER BY
}

// classifyDates finds the date conjuncts of sb and where else its date
// columns are read.
func classifyDates(sb *scanBuild, w *walker) dateConds {
	var dc dateConds
	inWhere := map[uintptr]bool{}
	for _, c := range sb.where {
		touches, alone := false, true
		var cols []string
		visit(c, func(n node) bool {
			switch str(n, "class") {
			case "COLUMN_REF":
				inWhere[nodeKey(n)] = true
				if col := scanColumn(n, sb, w); col != nil && col.Kind == fbtables.KindTime {
					touches = true
					cols = append(cols, col.Name)
				} else if _, clock := clockFunctions[columnNames(n)[0]]; !clock || len(columnNames(n)) != 1 {
					alone = false
				}
				return false
			case "FUNCTION":
				if volatileFunctions[strings.ToLower(str(n, "function_name"))] {
					alone = false
				}
			case "CONSTANT", "CAST", "OPERATOR", "COMPARISON", "CONJUNCTION", "BETWEEN", "CASE", "":
			default: // SUBQUERY, PARAMETER, LAMBDA, WINDOW, …
				alone = false
			}
			return true
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
		dc.elsewhere = filteredOutside(sb, w)
	}
	return dc
}

// filteredOutside reports whether a filter of another query may read the
// scan's date through its output: a WHERE, HAVING, QUALIFY or join
// condition anywhere in the statement that names date_start, date_stop or
// the alias of a select-list item showing them, and that the walk did not
// resolve to a virtual table (`… FROM (SELECT date_start … FROM insights)
// WHERE date_start >= …`).
func filteredOutside(sb *scanBuild, w *walker) bool {
	names := map[string]bool{"date_start": true, "date_stop": true}
	for _, e := range list(sb.sel, "select_list") {
		en, _ := e.(node)
		if a := strings.ToLower(str(en, "alias")); a != "" {
			visit(en, func(n node) bool {
				if col := scanColumn(n, sb, w); col != nil && col.Kind == fbtables.KindTime {
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

// daySet is what the evaluable conjuncts allow, on the calendar from the
// day before the API's earliest to the day after today, plus the sentinel.
type daySet struct {
	days      []time.Time // within [earliest, today], sorted
	unstable  bool        // the set changes as the clock moves on
	unbounded bool        // no lower bound (the sentinel passes)
	tooEarly  bool        // the day before the earliest the API keeps passes
	future    bool        // a day after today passes
	endless   bool        // no upper bound (farFuture passes)
}

// evalDays evaluates the conjuncts over the calendar: in Go when they only
// compare a date column with 'YYYY-MM-DD' literals (DuckDB reads those as
// the same days), with DuckDB otherwise.
func evalDays(conds []node, sb *scanBuild, w *walker, in Input) (daySet, error) {
	earliest, today := retentionStart(in.Today), in.Today
	first, last := earliest.AddDate(0, 0, -1), today.AddDate(0, 0, 1)
	if pred, ok := goPredicate(conds, sb, w); ok && useGoPredicate {
		var days []time.Time
		var marks []int
		for d := first; !d.After(last); d = d.Add(day) {
			if pred(d) {
				days, marks = append(days, d), append(marks, 1)
			}
		}
		for _, d := range []time.Time{sentinel, farFuture} {
			if pred(d) {
				days, marks = append(days, d), append(marks, 1)
			}
		}
		return collectDays(days, marks, false, in), nil
	}
	now := in.Now
	if now.IsZero() {
		now = today.Add(12 * time.Hour)
	}
	clock := false
	at := func(t time.Time) node {
		var kids []any
		for _, c := range conds {
			cp := deepCopy(c)
			substituteDays(cp, sb, w, t, &clock)
			kids = append(kids, cp)
		}
		if len(kids) == 1 {
			return kids[0].(node)
		}
		return node{"class": "CONJUNCTION", "type": "CONJUNCTION_AND", "alias": "", "query_location": json.Number("18446744073709551615"), "children": kids}
	}
	exprs := []any{at(now)}
	if clock {
		exprs = append(exprs, at(now.Add(clockMargin)))
	}
	text, err := in.Frontend.Deserialize(selectList(exprs))
	if err != nil || !strings.HasPrefix(text, "SELECT ") {
		return daySet{}, fmt.Errorf("print date condition: %v", err)
	}
	list := strings.TrimPrefix(text, "SELECT ")
	if !clock {
		list += ", FALSE"
	}
	// Day -1 of the calendar is the sentinel, day n is farFuture. (A CTE,
	// a date range() or ORDER BY make this query several times slower.)
	n := int(last.Sub(first)/day) + 1
	q := fmt.Sprintf(`SELECT d, CAST(a AS INTEGER) + 2 * CAST(b AS INTEGER) FROM (SELECT %[1]s, %[2]s FROM (SELECT CASE r WHEN -1 THEN DATE '%[3]s' WHEN %[4]d THEN DATE '%[5]s' ELSE DATE '%[6]s' + CAST(r AS INTEGER) END AS %[1]s FROM range(-1, %[4]d + 1) AS c(r))) AS t(d, a, b) WHERE a OR b`,
		dayVar, list, ymd(sentinel), n, ymd(farFuture), ymd(first))
	days, marks, err := in.Frontend.Days(q)
	if err != nil {
		return daySet{}, err
	}
	return collectDays(days, marks, clock, in), nil
}

// useGoPredicate is switched off by a test that holds the Go reading of
// date literals to DuckDB's.
var useGoPredicate = true

// collectDays reads the passing days (mark 1: at the planning instant, 2:
// a clockMargin later) into a daySet.
func collectDays(days []time.Time, marks []int, clock bool, in Input) daySet {
	earliest, today := retentionStart(in.Today), in.Today
	var ds daySet
	for i, d := range days {
		d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
		if clock && marks[i] != 3 {
			ds.unstable = true
		} else if !clock && marks[i]&1 == 0 {
			continue
		}
		switch {
		case d.Equal(sentinel):
			ds.unbounded = true
		case d.Equal(farFuture):
			ds.endless = true
		case d.Before(earliest):
			ds.tooEarly = true
		case d.After(today):
			ds.future = true
		default:
			ds.days = append(ds.days, d)
		}
	}
	sort.Slice(ds.days, func(i, j int) bool { return ds.days[i].Before(ds.days[j]) })
	return ds
}

// goPredicate reads conjuncts that only compare one date column with
// 'YYYY-MM-DD' literals (text or DATE; =, <>, <, <=, >, >=, BETWEEN, IN,
// under AND and OR) as a Go predicate: DuckDB casts those literals to the
// same days, so asking it would change nothing but the time spent.
func goPredicate(conds []node, sb *scanBuild, w *walker) (func(time.Time) bool, bool) {
	var preds []func(time.Time) bool
	for _, c := range conds {
		p, ok := goCondition(c, sb, w)
		if !ok {
			return nil, false
		}
		preds = append(preds, p)
	}
	return func(d time.Time) bool {
		for _, p := range preds {
			if !p(d) {
				return false
			}
		}
		return true
	}, true
}

func goCondition(c node, sb *scanBuild, w *walker) (func(time.Time) bool, bool) {
	isDate := func(n node) bool {
		col := scanColumn(n, sb, w)
		return col != nil && col.Kind == fbtables.KindTime
	}
	switch str(c, "class") {
	case "CONJUNCTION":
		var kids []func(time.Time) bool
		for _, k := range list(c, "children") {
			kn, _ := k.(node)
			p, ok := goCondition(kn, sb, w)
			if !ok {
				return nil, false
			}
			kids = append(kids, p)
		}
		and := str(c, "type") == "CONJUNCTION_AND"
		return func(d time.Time) bool {
			for _, p := range kids {
				if p(d) != and {
					return !and
				}
			}
			return and
		}, true
	case "COMPARISON":
		l, r, op := child(c, "left"), child(c, "right"), str(c, "type")
		if !isDate(l) {
			l, r, op = r, l, flip(op)
		}
		v, ok := dateLiteral(r)
		if !isDate(l) || !ok {
			return nil, false
		}
		switch op {
		case "COMPARE_EQUAL":
			return func(d time.Time) bool { return d.Equal(v) }, true
		case "COMPARE_NOTEQUAL":
			return func(d time.Time) bool { return !d.Equal(v) }, true
		case "COMPARE_LESSTHAN":
			return func(d time.Time) bool { return d.Before(v) }, true
		case "COMPARE_LESSTHANOREQUALTO":
			return func(d time.Time) bool { return !d.After(v) }, true
		case "COMPARE_GREATERTHAN":
			return func(d time.Time) bool { return d.After(v) }, true
		case "COMPARE_GREATERTHANOREQUALTO":
			return func(d time.Time) bool { return !d.Before(v) }, true
		}
	case "BETWEEN":
		lo, ok1 := dateLiteral(child(c, "lower"))
		hi, ok2 := dateLiteral(child(c, "upper"))
		if isDate(child(c, "input")) && ok1 && ok2 {
			return func(d time.Time) bool { return !d.Before(lo) && !d.After(hi) }, true
		}
	case "OPERATOR":
		kids := list(c, "children")
		if str(c, "type") != "COMPARE_IN" || len(kids) < 2 {
			return nil, false
		}
		if first, _ := kids[0].(node); !isDate(first) {
			return nil, false
		}
		set := map[time.Time]bool{}
		for _, k := range kids[1:] {
			kn, _ := k.(node)
			v, ok := dateLiteral(kn)
			if !ok {
				return nil, false
			}
			set[v] = true
		}
		return func(d time.Time) bool { return set[d] }, true
	}
	return nil, false
}

// dateLiteral reads 'YYYY-MM-DD' or DATE 'YYYY-MM-DD'.
func dateLiteral(n node) (time.Time, bool) {
	if str(n, "class") == "CAST" {
		if str(child(n, "cast_type"), "id") != "DATE" {
			return time.Time{}, false
		}
		n = child(n, "child")
	}
	if constantType(n) != "VARCHAR" {
		return time.Time{}, false
	}
	s, _ := constantString(n)
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil && len(s) == 10
}

// substituteDays rewrites a conjunct in place for the calendar: date
// columns become the calendar's day, clock functions the given instant.
func substituteDays(c node, sb *scanBuild, w *walker, now time.Time, clock *bool) {
	replace := func(n, with node) {
		for k := range n {
			delete(n, k)
		}
		for k, v := range with {
			n[k] = v
		}
	}
	visit(c, func(n node) bool {
		switch str(n, "class") {
		case "COLUMN_REF":
			if names := columnNames(n); len(names) == 1 && names[0] != dayVar {
				if _, ok := clockFunctions[names[0]]; ok {
					*clock = true
					replace(n, clockValue(names[0], now))
					return false
				}
			}
			replace(n, node{"class": "COLUMN_REF", "type": "COLUMN_REF", "alias": "", "query_location": json.Number("18446744073709551615"), "column_names": []any{dayVar}})
			return false
		case "FUNCTION":
			name := strings.ToLower(str(n, "function_name"))
			if _, ok := clockFunctions[name]; ok && len(list(n, "children")) == 0 {
				*clock = true
				replace(n, clockValue(name, now))
				return false
			}
		}
		return true
	})
}

// clockValue is the AST of what a clock function returns at the instant t:
// a TIMESTAMP WITH TIME ZONE, or its date in the session's time zone.
func clockValue(name string, t time.Time) node {
	ts := castConstant(t.UTC().Format("2006-01-02 15:04:05.999999+00"), "TIMESTAMP WITH TIME ZONE")
	switch {
	case name == "current_time" || name == "get_current_time" || name == "localtime":
		return castNode(ts, "TIME")
	case name == "localtimestamp":
		return castNode(ts, "TIMESTAMP")
	case clockFunctions[name]:
		return ts
	}
	return castNode(ts, "DATE")
}

func castConstant(v, typ string) node {
	return castNode(node{"class": "CONSTANT", "type": "VALUE_CONSTANT", "alias": "", "query_location": json.Number("18446744073709551615"),
		"value": node{"type": node{"id": "VARCHAR", "type_info": nil}, "is_null": false, "value": v}}, typ)
}

func castNode(child node, typ string) node {
	return node{"class": "CAST", "type": "OPERATOR_CAST", "alias": "", "query_location": json.Number("18446744073709551615"),
		"child": child, "cast_type": node{"id": typ, "type_info": nil}, "try_cast": false}
}

// selectList is the AST of `SELECT e1, e2, …` over no table.
func selectList(exprs []any) string {
	stmt := node{"error": false, "statements": []any{node{"node": node{
		"type": "SELECT_NODE", "modifiers": []any{}, "cte_map": node{"map": []any{}},
		"select_list": exprs, "from_table": node{"type": "EMPTY", "alias": "", "sample": nil, "query_location": json.Number("18446744073709551615")},
		"where_clause": nil, "group_expressions": []any{}, "group_sets": []any{}, "aggregate_handling": "STANDARD_HANDLING",
		"having": nil, "sample": nil, "qualify": nil,
	}}}}
	b, _ := json.Marshal(stmt)
	return string(b)
}

// runs splits sorted days into ranges of consecutive days.
func runs(days []time.Time) [][2]time.Time {
	var out [][2]time.Time
	for _, d := range days {
		if n := len(out); n > 0 && out[n-1][1].Add(day).Equal(d) {
			out[n-1][1] = d
			continue
		}
		out = append(out, [2]time.Time{d, d})
	}
	return out
}

// conditionText prints a conjunct as SQL for a message.
func conditionText(c node, in Input) string {
	text, err := in.Frontend.Deserialize(selectList([]any{c}))
	if err != nil {
		return "a date condition"
	}
	return strings.TrimPrefix(text, "SELECT ")
}
