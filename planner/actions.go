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
	scan.Params = append(scan.Params, Param{Key: "action_breakdowns", Value: bds})
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
	if wantValue {
		return actionValueSource(scan, keys, structType)
	}
	var sel []string
	for _, c := range scan.Columns {
		if !c.Hidden {
			sel = append(sel, "b."+quoteIdent(c.Name))
		}
	}
	for _, c := range scan.ActionColumns {
		sel = append(sel, "a."+quoteIdent(c.Name))
	}
	return fmt.Sprintf("(SELECT %s FROM %s AS b, unnest(from_json(b.actions, '%s')) AS t(a))",
		strings.Join(sel, ", "), scan.Temp, structType)
}

// actionValueSource is actionSource when action_value is read: one row per
// action in either list (a full outer match of actions and action_values
// on action_type and the action breakdowns), so a value whose action has
// no count entry is kept, with a NULL count.
func actionValueSource(scan *Scan, keys []string, structType string) string {
	var keyFields, match []string
	for _, k := range keys {
		keyFields = append(keyFields, fmt.Sprintf("%s: x.%s", quoteIdent(k), quoteIdent(k)))
		match = append(match, fmt.Sprintf("x.%s IS NOT DISTINCT FROM k.%s", quoteIdent(k), quoteIdent(k)))
	}
	keyOf := "lambda x: {" + strings.Join(keyFields, ", ") + "}"
	find := func(list string) string {
		return fmt.Sprintf("list_filter(from_json(b.%s, '%s'), lambda x: %s)[1]", list, structType, strings.Join(match, " AND "))
	}
	var sel []string
	for _, c := range scan.Columns {
		if !c.Hidden {
			sel = append(sel, "b."+quoteIdent(c.Name))
		}
	}
	for _, c := range scan.ActionColumns {
		switch {
		case c.Kind == fbtables.KindActionKey:
			sel = append(sel, "k."+quoteIdent(c.Name))
		case c.Name == "action_value":
			sel = append(sel, find("action_values")+".value AS action_value")
		default:
			sel = append(sel, find("actions")+"."+quoteIdent(c.Name)+" AS "+quoteIdent(c.Name))
		}
	}
	return fmt.Sprintf("(SELECT %s FROM %s AS b, unnest(list_distinct(list_concat(list_transform(from_json(b.actions, '%s'), %s), list_transform(from_json(b.action_values, '%[3]s'), %[4]s)))) AS t(k))",
		strings.Join(sel, ", "), scan.Temp, structType, keyOf)
}
