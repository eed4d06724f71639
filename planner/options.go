package planner

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/fbsql/fbsql/fbtables"
)

// datePresets are the API's date_preset values (reference §2.3).
var datePresets = strings.Fields(`today yesterday this_month last_month this_quarter maximum data_maximum
last_3d last_7d last_14d last_28d last_30d last_90d last_week_mon_sun last_week_sun_sat last_quarter
last_year this_week_mon_today this_week_sun_today this_year`)

// attributionWindows are the API's action_attribution_windows values (reference §1.3).
var attributionWindows = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`1d_view 7d_view 28d_view 1d_click 7d_click 28d_click 1d_ev dda default
		7d_view_first_conversion 28d_view_first_conversion 7d_view_all_conversions 28d_view_all_conversions
		skan_view skan_click skan_click_second_postback skan_view_second_postback skan_click_third_postback
		skan_view_third_postback`) {
		m[w] = true
	}
	return m
}()

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ValidateAttributionWindows checks a comma-separated list of attribution
// windows ("" is valid: the API's default).
func ValidateAttributionWindows(list string) error {
	if strings.TrimSpace(list) == "" {
		return nil
	}
	_, err := optionValue("attribution_windows", list)
	if e, ok := err.(*Error); ok {
		return fmt.Errorf("%s; %s", e.Reason, e.Hint)
	}
	return err
}

// optionValue checks the value given to an option pseudo-column.
func optionValue(name, v string) (string, error) {
	v = strings.TrimSpace(v)
	switch name {
	case "level":
		if _, ok := fbtables.ParseLevel(v); !ok {
			return "", &Error{Table: "insights", Column: name, Reason: fmt.Sprintf("level %q is not valid", v),
				Hint: "use one of " + strings.Join(fbtables.LevelNames(), ", ")}
		}
		return strings.ToLower(v), nil
	case "time_increment":
		lv := strings.ToLower(v)
		if lv == "monthly" || lv == "all_days" {
			return lv, nil
		}
		if n, err := strconv.Atoi(v); err == nil && n >= 1 && n <= 90 {
			return strconv.Itoa(n), nil
		}
		return "", &Error{Table: "insights", Column: name, Reason: fmt.Sprintf("time_increment %q is not valid", v),
			Hint: "use a number of days from 1 to 90, 'monthly' or 'all_days'"}
	case "attribution_windows":
		var ws []string
		for _, w := range strings.Split(v, ",") {
			w = strings.ToLower(strings.TrimSpace(w))
			if !attributionWindows[w] {
				return "", &Error{Table: "insights", Column: name, Reason: fmt.Sprintf("attribution window %q is not valid", w),
					Hint: "use a comma-separated list of " + strings.Join(sortedKeys(attributionWindows), ", ")}
			}
			ws = append(ws, w)
		}
		return strings.Join(ws, ","), nil
	case "date_preset":
		lv := strings.ToLower(v)
		for _, p := range datePresets {
			if p == lv {
				return lv, nil
			}
		}
		return "", &Error{Table: "insights", Column: name, Reason: fmt.Sprintf("date_preset %q is not valid", v),
			Hint: "use one of " + strings.Join(datePresets, ", ")}
	}
	return v, nil
}

// pushOptions reads `option = constant` conjuncts. Any other use of an
// option column is an error: an option is a request setting, and under OR
// or NOT it would have no single value.
func pushOptions(sb *scanBuild, w *walker, opts, text map[string]string) error {
	for _, c := range sb.where {
		if str(c, "type") != "COMPARE_EQUAL" {
			continue
		}
		col, val, ok := columnConstant(c, sb, w)
		if !ok || col.Push.Via != fbtables.PushOption {
			continue
		}
		v, err := optionValue(col.Name, val)
		if err != nil {
			return err
		}
		if prev, dup := text[col.Name]; dup && prev != val {
			return &Error{Table: sb.table.Name, Column: col.Name, Reason: fmt.Sprintf("%s is set twice ('%s' and '%s')", col.Name, prev, val),
				Hint: "set each option once"}
		}
		opts[col.Name], text[col.Name] = v, val
		markPushed(sb, c)
		sb.handle(c, true)
	}
	// Reading an option elsewhere (the select list) gives its effective
	// value; using one in WHERE other than as `option = constant` would
	// look like a setting and silently not be one.
	for _, c := range sb.where {
		var bad *fbtables.Column
		visit(c, func(n node) bool {
			if col := scanColumn(n, sb, w); col != nil && col.Push.Via == fbtables.PushOption && !sb.pushed[nodeKey(n)] {
				bad = col
			}
			return true
		})
		if bad != nil {
			return &Error{Table: sb.table.Name, Column: bad.Name,
				Reason: fmt.Sprintf("%s is a request option, not data", bad.Name),
				Hint:   fmt.Sprintf("set it with a top-level WHERE condition such as %s = '…' (joined to the rest with AND)", bad.Name)}
		}
	}
	return nil
}

// columnConstant matches `col = constant` (either way round) where col is a
// column of sb.
func columnConstant(c node, sb *scanBuild, w *walker) (*fbtables.Column, string, bool) {
	l, r := child(c, "left"), child(c, "right")
	if str(l, "class") != "COLUMN_REF" {
		l, r = r, l
	}
	col := scanColumn(l, sb, w)
	if col == nil {
		return nil, "", false
	}
	v, ok := constantString(r)
	return col, v, ok
}

// scanColumn returns the column of sb that a COLUMN_REF node reads, if it
// reads exactly that scan.
func scanColumn(n node, sb *scanBuild, w *walker) *fbtables.Column {
	if str(n, "class") != "COLUMN_REF" {
		return nil
	}
	scans := w.resolved[nodeKey(n)]
	if len(scans) != 1 || scans[0] != sb {
		return nil
	}
	return sb.refCols[nodeKey(n)]
}

// markPushed records that the column references inside a conjunct were
// consumed by a pushdown that makes them request settings (options, time
// range), so they do not count toward the grain.
func markPushed(sb *scanBuild, c node) {
	visit(c, func(n node) bool {
		if str(n, "class") == "COLUMN_REF" {
			sb.pushed[nodeKey(n)] = true
		}
		return true
	})
}
