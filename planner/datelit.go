package planner

// Date conditions simple enough to read in Go: comparisons of one date
// column with 'YYYY-MM-DD' literals. DuckDB reads them the same way
// (TestGoDatesAgreeWithDuckDB holds them to it), and reading them here
// saves a DuckDB query per plan.

import (
	"time"

	"github.com/fbsql/fbsql/fbtables"
)

// useGoPredicate is switched off by a test that holds the Go reading of
// date literals to DuckDB's.
var useGoPredicate = true

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
		return col != nil && col.Push.Via == fbtables.PushDays
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
