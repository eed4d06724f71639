package planner

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/fbsql/fbsql/fbtables"
)

const day = 24 * time.Hour

// timeRange is what the date predicates of one scan allow.
type timeRange struct {
	since, until time.Time   // zero when unbounded
	dates        []time.Time // from IN lists; nil when none
	pushed       bool
	// lastImprecise is set when the conjunct just added read the clock
	// (now()), which the planner knows only to the day.
	lastImprecise bool
}

// retentionStart is the earliest day the API serves: 37 months back.
func retentionStart(today time.Time) time.Time { return today.AddDate(0, -37, 0) }

// pushTimeRange folds date_start/date_stop conjuncts whose other side is a
// constant expression into a time range. Conjuncts it cannot fold stay for
// DuckDB and make the fetch wider, never narrower.
func pushTimeRange(sb *scanBuild, w *walker, in Input) (timeRange, error) {
	var tr timeRange
	for _, c := range sb.where {
		ok, err := tr.add(c, sb, w, in)
		if err != nil {
			return tr, err
		}
		if ok {
			tr.pushed = true
			markPushed(sb, c)
			sb.handle(c, !tr.lastImprecise)
		}
	}
	return tr, nil
}

// add narrows the range by one conjunct; it reports whether it could.
func (tr *timeRange) add(c node, sb *scanBuild, w *walker, in Input) (bool, error) {
	tr.lastImprecise = false
	isTime := func(n node) bool {
		col := scanColumn(n, sb, w)
		return col != nil && col.Kind == fbtables.KindTime
	}
	switch str(c, "class") {
	case "COMPARISON":
		l, r, op := child(c, "left"), child(c, "right"), str(c, "type")
		if !isTime(l) {
			l, r, op = r, l, flip(op)
		}
		if !isTime(l) {
			return false, nil
		}
		v, ok := foldBound(r, in)
		if !ok {
			return false, nil
		}
		return tr.bound(op, v), nil
	case "BETWEEN":
		if !isTime(child(c, "input")) {
			return false, nil
		}
		lo, ok1 := foldBound(child(c, "lower"), in)
		hi, ok2 := foldBound(child(c, "upper"), in)
		if !ok1 || !ok2 {
			return false, nil
		}
		return tr.bound("COMPARE_GREATERTHANOREQUALTO", lo) && tr.bound("COMPARE_LESSTHANOREQUALTO", hi), nil
	case "OPERATOR":
		kids := list(c, "children")
		if str(c, "type") != "COMPARE_IN" || len(kids) < 2 {
			return false, nil
		}
		first, _ := kids[0].(node)
		if !isTime(first) {
			return false, nil
		}
		var dates []time.Time
		for _, k := range kids[1:] {
			kn, _ := k.(node)
			v, ok := foldBound(kn, in)
			if !ok || v.hasTime || v.imprecise {
				return false, nil
			}
			dates = append(dates, v.date)
		}
		tr.intersectDates(dates)
		return true, nil
	}
	return false, nil
}

// bound is a folded constant: a date, whether it had a time of day, and
// whether it came from the clock (now()), which the planner only knows to the day.
type bound struct {
	date      time.Time
	hasTime   bool
	imprecise bool
}

func (tr *timeRange) bound(op string, v bound) bool {
	tr.lastImprecise = tr.lastImprecise || v.imprecise
	var lo, hi time.Time
	switch op {
	case "COMPARE_EQUAL":
		if v.hasTime && !v.imprecise {
			return false
		}
		lo, hi = v.date, v.date
	case "COMPARE_GREATERTHANOREQUALTO":
		lo = v.date
		if v.hasTime {
			lo = v.date.Add(day)
		}
	case "COMPARE_GREATERTHAN":
		lo = v.date.Add(day)
	case "COMPARE_LESSTHANOREQUALTO":
		hi = v.date
	case "COMPARE_LESSTHAN":
		hi = v.date.Add(-day)
		if v.hasTime {
			hi = v.date
		}
	default:
		return false
	}
	if v.imprecise { // widen by a day: the clock moves between planning and running
		if !lo.IsZero() {
			lo = lo.Add(-day)
		}
		if !hi.IsZero() {
			hi = hi.Add(day)
		}
	}
	if !lo.IsZero() && (tr.since.IsZero() || lo.After(tr.since)) {
		tr.since = lo
	}
	if !hi.IsZero() && (tr.until.IsZero() || hi.Before(tr.until)) {
		tr.until = hi
	}
	return true
}

