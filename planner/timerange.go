package planner

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

const day = 24 * time.Hour

// timeWindow is what the date conditions of one scan decide.
type timeWindow struct {
	conds     dateConds
	set       daySet
	evaluated bool // set holds the days of conds.evaluable
}

// retentionStart is the earliest day the API serves: 37 months back.
func retentionStart(today time.Time) time.Time { return today.AddDate(0, -37, 0) }

// maxRanges bounds the time_ranges of one request; more separate runs of
// days are fetched daily over their span instead.
const maxRanges = 25

// pushTimeRange evaluates the scan's date-only conjuncts with DuckDB. The
// conjuncts stay in the SQL DuckDB runs either way.
func pushTimeRange(sb *scanBuild, w *walker, in Input) timeWindow {
	tw := timeWindow{conds: classifyDates(sb, w)}
	if len(tw.conds.evaluable) == 0 || in.Frontend == nil {
		tw.conds.unevaluable = append(tw.conds.unevaluable, tw.conds.evaluable...)
		tw.conds.evaluable = nil
		return tw
	}
	set, err := evalDays(tw.conds.evaluable, sb, w, in)
	if err != nil {
		// DuckDB could not evaluate them on their own (a cast it rejects
		// on some day): they constrain the dates without deciding them.
		tw.conds.unevaluable = append(tw.conds.unevaluable, tw.conds.evaluable...)
		tw.conds.evaluable = nil
		return tw
	}
	tw.set, tw.evaluated = set, true
	for _, c := range tw.conds.evaluable {
		markPushed(sb, c)
	}
	return tw
}

// loose reports why the fetched days cannot be exactly the days wanted
// ("" when they can): DuckDB's re-check then needs daily rows.
func (tw timeWindow) loose(in Input) string {
	switch {
	case len(tw.conds.unevaluable) > 0:
		return fmt.Sprintf("the date condition %s cannot be decided from the date alone",
			conditionText(tw.conds.unevaluable[0], in))
	case tw.conds.elsewhere:
		return "the date is also filtered outside this WHERE clause (a join condition, HAVING or another query)"
	case tw.set.unstable:
		return "the days wanted depend on the time of day the query runs (now())"
	}
	return ""
}

