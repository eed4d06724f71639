package planner

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
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

// daySet is what the evaluable conjuncts allow, on the calendar from the
// day before the API's earliest to the day after today, plus the sentinel.
type daySet struct {
	days      []time.Time // within [earliest, today], sorted
	unstable  bool        // the set changes as the clock moves on
	unbounded bool        // no lower bound (the sentinel passes)
	tooEarly  bool        // the day before the earliest the API keeps passes
	future    bool        // a day after today passes
	endless   bool        // no upper bound (farFuture passes)
	// nullPasses is set when the condition holds for a NULL date: then
	// it keeps the NULL-extended rows of an outer join, which fetching
	// fewer days would add, so it cannot decide the days.
	nullPasses bool
}

// evalDays evaluates the conjuncts over the calendar: in Go when they only
// compare a date column with 'YYYY-MM-DD' literals (DuckDB reads those as
// the same days), with DuckDB otherwise.
func evalDays(dc dateConds, sb *scanBuild, w *walker, in Input) (daySet, error) {
	conds := dc.evaluable
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
			cp := inlineConstants(c, dc.consts)
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
	// Day -2 of the calendar is NULL, -1 the sentinel, n farFuture. (A
	// CTE, a date range() or ORDER BY make this query several times slower.)
	n := int(last.Sub(first)/day) + 1
	q := fmt.Sprintf(`SELECT d, CAST(a AS INTEGER) + 2 * CAST(b AS INTEGER) FROM (SELECT %[1]s, %[2]s FROM (SELECT CASE r WHEN -2 THEN NULL WHEN -1 THEN DATE '%[3]s' WHEN %[4]d THEN DATE '%[5]s' ELSE DATE '%[6]s' + CAST(r AS INTEGER) END AS %[1]s FROM range(-2, %[4]d + 1) AS c(r))) AS t(d, a, b) WHERE a OR b`,
		dayVar, list, ymd(sentinel), n, ymd(farFuture), ymd(first))
	days, marks, err := in.Frontend.Days(q)
	if err != nil {
		return daySet{}, err
	}
	return collectDays(days, marks, clock, in), nil
}

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
		case d.IsZero():
			ds.nullPasses = true
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