func (tr *timeRange) intersectDates(dates []time.Time) {
	if tr.dates == nil {
		tr.dates = dates
		return
	}
	keep := map[time.Time]bool{}
	for _, d := range dates {
		keep[d] = true
	}
	var out []time.Time
	for _, d := range tr.dates {
		if keep[d] {
			out = append(out, d)
		}
	}
	tr.dates = out
}

func flip(op string) string {
	switch op {
	case "COMPARE_GREATERTHAN":
		return "COMPARE_LESSTHAN"
	case "COMPARE_LESSTHAN":
		return "COMPARE_GREATERTHAN"
	case "COMPARE_GREATERTHANOREQUALTO":
		return "COMPARE_LESSTHANOREQUALTO"
	case "COMPARE_LESSTHANOREQUALTO":
		return "COMPARE_GREATERTHANOREQUALTO"
	}
	return op
}

// clockFunctions read the current date or time; the planner substitutes
// its Today for them so that planning stays a pure function.
var clockFunctions = map[string]bool{
	"current_date": false, "today": false,
	"now": true, "current_timestamp": true, "get_current_timestamp": true, "transaction_timestamp": true,
	"localtimestamp": true, "get_current_time": true,
}

// volatileFunctions make an expression non-constant.
var volatileFunctions = map[string]bool{"random": true, "uuid": true, "gen_random_uuid": true, "nextval": true, "currval": true, "setseed": true}

// foldBound evaluates a constant expression (no columns, no subqueries) with
// DuckDB, after replacing clock functions by Today.
func foldBound(e node, in Input) (bound, bool) {
	if e == nil {
		return bound{}, false
	}
	var b bound
	cp := deepCopy(e)
	ok := true
	replace := func(n node) {
		for k := range n {
			delete(n, k)
		}
		for k, v := range dateConstant(in.Today) {
			n[k] = v
		}
	}
	visit(cp, func(n node) bool {
		switch str(n, "class") {
		case "SUBQUERY":
			ok = false
		case "COLUMN_REF":
			name := columnNames(n)[0]
			ts, isClock := clockFunctions[name]
			if !isClock || len(columnNames(n)) != 1 {
				ok = false
				return false
			}
			b.imprecise = b.imprecise || ts
			replace(n)
			return false
		case "FUNCTION":
			name := strings.ToLower(str(n, "function_name"))
			if volatileFunctions[name] {
				ok = false
			}
			if ts, isClock := clockFunctions[name]; isClock && len(list(n, "children")) == 0 {
				b.imprecise = b.imprecise || ts
				replace(n)
				return false
			}
		}
		return ok
	})
	if !ok || in.Frontend == nil {
		return bound{}, false
	}
	sql, err := in.Frontend.Deserialize(selectOf(cp))
	if err != nil {
		return bound{}, false
	}
	t, err := in.Frontend.EvalTimestamp(sql)
	if err != nil {
		return bound{}, false
	}
	b.date = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	b.hasTime = !t.Equal(b.date)
	return b, true
}

// dateConstant is the AST of CAST('YYYY-MM-DD' AS DATE).
func dateConstant(d time.Time) node {
	return node{
		"class": "CAST", "type": "OPERATOR_CAST", "alias": "", "query_location": json.Number("18446744073709551615"),
		"child": node{"class": "CONSTANT", "type": "VALUE_CONSTANT", "alias": "", "query_location": json.Number("18446744073709551615"),
			"value": node{"type": node{"id": "VARCHAR", "type_info": nil}, "is_null": false, "value": d.Format(time.DateOnly)}},
		"cast_type": node{"id": "DATE", "type_info": nil}, "try_cast": false,
	}
}

