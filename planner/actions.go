package planner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/fbsql/fbsql/fbtables"
)

// splitActionColumns moves the per-action columns of an insights_actions
// reference out of the loaded columns: they are read from the actions list,
// which is loaded (hidden) instead, with action_values when action_value
// is asked for.
func splitActionColumns(scan *Scan) {
	var base []*fbtables.Column
	needValues := false
	for _, c := range scan.Columns {
		switch c.Kind {
		case fbtables.KindActionKey, fbtables.KindActionValue:
			scan.ActionColumns = append(scan.ActionColumns, c)
			needValues = needValues || c.Name == "action_value"
		default:
			base = append(base, c)
		}
	}
	for _, hidden := range []string{"actions", "action_values"} {
		if hidden == "action_values" && !needValues {
			continue
		}
		c, _ := scan.Table.Column(hidden)
		base = append(base, c)
	}
	scan.Columns = base
}

// actionParams adds action_breakdowns for the action breakdowns an
// insights_actions reference reads, and the attribution windows whose
// columns it reads.
func actionParams(scan *Scan, in Input) error {
	if !scan.Table.ActionRows {
		return nil
	}
	bds := []string{"action_type"}
	var windows []string
	for _, c := range scan.ActionColumns {
		switch {
		case c.Kind == fbtables.KindActionKey && c.Name != "action_type":
			bds = append(bds, c.Name)
		case c.Kind == fbtables.KindActionValue && c.Name != "value" && c.Name != "action_value":
			windows = append(windows, c.Name)
		}
	}
	scan.Params = append(scan.Params, Param{"action_breakdowns", bds})
	if len(windows) == 0 {
		return nil
	}
	have := scan.Options["attribution_windows"]
	if have == "" {
		have = in.AttributionWindows
	}
	set := map[string]bool{}
	for _, w := range strings.Split(have, ",") {
		if w = strings.TrimSpace(w); w != "" {
			set[w] = true
		}
	}
	for _, w := range windows {
		set[w] = true
	}
	var all []string
	for w := range set {
		all = append(all, w)
	}
	sort.Strings(all)
	v, err := optionValue("attribution_windows", strings.Join(all, ","))
	if err != nil {
		return err
	}
	scan.Options["attribution_windows"] = v
	return nil
}

// actionSource is the SQL that stands for an insights_actions reference:
// the loaded insights rows, one row per element of their actions list.
func actionSource(scan *Scan) string {
	keys := []string{"action_type"}
	var values []string
	wantValue := false
	for _, c := range scan.ActionColumns {
		switch {
		case c.Kind == fbtables.KindActionKey && c.Name != "action_type":
			keys = append(keys, c.Name)
		case c.Name == "action_value":
			wantValue = true
		case c.Kind == fbtables.KindActionValue && c.Name != "value":
			values = append(values, c.Name)
		}
	}
	var st []string
	for _, k := range keys {
		st = append(st, fmt.Sprintf("%q:\"VARCHAR\"", k))
	}
	for _, v := range append([]string{"value"}, values...) {
		st = append(st, fmt.Sprintf("%q:\"DOUBLE\"", v))
	}
	structType := "[{" + strings.Join(st, ",") + "}]"
	var sel []string
	for _, c := range scan.Columns {
		if !c.Hidden {
			sel = append(sel, "b."+quoteIdent(c.Name))
		}
	}
	for _, c := range scan.ActionColumns {
		if c.Name != "action_value" {
			sel = append(sel, "a."+quoteIdent(c.Name))
		}
	}
	if wantValue {
		// The value of the same action (same type and breakdown values) in
		// the action_values list of the same row.
		match := []string{"v.action_type = a.action_type"}
		for _, k := range keys[1:] {
			match = append(match, fmt.Sprintf("v.%s IS NOT DISTINCT FROM a.%s", quoteIdent(k), quoteIdent(k)))
		}
		sel = append(sel, fmt.Sprintf("list_filter(from_json(b.action_values, '%s'), lambda v: %s)[1].value AS action_value",
			structType, strings.Join(match, " AND ")))
	}
	return fmt.Sprintf("(SELECT %s FROM %s AS b, unnest(from_json(b.actions, '%s')) AS t(a))",
		strings.Join(sel, ", "), scan.Temp, structType)
}
