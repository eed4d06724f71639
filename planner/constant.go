package planner

// Constants in the AST: folding a constant expression with DuckDB, and the
// clock and volatile functions that make an expression more or less constant.

import (
	"encoding/json"
	"strings"
	"time"
)

// flip is a comparison with its sides swapped: `5 < x` is `x > 5`.
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

// clockFunctions read the current date or time (true: an instant, false: a
// date); the planner substitutes its Today or Now for them so that planning
// stays a pure function.
var clockFunctions = map[string]bool{
	"current_date": false, "today": false,
	"now": true, "current_timestamp": true, "get_current_timestamp": true, "transaction_timestamp": true,
	"localtimestamp": true, "get_current_time": true,
}

// volatileFunctions make an expression non-constant.
var volatileFunctions = map[string]bool{"random": true, "uuid": true, "gen_random_uuid": true, "nextval": true, "currval": true, "setseed": true}

// foldDate evaluates a constant expression (no columns, no subqueries) with
// DuckDB, after replacing clock functions by Today, and returns its date;
// callers widen by a day what the time of day could change.
func foldDate(e node, in Input) (time.Time, bool) {
	if e == nil {
		return time.Time{}, false
	}
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
			if _, isClock := clockFunctions[name]; !isClock || len(columnNames(n)) != 1 {
				ok = false
				return false
			}
			replace(n)
			return false
		case "FUNCTION":
			name := strings.ToLower(str(n, "function_name"))
			if volatileFunctions[name] {
				ok = false
			}
			if _, isClock := clockFunctions[name]; isClock && len(list(n, "children")) == 0 {
				replace(n)
				return false
			}
		}
		return ok
	})
	if !ok || in.Frontend == nil {
		return time.Time{}, false
	}
	sql, err := in.Frontend.Deserialize(selectOf(cp))
	if err != nil {
		return time.Time{}, false
	}
	t, err := in.Frontend.EvalTimestamp(sql)
	if err != nil {
		return time.Time{}, false
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), true
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