// timeParams turns the date conditions into the time parameters of the
// request: the days wanted as one time_range, several time_ranges, or their
// span fetched daily; the API's default 30 days only when no condition reads
// the date. increment is the grain's time_increment, explicit when the query
// set it. It marks each evaluated conjunct as pushed, exactly or not.
func (tw timeWindow) timeParams(sb *scanBuild, in Input, increment string, explicit bool, preset, nonAdditive string) (ps []Param, notes []string, empty bool, err error) {
	today, earliest := in.Today, retentionStart(in.Today)
	handle := func(exact bool) {
		for _, c := range tw.conds.evaluable {
			sb.handle(c, exact)
		}
	}
	why := tw.loose(in)
	if !tw.evaluated && why == "" {
		if preset == "" {
			return []Param{{"date_preset", "last_30d"}, {"time_increment", increment}},
				[]string{"no date predicate: the API's default range, the last 30 days before today (date_preset=last_30d)"}, false, nil
		}
		return []Param{{"date_preset", preset}, {"time_increment", increment}}, nil, false, nil
	}
	days := tw.set.days
	if tw.evaluated {
		set := tw.set
		switch {
		case set.tooEarly && !set.unbounded:
			return nil, nil, false, &Error{Table: "insights", Column: "date_start",
				Reason: fmt.Sprintf("the date condition reaches before %s, beyond the 37 months of history the API keeps", ymd(earliest)),
				Hint:   fmt.Sprintf("the earliest start is %s", ymd(earliest))}
		case len(days) == 0 && (set.future || set.endless):
			return nil, nil, false, &Error{Table: "insights", Column: "date_start",
				Reason: "the date condition allows only days in the future",
				Hint:   fmt.Sprintf("insights exist up to today, %s", ymd(today))}
		case len(days) == 0:
			handle(true)
			return nil, []string{fmt.Sprintf("no day from %s to %s satisfies the date condition: no request, no rows", ymd(earliest), ymd(today))}, true, nil
		}
		if set.unbounded {
			notes = append(notes, fmt.Sprintf("no start date: from the earliest day the API keeps (%s, 37 months back)", ymd(earliest)))
		}
		if set.future && !set.endless {
			notes = append(notes, fmt.Sprintf("the date condition reaches into the future: data ends today (%s)", ymd(today)))
		}
	}
	if why != "" {
		if explicit && increment != "1" {
			return nil, nil, false, &Error{Table: "insights", Column: "date_start",
				Reason: why + fmt.Sprintf(", so DuckDB would check it on whole periods of time_increment = %s", increment),
				Hint:   "write the days as a range on date_start alone, e.g. date_start BETWEEN DATE '2026-10-01' AND DATE '2026-10-31'"}
		}
		if !tw.conds.output && nonAdditive != "" {
			return nil, nil, false, &Error{Table: "insights", Column: "date_start",
				Reason: why + fmt.Sprintf(", and %s does not add up across days", nonAdditive),
				Hint:   "write the days as a range on date_start alone, e.g. date_start BETWEEN DATE '2026-10-01' AND DATE '2026-10-31', or add date_start to the select list for one row per day"}
		}
		handle(false)
		if !tw.evaluated && preset != "" {
			return []Param{{"date_preset", preset}, {"time_increment", "1"}}, append(notes, why+": fetched daily for DuckDB to check"), false, nil
		}
		since, until := earliest, today
		if tw.evaluated {
			since, until = days[0], days[len(days)-1]
		}
		notes = append(notes, fmt.Sprintf("%s: every day from %s to %s is fetched daily and DuckDB keeps the days it allows", why, ymd(since), ymd(until)))
		return []Param{{"time_range", dateRange(since, until)}, {"time_increment", "1"}}, notes, false, nil
	}
	rs := runs(days)
	span := []Param{{"time_range", dateRange(days[0], days[len(days)-1])}, {"time_increment", increment}}
	switch {
	case len(rs) == 1:
		handle(true)
		return span, notes, false, nil
	case increment == "1":
		handle(false)
		return span, append(notes, fmt.Sprintf("the %d days wanted form %d ranges: their span is fetched daily and DuckDB keeps the days wanted", len(days), len(rs))), false, nil
	case explicit:
		return nil, nil, false, &Error{Table: "insights", Column: "date_start",
			Reason: fmt.Sprintf("the days wanted form %d separate ranges, and time_increment = %s needs one", len(rs), increment),
			Hint:   "write the days as one range, e.g. date_start BETWEEN DATE '2026-10-01' AND DATE '2026-10-31'"}
	case nonAdditive != "":
		return nil, nil, false, &Error{Table: "insights", Column: "date_start",
			Reason: fmt.Sprintf("the days wanted form %d separate ranges, and %s does not add up across them", len(rs), nonAdditive),
			Hint:   "ask for one range of days, or add date_start to the select list for one row per day"}
	case len(rs) > maxRanges:
		handle(false)
		span[1].Value = "1"
		return span, append(notes, fmt.Sprintf("the %d days wanted form %d ranges: their span is fetched daily and DuckDB keeps the days wanted", len(days), len(rs))), false, nil
	}
	handle(true)
	var ranges []any
	for _, r := range rs {
		ranges = append(ranges, dateRange(r[0], r[1]))
	}
	return []Param{{"time_ranges", ranges}}, notes, false, nil
}

func dateRange(since, until time.Time) map[string]string {
	return map[string]string{"since": ymd(since), "until": ymd(until)}
}

// bound is a folded constant: a date, whether it had a time of day, and
// whether it came from the clock (now()), which the planner only knows to the day.
type bound struct {
	date      time.Time
	hasTime   bool
	imprecise bool
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
func selectOf(e node) string { return selectList([]any{e}) }

func deepCopy(n node) node {
	b, _ := json.Marshal(n)
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var out node
	_ = dec.Decode(&out)
	return out
}

func ymd(t time.Time) string { return t.Format(time.DateOnly) }