// selectOf wraps an expression in the AST of `SELECT <expr>`.
func selectOf(e node) string {
	stmt := node{"error": false, "statements": []any{node{"node": node{
		"type": "SELECT_NODE", "modifiers": []any{}, "cte_map": node{"map": []any{}},
		"select_list": []any{e}, "from_table": node{"type": "EMPTY", "alias": "", "sample": nil, "query_location": json.Number("18446744073709551615")},
		"where_clause": nil, "group_expressions": []any{}, "group_sets": []any{}, "aggregate_handling": "STANDARD_HANDLING",
		"having": nil, "sample": nil, "qualify": nil,
	}}}}
	b, _ := json.Marshal(stmt)
	return string(b)
}

func deepCopy(n node) node {
	b, _ := json.Marshal(n)
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var out node
	_ = dec.Decode(&out)
	return out
}

// resolve turns the folded predicates into request parameters, checking the
// range against what the API serves.
func (tr timeRange) params(today time.Time, preset string) (params []Param, notes []string, err error) {
	earliest := retentionStart(today)
	if tr.dates != nil {
		var ranges []any
		sort.Slice(tr.dates, func(i, j int) bool { return tr.dates[i].Before(tr.dates[j]) })
		for i, d := range tr.dates {
			if i > 0 && d.Equal(tr.dates[i-1]) {
				continue
			}
			if (!tr.since.IsZero() && d.Before(tr.since)) || (!tr.until.IsZero() && d.After(tr.until)) || d.After(today) || d.Before(earliest) {
				continue
			}
			ranges = append(ranges, map[string]string{"since": ymd(d), "until": ymd(d)})
		}
		if len(ranges) == 0 {
			return nil, nil, &Error{Table: "insights", Column: "date_start",
				Reason: "no date in the IN list is within the range the API serves",
				Hint:   fmt.Sprintf("dates must be between %s and %s", ymd(earliest), ymd(today))}
		}
		return []Param{{"time_ranges", ranges}}, nil, nil
	}
	if !tr.pushed || (tr.since.IsZero() && tr.until.IsZero()) {
		if preset == "" {
			return []Param{{"date_preset", "last_30d"}}, []string{"no date predicate: the API's default range, the last 30 days before today (date_preset=last_30d)"}, nil
		}
		return []Param{{"date_preset", preset}}, nil, nil
	}
	since, until := tr.since, tr.until
	if until.IsZero() || until.After(today) {
		if !until.IsZero() {
			notes = append(notes, fmt.Sprintf("end %s is in the future: data ends today (%s)", ymd(until), ymd(today)))
		}
		until = today
	}
	if since.IsZero() {
		since = earliest
		notes = append(notes, fmt.Sprintf("no start date: from the earliest day the API keeps (%s, 37 months back)", ymd(earliest)))
	}
	switch {
	case tr.since.After(today):
		return nil, nil, &Error{Table: "insights", Column: "date_start",
			Reason: fmt.Sprintf("the date range starts on %s, in the future", ymd(tr.since)),
			Hint:   fmt.Sprintf("insights exist up to today, %s", ymd(today))}
	case since.After(until):
		return nil, nil, &Error{Table: "insights", Column: "date_start",
			Reason: fmt.Sprintf("the date range is empty: start %s is after end %s", ymd(since), ymd(until)),
			Hint:   "check the date_start conditions"}
	case since.Before(earliest):
		return nil, nil, &Error{Table: "insights", Column: "date_start",
			Reason: fmt.Sprintf("start %s is beyond the 37 months of history the API keeps", ymd(since)),
			Hint:   fmt.Sprintf("the earliest start is %s", ymd(earliest))}
	}
	return []Param{{"time_range", map[string]string{"since": ymd(since), "until": ymd(until)}}}, notes, nil
}

func ymd(t time.Time) string { return t.Format(time.DateOnly) }
